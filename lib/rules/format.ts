/**
 * Kernel rules back to text, exactly as `auditctl -l` (audit-userspace 3.0.9)
 * prints them, names looked up in the installed libaudit's tables.
 *
 * @module
 */

import { audit, auparse, c, cstr, fromCString } from "../_native.ts";
import { IDATA } from "../../ffi/libauparse.ts";
import type { KernelRule } from "./types.ts";

const AUDIT_FILTER_MASK = 0x07;
const AUDIT_FILTER_PREPEND = 0x10;
const LIST_USER = 0;
const LIST_TASK = 1;
const LIST_EXCLUDE = 5;
const LIST_FS = 6;
const AUDIT_ARCH = 11;
const AUDIT_MSGTYPE = 12;
const AUDIT_WATCH = 105;
const AUDIT_PERM = 106;
const AUDIT_DIR = 107;
const AUDIT_INODE = 102;
const AUDIT_EXIT = 103;
const AUDIT_FIELD_COMPARE = 111;
const AUDIT_EXE = 112;
const AUDIT_FSTYPE = 26;
const AUDIT_FILTERKEY = 210;
const AUDIT_ARG0 = 200;
const AUDIT_ARG3 = 203;
const ARCH_64BIT = 0x80000000;
const AUDIT_LOGINUID = 9;
const AUDIT_SESSIONID = 25;
const UNSET = 0xffffffff;

/** The two fields of each AUDIT_COMPARE_* value (linux/audit.h), 1-based. */
const COMPARISONS: readonly [string, string][] = [
  ["uid", "obj_uid"],
  ["gid", "obj_gid"],
  ["euid", "obj_uid"],
  ["egid", "obj_gid"],
  ["auid", "obj_uid"],
  ["suid", "obj_uid"],
  ["sgid", "obj_gid"],
  ["fsuid", "obj_uid"],
  ["fsgid", "obj_gid"],
  ["uid", "auid"],
  ["uid", "euid"],
  ["uid", "fsuid"],
  ["uid", "suid"],
  ["auid", "fsuid"],
  ["auid", "suid"],
  ["auid", "euid"],
  ["euid", "suid"],
  ["euid", "fsuid"],
  ["suid", "fsuid"],
  ["gid", "egid"],
  ["gid", "fsgid"],
  ["gid", "sgid"],
  ["egid", "fsgid"],
  ["egid", "sgid"],
  ["sgid", "fsgid"],
];

/** Options of {@link formatRule} and {@link formatRules}. */
export interface FormatRuleOptions {
  /**
   * Like `auditctl -l -i`: machine names for `arch` and `unset` for an unset
   * auid or sessionid, and a0..a3 of a one-syscall rule interpreted by
   * libauparse for that syscall.
   */
  interpret?: boolean;
}

function lookup(p: Deno.PointerValue): string | undefined {
  return fromCString(p);
}

function opSymbol(op: number): string {
  return lookup(audit().audit_operator_to_symbol(op)) ?? "";
}

function listOf(rule: KernelRule): number {
  return rule.flags & AUDIT_FILTER_MASK;
}

function takesNoSyscalls(list: number): boolean {
  return list === LIST_USER || list === LIST_TASK || list === LIST_EXCLUDE || list === LIST_FS;
}

/**
 * auditctl's test for the `-w` listing form: only watch fields, a perm, and
 * every syscall.
 *
 * @example
 * ```ts
 * import { buildRule, isWatchRule, parseRule } from "../../mod.ts";
 * const cmd = parseRule("-a always,exit -F path=/etc/shadow -F perm=wa -k shadow");
 * if (cmd.kind === "rule") isWatchRule(buildRule(cmd.rule).rule); // true: lists as -w
 * ```
 */
export function isWatchRule(rule: KernelRule): boolean {
  let perm = false;
  for (const f of rule.fields) {
    if (f.id === AUDIT_PERM) perm = true;
    if (
      f.id !== AUDIT_PERM && f.id !== AUDIT_FILTERKEY && f.id !== AUDIT_DIR && f.id !== AUDIT_WATCH
    ) {
      return false;
    }
  }
  if (!perm) return false;
  if (takesNoSyscalls(listOf(rule))) return true;
  for (let i = 0; i < 63; i++) if (rule.mask[i] !== 0xffffffff) return false;
  return true;
}

function int32(v: number): number {
  return v | 0;
}

function permString(v: number): string {
  return (v & 4 ? "r" : "") + (v & 2 ? "w" : "") + (v & 1 ? "x" : "") + (v & 8 ? "a" : "");
}

/** The ` -S ...` text, how many syscalls it names (63 for all) and the last one. */
function syscallText(rule: KernelRule, elf: number): { text: string; count: number; last: number } {
  if (takesNoSyscalls(listOf(rule))) return { text: "", count: 0, last: 0 };
  let all = true;
  for (let i = 0; i < 63; i++) {
    if (rule.mask[i] !== 0xffffffff) {
      all = false;
      break;
    }
  }
  if (all) return { text: " -S all", count: 63, last: 0 };
  const a = audit();
  const machine = elf ? a.audit_elf_to_machine(elf) : a.audit_detect_machine();
  const names: string[] = [];
  let last = 0;
  for (let nr = 0; nr < 64 * 32; nr++) {
    if (rule.mask[nr >>> 5] & (1 << (nr & 31))) {
      const name = machine < 0 ? undefined : lookup(a.audit_syscall_to_name(nr, machine));
      names.push(name ?? String(nr));
      last = nr;
    }
  }
  return { text: names.length ? ` -S ${names.join(",")}` : "", count: names.length, last };
}

const AUDIT_SYSCALL = 1300;
const AUPARSE_ESC_TTY = 1;

/**
 * What `auditctl -l -i` prints for a0..a3 of a one-syscall rule: libauparse's
 * interpretation of the value for that syscall (`O_RDWR`, `SIGKILL`, ...).
 * Undefined when libauparse lacks the calls.
 */
function interpretArg(
  name: string,
  value: number,
  ctx: { syscall: number; machine: number; a0: number; a1: number },
): string | undefined {
  const p = auparse();
  if (!p.auparse_interp_adjust_type || !p.auparse_do_interpretation) return undefined;
  const val = cstr(value.toString(16));
  const nameC = cstr(name);
  const type = p.auparse_interp_adjust_type(AUDIT_SYSCALL, nameC, val);
  const id = new Uint8Array(IDATA.size);
  const v = new DataView(id.buffer);
  v.setUint32(IDATA.machine, ctx.machine >>> 0, true);
  v.setInt32(IDATA.syscall, ctx.syscall, true);
  v.setBigUint64(IDATA.a0, BigInt(ctx.a0), true);
  v.setBigUint64(IDATA.a1, BigInt(ctx.a1), true);
  v.setBigUint64(IDATA.name, BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(nameC))), true);
  v.setBigUint64(IDATA.val, BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(val))), true);
  const out = p.auparse_do_interpretation(type, id, AUPARSE_ESC_TTY);
  if (!out) return undefined;
  try {
    return Deno.UnsafePointerView.getCString(out);
  } finally {
    c().free(out);
  }
}

/**
 * One kernel rule as one `auditctl -l` line (without the newline).
 *
 * @example
 * ```ts
 * import { buildRule, formatRule, parseRule } from "../../mod.ts";
 * const cmd = parseRule("-a exit,always -F arch=b64 -S openat -S open -k files");
 * if (cmd.kind === "rule") {
 *   formatRule(buildRule(cmd.rule).rule);
 *   // "-a always,exit -F arch=b64 -S open,openat -F key=files"
 * }
 * ```
 */
export function formatRule(rule: KernelRule, options: FormatRuleOptions = {}): string {
  return formatOne(rule, options, { elf: 0 });
}

/**
 * auditctl keeps the syscall table of the last printed `arch` in a global
 * (`_audit_elf`) while it prints a listing, so a rule without an arch shows
 * its syscalls with the previous rule's table; `state` carries that.
 */
function formatOne(rule: KernelRule, options: FormatRuleOptions, state: { elf: number }): string {
  const a = audit();
  const watch = isWatchRule(rule);
  let out = "";
  let machine = -1;
  let calls = { count: 0, last: 0 };
  if (!watch) {
    const action = lookup(a.audit_action_to_name(rule.action)) ?? "(null)";
    // the kernel never lists AUDIT_FILTER_PREPEND; a rule built for -A carries it
    const list = lookup(a.audit_flag_to_name(rule.flags & ~AUDIT_FILTER_PREPEND)) ?? "(null)";
    out += `-a ${action},${list}`;
    for (const f of rule.fields) {
      if (f.id !== AUDIT_ARCH) continue;
      state.elf = f.value;
      machine = a.audit_elf_to_machine(f.value);
      if (machine < 0) out += ` -F arch${opSymbol(f.op)}0x${f.value.toString(16).toUpperCase()}`;
      else if (options.interpret) {
        out += ` -F arch${opSymbol(f.op)}${lookup(a.audit_machine_to_name(machine))}`;
      } else out += ` -F arch${opSymbol(f.op)}${f.value & ARCH_64BIT ? "b64" : "b32"}`;
    }
    const s = syscallText(rule, state.elf);
    out += s.text;
    calls = s;
  }
  const args = { syscall: calls.last, machine, a0: 0, a1: 0 };
  for (const f of rule.fields) {
    if (f.id === AUDIT_ARCH) continue;
    const sym = opSymbol(f.op);
    const name = lookup(a.audit_field_to_name(f.id));
    if (name === undefined) {
      out += ` f${f.id}${sym}${int32(f.value)}`;
      continue;
    }
    if (f.id === AUDIT_MSGTYPE) {
      const t = lookup(a.audit_msg_type_to_name(int32(f.value)));
      out += ` -F ${name}${sym}${t ?? int32(f.value)}`;
    } else if (f.id === AUDIT_WATCH) {
      out += watch ? `-w ${f.text}` : ` -F path=${f.text}`;
    } else if (f.id === AUDIT_DIR) {
      out += watch ? `-w ${f.text}` : ` -F dir=${f.text}`;
    } else if (f.id === AUDIT_EXE) {
      out += ` -F exe=${f.text}`;
    } else if (f.text !== undefined && f.id !== AUDIT_FILTERKEY) {
      out += ` -F ${name}${sym}${f.text}`;
    } else if (f.id === AUDIT_FILTERKEY) {
      for (const k of (f.text ?? "").split("\x01").filter((s) => s !== "")) {
        out += watch ? ` -k ${k}` : ` -F key=${k}`;
      }
    } else if (f.id === AUDIT_PERM) {
      out += watch ? ` -p ${permString(f.value)}` : ` -F perm=${permString(f.value)}`;
    } else if (f.id === AUDIT_INODE) {
      out += ` -F ${name}${sym}${f.value}`;
    } else if (f.id === AUDIT_FIELD_COMPARE) {
      const c = COMPARISONS[f.value - 1];
      if (c) out += ` -C ${c[0]}${sym}${c[1]}`;
    } else if (f.id >= AUDIT_ARG0 && f.id <= AUDIT_ARG3) {
      if (f.id === AUDIT_ARG0) args.a0 = f.value;
      if (f.id === AUDIT_ARG0 + 1) args.a1 = f.value;
      const shown = options.interpret && calls.count <= 1
        ? interpretArg(name, f.value, args)
        : undefined;
      out += ` -F ${name}${sym}${shown ?? `0x${f.value.toString(16).toUpperCase()}`}`;
    } else if (f.id === AUDIT_EXIT) {
      const v = int32(f.value);
      const err = lookup(a.audit_errno_to_name(Math.abs(v)));
      out += v < 0 && err ? ` -F ${name}${sym}-${err}` : ` -F ${name}${sym}${v}`;
    } else if (f.id === AUDIT_FSTYPE) {
      const fs = a.audit_fstype_to_name
        ? lookup(a.audit_fstype_to_name(int32(f.value)))
        : undefined;
      out += ` -F ${name}${sym}${fs ?? int32(f.value)}`;
    } else if (options.interpret && (f.id === AUDIT_LOGINUID || f.id === AUDIT_SESSIONID)) {
      out += ` -F ${name}${sym}${f.value === UNSET ? "unset" : int32(f.value)}`;
    } else {
      out += ` -F ${name}${sym}${int32(f.value)}`;
    }
  }
  return out;
}

/** Options of {@link formatRules}. */
export interface FormatRulesOptions extends FormatRuleOptions {
  /** Like `auditctl -l -k KEY`: only rules with a key containing this text. */
  key?: string;
}

/** auditctl's `-k` filter of a listing: a key field whose text contains `key`. */
export function ruleKeyMatches(rule: KernelRule, key: string | undefined): boolean {
  if (!key) return true;
  return rule.fields.some((f) => f.id === AUDIT_FILTERKEY && (f.text ?? "").includes(key));
}

/**
 * The whole `auditctl -l` output for the kernel's rules, `"No rules\n"`
 * included.
 *
 * @example
 * ```ts
 * import { formatRules, listRules, openAudit } from "../../mod.ts";
 * using audit = openAudit();
 * console.log(formatRules(await listRules(audit)));
 * ```
 */
export function formatRules(rules: KernelRule[], options: FormatRulesOptions = {}): string {
  // auditctl prints "No rules" only when the kernel sent none, even if -k matches none
  if (!rules.length) return "No rules\n";
  const state = { elf: 0 };
  return rules.filter((r) => ruleKeyMatches(r, options.key))
    .map((r) => formatOne(r, options, state) + "\n").join("");
}
