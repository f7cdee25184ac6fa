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
import { decodeRule, ruleHash, ruleIdentity } from "./decode.ts";
import { addRule, auditctlKernelMessage, deleteAllRules, deleteRule } from "./kernel.ts";
import { parseArgs, splitRuleLine } from "./parse.ts";
import { quoteExcerpt, RuleError } from "./rule_error.ts";
import { RuleTable } from "./rule_table.ts";
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

const AUDIT_FILTERKEY = 210;

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

/** Where {@link RuleFileScanner} puts what it finds that is not an accepted line. */
export interface RuleFileSink {
  /** A line that cannot be applied. */
  problem(p: RuleFileProblem): void;
  /** A warning auditctl would print. */
  warning(w: RuleFileWarning): void;
  /** A refused line left out under `skipRefused`. */
  skipped(p: RuleFileProblem): void;
}

/**
 * Checks a rule file line by line, remembering only what later lines are
 * checked against: the `-i` / `-c` state, the `-e 2` line, and a compact
 * entry (hash, line, key) for each rule the kernel would hold. What it finds
 * goes to the sink; each accepted line is returned, for the caller to keep or
 * drop.
 */
export class RuleFileScanner {
  /** Whether a problem is outside `-i` / `-c` cover (then nothing may be sent). */
  fatal = false;
  /** Whether `-c` was given. */
  continueOnError: boolean;
  #ignore: boolean;
  #lockedAt: number | undefined;
  /** The rules the kernel would hold, by the hash of their identity: the line that added each. */
  readonly #present = new RuleTable();
  readonly #hash = new Int32Array(4);
  readonly #options: RuleFileOptions;
  readonly #sink: RuleFileSink;
  readonly #same: ((line: number, rule: KernelRule) => boolean) | undefined;

  /**
   * `same`, given by a caller that keeps the rules, tells whether the rule of
   * an earlier line is `rule` (a hash match is then confirmed byte for byte).
   */
  constructor(
    options: RuleFileOptions,
    sink: RuleFileSink,
    same?: (line: number, rule: KernelRule) => boolean,
  ) {
    this.#options = options;
    this.#sink = sink;
    this.#same = same;
    this.#ignore = options.ignoreErrors || options.continueOnError || false;
    this.continueOnError = options.continueOnError ?? false;
  }

  /** How many rules the kernel would hold after the lines scanned so far. */
  get held(): number {
    return this.#present.size;
  }

  /** The bytes the duplicate check retains (it grows with the rules held, not with their size). */
  get retainedBytes(): number {
    return this.#present.retainedBytes;
  }

  #report(p: RuleFileProblem): void {
    this.#sink.problem(p);
    if (!this.#ignore) this.fatal = true;
  }

  /** Checks line number `line` (its text without the newline); returns it when it passed. */
  scan(line: number, raw: string): RuleFileLine | undefined {
    if (raw.length > MAX_RULE_LINE) {
      const head = raw.slice(0, 200);
      this.#report({
        line,
        text: head,
        message:
          `Line ${line}: the line is longer than the ${MAX_RULE_LINE} characters a rule line may have; it starts ${
            quoteExcerpt(head)
          }`,
        auditctl: "Skipping line: too long",
      });
      return undefined;
    }
    const options = this.#options;
    const words = splitRuleLine(raw);
    if (!words.length) return undefined;
    let parsed: ParsedCommand & { warnings: string[] };
    try {
      parsed = parseArgs(words);
    } catch (e) {
      this.#report(problemOf(line, raw, e));
      return undefined;
    }
    if (parsed.ignoreErrors) this.#ignore = true;
    if (parsed.continueOnError) this.continueOnError = true;
    for (const w of parsed.warnings) this.#sink.warning({ line, message: w });
    const cmd = parsed.command;
    const entry: RuleFileLine = { line, text: raw, command: cmd, ignored: this.#ignore };
    const changes = cmd.kind === "rule" || cmd.kind === "delete_all" || cmd.kind === "set" ||
      cmd.kind === "loginuid_immutable";
    if (changes && this.#lockedAt !== undefined) {
      this.#report(
        lineProblem(
          line,
          raw,
          `line ${this.#lockedAt} locks the audit configuration with -e 2, so the kernel refuses every change after it; put -e 2 last`,
          "The audit system is in immutable mode, no rule changes allowed",
        ),
      );
      return undefined;
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
      if (options.skipRefused) this.#sink.skipped(problem);
      else this.#report(problem);
      return undefined;
    }
    if (refused === "lock") this.#lockedAt = line;
    switch (cmd.kind) {
      case "none":
        return undefined;
      case "deprecated":
        this.#sink.warning({ line, message: cmd.message });
        return undefined;
      case "load":
        this.#report(
          lineProblem(
            line,
            raw,
            "rule files cannot load other rule files",
            "Error - nested rule files not supported",
          ),
        );
        return undefined;
      case "status":
      case "list":
      case "message":
      case "version":
      case "help":
        this.#report(
          lineProblem(
            line,
            raw,
            `${quoteExcerpt(raw.trim())} does nothing in a rule file`,
            `Option ${words[0]} is invalid`,
          ),
        );
        return undefined;
      case "set":
      case "loginuid_immutable":
        break;
      case "delete_all":
        this.#present.deleteByKey(cmd.key);
        break;
      case "rule": {
        let built;
        try {
          built = buildRule(cmd.rule, { op: cmd.op, isDirectory: options.isDirectory });
        } catch (e) {
          this.#report(problemOf(line, raw, e));
          return undefined;
        }
        for (const w of built.warnings) this.#sink.warning({ line, message: w });
        entry.rule = built.rule;
        const hash = ruleHash(built.rule, this.#hash);
        const same = this.#same && ((l: number) => this.#same!(l, built.rule));
        if (cmd.op === "delete") {
          this.#present.delete(hash, same);
          break;
        }
        const earlier = this.#present.find(hash, same);
        if (earlier !== undefined) {
          this.#report({
            ...lineProblem(
              line,
              raw,
              `the same rule as line ${earlier}: the kernel refuses duplicates`,
              "Error sending add rule data request (Rule exists)",
            ),
            duplicate: true,
          });
          return undefined;
        }
        this.#present.add(hash, line, ruleKeyText(built.rule));
        break;
      }
    }
    return entry;
  }
}

/** The key fields of a rule, as `-D -k` searches them ("\n" joins several). */
function ruleKeyText(rule: KernelRule): string {
  return rule.fields.filter((f) => f.id === AUDIT_FILTERKEY).map((f) => f.text ?? "").join("\n");
}

/**
 * Calls `each` with every line of `text`: its number, its text without the
 * newline (a line longer than {@link MAX_RULE_LINE} cut just past the limit),
 * and where it starts in `text`.
 */
export function eachLine(
  text: string,
  each: (line: number, raw: string, start: number) => void,
): void {
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl;
    each(line, text.slice(start, Math.min(end, start + MAX_RULE_LINE + 1)), start);
    if (nl < 0) break;
    start = nl + 1;
  }
}

/** The entry of line `line` in `lines` (sorted by line), found by bisection. */
function entryAt(count: number, lineOf: (i: number) => number, line: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = lineOf(mid);
    if (at === line) return mid;
    if (at < line) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Reads and checks a whole rule file without the kernel: every line is
 * parsed and every rule is built by libaudit, and duplicates are found.
 * It returns every accepted line with its built rule; {@link checkRules}
 * and {@link checkRuleLines} lint without keeping them.
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
  const scanned = scanText(text, options, (entry) => lines.push(entry), (line, rule) => {
    const i = entryAt(lines.length, (i) => lines[i].line, line);
    return i >= 0 && ruleIdentity(lines[i].rule!) === ruleIdentity(rule);
  });
  return { lines, ...scanned };
}

/** What {@link scanText} collects besides the accepted lines. */
interface ScannedText {
  problems: RuleFileProblem[];
  warnings: RuleFileWarning[];
  skipped: RuleFileProblem[];
  fatal: boolean;
  continueOnError: boolean;
}

/** Scans every line of `text`, giving each accepted line and where it starts to `keep`. */
function scanText(
  text: string,
  options: RuleFileOptions,
  keep: (entry: RuleFileLine, start: number) => void,
  same: (line: number, rule: KernelRule) => boolean,
): ScannedText {
  const problems: RuleFileProblem[] = [];
  const warnings: RuleFileWarning[] = [];
  const skipped: RuleFileProblem[] = [];
  const scanner = new RuleFileScanner(options, {
    problem: (p) => problems.push(p),
    warning: (w) => warnings.push(w),
    skipped: (p) => skipped.push(p),
  }, same);
  eachLine(text, (line, raw, start) => {
    const entry = scanner.scan(line, raw);
    if (entry) keep(entry, start);
  });
  return {
    problems,
    warnings,
    skipped,
    fatal: scanner.fatal,
    continueOnError: scanner.continueOnError,
  };
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
 * Reads the lines of a rule file one at a time (without their newlines),
 * with memory bounded by the longest line a rule file may have: a line longer
 * than {@link MAX_RULE_LINE} is cut just past the limit (the check then
 * reports it), bytes that are not UTF-8 become U+FFFD, and a NUL byte
 * (binary data, never part of a rule line) ends the reading with an error;
 * a regular file is searched for one before its first line is given. Errors
 * name the file and say why in words.
 *
 * @example
 * ```ts ignore
 * import { checkRuleLines, readRuleLines } from "../../mod.ts";
 * for await (const f of checkRuleLines(readRuleLines("/etc/audit/audit.rules"))) {
 *   console.log(f.message);
 * }
 * ```
 */
export async function* readRuleLines(
  path: string,
  options: ReadRuleFileOptions = {},
): AsyncGenerator<string, void, undefined> {
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
  const binary = (line: number): never => {
    // no rule line holds a NUL byte (auditctl would cut the line there): this is binary data
    throw new Error(
      `Cannot read rule file ${
        quoteExcerpt(path)
      }: line ${line} has a NUL byte, so it is not a text file`,
    );
  };
  const file = await Deno.open(path).catch(fail);
  using f = file;
  const buf = new Uint8Array(1 << 16);
  if ((await f.stat().catch(fail)).isFile) {
    // a file is refused before any of its lines is checked, as when it was read whole
    let line = 1;
    for (;;) {
      options.signal?.throwIfAborted();
      const n = await f.read(buf).catch(fail);
      if (n === null) break;
      const nul = buf.subarray(0, n).indexOf(0);
      const upto = buf.subarray(0, nul < 0 ? n : nul);
      for (let at = upto.indexOf(10); at >= 0; at = upto.indexOf(10, at + 1)) line++;
      if (nul >= 0) binary(line);
    }
    await f.seek(0, Deno.SeekMode.Start).catch(fail);
  }
  // each line is decoded on its own when it is given, so that no line outlives its check (lines
  // cut from a decoded block would keep it alive, and survivors make V8 grow its young heap);
  // a newline byte is never part of a multi-byte character, so the text is the file's decoded
  // whole, a byte-order mark at its start dropped as TextDecoder drops it
  const decodeFirst = new TextDecoder();
  const decodeRest = new TextDecoder("utf-8", { ignoreBOM: true });
  const carry = new Uint8Array(LINE_BYTES);
  let carried = 0;
  let line = 1;
  const lineText = (bytes: Uint8Array): string => {
    const text = (line === 1 ? decodeFirst : decodeRest).decode(bytes);
    return text.length > MAX_RULE_LINE + 1 ? text.slice(0, MAX_RULE_LINE + 1) : text;
  };
  /** Keeps the bytes of a line not ended yet, up to what its first MAX_RULE_LINE + 1 characters take. */
  const keep = (bytes: Uint8Array) => {
    const room = Math.min(bytes.length, LINE_BYTES - carried);
    carry.set(bytes.subarray(0, room), carried);
    carried += room;
  };
  for (;;) {
    options.signal?.throwIfAborted();
    const n = await f.read(buf).catch(fail);
    if (n === null) break;
    const nul = buf.subarray(0, n).indexOf(0);
    if (nul >= 0) {
      for (let at = buf.indexOf(10); at >= 0 && at < nul; at = buf.indexOf(10, at + 1)) line++;
      binary(line);
    }
    for (let from = 0; from < n;) {
      const nl: number = buf.indexOf(10, from);
      const end: number = nl < 0 || nl >= n ? n : nl;
      if (end === n) {
        keep(buf.subarray(from, n));
        break;
      }
      let text;
      if (carried) {
        keep(buf.subarray(from, end));
        text = lineText(carry.subarray(0, carried));
        carried = 0;
      } else text = lineText(buf.subarray(from, Math.min(end, from + LINE_BYTES)));
      yield text;
      line++;
      from = end + 1;
    }
  }
  yield lineText(carry.subarray(0, carried));
}

/** The bytes of a line kept for its first MAX_RULE_LINE + 1 characters (4 bytes a character at most). */
const LINE_BYTES = (MAX_RULE_LINE + 2) * 4;

/**
 * Reads a rule file as text for {@link checkRuleFile} and {@link loadRules}:
 * the lines of {@link readRuleLines}, so with the same limits and errors.
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
  const lines: string[] = [];
  for await (const line of readRuleLines(path, options)) lines.push(line);
  return lines.join("\n");
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

/** An undo step: a closure, or the index of a kept rule line (its inverse is sent). */
type Undo = (() => Promise<unknown>) | number;

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

const OP_APPEND = 0;
const OP_PREPEND = 1;
const OP_DELETE = 2;
const OP_OTHER = 3;
const IGNORED = 4;
/** The size of the blocks that hold the kept rules' bytes back to back. */
const BLOCK = 1 << 20;

function grown<T extends Uint8Array | Uint32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/**
 * The lines a load sends, kept compactly until they are sent: for each its
 * number, where its text starts in the file and its kind in typed arrays, and
 * for a rule only the kernel's bytes (`struct audit_rule_data` and its
 * buffer), packed back to back in 1 MiB blocks; the other commands (few and
 * small) as they were parsed.
 */
export class KeptRuleLines {
  #line = new Uint32Array(64);
  #start = new Uint32Array(64);
  #kind = new Uint8Array(64);
  #block = new Uint32Array(64);
  #at = new Uint32Array(64);
  #length = new Uint32Array(64);
  readonly #blocks: Uint8Array[] = [];
  #blockUsed = 0;
  readonly #commands = new Map<number, RuleCommand>();
  /** How many lines are kept. */
  size = 0;

  /** Keeps an accepted line that starts at `start` in the file's text. */
  add(entry: RuleFileLine, start: number): void {
    if (this.size === this.#line.length) {
      const n = this.size * 2;
      this.#line = grown(this.#line, n);
      this.#start = grown(this.#start, n);
      this.#kind = grown(this.#kind, n);
      this.#block = grown(this.#block, n);
      this.#at = grown(this.#at, n);
      this.#length = grown(this.#length, n);
    }
    const i = this.size++;
    this.#line[i] = entry.line;
    this.#start[i] = start;
    const cmd = entry.command;
    let kind = OP_OTHER;
    if (cmd.kind === "rule") {
      kind = cmd.op === "delete" ? OP_DELETE : cmd.op === "prepend" ? OP_PREPEND : OP_APPEND;
      const bytes = entry.rule!.bytes;
      let block = this.#blocks.at(-1);
      if (!block || this.#blockUsed + bytes.length > block.length) {
        this.#blocks.push(block = new Uint8Array(Math.max(BLOCK, bytes.length)));
        this.#blockUsed = 0;
      }
      block.set(bytes, this.#blockUsed);
      this.#block[i] = this.#blocks.length - 1;
      this.#at[i] = this.#blockUsed;
      this.#length[i] = bytes.length;
      this.#blockUsed += bytes.length;
    } else this.#commands.set(i, cmd);
    this.#kind[i] = kind | (entry.ignored ? IGNORED : 0);
  }

  /** The bytes the kept lines take: the rules' bytes, the blocks' free tails and the arrays. */
  get retainedBytes(): number {
    return this.#blocks.reduce((n, b) => n + b.byteLength, 0) + this.#line.byteLength * 5 +
      this.#kind.byteLength;
  }

  /** The line number of kept line `i`. */
  line(i: number): number {
    return this.#line[i];
  }

  /** The text of kept line `i`, taken from the file's text. */
  text(i: number, text: string): string {
    const nl = text.indexOf("\n", this.#start[i]);
    return text.slice(this.#start[i], nl < 0 ? text.length : nl);
  }

  /** Whether `-i` / `-c` covers kept line `i`. */
  ignored(i: number): boolean {
    return (this.#kind[i] & IGNORED) !== 0;
  }

  /** The command of kept line `i` when it is not a rule. */
  command(i: number): RuleCommand | undefined {
    return this.#commands.get(i);
  }

  /** The rule of kept line `i`, decoded from its bytes, and how it is sent. */
  rule(i: number): { rule: KernelRule; op: "append" | "prepend" | "delete" } | undefined {
    const kind = this.#kind[i] & 3;
    if (kind === OP_OTHER) return undefined;
    const at = this.#at[i];
    const rule = decodeRule(this.#blocks[this.#block[i]].subarray(at, at + this.#length[i]));
    return { rule, op: kind === OP_DELETE ? "delete" : kind === OP_PREPEND ? "prepend" : "append" };
  }

  /** Whether the kept line numbered `line` holds the same kernel rule as `rule`. */
  same(line: number, rule: KernelRule): boolean {
    const i = entryAt(this.size, (i) => this.#line[i], line);
    const mine = i < 0 ? undefined : this.rule(i);
    return mine !== undefined && ruleIdentity(mine.rule) === ruleIdentity(rule);
  }

  /** The indexes in the order {@link ruleFilePlan} gives: the irreversible lines last. */
  *plan(): Generator<number> {
    const last = (i: number) => {
      const cmd = this.#commands.get(i);
      return cmd !== undefined && irreversible(cmd);
    };
    for (let i = 0; i < this.size; i++) if (!last(i)) yield i;
    for (const i of this.#commands.keys()) if (last(i)) yield i;
  }
}

/**
 * Checks a rule file as {@link checkRuleFile} does, keeping only what a load
 * sends ({@link KeptRuleLines}), with the problems, warnings and skipped
 * lines.
 */
export function keepRuleFile(
  text: string,
  options: RuleFileOptions = {},
): ScannedText & { kept: KeptRuleLines } {
  const kept = new KeptRuleLines();
  const scanned = scanText(
    text,
    options,
    (entry, start) => kept.add(entry, start),
    (line, rule) => kept.same(line, rule),
  );
  return { kept, ...scanned };
}

async function apply(
  client: AuditClient,
  kept: KeptRuleLines,
  i: number,
  options: RuleFileOptions,
  undo: Undo[],
): Promise<void> {
  const r = kept.rule(i);
  if (r) {
    if (r.op === "delete") await deleteRule(client, r.rule);
    else await addRule(client, r.rule, { prepend: r.op === "prepend" });
    undo.push(i);
    return;
  }
  const cmd = kept.command(i)!;
  if (cmd.kind === "delete_all") {
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

/** Undoes one step: a kept rule line's inverse (an added rule deleted, a deleted one added). */
function undoStep(client: AuditClient, kept: KeptRuleLines, u: Undo): Promise<unknown> {
  if (typeof u !== "number") return u();
  const { rule, op } = kept.rule(u)!;
  return op === "delete" ? addRule(client, rule) : deleteRule(client, rule);
}

/**
 * Loads a rule file into the kernel, like `auditctl -R FILE` but atomic:
 * the whole file is checked first and nothing is sent when any line is bad
 * (every bad line is reported in a {@link RuleFileError}). When the kernel
 * refuses a line, what was applied before it is undone. Until they are sent,
 * the rules are kept as the kernel's bytes only (about 1.1 KB a rule).
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
  const checked = keepRuleFile(text, options);
  if (checked.fatal) throw new RuleFileError(checked.problems, true);
  const { kept, problems } = checked;
  const undo: Undo[] = [];
  let applied = 0;
  for (const i of kept.plan()) {
    try {
      await apply(client, kept, i, options, undo);
      applied++;
    } catch (e) {
      if (!(e instanceof AuditError) && !(e instanceof RangeError)) throw e;
      const problem = problemOf(kept.line(i), kept.text(i, text), e);
      if (kept.ignored(i)) {
        problems.push(problem);
        continue;
      }
      let unchanged = true;
      for (const u of undo.reverse()) {
        try {
          await undoStep(client, kept, u);
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
