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
import { quoteExcerpt, RuleError } from "./rule_error.ts";
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
  /**
   * Set when the line is valid but asks for something auditkit does only when
   * allowed: `lock` (`-e 2`), `loginuid` (`--loginuid-immutable`), `panic` (`-f 2`).
   */
  refused?: RefusedKind;
}

/** What a refused line asks for: see {@link RuleFileProblem.refused}. */
export type RefusedKind = "lock" | "loginuid" | "panic";

/**
 * The longest rule line read, in characters. A rule is at most 64 fields of
 * at most PATH_MAX bytes, and real rule lines are far shorter; a longer line
 * is reported, not parsed, so a huge or binary "line" costs nothing more.
 */
export const MAX_RULE_LINE = 65536;

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
  /** Allow `--loginuid-immutable` (loginuids cannot change once set, until reboot). */
  allowLoginuidImmutable?: boolean;
  /** Allow `-f 2` (the kernel panics on a lost record). */
  allowPanic?: boolean;
  /**
   * Skip the lines that are not allowed (`-e 2`, `--loginuid-immutable`,
   * `-f 2` without their allow option) and load the rest; they are reported
   * in `skipped`.
   */
  skipRefused?: boolean;
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
  /** Lines left out under `skipRefused`, with their reasons. */
  skipped: RuleFileProblem[];
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
 * Why each kind of line is refused unless it is allowed.
 *
 * @example
 * ```ts
 * import { REFUSED_REASON } from "../../mod.ts";
 * console.log(REFUSED_REASON.lock); // "-e 2 locks the audit configuration until reboot"
 * ```
 */
export const REFUSED_REASON: Readonly<Record<RefusedKind, string>> = {
  lock: "-e 2 locks the audit configuration until reboot",
  loginuid: "--loginuid-immutable makes every loginuid unchangeable once set, until reboot",
  panic: "-f 2 makes the kernel panic whenever it loses a record",
};

/** The option of {@link RuleFileOptions} that allows each kind. */
const ALLOW_OPTION: Record<RefusedKind, keyof RuleFileOptions> = {
  lock: "allowLock",
  loginuid: "allowLoginuidImmutable",
  panic: "allowPanic",
};

/**
 * Which kind of refused command `cmd` is (`-e 2`, `--loginuid-immutable`,
 * `-f 2`), or undefined for every other command.
 *
 * @example
 * ```ts
 * import { parseRule, refusalOf } from "../../mod.ts";
 * refusalOf(parseRule("-e 2")); // "lock"
 * ```
 */
export function refusalOf(cmd: RuleCommand): RefusedKind | undefined {
  if (cmd.kind === "loginuid_immutable") return "loginuid";
  if (cmd.kind !== "set") return undefined;
  if (cmd.settings.some((s) => s.name === "enabled" && s.value === 2)) return "lock";
  if (cmd.settings.some((s) => s.name === "failure" && s.value === 2)) return "panic";
  return undefined;
}

/** Whether a line asks for a change that cannot be undone (so it is applied last). */
function irreversible(cmd: RuleCommand): boolean {
  const kind = refusalOf(cmd);
  return kind === "lock" || kind === "loginuid";
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
  const skipped: RuleFileProblem[] = [];
  let ignore = options.ignoreErrors || options.continueOnError || false;
  let cont = options.continueOnError ?? false;
  let fatal = false;
  /** The rules the kernel would hold, by identity: the line that added each. */
  const present = new Map<string, RuleFileLine>();
  let lockedAt: number | undefined;
  const report = (p: RuleFileProblem) => {
    problems.push(p);
    if (!ignore) fatal = true;
  };
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl;
    if (end - start > MAX_RULE_LINE) {
      const head = text.slice(start, start + 200);
      report({
        line,
        text: head,
        message:
          `Line ${line}: the line is longer than the ${MAX_RULE_LINE} characters a rule line may have; it starts ${
            quoteExcerpt(head)
          }`,
        auditctl: "Skipping line: too long",
      });
    } else checkLine(line, text.slice(start, end));
    if (nl < 0) break;
    start = nl + 1;
  }
  return { lines, problems, warnings, skipped, fatal, continueOnError: cont };

  function checkLine(line: number, raw: string): void {
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
    const changes = cmd.kind === "rule" || cmd.kind === "delete_all" || cmd.kind === "set" ||
      cmd.kind === "loginuid_immutable";
    if (changes && lockedAt !== undefined) {
      report(
        lineProblem(
          line,
          raw,
          `line ${lockedAt} locks the audit configuration with -e 2, so the kernel refuses every change after it; put -e 2 last`,
          "The audit system is in immutable mode, no rule changes allowed",
        ),
      );
      return;
    }
    const refused = refusalOf(cmd);
    if (refused && !options[ALLOW_OPTION[refused]]) {
      const reason = REFUSED_REASON[refused];
      const problem = {
        ...lineProblem(
          line,
          raw,
          `${reason}: refused unless ${ALLOW_OPTION[refused]} is set`,
          reason,
        ),
        refused,
      };
      if (options.skipRefused) skipped.push(problem);
      else report(problem);
      return;
    }
    if (refused === "lock") lockedAt = line;
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
            `${quoteExcerpt(raw.trim())} does nothing in a rule file`,
            `Option ${words[0]} is invalid`,
          ),
        );
        return;
      case "set":
      case "loginuid_immutable":
        break;
      case "delete_all":
        for (const [id, at] of present) {
          if (!cmd.key || ruleKeyMatches(at.rule!, cmd.key)) present.delete(id);
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
        const earlier = present.get(id);
        if (cmd.op === "delete") present.delete(id);
        else if (earlier) {
          report({
            ...lineProblem(
              line,
              raw,
              `the same rule as line ${earlier.line}: the kernel refuses duplicates`,
              "Error sending add rule data request (Rule exists)",
            ),
            duplicate: true,
          });
          return;
        } else present.set(id, entry);
        break;
      }
    }
    lines.push(entry);
  }
}

/**
 * The order in which {@link loadRules} sends a checked file's lines: file
 * order, except that the lines that cannot be undone (`--loginuid-immutable`,
 * `-e 2`) come last, so that no line the kernel refuses can follow them.
 *
 * @example
 * ```ts
 * import { checkRuleFile, ruleFilePlan } from "../../mod.ts";
 * const checked = checkRuleFile("--loginuid-immutable\n-b 8192\n", { allowLoginuidImmutable: true });
 * ruleFilePlan(checked).map((l) => l.line); // [2, 1]
 * ```
 */
export function ruleFilePlan(checked: CheckedRuleFile): RuleFileLine[] {
  return [
    ...checked.lines.filter((l) => !irreversible(l.command)),
    ...checked.lines.filter((l) => irreversible(l.command)),
  ];
}

/** Options of {@link readRuleFile}. */
export interface ReadRuleFileOptions {
  /** Stops the reading. */
  signal?: AbortSignal;
}

/**
 * Reads a rule file as text for {@link checkRuleFile} and {@link loadRules},
 * with memory bounded by the lines a rule file can have: a line longer than
 * {@link MAX_RULE_LINE} is cut just past the limit (the check then reports
 * it), bytes that are not UTF-8 become U+FFFD, and a NUL byte (binary data,
 * never part of a rule line) ends the reading with an error. Errors name the
 * file and say why in words.
 *
 * @example
 * ```ts ignore
 * import { checkRuleFile, readRuleFile } from "../../mod.ts";
 * const { problems } = checkRuleFile(await readRuleFile("/etc/audit/audit.rules"));
 * ```
 */
export async function readRuleFile(
  path: string,
  options: ReadRuleFileOptions = {},
): Promise<string> {
  const fail = (e: unknown): never => {
    const why = e instanceof Deno.errors.NotFound
      ? "it does not exist"
      : e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable
      ? "permission denied"
      : e instanceof Deno.errors.IsADirectory ||
          (e instanceof Error && /os error 21\b/.test(e.message))
      ? "it is a directory"
      : e instanceof Error
      ? e.message
      : String(e);
    throw new Error(`Cannot read rule file ${quoteExcerpt(path)}: ${why}`, { cause: e });
  };
  const file = await Deno.open(path).catch(fail);
  using f = file;
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let kept = 0;
  let line = 1;
  const take = (chunk: string) => {
    for (let from = 0; from < chunk.length;) {
      const nl = chunk.indexOf("\n", from);
      const end = nl < 0 ? chunk.length : nl;
      const room = Math.max(MAX_RULE_LINE + 1 - kept, 0);
      if (room && end > from) {
        const piece = chunk.slice(from, Math.min(end, from + room));
        parts.push(piece);
        kept += piece.length;
      }
      if (nl < 0) break;
      parts.push("\n");
      kept = 0;
      line++;
      from = nl + 1;
    }
  };
  const buf = new Uint8Array(1 << 16);
  for (;;) {
    options.signal?.throwIfAborted();
    const n = await f.read(buf).catch(fail);
    if (n === null) break;
    const nul = buf.subarray(0, n).indexOf(0);
    take(decoder.decode(buf.subarray(0, nul < 0 ? n : nul), { stream: nul < 0 }));
    if (nul >= 0) {
      // no rule line holds a NUL byte (auditctl would cut the line there): this is binary data
      throw new Error(
        `Cannot read rule file ${
          quoteExcerpt(path)
        }: line ${line} has a NUL byte, so it is not a text file`,
      );
    }
  }
  take(decoder.decode());
  return parts.join("");
}

/** What {@link loadRules} did. */
export interface LoadRulesResult {
  /** Lines applied to the kernel. */
  applied: number;
  /** Lines skipped under `-i` / `-c`, with their reasons. */
  problems: RuleFileProblem[];
  /** Lines left out under `skipRefused`, with their reasons. */
  skipped: RuleFileProblem[];
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
  } else if (cmd.kind === "loginuid_immutable") {
    await client.setLoginuidImmutable({ allowLock: options.allowLoginuidImmutable ?? false });
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
  for (const entry of ruleFilePlan(checked)) {
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
    skipped: checked.skipped,
    warnings: checked.warnings,
    failed: checked.continueOnError && problems.length > 0,
  };
}
