/**
 * A lint for rule files: what auditctl accepts but almost surely misreads.
 *
 * @module
 */

import {
  checkRuleFile,
  type RefusedKind,
  type RuleFileLine,
  type RuleFileOptions,
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
  return JSON.stringify([f.id, f.op, f.value, f.text ?? null]);
}

/** The conditions of a rule other than its keys, once each, sorted. */
function conditions(rule: KernelRule): string[] {
  return [...new Set(rule.fields.filter((f) => f.id !== AUDIT_FILTERKEY).map(fieldKey))].sort();
}

/** Whether `earlier`'s syscalls include all of `later`'s. */
function maskCovers(earlier: KernelRule, later: KernelRule): boolean {
  for (let i = 0; i < 64; i++) {
    if ((earlier.mask[i] & later.mask[i]) >>> 0 !== later.mask[i]) return false;
  }
  return true;
}

/** A rule on a kernel list, with its place in the list (prepended rules get smaller ones). */
interface Placed {
  line: number;
  rule: KernelRule;
  place: number;
  deleted: boolean;
}

/**
 * The never rules of one filter list, grouped by their conditions, so that
 * finding the never rule that shadows a rule looks only at groups whose
 * conditions the rule has too, whatever the length of the file.
 */
class NeverRules {
  readonly #groups = new Map<string, Placed[]>();

  add(p: Placed): void {
    const id = conditions(p.rule).join("\n");
    const group = this.#groups.get(id);
    if (group) group.push(p);
    else this.#groups.set(id, [p]);
  }

  /** The never rule earliest on the list that matches everything `rule` matches. */
  shadowing(rule: KernelRule): Placed | undefined {
    const mine = conditions(rule);
    let best: Placed | undefined;
    const look = (group: Placed[] | undefined) => {
      for (const p of group ?? []) {
        if (p.deleted || (best && best.place < p.place) || !maskCovers(p.rule, rule)) continue;
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
 * Lints a rule file: lines that cannot be loaded (`invalid`, `duplicate`),
 * and lines that load but almost surely do not mean what they say:
 * `exit=EPERM` without a minus sign (`errno-sign`), syscall rules without an
 * arch (`no-arch`), watches on missing paths (`missing-watch`), rules that an
 * earlier never rule shadows (`shadowed`), and exclude rules that drop EOE
 * records (`drops-eoe`).
 *
 * @example
 * ```ts
 * import { checkRules } from "../../mod.ts";
 * const findings = checkRules("-a always,exit -F arch=b64 -S open -F exit=EACCES -k x\n");
 * console.log(findings[0].code); // "errno-sign"
 * ```
 */
export function checkRules(text: string, options: CheckRulesOptions = {}): RuleFinding[] {
  const exists = options.exists ?? pathExists;
  const checked = checkRuleFile(text, options);
  const findings: RuleFinding[] = checked.problems.map((p) => ({
    line: p.line,
    code: p.duplicate ? "duplicate" : p.refused ? "irreversible" : "invalid",
    severity: p.refused ? "warning" : "error",
    message: p.message,
    ...(p.refused ? { refused: p.refused } : {}),
  }));
  const warn = (l: RuleFileLine, code: RuleFindingCode, what: string) =>
    findings.push({ line: l.line, code, severity: "warning", message: `Line ${l.line}: ${what}` });
  const lists = new Map<number, { nevers: NeverRules; byId: Map<string, Placed> }>();
  let first = 0;
  let last = 0;
  for (const l of checked.lines) {
    const cmd = l.command;
    if (cmd.kind === "delete_all") lists.clear();
    if (cmd.kind !== "rule") continue;
    const rule = l.rule!;
    const list = rule.flags & 7;
    let state = lists.get(list);
    if (!state) lists.set(list, state = { nevers: new NeverRules(), byId: new Map() });
    if (cmd.op === "delete") {
      const id = ruleIdentity(rule);
      const placed = state.byId.get(id);
      if (placed) placed.deleted = true;
      state.byId.delete(id);
      continue;
    }
    for (const s of cmd.rule.steps) {
      if (s.kind === "field" && s.field.name === "exit" && /^E[A-Z0-9]+$/.test(s.field.value)) {
        warn(
          l,
          "errno-sign",
          `exit${s.field.op}${s.field.value} compares with +${s.field.value}, which no syscall returns on failure; write exit${s.field.op}-${s.field.value}`,
        );
      }
      if (s.kind === "key" && s.key === "") {
        warn(
          l,
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
        l,
        "no-arch",
        "a syscall rule without -F arch= uses this machine's native table only; 32-bit calls go unaudited (add -F arch=b64 and a -F arch=b32 twin)",
      );
    }
    const watch = cmd.rule.watch;
    if (watch !== undefined && !exists(watch) && !exists(parentOf(watch))) {
      warn(
        l,
        "missing-watch",
        `neither the watched path ${quoteExcerpt(watch)} nor its directory ${
          quoteExcerpt(parentOf(watch))
        } exists here, so the kernel refuses the watch`,
      );
    }
    if (rule.action !== 0 && cmd.op !== "prepend") {
      const shadow = state.nevers.shadowing(rule);
      if (shadow) {
        warn(
          l,
          "shadowed",
          `the never rule on line ${shadow.line} matches everything this rule matches, so this rule never fires`,
        );
      }
    }
    if (dropsEoe(rule)) {
      warn(
        l,
        "drops-eoe",
        "this exclude rule drops EOE records, which end every multi-record event; event assembly then waits for a timeout",
      );
    }
    const placed: Placed = {
      line: l.line,
      rule,
      place: cmd.op === "prepend" ? --first : ++last,
      deleted: false,
    };
    state.byId.set(ruleIdentity(rule), placed);
    if (rule.action === 0) state.nevers.add(placed);
  }
  return findings.sort((a, b) => a.line - b.line);
}
