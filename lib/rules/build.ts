/**
 * Builds the kernel's `struct audit_rule_data` from a parsed rule through
 * libaudit, making the same libaudit calls in the same order as auditctl, so
 * the bytes and the refusals are auditctl's.
 *
 * @module
 */

import { audit, cstr } from "../_native.ts";
import { quoteExcerpt, RuleError } from "./rule_error.ts";
import { decodeRuleBytes, RULE_FIXED_SIZE } from "./decode.ts";
import { formatCommand } from "./parse.ts";
import type { AuditRule, KernelRule } from "./types.ts";

const AUDIT_WATCH = 105;
const AUDIT_PERM = 106;
const AUDIT_DIR = 107;
const AUDIT_EXE = 112;
const AUDIT_FILTER_TASK = 1;
const AUDIT_FILTER_PREPEND = 0x10;
const AUDIT_ALWAYS = 2;
const AUDIT_NEVER = 0;
const EAU_PRINT_NOTHING = 38;

/**
 * libaudit's messages for its negative `EAU_*` codes (3.0.9 `errormsg.h`):
 * where the option text goes (0 nowhere, 1 before, 2 after) and the text.
 */
const EAU_MESSAGES: Record<number, [0 | 1 | 2, string]> = {
  1: [2, "-F missing operation for"],
  2: [2, "-F unknown field:"],
  3: [1, "must be before -S"],
  4: [1, "machine type not found"],
  5: [1, "elf mapping not found"],
  6: [1, "requested bit level not supported by machine"],
  7: [1, "can only be used with exit filter list"],
  8: [2, "-F unknown message type -"],
  9: [0, "msgtype field can only be used with exclude or user filter list"],
  10: [0, "Failed upgrading rule"],
  11: [0, "String value too long"],
  12: [0, "Only msgtype, *uid, *gid, pid, and subj* fields can be used with exclude filter"],
  13: [1, "only takes = or != operators"],
  14: [0, "Permission can only contain  'rwxa'"],
  15: [2, "-F unknown errno -"],
  16: [2, "-F unknown file type - "],
  17: [1, "can only be used with exit and entry filter list"],
  19: [0, "Key field needs a watch, syscall or exe path given prior to it"],
  20: [2, "-F missing value after operation for"],
  21: [2, "-F value should be number for"],
  22: [2, "-F missing field name before operator for"],
  24: [2, "-C missing field name before operator for"],
  25: [2, "-C missing value after operation for "],
  26: [2, "-C unknown field:"],
  27: [2, "-C unknown right hand value for comparison with:"],
  28: [2, "Too many fields in rule:"],
  29: [1, "only takes = operator"],
  30: [2, "Field option not supported by kernel:"],
  31: [1, "must be used with exclude, user, or exit filter"],
  32: [0, "filter is missing from rule"],
  33: [2, "-C incompatible comparison"],
  34: [1, "field is not valid for the filter"],
  35: [1, "filter is not supported by the kernel"],
  36: [2, "file system type is unknown for field:"],
  37: [2, "value is too large for field:"],
};

/** auditkit's reasons for the same codes, naming the value. */
function eauReason(code: number, name: string, value: string): string {
  switch (code) {
    case 2:
      return `unknown field ${quoteExcerpt(name)}`;
    case 3:
      return `"arch" must come before -S`;
    case 4:
    case 5:
      return `unknown architecture ${quoteExcerpt(value)}`;
    case 6:
      return `architecture ${quoteExcerpt(value)} is not supported by this machine`;
    case 7:
      return `field ${quoteExcerpt(name)} can only be used on the exit list`;
    case 8:
      return `unknown message type ${quoteExcerpt(value)}`;
    case 9:
      return `field "msgtype" can only be used on the exclude or user list`;
    case 11:
      return `the value of ${quoteExcerpt(name)} is too long`;
    case 12:
      return `field ${quoteExcerpt(name)} cannot be used on the exclude list`;
    case 13:
      return `field ${quoteExcerpt(name)} only takes = or !=`;
    case 14:
      return `permissions ${quoteExcerpt(value)} may only contain r, w, x, a`;
    case 15:
      return `unknown errno ${quoteExcerpt(value)}`;
    case 16:
      return `unknown file type ${quoteExcerpt(value)}`;
    case 17:
      return `field ${quoteExcerpt(name)} can only be used on the exit list`;
    case 19:
      return "a key needs a syscall, watch, exe or fstype before it";
    case 21:
      return `the value of ${quoteExcerpt(name)} must be a number, not ${quoteExcerpt(value)}`;
    case 26:
      return `unknown field ${quoteExcerpt(name)} in a comparison`;
    case 27:
      return `${quoteExcerpt(name)} cannot be compared with ${quoteExcerpt(value)}`;
    case 28:
      return "too many fields (at most 64)";
    case 29:
      return `field ${quoteExcerpt(name)} only takes =`;
    case 30:
      return `the kernel does not support field ${quoteExcerpt(name)}`;
    case 31:
      return `field ${quoteExcerpt(name)} can only be used on the exclude, user or exit list`;
    case 33:
      return `${quoteExcerpt(name)} and ${quoteExcerpt(value)} cannot be compared`;
    case 34:
      return `field ${quoteExcerpt(name)} is not valid on this list`;
    case 35:
      return "the kernel does not support this list";
    case 36:
      return `unknown file system type ${quoteExcerpt(value)}`;
    case 37:
      return `the value of ${quoteExcerpt(name)} is too large`;
    case 1:
      return `no operator in field ${quoteExcerpt(name)}`;
    case 10:
      return "libaudit could not upgrade the rule to the kernel's format";
    case 20:
      return `field ${quoteExcerpt(name)} has no value after its operator`;
    case 22:
      return `no field name before the operator in ${quoteExcerpt(`${name}=${value}`)}`;
    case 24:
    case 25:
      return `the comparison of ${quoteExcerpt(name)} needs a field on each side of = or !=`;
    case 32:
      return "the rule names no filter list";
    case 38:
      return `libaudit refused the value ${quoteExcerpt(value)} of field ${quoteExcerpt(name)}`;
    default:
      return `libaudit refused field ${quoteExcerpt(name)} with value ${
        quoteExcerpt(value)
      } (libaudit error code ${code}, which auditkit does not know)`;
  }
}

/** The text auditctl prints for an `EAU_*` code and the option text. */
function eauAuditctl(code: number, opt: string): string {
  const m = EAU_MESSAGES[code];
  if (!m) return `Error ${-code} for ${opt}`;
  return m[0] === 0 ? m[1] : m[0] === 1 ? `${opt} ${m[1]}` : `${m[1]} ${opt}`;
}

/** Views on libaudit's process-global rule-parser state. */
interface Globals {
  elf: Uint32Array;
  syscallAdded: Int32Array;
  permAdded: Int32Array;
  exeAdded: Int32Array;
  filterFsAdded: Int32Array;
  archAdded: Int32Array;
}

let globals: Globals | undefined;

function parserGlobals(): Globals {
  if (globals) return globals;
  const a = audit();
  const view = <T>(p: Deno.PointerValue | null, make: (b: ArrayBuffer) => T, name: string) => {
    if (!p) throw new Error(`This libaudit does not export ${name}: cannot build rules`);
    return make(Deno.UnsafePointerView.getArrayBuffer(p, 4));
  };
  globals = {
    elf: view(a._audit_elf, (b) => new Uint32Array(b), "_audit_elf"),
    syscallAdded: view(a._audit_syscalladded, (b) => new Int32Array(b), "_audit_syscalladded"),
    permAdded: view(a._audit_permadded, (b) => new Int32Array(b), "_audit_permadded"),
    exeAdded: view(a._audit_exeadded, (b) => new Int32Array(b), "_audit_exeadded"),
    filterFsAdded: view(
      a._audit_filterfsadded,
      (b) => new Int32Array(b),
      "_audit_filterfsadded",
    ),
    archAdded: view(a._audit_archadded, (b) => new Int32Array(b), "_audit_archadded"),
  };
  return globals;
}

/** A rule built by libaudit: the kernel's bytes and what auditctl would have warned. */
export interface BuiltRule {
  /** The decoded rule; `bytes` is what goes to the kernel. */
  rule: KernelRule;
  /** Warnings auditctl prints for this rule (32/64-bit syscall mismatch). */
  warnings: string[];
}

/** Options of {@link buildRule}. */
export interface BuildRuleOptions {
  /** `prepend` sets AUDIT_FILTER_PREPEND (`-A`); `delete` builds for `-d`/`-W`. */
  op?: "append" | "prepend" | "delete";
  /** Decides a watch's type; by default `Deno.statSync` (directory or not). */
  isDirectory?: (path: string) => boolean;
}

function statIsDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return false;
    if (e instanceof Deno.errors.PermissionDenied) return false;
    throw e;
  }
}

/** A native `struct audit_rule_data *` in a pointer-to-pointer cell that libaudit may realloc. */
class NativeRule implements Disposable {
  readonly cell: BigUint64Array<ArrayBuffer>;
  constructor() {
    const p = audit().audit_rule_create_data();
    if (!p) throw new Error("audit_rule_create_data failed: out of memory");
    this.cell = new BigUint64Array([BigInt(Deno.UnsafePointer.value(p))]);
  }
  get ptr(): Deno.PointerObject {
    return Deno.UnsafePointer.create(this.cell[0])!;
  }
  bytes(): Uint8Array<ArrayBuffer> {
    const view = new Deno.UnsafePointerView(this.ptr);
    const buflen = view.getUint32(RULE_FIXED_SIZE - 4);
    const bytes = new Uint8Array(RULE_FIXED_SIZE + buflen);
    view.copyInto(bytes);
    return bytes;
  }
  lastField(): number {
    // read in place: no ArrayBuffer over the native rule for each field
    const view = new Deno.UnsafePointerView(this.ptr);
    const n = view.getUint32(8);
    return n ? view.getUint32(268 + (n - 1) * 4) : -1;
  }
  mask(): Uint8Array {
    return new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(this.ptr, 256, 12)).slice();
  }
  [Symbol.dispose](): void {
    audit().audit_rule_free_data(this.ptr);
  }
}

/** The 32-bit sibling of a 64-bit AUDIT_ARCH, for auditctl's mismatch warning. */
const ARCH_32: Record<number, number> = {
  0xc000003e: 0x40000003, // x86_64 -> i386
  0x80000015: 0x00000014, // ppc64 -> ppc
  0x80000016: 0x00000016, // s390x -> s390
};

/**
 * Builds the kernel rule for a parsed rule with libaudit, as auditctl does
 * (the same calls, the same order, the same process-global state), without
 * sending it. Throws {@link RuleError} with libaudit's reason.
 *
 * @example
 * ```ts
 * import { buildRule, parseRule } from "../../mod.ts";
 * const cmd = parseRule("-a always,exit -F arch=b64 -S openat -k open");
 * if (cmd.kind === "rule") {
 *   const { rule } = buildRule(cmd.rule);
 *   console.log(rule.bytes.length); // 1044: 1040 + the key's 4 bytes
 * }
 * ```
 */
export function buildRule(rule: AuditRule, options: BuildRuleOptions = {}): BuiltRule {
  const a = audit();
  const g = parserGlobals();
  const op = options.op ?? "append";
  const verb = op === "delete" ? "delete" : "add";
  const warnings: string[] = [];
  const fail = (reason: string, auditctl: string, code?: number): never => {
    // formatted only for the message: a rule that builds costs no text
    const text = formatCommand({ kind: "rule", op, rule });
    throw new RuleError({ rule: text, reason, auditctl, verb, code, warnings });
  };
  g.elf[0] = 0;
  g.syscallAdded[0] = 0;
  g.permAdded[0] = 0;
  g.exeAdded[0] = 0;
  g.filterFsAdded[0] = 0;
  g.archAdded[0] = 0;
  const list = a.audit_name_to_flag(cstr(rule.list));
  if (list < 0) {
    const word = op === "delete" ? "Delete" : op === "prepend" ? "Add" : "Append";
    fail(
      `this libaudit does not know the ${quoteExcerpt(rule.list)} list`,
      `${word} rule - bad keyword ${rule.action},${rule.list}`,
    );
  }
  using native = new NativeRule();
  if (rule.watch !== undefined) {
    let path = rule.watch;
    if (path.length > 2 && path.endsWith("/")) path = path.replace(/(.)\/+$/, "$1");
    const isDir = (options.isDirectory ?? statIsDirectory)(path);
    g.syscallAdded[0] = 1;
    const rc = a.audit_add_watch_dir(isDir ? AUDIT_DIR : AUDIT_WATCH, native.cell, cstr(path));
    if (rc !== 0) {
      fail(`libaudit refused the watch on ${quoteExcerpt(path)}`, "Error adding watch", rc);
    }
  }
  const keys: string[] = [];
  for (const step of rule.steps) {
    switch (step.kind) {
      case "syscalls": {
        const unknownArch = g.elf[0] === 0;
        if (unknownArch) {
          const elf = a.audit_machine_to_elf(a.audit_detect_machine());
          if (elf === 0) {
            fail("cannot tell this machine's architecture", "Error detecting machine type");
          }
          g.elf[0] = elf;
        }
        const optarg = step.names.join(",");
        for (const name of step.names) {
          const rc = a.audit_rule_syscallbyname_data(native.ptr, cstr(name));
          if (rc === -1) {
            fail(`unknown syscall ${quoteExcerpt(name)}`, `Syscall name unknown: ${optarg}`, rc);
          }
          if (rc === -2) {
            fail(
              `no syscall table for architecture 0x${g.elf[0].toString(16)}`,
              `Elf type unknown: 0x${g.elf[0].toString(16)}`,
              rc,
            );
          }
        }
        g.syscallAdded[0] = 1;
        if (unknownArch && op !== "delete" && mismatch(native, step.names, g)) {
          warnings.push("WARNING - 32/64 bit syscall mismatch, you should specify an arch");
        }
        break;
      }
      case "field": {
        const { name, op: fop, value } = step.field;
        const rc = a.audit_rule_fieldpair_data(native.cell, cstr(`${name}${fop}${value}`), list);
        if (rc !== 0) fieldFailure(rc, name, value, fail);
        const last = native.lastField();
        if (last === AUDIT_PERM) g.permAdded[0] = 1;
        if (last === AUDIT_EXE) g.exeAdded[0] = 1;
        break;
      }
      case "compare": {
        const { left, op: cop, right } = step.comparison;
        const pair = `${left}${cop}${right}`;
        const rc = a.audit_rule_interfield_comp_data(native.cell, cstr(pair), list);
        if (rc !== 0) {
          const code = -rc;
          const opt = code === 13 ? pair : left;
          fail(eauReason(code, left, right), eauAuditctl(code, opt), rc);
        }
        if (native.lastField() === AUDIT_PERM) g.permAdded[0] = 1;
        break;
      }
      case "perms": {
        let val = 0;
        for (const ch of step.perms.toLowerCase()) val |= { r: 4, w: 2, x: 1, a: 8 }[ch] ?? 0;
        const rc = a.audit_update_watch_perms(native.ptr, val);
        if (rc === -1) {
          fail(
            "-p needs a watch or another field before it",
            "Permissions should be preceeded by other fields",
            rc,
          );
        }
        if (rc !== 0) {
          fail("too many fields (at most 64)", "Too many fields when adding permissions", rc);
        }
        g.permAdded[0] = 1;
        break;
      }
      case "key": {
        const dep = g.syscallAdded[0] || g.permAdded[0] || g.exeAdded[0] || g.filterFsAdded[0];
        if (step.option === "-k" && !dep) {
          fail(
            "-k needs a syscall, watch, perm, exe or fstype before it",
            "key option needs a watch or syscall given prior to it",
          );
        }
        keys.push(step.key);
        break;
      }
    }
  }
  // auditctl puts the separator only after a key that is not empty, and adds no key field
  // when every key is empty (`-F key=`)
  const key = keys.reduce((all, k) => all ? `${all}\x01${k}` : k, "");
  if (key) {
    const rc = a.audit_rule_fieldpair_data(native.cell, cstr(`key=${key}`), list);
    if (rc !== 0) fieldFailure(rc, "key", keys.join(","), fail);
  }
  if (list !== AUDIT_FILTER_TASK && g.syscallAdded[0] !== 1) {
    a.audit_rule_syscallbyname_data(native.ptr, cstr("all"));
  }
  const bytes = native.bytes();
  const view = new DataView(bytes.buffer);
  view.setUint32(0, list | (op === "prepend" ? AUDIT_FILTER_PREPEND : 0), true);
  view.setUint32(4, rule.action === "always" ? AUDIT_ALWAYS : AUDIT_NEVER, true);
  // the bytes are this call's own copy: the rule keeps them, no second copy
  return { rule: decodeRuleBytes(bytes, true), warnings };
}

function fieldFailure(
  rc: number,
  name: string,
  value: string,
  fail: (reason: string, auditctl: string, code?: number) => never,
): never {
  const code = -rc;
  // EAU_PRINT_NOTHING: libaudit printed the reason itself; these are the ones it prints
  if (code === EAU_PRINT_NOTHING && /gid$/.test(name)) {
    return fail(`unknown group ${quoteExcerpt(value)}`, `Unknown group: ${value}`, rc);
  }
  if (code === EAU_PRINT_NOTHING && /uid$/.test(name)) {
    return fail(`unknown user ${quoteExcerpt(value)}`, `Unknown user: ${value}`, rc);
  }
  return fail(eauReason(code, name, value), eauAuditctl(code, name), rc);
}

function mismatch(native: NativeRule, names: string[], g: Globals): boolean {
  const alt = ARCH_32[g.elf[0]];
  if (alt === undefined) return false;
  const saved = g.elf[0];
  g.elf[0] = alt;
  try {
    using tmp = new NativeRule();
    for (const n of names) audit().audit_rule_syscallbyname_data(tmp.ptr, cstr(n));
    const x = tmp.mask();
    const y = native.mask();
    return x.some((b, i) => b !== y[i]);
  } finally {
    g.elf[0] = saved;
  }
}
