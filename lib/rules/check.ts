/**
 * A lint for rule files: what auditctl accepts but almost surely misreads.
 *
 * @module
 */

import {
  eachLine,
  MAX_RULE_LINE,
  type RefusedKind,
  type RuleFileLine,
  type RuleFileOptions,
  RuleFileScanner,
} from "./load.ts";
import { ruleIdentity } from "./decode.ts";
import type { KernelRule, KernelRuleField } from "./types.ts";
import { quoteExcerpt } from "./rule_error.ts";

/** What a finding is about. */
export type RuleFindingCode =
  | "invalid"
  | "duplicate"
  | "errno-sign"
  | "no-arch"
  | "missing-watch"
  | "shadowed"
  | "drops-eoe"
  | "empty-key"
  | "irreversible";

/** One finding of {@link checkRules}. */
export interface RuleFinding {
  /** 1-based line number. */
  line: number;
  /** The kind of finding. */
  code: RuleFindingCode;
  /** `error`: the line cannot be loaded; `warning`: it loads but misleads. */
  severity: "error" | "warning";
  /** The explanation, naming the line. */
  message: string;
  /** For an `irreversible` finding: what the line asks for. */
  refused?: RefusedKind;
}

/** Options of {@link checkRules}. */
export interface CheckRulesOptions extends RuleFileOptions {
  /** Whether a path (a watched path or its directory) exists; by default a stat of the path. */
  exists?: (path: string) => boolean;
}

const AUDIT_MSGTYPE = 12;
const AUDIT_FILTERKEY = 210;
const AUDIT_EOE = 1320;
const LIST_EXCLUDE = 5;
const OP = {
  bitmask: 0x08000000,
  less: 0x10000000,
  greater: 0x20000000,
  notEqual: 0x30000000,
  equal: 0x40000000,
  bitTest: 0x48000000,
  lessEqual: 0x50000000,
  greaterEqual: 0x60000000,
};

function pathExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return false;
    throw e;
  }
}

/** Whether a numeric field condition holds for `x` (the kernel's audit_comparator). */
function holds(f: KernelRuleField, x: number): boolean {
  const v = f.value;
  switch (f.op) {
    case OP.equal:
      return x === v;
    case OP.notEqual:
      return x !== v;
    case OP.less:
      return x < v;
    case OP.greater:
      return x > v;
    case OP.lessEqual:
      return x <= v;
    case OP.greaterEqual:
      return x >= v;
    case OP.bitmask:
      return (x & v) !== 0;
    case OP.bitTest:
      return (x & v) === v;
    default:
      return false;
  }
}

/** One field condition as text: two fields are the same condition when these are equal. */
function fieldKey(f: KernelRuleField): string {
  return `${f.id},${f.op},${f.value},${f.text === undefined ? "-" : JSON.stringify(f.text)}`;
}

/** The conditions of a rule other than its keys, once each, sorted. */
function conditions(rule: KernelRule): string[] {
  // sorted, then repeats dropped: no Set per rule (each one a hash table V8 is slow to give back)
  const all = rule.fields.filter((f) => f.id !== AUDIT_FILTERKEY).map(fieldKey).sort();
  return all.filter((c, i) => i === 0 || c !== all[i - 1]);
}

/** Whether the syscalls of `earlier` include all of `later`'s. */
function maskCovers(earlier: Uint32Array, later: Uint32Array): boolean {
  for (let i = 0; i < 64; i++) {
    if ((earlier[i] & later[i]) >>> 0 !== later[i]) return false;
  }
  return true;
}

/**
 * A never rule on a kernel list, with what the shadow check needs of it: its
 * line, its place in the list (prepended rules get smaller ones), its
 * syscalls and its conditions.
 */
interface Placed {
  line: number;
  place: number;
  mask: Uint32Array;
  deleted: boolean;
}

/**
 * The never rules of one filter list, grouped by their conditions, so that
 * finding the never rule that shadows a rule looks only at groups whose
 * conditions the rule has too, whatever the length of the file. A deleted
 * rule (`-d`) leaves its group, so that adding and deleting never rules
 * again and again keeps nothing.
 */
class NeverRules {
  readonly #groups = new Map<string, Placed[]>();
  /** The never rules by identity, each with its group's conditions. */
  readonly #byId = new Map<string, { placed: Placed; group: string }>();

  add(id: string, rule: KernelRule, line: number, place: number): void {
    const group = conditions(rule).join("\n");
    const placed = { line, place, mask: rule.mask.slice(), deleted: false };
    this.#byId.set(id, { placed, group });
    const members = this.#groups.get(group);
    if (members) members.push(placed);
    else this.#groups.set(group, [placed]);
  }

  /** Forgets the never rule with this identity (`-d`). */
  delete(id: string): void {
    const at = this.#byId.get(id);
    if (!at) return;
    this.#byId.delete(id);
    at.placed.deleted = true;
    const members = this.#groups.get(at.group)!;
    // dropped in bulk once half the group is deleted: each delete costs O(1) on average
    if (members.filter((p) => p.deleted).length * 2 < members.length) return;
    const live = members.filter((p) => !p.deleted);
    if (live.length) this.#groups.set(at.group, live);
    else this.#groups.delete(at.group);
  }

  /** The never rules remembered. */
  get size(): number {
    return this.#byId.size;
  }

  /** The never rule earliest on the list that matches everything `rule` matches. */
  shadowing(rule: KernelRule): Placed | undefined {
    if (!this.#groups.size) return undefined;
    const mine = conditions(rule);
    let best: Placed | undefined;
    const look = (group: Placed[] | undefined) => {
      for (const p of group ?? []) {
        if (p.deleted || (best && best.place < p.place) || !maskCovers(p.mask, rule.mask)) continue;
        best = p;
      }
    };
    if (mine.length < 20 && 2 ** mine.length <= this.#groups.size) {
      // every subset of this rule's conditions, each a group a shadowing rule could be in
      for (let bits = 0; bits < 2 ** mine.length; bits++) {
        look(this.#groups.get(mine.filter((_, i) => bits & (2 ** i)).join("\n")));
      }
    } else {
      const have = new Set(mine);
      for (const [id, group] of this.#groups) {
        if (id === "" || id.split("\n").every((c) => have.has(c))) look(group);
      }
    }
    return best;
  }
}

/** Whether an exclude rule drops EOE records: on that list, every matching rule excludes. */
function dropsEoe(rule: KernelRule): boolean {
  if ((rule.flags & 7) !== LIST_EXCLUDE) return false;
  return rule.fields.filter((f) => f.id === AUDIT_MSGTYPE).every((f) => holds(f, AUDIT_EOE));
}

/** The directory of a path, without trailing slashes. */
function parentOf(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const at = trimmed.lastIndexOf("/");
  return at <= 0 ? "/" : trimmed.slice(0, at);
}

/**
 * The lint of {@link checkRules} one line at a time: each line's findings
 * come back at once, and what it keeps is what later lines are checked
 * against (a compact entry per rule the kernel would hold, and the never
 * rules that can shadow later rules), not the lines, their rules or their
 * findings.
 */
export class RuleLinter {
  readonly #scanner: RuleFileScanner;
  readonly #exists: (path: string) => boolean;
  readonly #lists = new Map<number, NeverRules>();
  #first = 0;
  #last = 0;
  #found: RuleFinding[] = [];
  #lastDir: string | undefined;
  #lastDirExists = false;

  /** A linter for one file, with the options of {@link checkRules}. */
  constructor(options: CheckRulesOptions = {}) {
    this.#exists = options.exists ?? pathExists;
    this.#scanner = new RuleFileScanner(options, {
      problem: (p) =>
        this.#found.push({
          line: p.line,
          code: p.duplicate ? "duplicate" : p.refused ? "irreversible" : "invalid",
          severity: p.refused ? "warning" : "error",
          message: p.message,
          ...(p.refused ? { refused: p.refused } : {}),
        }),
      warning: () => {},
      skipped: () => {},
    });
  }

  /**
   * What the linter remembers: the rules the kernel would hold (a compact
   * entry each, `bytes` in all), and the never rules kept for the shadow check.
   */
  get remembered(): { rules: number; bytes: number; neverRules: number } {
    let neverRules = 0;
    for (const n of this.#lists.values()) neverRules += n.size;
    return { rules: this.#scanner.held, bytes: this.#scanner.retainedBytes, neverRules };
  }

  /**
   * Whether a watch's directory exists, asked once for a run of watches in
   * the same directory: most watches are in a directory that exists, and then
   * the watched path need not be looked at (a missing one costs a thrown error).
   */
  #dirExists(dir: string): boolean {
    if (dir !== this.#lastDir) {
      this.#lastDir = dir;
      this.#lastDirExists = this.#exists(dir);
    }
    return this.#lastDirExists;
  }

  /** The findings of line number `line` (its text without the newline), in order. */
  lint(line: number, raw: string): RuleFinding[] {
    const found = this.#found = [];
    const l = this.#scanner.scan(line, raw);
    if (l) this.#lintLine(l);
    return found;
  }

  #lintLine(l: RuleFileLine): void {
    const warn = (code: RuleFindingCode, what: string) =>
      this.#found.push({
        line: l.line,
        code,
        severity: "warning",
        message: `Line ${l.line}: ${what}`,
      });
    const cmd = l.command;
    if (cmd.kind === "delete_all") this.#lists.clear();
    if (cmd.kind !== "rule") return;
    const rule = l.rule!;
    const list = rule.flags & 7;
    let nevers = this.#lists.get(list);
    if (!nevers) this.#lists.set(list, nevers = new NeverRules());
    if (cmd.op === "delete") {
      nevers.delete(ruleIdentity(rule));
      return;
    }
    for (const s of cmd.rule.steps) {
      if (s.kind === "field" && s.field.name === "exit" && /^E[A-Z0-9]+$/.test(s.field.value)) {
        warn(
          "errno-sign",
          `exit${s.field.op}${s.field.value} compares with +${s.field.value}, which no syscall returns on failure; write exit${s.field.op}-${s.field.value}`,
        );
      }
      if (s.kind === "key" && s.key === "") {
        warn(
          "empty-key",
          `${
            s.option === "-k" ? "-k" : "-F key="
          } is empty, so it sets no key (auditctl drops it too); give the key a value or remove the option`,
        );
      }
    }
    // -S all needs no table, every other syscall name or number is arch-specific
    const hasSyscalls = cmd.rule.steps.some((s) =>
      s.kind === "syscalls" && s.names.some((n) => n !== "all")
    );
    const hasArch = cmd.rule.steps.some((s) => s.kind === "field" && s.field.name === "arch");
    if (hasSyscalls && !hasArch) {
      warn(
        "no-arch",
        "a syscall rule without -F arch= uses this machine's native table only; 32-bit calls go unaudited (add -F arch=b64 and a -F arch=b32 twin)",
      );
    }
    const watch = cmd.rule.watch;
    if (watch !== undefined && !this.#dirExists(parentOf(watch)) && !this.#exists(watch)) {
      warn(
        "missing-watch",
        `neither the watched path ${quoteExcerpt(watch)} nor its directory ${
          quoteExcerpt(parentOf(watch))
        } exists here, so the kernel refuses the watch`,
      );
    }
    if (rule.action !== 0 && cmd.op !== "prepend") {
      const shadow = nevers.shadowing(rule);
      if (shadow) {
        warn(
          "shadowed",
          `the never rule on line ${shadow.line} matches everything this rule matches, so this rule never fires`,
        );
      }
    }
    if (dropsEoe(rule)) {
      warn(
        "drops-eoe",
        "this exclude rule drops EOE records, which end every multi-record event; event assembly then waits for a timeout",
      );
    }
    const place = cmd.op === "prepend" ? --this.#first : ++this.#last;
    if (rule.action === 0) nevers.add(ruleIdentity(rule), rule, l.line, place);
  }
}

/**
 * Lints a rule file: lines that cannot be loaded (`invalid`, `duplicate`),
 * and lines that load but almost surely do not mean what they say:
 * `exit=EPERM` without a minus sign (`errno-sign`), syscall rules without an
 * arch (`no-arch`), watches on missing paths (`missing-watch`), rules that an
 * earlier never rule shadows (`shadowed`), and exclude rules that drop EOE
 * records (`drops-eoe`). The findings come in line order.
 *
 * @example
 * ```ts
 * import { checkRules } from "../../mod.ts";
 * const findings = checkRules("-a always,exit -F arch=b64 -S open -F exit=EACCES -k x\n");
 * console.log(findings[0].code); // "errno-sign"
 * ```
 */
export function checkRules(text: string, options: CheckRulesOptions = {}): RuleFinding[] {
  const linter = new RuleLinter(options);
  const findings: RuleFinding[] = [];
  eachLine(text, (line, raw) => findings.push(...linter.lint(line, raw)));
  return findings;
}

/**
 * {@link checkRules} over lines given one at a time (a file read by
 * {@link readRuleLines}, or any iterable of lines without their newlines):
 * each line is read only when the findings before it were taken, each
 * finding is given as soon as its line is checked, and the memory used is
 * bounded by what later lines are checked against (about 40 bytes for each
 * rule the kernel would hold, plus its key), not by the file.
 *
 * @example
 * ```ts
 * import { checkRuleLines } from "../../mod.ts";
 * const lines = ["-w /etc/passwd -p wa -k passwd", "-w /etc/passwd -p wa -k passwd"];
 * for await (const f of checkRuleLines(lines)) console.log(f.code); // "duplicate"
 * ```
 */
export async function* checkRuleLines(
  lines: AsyncIterable<string> | Iterable<string>,
  options: CheckRulesOptions = {},
): AsyncGenerator<RuleFinding, void, undefined> {
  const linter = new RuleLinter(options);
  let line = 0;
  for await (const raw of lines) {
    line++;
    const cut = raw.length > MAX_RULE_LINE + 1 ? raw.slice(0, MAX_RULE_LINE + 1) : raw;
    yield* linter.lint(line, cut);
  }
}
