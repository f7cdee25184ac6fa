/**
 * Rule files (`auditctl -R`, /etc/audit/rules.d/*.rules): validated as a
 * whole first, then applied in order, and rolled back when the kernel refuses
 * a line.
 *
 * @module
 */

import type { AuditClient } from "../client.ts";
import { AuditError } from "../errors.ts";
import { buildRule } from "./build.ts";
import { ruleIdentity } from "./decode.ts";
import { ruleKeyMatches } from "./format.ts";
import { addRule, auditctlKernelMessage, deleteAllRules, deleteRule } from "./kernel.ts";
import { parseArgs, splitRuleLine } from "./parse.ts";
import { RuleError } from "./rule_error.ts";
import type { KernelRule, ParsedCommand, RuleCommand, RuleSetting } from "./types.ts";

/** One line of a rule file that carries a command. */
export interface RuleFileLine {
  /** 1-based line number. */
  line: number;
  /** The line as written. */
  text: string;
  /** What it asks for. */
  command: RuleCommand;
  /** The kernel rule of a rule line, built by libaudit. */
  rule?: KernelRule;
  /** Whether `-i` or `-c` (from an earlier line or the options) covers this line. */
  ignored: boolean;
}

/** A line that cannot be applied, and why. */
export interface RuleFileProblem {
  /** 1-based line number. */
  line: number;
  /** The line as written. */
  text: string;
  /** auditkit's explanation, naming the line. */
  message: string;
  /** What auditctl prints for it. */
  auditctl: string;
  /** true when the line repeats an earlier rule. */
  duplicate?: boolean;
}

/** A warning auditctl would print for an accepted line. */
export interface RuleFileWarning {
  /** 1-based line number. */
  line: number;
  /** The warning. */
  message: string;
}

/**
 * Thrown by {@link loadRules} when a rule file has lines that cannot be
 * applied: `problems` lists every one with its line number and reason.
 *
 * @example
 * ```ts ignore
 * import { loadRules, openAudit, RuleFileError } from "../../mod.ts";
 * using audit = openAudit();
 * try {
 *   await loadRules(audit, "-w /etc/passwd -p wa\n-a always,bogus\n");
 * } catch (e) {
 *   if (e instanceof RuleFileError) for (const p of e.problems) console.error(p.message);
 * }
 * ```
 */
export class RuleFileError extends Error {
  /** Every line that cannot be applied. */
  readonly problems: RuleFileProblem[];
  /** Whether the kernel was left as it was before the call. */
  readonly unchanged: boolean;

  /** Builds the error from its problems. */
  constructor(problems: RuleFileProblem[], unchanged: boolean, cause?: unknown) {
    const n = problems.length;
    const head = `Cannot load rules: ${n} line${n === 1 ? "" : "s"} cannot be applied${
      unchanged ? ", nothing was changed" : ""
    }`;
    super(`${head}\n${problems.map((p) => `  ${p.message}`).join("\n")}`, { cause });
    this.name = "RuleFileError";
    this.problems = problems;
    this.unchanged = unchanged;
  }
}

/** Options of {@link checkRuleFile} and {@link loadRules}. */
export interface RuleFileOptions {
  /** `-i` for the whole file: bad lines are skipped and reported. */
  ignoreErrors?: boolean;
  /** `-c` for the whole file: like ignoreErrors, but the result is marked failed. */
  continueOnError?: boolean;
  /** Allow `-e 2` (locks the audit configuration until reboot). */
  allowLock?: boolean;
  /** Allow `-f 2` (the kernel panics on a lost record). */
  allowPanic?: boolean;
  /** Decides a watch's type; by default a stat of the path. */
  isDirectory?: (path: string) => boolean;
}

/** A rule file read and checked without the kernel. */
export interface CheckedRuleFile {
  /** The lines that carry a command and passed the checks, in file order. */
  lines: RuleFileLine[];
  /** The lines that cannot be applied. */
  problems: RuleFileProblem[];
  /** Warnings auditctl would print. */
  warnings: RuleFileWarning[];
  /** Whether a problem is outside `-i` / `-c` cover (then nothing may be sent). */
  fatal: boolean;
  /** Whether `-c` was given (errors then fail the load after it finishes). */
  continueOnError: boolean;
}

function problemOf(line: number, text: string, e: unknown): RuleFileProblem {
  if (e instanceof RuleError) {
    return { line, text, message: e.atLine(line).message, auditctl: e.auditctl };
  }
  const msg = e instanceof Error ? e.message : String(e);
  const auditctl = e instanceof AuditError && e.call.endsWith("_rule_data")
    ? auditctlKernelMessage(e)
    : msg;
  return { line, text, message: `Line ${line}: ${msg}`, auditctl };
}

function lineProblem(line: number, text: string, reason: string, auditctl: string) {
  return problemOf(line, text, new RuleError({ rule: text.trim(), reason, auditctl }));
}

/**
 * Reads and checks a whole rule file without the kernel: every line is
 * parsed and every rule is built by libaudit, and duplicates are found.
 *
 * @example
 * ```ts
 * import { checkRuleFile } from "../../mod.ts";
 * const { problems } = checkRuleFile("-D\n-a always,exit -S bogus\n");
 * console.log(problems[0].message); // Line 2: cannot add rule "...": unknown syscall "bogus"
 * ```
 */
export function checkRuleFile(text: string, options: RuleFileOptions = {}): CheckedRuleFile {
  const lines: RuleFileLine[] = [];
  const problems: RuleFileProblem[] = [];
  const warnings: RuleFileWarning[] = [];
  let ignore = options.ignoreErrors || options.continueOnError || false;
  let cont = options.continueOnError ?? false;
  let fatal = false;
  const present = new Map<string, number>();
  const report = (p: RuleFileProblem) => {
    problems.push(p);
    if (!ignore) fatal = true;
  };
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    const words = splitRuleLine(raw);
    if (!words.length) return;
    let parsed: ParsedCommand & { warnings: string[] };
    try {
      parsed = parseArgs(words);
    } catch (e) {
      report(problemOf(line, raw, e));
      return;
    }
    if (parsed.ignoreErrors) ignore = true;
    if (parsed.continueOnError) cont = true;
    for (const w of parsed.warnings) warnings.push({ line, message: w });
    const cmd = parsed.command;
    const entry: RuleFileLine = { line, text: raw, command: cmd, ignored: ignore };
    switch (cmd.kind) {
      case "none":
        return;
      case "deprecated":
        warnings.push({ line, message: cmd.message });
        return;
      case "load":
        report(
          lineProblem(
            line,
            raw,
            "rule files cannot load other rule files",
            "Error - nested rule files not supported",
          ),
        );
        return;
      case "status":
      case "list":
      case "message":
      case "version":
      case "help":
        report(
          lineProblem(
            line,
            raw,
            `"${raw.trim()}" does nothing in a rule file`,
            `Option ${words[0]} is invalid`,
          ),
        );
        return;
      case "set":
        for (const s of cmd.settings) {
          if (s.name === "enabled" && s.value === 2 && !options.allowLock) {
            report(
              lineProblem(
                line,
                raw,
                "-e 2 locks the audit configuration until reboot; allow it with allowLock",
                "Enable 2 refused",
              ),
            );
            return;
          }
          if (s.name === "failure" && s.value === 2 && !options.allowPanic) {
            report(
              lineProblem(
                line,
                raw,
                "-f 2 makes the kernel panic on a lost record; allow it with allowPanic",
                "Failure 2 refused",
              ),
            );
            return;
          }
        }
        break;
      case "delete_all":
        for (const [id, at] of present) {
          if (!cmd.key) present.delete(id);
          else if (ruleKeyMatches(lines.find((l) => l.line === at)!.rule!, cmd.key)) {
            present.delete(id);
          }
        }
        break;
      case "rule": {
        let built;
        try {
          built = buildRule(cmd.rule, { op: cmd.op, isDirectory: options.isDirectory });
        } catch (e) {
          report(problemOf(line, raw, e));
          return;
        }
        for (const w of built.warnings) warnings.push({ line, message: w });
        entry.rule = built.rule;
        const id = ruleIdentity(built.rule);
        if (cmd.op === "delete") present.delete(id);
        else if (present.has(id)) {
          report({
            ...lineProblem(
              line,
              raw,
              `the same rule as line ${present.get(id)}: the kernel refuses duplicates`,
              "Error sending add rule data request (Rule exists)",
            ),
            duplicate: true,
          });
          return;
        } else present.set(id, line);
        break;
      }
    }
    lines.push(entry);
  });
  return { lines, problems, warnings, fatal, continueOnError: cont };
}

/** What {@link loadRules} did. */
export interface LoadRulesResult {
  /** Lines applied to the kernel. */
  applied: number;
  /** Lines skipped under `-i` / `-c`, with their reasons. */
  problems: RuleFileProblem[];
  /** Warnings auditctl would print. */
  warnings: RuleFileWarning[];
  /** true when `-c` was given and some line failed (auditctl then exits 1). */
  failed: boolean;
}

type Undo = () => Promise<unknown>;

const SETTERS: Record<
  RuleSetting,
  (c: AuditClient, v: number, o: RuleFileOptions) => Promise<void>
> = {
  enabled: (c, v, o) => c.setEnabled(v as 0 | 1 | 2, { allowLock: o.allowLock ?? false }),
  failure: (c, v, o) => c.setFailure(v as 0 | 1 | 2, { allowPanic: o.allowPanic ?? false }),
  rate_limit: (c, v) => c.setRateLimit(v),
  backlog_limit: (c, v) => c.setBacklogLimit(v),
  backlog_wait_time: (c, v) => c.setBacklogWaitTime(v),
};

async function apply(
  client: AuditClient,
  entry: RuleFileLine,
  options: RuleFileOptions,
  undo: Undo[],
): Promise<void> {
  const cmd = entry.command;
  if (cmd.kind === "rule") {
    const rule = entry.rule!;
    if (cmd.op === "delete") {
      await deleteRule(client, rule);
      undo.push(() => addRule(client, rule));
    } else {
      await addRule(client, rule, { prepend: cmd.op === "prepend" });
      undo.push(() => deleteRule(client, rule));
    }
  } else if (cmd.kind === "delete_all") {
    const removed = await deleteAllRules(client, { key: cmd.key });
    undo.push(async () => {
      for (const r of removed) await addRule(client, r);
    });
  } else if (cmd.kind === "set") {
    const before = await client.status();
    for (const s of cmd.settings) {
      await SETTERS[s.name](client, s.value, options);
      const old = before[s.name];
      if (old !== undefined && old !== 2) {
        undo.push(() => SETTERS[s.name](client, old, {}));
      }
    }
  }
}

/**
 * Loads a rule file into the kernel, like `auditctl -R FILE` but atomic:
 * the whole file is checked first and nothing is sent when any line is bad
 * (every bad line is reported in a {@link RuleFileError}). When the kernel
 * refuses a line, what was applied before it is undone.
 *
 * `-i` / `-c` lines (or the options) give auditctl's behaviour from there on:
 * bad lines are skipped and reported in the result.
 *
 * @example
 * ```ts ignore
 * import { loadRules, openAudit } from "../../mod.ts";
 * using audit = openAudit();
 * const { applied } = await loadRules(audit, await Deno.readTextFile("/etc/audit/audit.rules"));
 * ```
 */
export async function loadRules(
  client: AuditClient,
  text: string,
  options: RuleFileOptions = {},
): Promise<LoadRulesResult> {
  const checked = checkRuleFile(text, options);
  if (checked.fatal) throw new RuleFileError(checked.problems, true);
  const problems = [...checked.problems];
  const undo: Undo[] = [];
  let applied = 0;
  for (const entry of checked.lines) {
    try {
      await apply(client, entry, options, undo);
      applied++;
    } catch (e) {
      if (!(e instanceof AuditError) && !(e instanceof RangeError)) throw e;
      const problem = problemOf(entry.line, entry.text, e);
      if (entry.ignored) {
        problems.push(problem);
        continue;
      }
      let unchanged = true;
      for (const u of undo.reverse()) {
        try {
          await u();
        } catch {
          unchanged = false;
        }
      }
      throw new RuleFileError([problem], unchanged, e);
    }
  }
  return {
    applied,
    problems,
    warnings: checked.warnings,
    failed: checked.continueOnError && problems.length > 0,
  };
}
