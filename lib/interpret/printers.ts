/**
 * libauparse's value printers (`auparse/interpret.c`) that both field
 * interpretation (interpret.ts) and syscall arguments (syscall_args.ts)
 * use, with the tables they print from and the context they read.
 *
 * @module
 */

import { groupName, userName } from "../accounts.ts";
import { errnoMessage, errnoName } from "../errno.ts";
import { ipv6Text } from "../inet.ts";
import { strtoul } from "../c_number.ts";
import { decodeBytes } from "../event/record.ts";
import {
  elfToMachine,
  fileTypeName,
  HOST_MACHINE,
  listName,
  machineName,
  syscallName,
} from "./tables.ts";
import { FAMILIES, IPC_CALLS, RECV_FLAGS, SOCKETCALLS } from "./_arg_tables.ts";

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

/** The low 32 bits as an unsigned int. */
export function u32(n: bigint): number {
  return Number(n & 0xffffffffn);
}

/** The low 32 bits as a signed int. */
export function i32(n: bigint): number {
  return Number(BigInt.asIntN(32, n));
}

/** libauparse's text for a value its printer cannot convert. */
export const conversionError = (val: string): string => `conversion error(${val})`;

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

export function printArch(val: string, machine: number): string {
  if (machine < 0 || machine > 9) {
    const n = strtoul(val, 16);
    if (n === undefined) return `conversion error(${val}) `;
    machine = elfToMachine(u32(n));
  }
  if (machine < 0) return `unknown-elf-type(${val})`;
  return machineName(machine) ?? `unknown-machine-type(${machine})`;
}

export function printSyscall(ctx: InterpretContext, val: string): string {
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

export function printExit(val: string): string {
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
  if (val.charCodeAt(0) === 0x28) {
    const src = utf8Encoder.encode(val);
    const close = src.indexOf(0x29);
    if (close < 0) return undefined;
    const str = new Uint8Array(src.length + 1);
    str.set(src.subarray(0, close + 1));
    return str;
  }
  // hex digits are ASCII: read from the string, not from its UTF-8 encoding
  const n = val.length;
  let p = 0;
  while (p < n && isHexByte(val.charCodeAt(p))) p++;
  if (p < 2) return undefined;
  const len = p + utf8Length(val, p);
  const str = new Uint8Array(len + 1);
  for (let i = 0; i < p; i++) str[i] = val.charCodeAt(i);
  let w = 0;
  for (let i = 0; i < p; i += 2) str[w++] = (digitValue(str[i]) << 4) | digitValue(str[i + 1]);
  str[w] = 0;
  const half = len >> 1;
  if (half > w - 1) str.fill(0, w, half + 1);
  return str;
}

/** The length in UTF-8 of `val` from index `from` on (as TextEncoder writes it: a lone surrogate as U+FFFD). */
function utf8Length(val: string, from = 0): number {
  let n = 0;
  for (let i = from; i < val.length; i++) {
    const c = val.charCodeAt(i);
    if (c < 0x80) n++;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = val.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
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

export function printProctitle(val: string): string {
  const out = escapedBytes(val);
  // quoted text, or a value that is not hex copied as it is (its only NUL is past half its length)
  if (typeof out === "string") return out;
  // the arguments are separated by NULs: those before half the value's length become spaces
  const end = utf8Length(val) >> 1;
  for (let i = out.indexOf(0); i >= 0 && i < end; i = out.indexOf(0, i + 1)) out[i] = 0x20;
  return cString(out);
}

export function printPerm(val: string): string {
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

export function printSockaddr(val: string): string {
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

export function printCapBitmap(val: string): string {
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

export function printSuccess(val: string): string {
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

export function printList(val: string): string {
  const n = strtoul(val, 10);
  if (n === undefined) return conversionError(val);
  return listName(i32(n)) ?? `unknown-list(${val})`;
}

export function printSession(val: string): string {
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
