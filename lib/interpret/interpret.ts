/**
 * Field interpretation as libauparse 3.0.9 does it (`auparse/interpret.c`):
 * each field name has a kind (uid, syscall, exit, escaped string, ...) with
 * per-record-type overrides, and each kind a printer. ENRICHED values are
 * used first; uid/gid names otherwise come from the local user database.
 *
 * @module
 */

import { internName, isHex } from "../event/record.ts";
import { elfToMachine, HOST_MACHINE, syscallName } from "./tables.ts";
import type { AuditRecord } from "../event/record.ts";
import type { AuditEvent } from "../event/assemble.ts";
import { eventCache } from "../event/assemble.ts";
import { RecordType } from "../event/types.ts";
import {
  conversionError,
  i32,
  type InterpretContext,
  printArch,
  printCapability,
  printCapBitmap,
  printEscaped,
  printExit,
  printGid,
  printList,
  printMode,
  printModeShort,
  printOpenFlags,
  printPerm,
  printProctitle,
  printSession,
  printSignal,
  printSockaddr,
  printSuccess,
  printSyscall,
  printUid,
  protocolName,
  u32,
} from "./printers.ts";
export type { InterpretContext } from "./printers.ts";
import { onlyDigits, strtoul } from "../c_number.ts";
import { printSeccompCode, printTtyData } from "./interpret_extra.ts";
import {
  ArgPlan,
  argPlan,
  printIoctlRequest,
  printMmapFlags,
  printPersonality,
  syscallArg,
} from "./syscall_args.ts";
import {
  ICMP_TYPE_NAMES,
  INET_HOOKS,
  NETFILTER_ACTIONS,
  NETFILTER_PROTOCOLS,
  PATH_FLAGS,
  RESOLVE_FLAGS,
} from "./_arg_tables.ts";

/** How a field's value is interpreted (libauparse's `AUPARSE_TYPE_*`). */
export type FieldKind =
  | "unclassified"
  | "uid"
  | "gid"
  | "syscall"
  | "arch"
  | "exit"
  | "escaped"
  | "escaped_file"
  | "escaped_key"
  | "perm"
  | "mode"
  | "mode_short"
  | "sockaddr"
  | "flags"
  | "promisc"
  | "capability"
  | "success"
  | "a0"
  | "a1"
  | "a2"
  | "a3"
  | "signal"
  | "list"
  | "tty_data"
  | "session"
  | "cap_bitmap"
  | "nfproto"
  | "icmptype"
  | "protocol"
  | "addr"
  | "personality"
  | "seccomp"
  | "oflag"
  | "mmap"
  | "mac_label"
  | "proctitle"
  | "hook"
  | "netaction"
  | "macproto"
  | "ioctl_req"
  | "fanotify"
  | "nlmcgrp"
  | "resolve"
  | "trust"
  | "fan_type"
  | "fan_info"
  | "errno";

const KINDS: Record<string, FieldKind> = {};
function kinds(kind: FieldKind, names: string): void {
  for (const n of names.split(" ")) KINDS[n] = kind;
}
kinds("uid", "auid uid euid suid fsuid ouid oauid old-auid iuid id inode_uid sauid obj_uid");
kinds("gid", "obj_gid gid egid sgid fsgid ogid igid inode_gid new_gid");
kinds("syscall", "syscall");
kinds("arch", "arch");
kinds("exit", "exit");
kinds(
  "escaped",
  "path comm exe file watch cwd cmd acct dir vm old-chardev new-chardev old-disk new-disk " +
    "old-fs new-fs old-net new-net device cgroup old-rng new-rng ocomm grp new_group " +
    "invalid_context sw root_dir",
);
// Debian builds libauparse with AppArmor support: its record fields are strings
kinds("escaped", "apparmor operation denied_mask info profile requested_mask");
kinds("escaped_file", "name");
kinds("escaped_key", "key");
kinds("perm", "perm perm_mask");
kinds("mode", "mode");
kinds("sockaddr", "saddr");
kinds("promisc", "prom old_prom");
kinds("capability", "capability");
kinds("success", "res result");
kinds("a0", "a0");
kinds("a1", "a1");
kinds("a2", "a2");
kinds("a3", "a3");
kinds("signal", "sig sigev_signo");
kinds("list", "list");
kinds("tty_data", "data");
kinds("session", "ses");
kinds(
  "cap_bitmap",
  "cap_pi cap_pe cap_pp cap_pa cap_fi cap_fp fp fi old_pp old_pi old_pe old_pa new_pp new_pi " +
    "new_pe pp pi pe pa",
);
kinds("nfproto", "family");
kinds("icmptype", "icmptype");
kinds("protocol", "proto");
kinds("addr", "addr");
kinds("personality", "per");
kinds("seccomp", "code");
kinds("oflag", "oflag");
kinds("mmap", "flags");
kinds("mac_label", "subj obj scontext tcontext vm-ctx img-ctx");
kinds("proctitle", "proctitle");
kinds("hook", "hook");
kinds("netaction", "action");
kinds("macproto", "macproto");
kinds("ioctl_req", "ioctlcmd");
kinds("fanotify", "resp");
kinds("nlmcgrp", "nl-mcgrp");
kinds("resolve", "resolve");

const T_EXECVE = RecordType.EXECVE;
const T_AVC = RecordType.AVC;
const T_USER_TTY = 1124;
const T_NETFILTER_PKT = 1324;
const T_CRYPTO_KEY_USER = 2404;
const T_PATH = RecordType.PATH;
const T_MQ_OPEN = 1312;
const GROUP_TYPES = new Set([1116, 1117, 1132]); // ADD_GROUP, DEL_GROUP, GRP_MGMT
const T_TRUSTED_APP = 1121;
const T_KERN_MODULE = 1330;

/**
 * Whether the kind of field `name` in a record of type `recordType` depends on
 * the value's form (acct, and every field of TRUSTED_APP): {@link fieldKind}
 * must then be asked for each value.
 */
export function kindDependsOnValue(recordType: number, name: string): boolean {
  return name === "acct" || recordType === T_TRUSTED_APP;
}

/** C's is_hex_string: every character a hex digit (true for ""). */
function allHex(value: string): boolean {
  return value.length === 0 || isHex(value);
}

/** C's is_int_string: every character a decimal digit (true for ""). */
function allDigits(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * The kind of field `name` in a record of type `recordType` (`auparse_interp_adjust_type`).
 *
 * @example
 * ```ts
 * import { fieldKind } from "./interpret.ts";
 * fieldKind(1309, "a0", '"ls"'); // "escaped": EXECVE arguments are strings
 * ```
 */
export function fieldKind(recordType: number, name: string, value: string): FieldKind {
  if (
    recordType === T_EXECVE && name.charCodeAt(0) === 0x61 && name !== "argc" &&
    !name.includes("_len")
  ) return "escaped";
  if (recordType === T_AVC && name === "saddr") return "unclassified";
  if (recordType === T_USER_TTY && name === "msg") return "escaped";
  if (recordType === T_NETFILTER_PKT && name === "saddr") return "addr";
  // a key fingerprint, not a capability set
  if (recordType === T_CRYPTO_KEY_USER && name === "fp") return "unclassified";
  if (name === "acct") {
    return value.charCodeAt(0) === 0x22 || allHex(value) ? "escaped" : "unclassified";
  }
  if (recordType === T_PATH && name === "flags") return "flags";
  if (recordType === T_MQ_OPEN && name === "mode") return "mode_short";
  if (name === "id" && GROUP_TYPES.has(recordType)) return "gid";
  // every field of a TRUSTED_APP record is free text: quoted, a number, or hex-encoded
  if (recordType === T_TRUSTED_APP) {
    if (value.charCodeAt(0) === 0x22) return "escaped";
    if (allDigits(value)) return "unclassified";
    return allHex(value) ? "escaped" : "unclassified";
  }
  if (recordType === T_KERN_MODULE && name === "name") return "escaped";
  return KINDS[name] ?? "unclassified";
}

/** How control characters in interpreted values are escaped (ausearch `--escape`). */
export type EscapeMode = "raw" | "tty" | "shell" | "shell_quote";

/** `interpretationKey` results that are not keys. */
export const INTERPRET_EACH_TIME = -1;
/** See {@link interpretationKey}. */
export const INTERPRET_AS_HEX = -2;

const KEY_KINDS: Partial<Record<FieldKind, number>> = {
  syscall: 1,
  arch: 2,
  a0: 3,
  a1: 4,
  a2: 5,
  a3: 6,
};
/** Interpretation keys by (kind, machine, syscall). */
const interpretationKeys = new Map<number, number>();

/**
 * For a field of a kind whose interpretation depends on the event (syscall,
 * arch, a0..a3) in a record without enrichment: a key such that fields with
 * the same key and the same raw value have the same interpretation; or
 * {@link INTERPRET_AS_HEX} when the interpretation is `0x` and the raw value;
 * or {@link INTERPRET_EACH_TIME}. Lets the JSON encoder cache what
 * {@link interpretField} gives.
 *
 * @example
 * ```ts
 * import { readEvents } from "../../mod.ts";
 * import { interpretationKey } from "./interpret.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) {
 *   console.log(interpretationKey(ev.records[0], "a2"));
 * }
 * ```
 */
export function interpretationKey(record: AuditRecord, kind: FieldKind): number {
  return KEY_KINDS[kind] === undefined
    ? INTERPRET_EACH_TIME
    : interpretationKeyOf(placedContext(record), kind);
}

/**
 * {@link interpretationKey} for a context (its machine and syscall count,
 * its a0 and a1 do not: a key is never given where they matter).
 *
 * @example
 * ```ts
 * import { INTERPRET_AS_HEX, interpretationKeyOf } from "./interpret.ts";
 * const ctx = { machine: 0, syscall: 257, a0: 0n, a1: 0n }; // x86_64 openat
 * console.log(interpretationKeyOf(ctx, "a1") === INTERPRET_AS_HEX); // true: a pointer
 * ```
 */
export function interpretationKeyOf(ctx: InterpretContext, kind: FieldKind): number {
  const code = KEY_KINDS[kind];
  if (code === undefined) return INTERPRET_EACH_TIME;
  // the keys of the last (machine, syscall) asked about: a record's fields ask one after another
  if (ctx.machine !== memoMachine || ctx.syscall !== memoSyscall) {
    memoMachine = ctx.machine;
    memoSyscall = ctx.syscall;
    memoKeys.fill(NaN);
  }
  const known = memoKeys[code];
  if (known === known) return known;
  return memoKeys[code] = keyOf(ctx, code);
}

let memoMachine = NaN, memoSyscall = NaN;
const memoKeys = new Float64Array(8).fill(NaN);

function keyOf(ctx: InterpretContext, code: number): number {
  // arch depends on the machine only; the others on the syscall too
  const syscall = code === 2 ? 0 : ctx.syscall;
  if (syscall < 0 || syscall > 0xffff || ctx.machine < -1 || ctx.machine > 0xfffe) {
    return INTERPRET_EACH_TIME;
  }
  const composite = ((code * 0x10000 + (ctx.machine + 1)) * 0x10000) + syscall;
  let key = interpretationKeys.get(composite);
  if (key === undefined) {
    key = interpretationKeys.size;
    if (code >= 3) {
      const plan = argPlan(code - 3, syscallName(ctx.syscall, ctx.machine));
      if (plan === ArgPlan.Hex) key = INTERPRET_AS_HEX;
      else if (plan === ArgPlan.InContext) key = INTERPRET_EACH_TIME;
    } else if (code === 1) {
      // socketcall and ipc are named with the call their a0 selects
      const sys = syscallName(ctx.syscall, ctx.machine < 0 ? HOST_MACHINE : ctx.machine);
      if (sys === "socketcall" || sys === "ipc") key = INTERPRET_EACH_TIME;
    }
    interpretationKeys.set(composite, key);
  }
  return key;
}

/**
 * The interpretation of a field of kind `kind` whose ENRICHED value is
 * `val` (one that does not start with `unknown-`): ids as escaped strings
 * (`"root"` is `root`), the others as auditd wrote them.
 *
 * @example
 * ```ts
 * import { interpretEnriched } from "./interpret.ts";
 * interpretEnriched("uid", '"root"'); // "root"
 * interpretEnriched("syscall", "openat"); // "openat"
 * ```
 */
export function interpretEnriched(kind: FieldKind, val: string): string {
  return enrichedIsEscaped(kind) ? printEscaped(val) : val;
}

/**
 * Whether {@link interpretEnriched} unescapes values of this kind (else it
 * gives them as they are).
 *
 * @example
 * ```ts
 * import { enrichedIsEscaped } from "./interpret.ts";
 * enrichedIsEscaped("gid"); // true
 * ```
 */
export function enrichedIsEscaped(kind: FieldKind): boolean {
  return kind === "uid" || kind === "gid";
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 32) return true;
  return false;
}

/** Escapes control characters as libauparse does in the given mode. */
export function escapeValue(s: string, mode: EscapeMode): string {
  if (mode === "raw" || (mode === "tty" && !hasControl(s))) return s;
  let needs = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || (mode !== "tty" && SHELL_SETS[mode].includes(s[i]))) {
      needs = true;
      break;
    }
  }
  if (!needs) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32) out += "\\" + c.toString(8).padStart(3, "0");
    else if (mode !== "tty" && SHELL_SETS[mode].includes(s[i])) out += "\\" + s[i];
    else out += s[i];
  }
  return out;
}

const SHELL_SETS = { shell: "\"'`$\\!()| ", shell_quote: "\"'`$\\!()| ;#&*?[]<>{}" };

/**
 * Interprets one value of the given kind (`auparse_do_interpretation`),
 * escaped for output.
 *
 * @example
 * ```ts
 * import { interpretValue } from "./interpret.ts";
 * interpretValue("exit", "exit", "-13", { machine: 1, syscall: 257, a0: 0n, a1: 0n });
 * // "EACCES(Permission denied)"
 * ```
 */
export function interpretValue(
  kind: FieldKind,
  name: string,
  val: string,
  ctx: InterpretContext,
  escape: EscapeMode = "tty",
): string {
  return valueInterpretation(kind, name, val, ctx, escape, true);
}

/** {@link interpretValue}; `memo`: context-free values go through {@link memoized}. */
function valueInterpretation(
  kind: FieldKind,
  name: string,
  val: string,
  ctx: InterpretContext,
  escape: EscapeMode,
  memo: boolean,
): string {
  const enriched = ctx.enrichment?.get(name);
  if (enriched !== undefined && !enriched.startsWith("unknown-")) {
    // what auditd recorded is given as it is, not escaped again
    return interpretEnriched(kind, enriched);
  }
  return memo && CONTEXT_FREE.has(kind)
    ? memoized(kind, val, ctx, escape)
    : escaped(kind, interpretKind(kind, val, ctx), escape);
}

/** An interpretation escaped for output (each key of a split key on its own). */
function escaped(kind: FieldKind, out: string, escape: EscapeMode): string {
  if (kind === "escaped_key" && out.includes("\x01")) {
    return out.split("\x01").map((k) => escapeValue(k, escape)).join("\x01");
  }
  return escapeValue(out, escape);
}

/** Kinds whose interpretation depends on the value alone. */
const CONTEXT_FREE = new Set<FieldKind>([
  "uid",
  "gid",
  "exit",
  "escaped",
  "escaped_file",
  "escaped_key",
  "perm",
  "mode",
  "mode_short",
  "sockaddr",
  "success",
  "session",
  "cap_bitmap",
  "list",
  "proctitle",
]);

/**
 * Whether a field of this kind interprets from its value alone (outside
 * ENRICHED records), so its interpretation may be cached by raw value: all
 * kinds but syscall, arch and a0..a3 (see {@link interpretationKey}).
 */
export function isContextFree(kind: FieldKind): boolean {
  return KEY_KINDS[kind] === undefined;
}

const MEMO_LIMIT = 1 << 14;
/** By escape mode and kind: raw value -> escaped interpretation. */
const memo = new Map<EscapeMode, Map<FieldKind, Map<string, string>>>();

/** Values repeat across events (uids, exes, paths): each is interpreted and escaped once. */
function memoized(kind: FieldKind, val: string, ctx: InterpretContext, escape: EscapeMode): string {
  let byKind = memo.get(escape);
  if (!byKind) memo.set(escape, byKind = new Map());
  let m = byKind.get(kind);
  if (!m) byKind.set(kind, m = new Map());
  let out = m.get(val);
  if (out === undefined) {
    out = escaped(kind, interpretKind(kind, val, ctx), escape);
    if (m.size >= MEMO_LIMIT) m.clear();
    m.set(val, out);
  }
  return out;
}

function interpretKind(kind: FieldKind, val: string, ctx: InterpretContext): string {
  switch (kind) {
    case "uid":
      return printUid(val, 10);
    case "gid":
      return printGid(val, 10);
    case "syscall":
      return printSyscall(ctx, val);
    case "arch":
      return printArch(val, ctx.machine);
    case "exit":
      return printExit(val);
    case "escaped":
    case "escaped_file":
    case "escaped_key":
      return printEscaped(val);
    case "perm":
      return printPerm(val);
    case "mode":
      return printMode(val, 8);
    case "mode_short":
      return printModeShort(val, 8);
    case "sockaddr":
      return printSockaddr(val);
    case "promisc": {
      const n = strtoul(val, 10);
      return n === undefined ? conversionError(val) : n === 0n ? "no" : "yes";
    }
    case "capability":
      return printCapability(val, 10);
    case "success":
      return printSuccess(val);
    case "a0":
      return syscallArg(0, val, ctx);
    case "a1":
      return syscallArg(1, val, ctx);
    case "a2":
      return syscallArg(2, val, ctx);
    case "a3":
      return syscallArg(3, val, ctx);
    case "signal":
      return printSignal(val, 10);
    case "tty_data":
      return printTtyData(val);
    case "personality":
      return printPersonality(val);
    case "mmap":
      return printMmapFlags(val);
    case "ioctl_req":
      return printIoctlRequest(val);
    case "seccomp":
      return printSeccompCode(val);
    case "list":
      return printList(val);
    case "session":
      return printSession(val);
    case "cap_bitmap":
      return printCapBitmap(val);
    case "proctitle":
      return printProctitle(val);
    case "oflag":
      return printOpenFlags(val);
    case "flags":
      return printNamedFlags(val);
    case "nfproto":
      return printNumbered(val, 10, NFPROTOS, (v) => `unknown-netfilter-protocol(${v})`);
    case "icmptype":
      return printNumbered(val, 10, ICMP_TYPES, (v) => `unknown-icmp-type(${v})`);
    case "protocol": {
      const n = strtoul(val, 10);
      if (n === undefined) return conversionError(val);
      return protocolName(i32(n)) ?? "undefined protocol";
    }
    case "hook":
      return printNumbered(val, 16, HOOKS, (v) => `unknown-hook(${v})`);
    case "netaction":
      return printNumbered(val, 16, NET_ACTIONS, (v) => `unknown-action(${v})`);
    case "macproto": {
      const n = strtoul(val, 16);
      if (n === undefined) return conversionError(val);
      const type = i32(n);
      return type === 0x0800 ? "IP" : type === 0x0806 ? "ARP" : "UNKNOWN";
    }
    case "fanotify": {
      const c = val.charCodeAt(0);
      if (!(c >= 0x30 && c <= 0x39)) return val;
      const n = strtoul(val, 10);
      if (n === undefined) return conversionError(val);
      const res = u32(n);
      return res === 1 ? "allow" : res === 2 ? "deny" : "unknown";
    }
    case "nlmcgrp": {
      const n = strtoul(val, 16);
      if (n === undefined) return conversionError(val);
      return n === 1n ? "audit-netlink-multicast" : "audit-none";
    }
    case "resolve": {
      const n = strtoul(val, 16);
      if (n === undefined) return conversionError(val);
      const names = RESOLVE_FLAGS.filter(([v]) => (BigInt(v) & n) !== 0n).map(([, name]) => name);
      return names.length ? names.join("|") : `0x${val}`;
    }
    default:
      return val;
  }
}

/** A number looked up as C's `int` in a table, or `unknown` of the raw value. */
function printNumbered(
  val: string,
  base: number,
  table: ReadonlyMap<number, string>,
  unknown: (v: string) => string,
): string {
  const n = strtoul(val, base);
  if (n === undefined) return conversionError(val);
  return table.get(i32(n)) ?? unknown(val);
}

/** A PATH record's lookup flags: "none", or the names joined by commas. */
function printNamedFlags(val: string): string {
  const n = strtoul(val, 16);
  if (n === undefined) return conversionError(val);
  const flags = i32(n);
  if (flags === 0) return "none";
  const names = PATH_FLAGS.filter(([v]) => (v & flags) !== 0).map(([, name]) => name);
  return names.length ? names.join(",") : `0x${val}`;
}

const NFPROTOS: ReadonlyMap<number, string> = new Map(NETFILTER_PROTOCOLS);
const ICMP_TYPES: ReadonlyMap<number, string> = new Map(ICMP_TYPE_NAMES);
const HOOKS: ReadonlyMap<number, string> = new Map(INET_HOOKS);
const NET_ACTIONS: ReadonlyMap<number, string> = new Map(NETFILTER_ACTIONS);

// interned at load, while the name table is empty, so these ids always exist
const ARCH = internName("arch");
const SYSCALL_NAME = internName("syscall");
const A0 = internName("a0");
const A1 = internName("a1");

/**
 * The context of a SYSCALL-like record: arch and syscall parsed at once, a0
 * and a1 (BigInt, needed by few decoders) when first read.
 */
class RecordContext implements InterpretContext {
  machine: number;
  syscall: number;
  #record: AuditRecord | undefined;
  #a0 = -1;
  #a1 = -1;
  #v0: bigint | undefined;
  #v1: bigint | undefined;

  constructor(record: AuditRecord | undefined, machine: number, syscall: number, a0 = -1, a1 = -1) {
    this.#record = record;
    this.machine = machine;
    this.syscall = syscall;
    this.#a0 = a0;
    this.#a1 = a1;
  }

  get a0(): bigint {
    return this.#v0 ??= this.#arg(this.#a0);
  }

  get a1(): bigint {
    return this.#v1 ??= this.#arg(this.#a1);
  }

  #arg(i: number): bigint {
    if (i < 0) return 0n;
    // libauparse reads an argument with strtoull: an overflow gives -1
    return strtoul(this.#record!.fieldValue(i), 16) ?? (this.#overflow ?? 0n);
  }

  /** What an argument that overflows reads as (the positional context's -1), else 0. */
  #overflow: bigint | undefined;

  /** The same context, reading an overflowing argument as libauparse does (-1). */
  static positional(
    record: AuditRecord,
    machine: number,
    syscall: number,
    a0: number,
    a1: number,
  ): RecordContext {
    const ctx = new RecordContext(record, machine, syscall, a0, a1);
    ctx.#overflow = 0xffffffffffffffffn;
    return ctx;
  }
}

/** The interpretation context of a SYSCALL-like record: its arch, syscall, a0 and a1. */
export function contextOf(record: AuditRecord | undefined): InterpretContext {
  return recordContext(record);
}

function recordContext(record: AuditRecord | undefined): RecordContext {
  if (!record) return new RecordContext(undefined, -1, -1);
  let machine = -1, syscall = -1, a0 = -1, a1 = -1;
  const n = record.fieldCount;
  // by name id: string comparisons with every field's name cost more than the parsing
  for (let i = 0; i < n; i++) {
    const id = record.fieldNameId(i);
    if (id === ARCH) {
      const v = strtoul(record.fieldValue(i), 16);
      if (v !== undefined) machine = elfToMachine(u32(v));
    } else if (id === SYSCALL_NAME) {
      const v = strtoul(record.fieldValue(i), 10);
      if (v !== undefined) syscall = i32(v);
    } else if (id === A0) {
      if (a0 < 0) a0 = i;
    } else if (id === A1) {
      if (a1 < 0) a1 = i;
    }
  }
  return new RecordContext(record, machine, syscall, a0, a1);
}

let placedFor: AuditRecord | undefined;
let placed: RecordContext = new RecordContext(undefined, -1, -1);

/**
 * The context libauparse gives the fields of a record (ellist.c): taken from
 * the record itself, by position. The machine from an `arch` that is the
 * first or tenth field, the syscall from a `syscall` second or eleventh (a
 * SYSCALL record, or a SECCOMP one after its subject), a0 and a1 from the
 * fifth and sixth; -1 when not there (the machine -2 when its number
 * overflows). Other records have none: a `syscall` field elsewhere is
 * `unknown-syscall(-1)`.
 */
function placedContext(record: AuditRecord): RecordContext {
  if (record === placedFor) return placed;
  let machine = -1, syscall = -1, a0 = -1, a1 = -1;
  const n = Math.min(record.fieldCount, 11);
  for (let i = 0; i < n; i++) {
    const id = record.fieldNameId(i);
    if ((i === 0 || i === 9) && id === ARCH) {
      const val = record.fieldValue(i);
      // the usual arch (up to 8 hex digits) without a BigInt
      if (val.length > 0 && val.length <= 8 && onlyDigits(val, 16)) {
        machine = elfToMachine(parseInt(val, 16));
      } else {
        const v = strtoul(val, 16);
        machine = v === undefined ? -2 : elfToMachine(u32(v));
      }
    } else if ((i === 1 || i === 10) && id === SYSCALL_NAME) {
      const val = record.fieldValue(i);
      if (val.length > 0 && val.length <= 9 && onlyDigits(val, 10)) syscall = parseInt(val, 10);
      else {
        const v = strtoul(val, 10);
        syscall = v === undefined ? -1 : i32(v);
      }
    } else if (i === 4 && id === A0) a0 = i;
    else if (i === 5 && id === A1) a1 = i;
  }
  placedFor = record;
  placed = RecordContext.positional(record, machine, syscall, a0, a1);
  return placed;
}

/**
 * Interprets field `i` of `record` like `auparse_interpret_field` (3.0.9):
 * the context of syscall names and arguments is the record's own (see
 * {@link eventContext} for the event's).
 *
 * @example
 * ```ts
 * import { interpretField, readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) {
 *   const r = ev.records[0];
 *   for (let i = 0; i < r.fieldCount; i++) {
 *     console.log(r.fieldName(i), interpretField(ev, r, i));
 *   }
 * }
 * ```
 */
export function interpretField(
  // the event the record is in: libauparse's context is the record's own, so it is not read
  _event: AuditEvent,
  record: AuditRecord,
  i: number,
  escape: EscapeMode = "tty",
): string {
  return fieldInterpretation(record, i, escape, true);
}

/**
 * {@link interpretField} without the process-wide memo of interpreted
 * values: for a caller that keeps interpretations itself (the JSON encoder
 * keeps them by bytes) and asks only for values it has not seen, where
 * storing them again costs more than it saves (an EXECVE record's
 * arguments).
 *
 * @example
 * ```ts
 * import { readEvents } from "../../mod.ts";
 * import { interpretFieldOnce } from "./interpret.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) {
 *   console.log(interpretFieldOnce(ev, ev.records[0], 0, "raw"));
 * }
 * ```
 */
export function interpretFieldOnce(
  _event: AuditEvent,
  record: AuditRecord,
  i: number,
  escape: EscapeMode = "tty",
): string {
  return fieldInterpretation(record, i, escape, false);
}

function fieldInterpretation(
  record: AuditRecord,
  i: number,
  escape: EscapeMode,
  memo: boolean,
): string {
  const name = record.fieldName(i);
  const val = record.fieldValue(i);
  if (record.fieldIsSynthetic(i)) {
    // an AVC's seresult and seperms are as they are; a key without value (NULL) is " "
    if (name !== "key") return escapeValue(val, escape);
    if (val === "(null)") return " ";
  }
  const kind = fieldKind(record.type, name, val);
  if (kind === "unclassified" || kind === "mac_label") {
    // what auditd wrote comes first, whatever the kind
    const enriched = record.enriched ? record.interpretations.get(name) : undefined;
    return enriched === undefined || enriched.startsWith("unknown-") ? val : enriched;
  }
  let ctx: InterpretContext = placedContext(record);
  if (record.enriched) {
    // a0 and a1 are getters: copied by name, not by spreading
    const { machine, syscall, a0, a1 } = ctx;
    ctx = { machine, syscall, a0, a1, enrichment: record.interpretations };
  }
  return valueInterpretation(kind, name, val, ctx, escape, memo);
}

/**
 * The interpretation context of an event (from its SYSCALL record), cached.
 *
 * @example
 * ```ts
 * import { eventContext, readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(eventContext(ev).syscall);
 * ```
 */
export function eventContext(event: AuditEvent): InterpretContext {
  const cache = eventCache(event);
  // the event layer keeps the slot untyped (it knows nothing of interpretation)
  let ctx = cache.context as InterpretContext | undefined;
  if (!ctx) {
    ctx = recordContext(event.record(RecordType.SYSCALL) ?? event.record(RecordType.SECCOMP));
    cache.context = ctx;
  }
  return ctx;
}
