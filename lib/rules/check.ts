/**
 * A lint for rule files: what auditctl accepts but almost surely misreads.
 *
 * @module
 */

import { checkRuleFile, type RuleFileLine, type RuleFileOptions } from "./load.ts";
import { ruleIdentity } from "./decode.ts";
import type { KernelRule, KernelRuleField } from "./types.ts";

/** What a finding is about. */
export type RuleFindingCode =
  | "invalid"
  | "duplicate"
  | "errno-sign"
  | "no-arch"
  | "missing-watch"
  | "shadowed"
  | "drops-eoe";

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
}

/** Options of {@link checkRules}. */
export interface CheckRulesOptions extends RuleFileOptions {
  /** Whether a watched path exists; by default a stat of the path. */
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

function sameField(a: KernelRuleField, b: KernelRuleField): boolean {
  return a.id === b.id && a.op === b.op && a.value === b.value && a.text === b.text;
}

/** Whether every event `later` matches is also matched by `earlier` (so `earlier` decides first). */
function covers(earlier: KernelRule, later: KernelRule): boolean {
  if ((earlier.flags & 7) !== (later.flags & 7)) return false;
  for (let i = 0; i < 64; i++) {
    if ((earlier.mask[i] & later.mask[i]) >>> 0 !== later.mask[i]) return false;
  }
  return earlier.fields.every((f) =>
    f.id === AUDIT_FILTERKEY || later.fields.some((g) => sameField(f, g))
  );
}

function dropsEoe(rule: KernelRule): boolean {
  if ((rule.flags & 7) !== LIST_EXCLUDE || rule.action !== 0) return false;
  return rule.fields.filter((f) => f.id === AUDIT_MSGTYPE).every((f) => holds(f, AUDIT_EOE));
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
    code: p.duplicate ? "duplicate" : "invalid",
    severity: "error",
    message: p.message,
  }));
  const warn = (l: RuleFileLine, code: RuleFindingCode, what: string) =>
    findings.push({ line: l.line, code, severity: "warning", message: `Line ${l.line}: ${what}` });
  const kernelLists = new Map<number, { line: number; rule: KernelRule }[]>();
  for (const l of checked.lines) {
    const cmd = l.command;
    if (cmd.kind === "delete_all") kernelLists.clear();
    if (cmd.kind !== "rule") continue;
    const rule = l.rule!;
    const list = rule.flags & 7;
    const entries = kernelLists.get(list) ?? [];
    kernelLists.set(list, entries);
    if (cmd.op === "delete") {
      const id = ruleIdentity(rule);
      const at = entries.findIndex((e) => ruleIdentity(e.rule) === id);
      if (at >= 0) entries.splice(at, 1);
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
    if (cmd.rule.watch !== undefined && !exists(cmd.rule.watch)) {
      warn(
        l,
        "missing-watch",
        `the watched path "${cmd.rule.watch}" does not exist here; the kernel refuses the watch unless its directory exists`,
      );
    }
    if (rule.action !== 0) {
      const shadow = entries.find((e) => e.rule.action === 0 && covers(e.rule, rule));
      if (shadow && cmd.op !== "prepend") {
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
    if (cmd.op === "prepend") entries.unshift({ line: l.line, rule });
    else entries.push({ line: l.line, rule });
  }
  return findings.sort((a, b) => a.line - b.line);
}
