/**
 * Field interpretation as libauparse 3.0.9 does it (`auparse/interpret.c`):
 * each field name has a kind (uid, syscall, exit, escaped string, ...) with
 * per-record-type overrides, and each kind a printer. ENRICHED values are
 * used first; uid/gid names otherwise come from the local user database.
 *
 * @module
 */

import { groupName, userName } from "../accounts.ts";
import { ipv6Text } from "../inet.ts";
import { errnoMessage, errnoName } from "../errno.ts";
import { decodeBytes, internName, isHex } from "./record.ts";
import {
  elfToMachine,
  fileTypeName,
  HOST_MACHINE,
  listName,
  machineName,
  syscallName,
} from "./tables.ts";
import type { AuditRecord } from "./record.ts";
import type { AuditEvent } from "./assemble.ts";
import { eventCache } from "./assemble.ts";
import { RecordType } from "./types.ts";
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
  FAMILIES,
  ICMP_TYPE_NAMES,
  INET_HOOKS,
  IPC_CALLS,
  NETFILTER_ACTIONS,
  NETFILTER_PROTOCOLS,
  PATH_FLAGS,
  RECV_FLAGS,
  RESOLVE_FLAGS,
  SOCKETCALLS,
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

/** What the interpretation of a field may depend on besides its value. */
export interface InterpretContext {
  /** The machine (libaudit numbering), -1 when unknown. */
  machine: number;
  /** The syscall number, -1 when unknown. */
  syscall: number;
  /** The syscall's first argument. */
  a0: bigint;
  /** The syscall's second argument. */
  a1: bigint;
  /**
   * The ENRICHED values of the record, looked up by field name as libauparse
   * looks them up: names lower-cased ({@link AuditRecord.interpretations}).
   */
  enrichment?: ReadonlyMap<string, string>;
}

// --- local user database ---------------------------------------------------

export { groupName, userName };

// --- number parsing like strtoul/strtoll -----------------------------------

/** Whether `val` is only digits of `base` (8, 10 or 16); a loop, as this runs for every argument. */
function onlyDigits(val: string, base: number): boolean {
  for (let i = 0; i < val.length; i++) {
    const c = val.charCodeAt(i);
    const digit = c >= 0x30 && c <= 0x39
      ? c - 0x30
      : base === 16 && ((c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
      ? 10
      : 99;
    if (digit >= base) return false;
  }
  return true;
}

/** C's strtoul (for syscall_args.ts): see {@link strtoul}. */
export function cStrtoul(val: string, base: number): bigint | undefined {
  return strtoul(val, base);
}

/** strtoul: leading whitespace, optional sign, digits; `undefined` on overflow (ERANGE). */
function strtoul(val: string, base: number): bigint | undefined {
  // the common case: a plain number that fits a double exactly
  if (val.length > 0 && val.length <= (base === 16 ? 13 : 15)) {
    if (onlyDigits(val, base)) return BigInt(parseInt(val, base));
  }
  const m = base === 16
    ? /^\s*([+-]?)(?:0[xX])?([0-9a-fA-F]*)/.exec(val)
    : base === 8
    ? /^\s*([+-]?)([0-7]*)/.exec(val)
    : /^\s*([+-]?)([0-9]*)/.exec(val);
  if (!m || m[2] === "") return 0n;
  let n = BigInt(base === 16 ? `0x${m[2]}` : base === 8 ? `0o${m[2]}` : m[2]);
  if (n > 0xffffffffffffffffn) return undefined;
  if (m[1] === "-") n = (0x10000000000000000n - n) & 0xffffffffffffffffn;
  return n;
}

function u32(n: bigint): number {
  return Number(n & 0xffffffffn);
}

function i32(n: bigint): number {
  return Number(BigInt.asIntN(32, n));
}

const conversionError = (val: string) => `conversion error(${val})`;

// --- tables ------------------------------------------------------------------

const CAPS = [
  "chown",
  "dac_override",
  "dac_read_search",
  "fowner",
  "fsetid",
  "kill",
  "setgid",
  "setuid",
  "setpcap",
  "linux_immutable",
  "net_bind_service",
  "net_broadcast",
  "net_admin",
  "net_raw",
  "ipc_lock",
  "ipc_owner",
  "sys_module",
  "sys_rawio",
  "sys_chroot",
  "sys_ptrace",
  "sys_pacct",
  "sys_admin",
  "sys_boot",
  "sys_nice",
  "sys_resource",
  "sys_time",
  "sys_tty_config",
  "mknod",
  "lease",
  "audit_write",
  "audit_control",
  "setfcap",
  "mac_override",
  "mac_admin",
  "syslog",
  "wake_alarm",
  "block_suspend",
  "audit_read",
  "perfmon",
  "bpf",
  "checkpoint_restore",
];

const SIGNALS = [
  "SIG0",
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGBUS",
  "SIGFPE",
  "SIGKILL",
  "SIGUSR1",
  "SIGSEGV",
  "SIGUSR2",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGSTKFLT",
  "SIGCHLD",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGURG",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGWINCH",
  "SIGIO",
  "SIGPWR",
  "SIGSYS",
];

const FAMILY_NAMES: ReadonlyMap<number, string> = new Map(FAMILIES);

const OPEN_FLAGS: [number, string][] = [
  [0o1, "O_WRONLY"],
  [0o2, "O_RDWR"],
  [0o100, "O_CREAT"],
  [0o200, "O_EXCL"],
  [0o400, "O_NOCTTY"],
  [0o1000, "O_TRUNC"],
  [0o2000, "O_APPEND"],
  [0o4000, "O_NONBLOCK"],
  [0o10000, "O_DSYNC"],
  [0o20000, "O_ASYNC"],
  [0o40000, "O_DIRECT"],
  [0o200000, "O_DIRECTORY"],
  [0o400000, "O_NOFOLLOW"],
  [0o1000000, "O_NOATIME"],
  [0o2000000, "O_CLOEXEC"],
  [0o4000000, "__O_SYNC"],
  [0o10000000, "O_PATH"],
  [0o20000000, "__O_TMPFILE"],
];

const ACCESS: [number, string][] = [[1, "X_OK"], [2, "W_OK"], [4, "R_OK"]];

const RECV_FLAG_LIST: [number, string][] = RECV_FLAGS.map(([v, n]) => [v, n]);

const SOCK_TYPES: Record<number, string> = {
  1: "SOCK_STREAM",
  2: "SOCK_DGRAM",
  3: "SOCK_RAW",
  4: "SOCK_RDM",
  5: "SOCK_SEQPACKET",
  6: "SOCK_DCCP",
  10: "SOCK_PACKET",
};

export const PROTOCOLS: Record<number, string> = {
  0: "ip",
  1: "icmp",
  2: "igmp",
  6: "tcp",
  17: "udp",
  41: "ipv6",
  58: "ipv6-icmp",
  132: "sctp",
  136: "udplite",
  255: "raw",
};

function flagList(table: [number, string][], flags: number): string {
  const out: string[] = [];
  for (const [v, name] of table) if ((v & flags) !== 0) out.push(name);
  return out.join("|");
}

// --- printers ------------------------------------------------------------------

/** A short decimal number (the common case of ids), or -2 when it needs the full parse. */
function smallDecimal(val: string): number {
  const len = val.length;
  if (len === 0 || len > 10) return -2;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const c = val.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -2;
    n = n * 10 + c;
  }
  return n;
}

function idName(id: number, lookup: (id: number) => string | undefined): string {
  if (id === -1) return "unset";
  if (id === 0) return "root";
  return lookup(id >>> 0) ?? `unknown(${id})`;
}

/** libauparse's printUid printer (for syscall_args.ts). */
export function printUid(val: string, base: number): string {
  const quick = base === 10 ? smallDecimal(val) : -2;
  if (quick >= 0) return idName(quick | 0, userName);
  const n = strtoul(val, base);
  if (n === undefined) return conversionError(val);
  const uid = i32(n);
  if (uid === -1) return "unset";
  if (uid === 0) return "root";
  return userName(uid >>> 0) ?? `unknown(${uid})`;
}

/** libauparse's printGid printer (for syscall_args.ts). */
export function printGid(val: string, base: number): string {
  const quick = base === 10 ? smallDecimal(val) : -2;
  if (quick >= 0) return idName(quick | 0, groupName);
  const n = strtoul(val, base);
  if (n === undefined) return conversionError(val);
  const gid = i32(n);
  if (gid === -1) return "unset";
  if (gid === 0) return "root";
  return groupName(gid >>> 0) ?? `unknown(${gid})`;
}

function printArch(val: string, machine: number): string {
  if (machine < 0 || machine > 9) {
    const n = strtoul(val, 16);
    if (n === undefined) return `conversion error(${val}) `;
    machine = elfToMachine(u32(n));
  }
  if (machine < 0) return `unknown-elf-type(${val})`;
  return machineName(machine) ?? `unknown-machine-type(${machine})`;
}

function printSyscall(ctx: InterpretContext, val: string): string {
  let machine = ctx.machine;
  if (machine < 0) machine = HOST_MACHINE;
  if (machine < 0) return val;
  const sys = syscallName(ctx.syscall, machine);
  if (!sys) return `unknown-syscall(${ctx.syscall})`;
  // a multiplexed 32-bit call names the call its a0 selects
  const calls = sys === "socketcall"
    ? SOCKETCALL_NAMES
    : sys === "ipc"
    ? IPC_CALL_NAMES
    : undefined;
  if (calls !== undefined && ctx.a0 <= 0x7fffffffn) {
    const call = calls.get(Number(ctx.a0));
    if (call !== undefined) return `${sys}(${call})`;
  }
  return sys;
}

const SOCKETCALL_NAMES: ReadonlyMap<number, string> = new Map(SOCKETCALLS);
const IPC_CALL_NAMES: ReadonlyMap<number, string> = new Map(IPC_CALLS);

function printExit(val: string): string {
  const m = /^\s*([+-]?\d+)/.exec(val);
  const n = m ? BigInt(m[1]) : 0n;
  if (n > 0x7fffffffffffffffn || n < -0x8000000000000000n) return conversionError(val);
  if (n < 0n) {
    const e = Number(-n);
    return `${errnoName(e) ?? "(null)"}(${errnoMessage(e)})`;
  }
  return val;
}

/** The text of a C string (up to its first NUL), every byte kept ({@link decodeBytes}). */
function cString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return decodeBytes(bytes, 0, nul < 0 ? bytes.length : nul);
}

const utf8Encoder = new TextEncoder();

function isHexByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** A hex digit's value; a NUL (an odd last digit's pair) is 0, as libauparse's x2c has it. */
function digitValue(c: number): number {
  return c <= 0x39 ? (c >= 0x30 ? c - 0x30 : 0) : (c | 0x20) - 0x57;
}

/**
 * libauparse's `au_unescape`, to the byte: the buffer it returns (one byte
 * more than the value) with what it leaves after the text, as the printers
 * that read past the first NUL see it (proctitle). A value starting with
 * `(` is copied up to its `)`; hex is decoded up to its first non-hex digit,
 * in place, and zeroed up to half the value's length (the rest keeps the
 * digits it was decoded from). `undefined` (NULL) when there are fewer than
 * two hex digits or no `)`. Bytes C leaves unset are 0 here.
 */
function auUnescape(val: string): Uint8Array | undefined {
  const src = utf8Encoder.encode(val);
  let p = 0;
  if (src[0] === 0x28) {
    const close = src.indexOf(0x29);
    if (close < 0) return undefined;
    p = close + 1;
  } else while (p < src.length && isHexByte(src[p])) p++;
  const str = new Uint8Array(src.length + 1);
  str.set(src.subarray(0, p));
  if (src[0] === 0x28) return str;
  if (p < 2) return undefined;
  let w = 0;
  for (let i = 0; i < p; i += 2) str[w++] = (digitValue(str[i]) << 4) | digitValue(str[i + 1]);
  str[w] = 0;
  const half = src.length >> 1;
  if (half > w - 1) str.fill(0, w, half + 1);
  return str;
}

/** libauparse's `print_escaped`, as bytes: quoted text unquoted, else {@link auUnescape}d ("00" first skipped). */
function escapedBytes(val: string): Uint8Array | string {
  if (val.charCodeAt(0) === 0x22) {
    const close = val.indexOf('"', 1);
    return close < 0 ? " " : val.slice(1, close);
  }
  return auUnescape(val.startsWith("00") ? val.slice(2) : val) ?? val;
}

/** libauparse's `print_escaped`: quoted text unquoted, hex decoded up to its first NUL. */
export function printEscaped(val: string): string {
  const out = escapedBytes(val);
  return typeof out === "string" ? out : cString(out);
}

function printProctitle(val: string): string {
  const out = escapedBytes(val);
  // quoted text, or a value that is not hex copied as it is (its only NUL is past half its length)
  if (typeof out === "string") return out;
  // the arguments are separated by NULs: those before half the value's length become spaces
  const end = utf8Encoder.encode(val).length >> 1;
  for (let i = out.indexOf(0); i >= 0 && i < end; i = out.indexOf(0, i + 1)) out[i] = 0x20;
  return cString(out);
}

function printPerm(val: string): string {
  // strtol: beyond a long is an overflow; the long is then cut to an int
  const m = /^\s*([+-]?\d+)/.exec(val);
  const big = m ? BigInt(m[1]) : 0n;
  if (big > 0x7fffffffffffffffn || big < -0x8000000000000000n) return conversionError(val);
  let n = Number(BigInt.asIntN(32, big));
  if (n === 0) n = 0x0f;
  const out: string[] = [];
  if (n & 4) out.push("read");
  if (n & 2) out.push("write");
  if (n & 1) out.push("exec");
  if (n & 8) out.push("attr");
  return out.join(",");
}

const octal3 = (n: number) => n.toString(8).padStart(3, "0");

/** libauparse's printMode printer (for syscall_args.ts). */
export function printMode(val: string, base: number): string {
  const big = strtoul(val, base);
  if (big === undefined) return conversionError(val);
  const n = u32(big);
  let out = fileTypeName(n & 0o170000) ?? octal3((n & 0o170000) / 0o10000);
  if (n & 0o4000) out += ",suid";
  if (n & 0o2000) out += ",sgid";
  if (n & 0o1000) out += ",sticky";
  return `${out},${octal3(n & 0o777)}`;
}

/** libauparse's printModeShort printer (for syscall_args.ts). */
export function printModeShort(val: string, base: number): string {
  const big = strtoul(val, base);
  if (big === undefined) return conversionError(val);
  const n = u32(big);
  const special: string[] = [];
  if (n & 0o4000) special.push("suid");
  if (n & 0o2000) special.push("sgid");
  if (n & 0o1000) special.push("sticky");
  const perms = `0${octal3(n & 0o777)}`;
  return special.length ? `${special.join(",")},${perms}` : perms;
}

export { ipv6Text };

function printSockaddr(val: string): string {
  const raw = auUnescape(val);
  if (raw === undefined) return `malformed-host(${val})`;
  const len = utf8Encoder.encode(val).length >> 1;
  const bytes = new Uint8Array(Math.max(raw.length, 128));
  bytes.set(raw);
  const family = bytes[0] | (bytes[1] << 8);
  const fam = FAMILY_NAMES.get(family);
  if (fam === undefined) return `unknown-family(${family})`;
  const dv = new DataView(bytes.buffer);
  switch (family) {
    case 1: {
      if (len < 4) return `{ saddr_fam=${fam} sockaddr len too short }`;
      const path = bytes.subarray(2, 110);
      if (path[0]) return `{ saddr_fam=${fam} path=${cString(path)} }`;
      return `{ saddr_fam=${fam} path=${cString(path.subarray(1))} }`;
    }
    case 2: {
      if (len < 16) return `{ saddr_fam=${fam} sockaddr len too short }`;
      const port = dv.getUint16(2);
      return `{ saddr_fam=${fam} laddr=${bytes[4]}.${bytes[5]}.${bytes[6]}.${
        bytes[7]
      } lport=${port} }`;
    }
    case 10: {
      if (len < 28) return `{ saddr_fam=${fam} sockaddr6 len too short }`;
      const port = dv.getUint16(2);
      return `{ saddr_fam=${fam} laddr=${ipv6Text(bytes.subarray(8, 24))} lport=${port} }`;
    }
    case 3: {
      // AF_AX25: the seven bytes of the call sign, as %c prints them (a NUL ends the text)
      let call = "";
      for (let i = 2; i < 9; i++) {
        if (bytes[i] === 0) return `{ saddr_fam=${fam} call=${call}`;
        call += String.fromCharCode(bytes[i]);
      }
      return `{ saddr_fam=${fam} call=${call} }`;
    }
    case 8:
      // AF_ATMPVC: the interface number, a signed short (its struct aligned at 4)
      return `{ saddr_fam=${fam} int=${dv.getInt16(4, true)} }`;
    case 9:
      // AF_X25: up to 15 characters of the address
      return `{ saddr_fam=${fam} laddr=${cString(bytes.subarray(2, 17))} }`;
    case 16:
      if (len < 12) return `{ saddr_fam=${fam} len too short }`;
      return `{ saddr_fam=${fam} nlnk-fam=${dv.getUint16(0, true)} nlnk-pid=${
        dv.getUint32(4, true)
      } }`;
    default:
      return `{ saddr_fam=${fam} (unsupported) }`;
  }
}

const capBitmaps = new Map<string, string>();

function printCapBitmap(val: string): string {
  // a log has few distinct capability sets: remember each one's text
  const known = capBitmaps.get(val);
  if (known !== undefined) return known;
  const n = strtoul(val, 16);
  if (n === undefined) return conversionError(val);
  const lo = Number(n & 0xffffffffn), hi = Number((n >> 32n) & 0xffffffffn);
  const out: string[] = [];
  for (let i = 0; i < CAPS.length; i++) {
    if (((i < 32 ? lo : hi) >>> (i % 32)) & 1) out.push(CAPS[i]);
  }
  const text = out.length ? out.join(",") : "none";
  if (capBitmaps.size < 4096) capBitmaps.set(val, text);
  return text;
}

function printSuccess(val: string): string {
  const c = val.charCodeAt(0);
  if (!(c >= 0x30 && c <= 0x39)) return val;
  const n = strtoul(val, 10);
  if (n === undefined) return conversionError(val);
  return n === 0n ? "no" : n === 1n ? "yes" : "unset";
}

/** libauparse's printSignal printer (for syscall_args.ts). */
export function printSignal(val: string, base: number): string {
  const n = strtoul(val, base);
  if (n === undefined) return conversionError(val);
  const i = i32(n);
  if (i >= 0 && i < 32) return SIGNALS[i];
  return `unknown-signal(${base === 16 ? "0x" : ""}${val})`;
}

function printList(val: string): string {
  const n = strtoul(val, 10);
  if (n === undefined) return conversionError(val);
  return listName(i32(n)) ?? `unknown-list(${val})`;
}

function printSession(val: string): string {
  return val === "4294967295" ? "unset" : val;
}

/** libauparse's printCapability printer (for syscall_args.ts). */
export function printCapability(val: string, base: number): string {
  const n = strtoul(val, base);
  if (n === undefined) return conversionError(val);
  return CAPS[i32(n)] ?? `unknown-capability(${base === 16 ? "0x" : ""}${val})`;
}

/** libauparse's printOpenFlags printer (for syscall_args.ts). */
export function printOpenFlags(val: string): string {
  const n = strtoul(val, 16);
  if (n === undefined) return conversionError(val);
  const flags = u32(n);
  const parts: string[] = [];
  if ((flags & 3) === 0) parts.push("O_RDONLY");
  const rest = flagList(OPEN_FLAGS, flags);
  if (rest) parts.push(rest);
  return parts.length ? parts.join("|") : `0x${val}`;
}

/** libauparse's printDirfd printer (for syscall_args.ts). */
export function printDirfd(val: string): string {
  const n = strtoul(val, 16);
  if (n === undefined) return conversionError(val);
  return i32(n) === -100 ? "AT_FDCWD" : `0x${val}`;
}

/** libauparse's printAccess printer (for syscall_args.ts). */
export function printAccess(val: string): string {
  const n = strtoul(val, 16);
  if (n === undefined) return conversionError(val);
  const mode = u32(n);
  if ((mode & 0xf) === 0) return "F_OK";
  return flagList(ACCESS, mode) || `0x${val}`;
}

/** libauparse's printRecv printer (for syscall_args.ts). */
export function printRecv(val: string): string {
  const n = strtoul(val, 16);
  if (n === undefined) return conversionError(val);
  return flagList(RECV_FLAG_LIST, u32(n)) || `0x${val}`;
}

/** libauparse's printSocketDomain printer (for syscall_args.ts). */
export function printSocketDomain(val: string): string {
  const n = strtoul(val, 16);
  if (n === undefined) return conversionError(val);
  return FAMILY_NAMES.get(i32(n)) ?? `unknown-family(0x${val})`;
}

/** libauparse's printSocketType printer (for syscall_args.ts). */
export function printSocketType(val: string): string {
  const n = strtoul(val, 16);
  if (n === undefined) return conversionError(val);
  return SOCK_TYPES[u32(n) & 0xff] ?? `unknown-type(${val})`;
}

/** libauparse's socket protocol printer: the protocol's name as getprotobynumber(3) gives it. */
export function printSocketProto(val: string): string {
  const n = strtoul(val, 16);
  if (n === undefined) return conversionError(val);
  return protocolName(u32(n)) ?? `unknown-proto(${val})`;
}

let protocols: Map<number, string> | undefined;

/**
 * A protocol's name as getprotobynumber(3) gives it: from /etc/protocols
 * (the first name of the first line with that number), or when the host has
 * none, from a built-in list of the common ones.
 */
export function protocolName(n: number): string | undefined {
  if (!protocols) {
    protocols = new Map();
    try {
      for (const line of Deno.readTextFileSync("/etc/protocols").split("\n")) {
        const [name, num] = line.replace(/#.*/, "").trim().split(/\s+/);
        if (name && num !== undefined && /^\d+$/.test(num) && !protocols.has(Number(num))) {
          protocols.set(Number(num), name);
        }
      }
    } catch {
      for (const [k, v] of Object.entries(PROTOCOLS)) protocols.set(Number(k), v);
    }
  }
  return protocols.get(n);
}

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

function printEnriched(kind: FieldKind, val: string): string {
  return kind === "uid" || kind === "gid" ? printEscaped(val) : val;
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
  const enriched = ctx.enrichment?.get(name);
  if (enriched !== undefined && !enriched.startsWith("unknown-")) {
    // what auditd recorded is given as it is, not escaped again
    return printEnriched(kind, enriched);
  }
  return CONTEXT_FREE.has(kind)
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
  return interpretValue(kind, name, val, ctx, escape);
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
  let ctx = cache.context;
  if (!ctx) {
    ctx = recordContext(event.record(RecordType.SYSCALL) ?? event.record(RecordType.SECCOMP));
    cache.context = ctx;
  }
  return ctx;
}
