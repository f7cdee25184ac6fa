/**
 * `auditkit rules`: list, add, delete, flush and load the kernel's audit
 * rules in auditctl's rule language.
 *
 * @module
 */

import {
  addRule,
  checkRuleFile,
  checkRuleLines,
  deleteAllRules,
  deleteRule,
  formatRules,
  type KernelRule,
  listRules,
  loadRules,
  openAudit,
  readRuleFile,
  readRuleLines,
  REFUSED_REASON,
  RuleFileError,
  ruleFilePlan,
  type RuleFileProblem,
  type RuleFinding,
} from "../mod.ts";
import { Command, type CommandUnknownOpts } from "./deps.ts";
import { err, ExitStatus, out, UsageError } from "./_common.ts";
import { ALLOW_FLAG, refusalMessage } from "./_refused.ts";

/** The words of a rule given as one quoted argument or as the words after `--`. */
function ruleText(words: string[]): string {
  if (!words.length) throw new UsageError("give the rule, e.g. '-w /etc/passwd -p wa -k passwd'");
  if (words.length === 1) return words[0];
  return words.map((w) => w.replace(/\\/g, "\\\\").replace(/ /g, "\\ ")).join(" ");
}

function syscallNumbers(rule: KernelRule): number[] | "all" {
  let all = true;
  for (let i = 0; i < 63; i++) if (rule.mask[i] !== 0xffffffff) all = false;
  if (all) return "all";
  const nrs: number[] = [];
  for (let nr = 0; nr < 2048; nr++) if (rule.mask[nr >>> 5] & (1 << (nr & 31))) nrs.push(nr);
  return nrs;
}

/** A rule as JSON: its auditctl text and its kernel fields. */
function ruleJson(rule: KernelRule, text: string) {
  return {
    text,
    list: rule.flags & 7,
    action: rule.action,
    syscalls: syscallNumbers(rule),
    fields: rule.fields.map((f) => ({ id: f.id, op: f.op, value: f.value, text: f.text })),
  };
}

function listCommand(): CommandUnknownOpts {
  return new Command("list")
    .description("Print the kernel's rules exactly as `auditctl -l` does")
    .option("-k, --key <text>", "only rules whose key contains this text")
    .option("-i, --interpret", "machine names for arch, like `auditctl -l -i`")
    .option("--json", "one JSON array: each rule's text, list, action, syscalls and fields")
    .addHelpText(
      "after",
      "\nExamples:\n  auditkit rules list\n  auditkit rules list --json | jq '.[].text'",
    )
    .action(async (opts) => {
      using audit = openAudit();
      const rules = await listRules(audit);
      if (opts.json) {
        const keyed = rules.filter((r) =>
          !opts.key || r.fields.some((f) => f.id === 210 && (f.text ?? "").includes(opts.key!))
        );
        // texts from the whole listing: auditctl's syscall names depend on the rules before
        const texts = formatRules(rules).split("\n");
        const json = rules.map((r, i) => ruleJson(r, texts[i])).filter((_, i) =>
          keyed.includes(rules[i])
        );
        await out(JSON.stringify(json) + "\n");
        return;
      }
      await out(formatRules(rules, { key: opts.key, interpret: opts.interpret ?? false }));
    });
}

function addCommand(): CommandUnknownOpts {
  return new Command("add")
    .description("Add one rule (auditctl syntax: -a, -A or -w)")
    .argument("<rule...>", "the rule as one quoted argument, or its words after --")
    .allowUnknownOption()
    .passThroughOptions()
    .addHelpText(
      "after",
      "\nExamples:\n  auditkit rules add '-w /etc/passwd -p wa -k passwd'\n" +
        "  auditkit rules add -- -a always,exit -F arch=b64 -S openat -F exit=-EACCES -k access",
    )
    .action(async (words: string[]) => {
      using audit = openAudit();
      await addRule(audit, ruleText(words));
    });
}

function deleteCommand(): CommandUnknownOpts {
  return new Command("delete")
    .description("Delete the rule that matches exactly (its -a/-w form or -d/-W form)")
    .argument("<rule...>", "the rule as one quoted argument, or its words after --")
    .allowUnknownOption()
    .passThroughOptions()
    .addHelpText(
      "after",
      "\nExamples:\n  auditkit rules delete '-w /etc/passwd -p wa -k passwd'\n" +
        "  auditkit rules delete -- -d always,exit -F arch=b64 -S openat -k access",
    )
    .action(async (words: string[]) => {
      using audit = openAudit();
      await deleteRule(audit, ruleText(words));
    });
}

function flushCommand(): CommandUnknownOpts {
  return new Command("flush")
    .description("Delete every rule (auditctl -D), or those whose key contains --key")
    .option("-k, --key <text>", "only rules whose key contains this text")
    .addHelpText("after", "\nExamples:\n  auditkit rules flush\n  auditkit rules flush --key web-")
    .action(async (opts) => {
      using audit = openAudit();
      await deleteAllRules(audit, { key: opts.key });
    });
}

/** Exit status of `rules load --check` when it finds warnings and no error. */
const WARNINGS_ONLY = 3;

function loadCommand(): CommandUnknownOpts {
  return new Command("load")
    .description(
      "Load a rule file atomically: every line is checked first, nothing is sent when one is bad",
    )
    .argument("<file>", "the rule file (auditctl -R syntax)")
    .option(
      "--check",
      `only validate and lint the file; exit 1 on errors, ${WARNINGS_ONLY} on warnings only`,
    )
    .option("--allow-warnings", "with --check: exit 0 when there are warnings but no error")
    .option("--dry-run", "check the file and print the lines in the order they would be sent")
    .option("-i, --ignore-errors", "like auditctl -i: skip bad lines, report them")
    .option("-c, --continue", "like auditctl -c: skip bad lines, then exit 1")
    .option("--allow-lock", "apply -e 2, which locks the audit configuration until reboot")
    .option(
      "--allow-loginuid-immutable",
      "apply --loginuid-immutable, which lasts until reboot",
    )
    .option("--allow-panic", "apply -f 2, which makes the kernel panic on a lost record")
    .option(
      "--skip-refused",
      "leave out the -e 2, --loginuid-immutable and -f 2 lines not allowed, and load the rest",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  auditkit rules load /etc/audit/audit.rules\n" +
        "  auditkit rules load --skip-refused /etc/audit/audit.rules   # all but -e 2 and the like\n" +
        "  auditkit rules load --allow-lock --allow-loginuid-immutable /etc/audit/audit.rules\n" +
        "  auditkit rules load --check --allow-warnings /etc/audit/rules.d/50-hardening.rules",
    )
    .action(async (file: string, opts) => {
      const options = {
        ignoreErrors: opts.ignoreErrors ?? false,
        continueOnError: opts.continue ?? false,
        allowLock: opts.allowLock ?? false,
        allowLoginuidImmutable: opts.allowLoginuidImmutable ?? false,
        allowPanic: opts.allowPanic ?? false,
        skipRefused: opts.skipRefused ?? false,
      };
      if (opts.check) {
        // streamed: the file is read a line at a time and each finding is written when found
        let errors = false;
        let warnings = false;
        for await (const f of checkRuleLines(readRuleLines(file), options)) {
          if (f.severity === "error") errors = true;
          else warnings = true;
          await out(`${file}:${f.line}: ${f.severity} [${f.code}] ${findingText(f)}\n`);
        }
        if (errors) throw new ExitStatus(1);
        if (warnings && !opts.allowWarnings) throw new ExitStatus(WARNINGS_ONLY);
        return;
      }
      const text = await readRuleFile(file);
      if (opts.dryRun) {
        const checked = checkRuleFile(text, options);
        for (const p of checked.skipped) {
          await err(`${file}:${p.line}: skipped: ${skippedText(p)}\n`);
        }
        if (checked.fatal) throw fileError(file, checked.problems);
        for (const p of checked.problems) await err(`${file}:${p.line}: ${problemText(p)}\n`);
        for (const l of ruleFilePlan(checked)) await out(`${file}:${l.line}: ${l.text.trim()}\n`);
        return;
      }
      using audit = openAudit();
      let result;
      try {
        result = await loadRules(audit, text, options);
      } catch (e) {
        if (e instanceof RuleFileError) throw fileError(file, e.problems, e.unchanged);
        throw e;
      }
      for (const w of result.warnings) await err(`${file}:${w.line}: warning: ${w.message}\n`);
      for (const p of result.skipped) await err(`${file}:${p.line}: skipped: ${skippedText(p)}\n`);
      for (const p of result.problems) await err(`${file}:${p.line}: ${p.message}\n`);
      if (result.failed) throw new Error(`${result.problems.length} line(s) of ${file} failed`);
    });
}

/** A finding's text without its line number, naming the CLI flag for a refused line. */
function findingText(f: RuleFinding): string {
  if (!f.refused) return f.message.replace(/^Line \d+: /, "");
  return refusalMessage(f.refused, " (or --skip-refused to load the other lines)");
}

/** A problem's text without its line number; a refused line names the flag that allows it. */
function problemText(p: RuleFileProblem): string {
  if (!p.refused) return p.message.replace(/^Line \d+: /, "");
  return refusalMessage(p.refused, " (or --skip-refused to load the other lines)");
}

/** What a line left out under --skip-refused asked for, and the flag that would apply it. */
function skippedText(p: RuleFileProblem): string {
  return `${REFUSED_REASON[p.refused!]} (${ALLOW_FLAG[p.refused!]} applies it)`;
}

/** The error for a file that cannot be loaded: every line, with the flags of refused lines. */
function fileError(file: string, problems: RuleFileProblem[], unchanged = true): Error {
  const n = problems.length;
  return new Error(
    `Cannot load rules from ${file}: ${n} line${n === 1 ? "" : "s"} cannot be applied${
      unchanged ? ", nothing was changed" : ""
    }\n${problems.map((p) => `  Line ${p.line}: ${problemText(p)}`).join("\n")}`,
  );
}

/** Builds the `rules` command. */
export function rulesCommand(): CommandUnknownOpts {
  return new Command("rules")
    .description("The kernel's audit rules, in auditctl's rule language")
    .enablePositionalOptions()
    .addCommand(listCommand())
    .addCommand(addCommand())
    .addCommand(deleteCommand())
    .addCommand(flushCommand())
    .addCommand(loadCommand())
    .addHelpText(
      "after",
      "\nExamples:\n  auditkit rules list\n  auditkit rules add '-w /etc/shadow -p wa -k shadow'\n" +
        "  auditkit rules load --check audit.rules",
    );
}
