/**
 * Interpretation of a syscall's a0..a3 as libauparse 3.0.9 prints them
 * (`print_a0`..`print_a3`): per syscall, directory fds, uids and gids, modes,
 * open and access flags, signals, clone/unshare/setns flags, mmap/mprotect
 * protections and flags, prctl options, fcntl commands, ptrace requests,
 * personalities, rlimits, clocks, socket domains, types, protocols, option
 * levels and names, socketcall and ipc calls, bpf commands, lseek whence,
 * (u)mount flags, scheduler policies, epoll_ctl operations, shmget flags,
 * send/recv flags and ioctl requests; `0x` and the raw value otherwise.
 * Numbers are read as C's strtoul reads them (no digits: 0). A test
 * compares every syscall of every machine with libauparse itself.
 *
 * @module
 */

import {
  type InterpretContext,
  printAccess,
  printCapability,
  printDirfd,
  printGid,
  printMode,
  printModeShort,
  printOpenFlags,
  printRecv,
  printSignal,
  printSocketDomain,
  printSocketProto,
  printSocketType,
  printUid,
  protocolName,
} from "./printers.ts";
import { syscallName } from "./tables.ts";
import { strtoul } from "../c_number.ts";
import {
  BPF_COMMANDS,
  CLOCKS,
  CLONE_FLAGS,
  FCNTL_COMMANDS,
  IOCTL_REQUESTS,
  IP6_OPT_NAMES,
  IP_OPT_NAMES,
  IPC_CALLS,
  MMAP_FLAGS,
  PACKET_OPT_NAMES,
  PRCTL_OPTIONS,
  PTRACE_REQUESTS,
  RLIMITS,
  SCHED_POLICIES,
  SEEK_WHENCE,
  SOCK_LEVELS,
  SOCK_OPT_NAMES,
  SOCKETCALLS,
  TCP_OPT_NAMES,
  UMOUNT_FLAGS,
} from "./_arg_tables.ts";

type Table = ReadonlyMap<number, string>;
const table = (entries: readonly (readonly [number, string])[]): Table => new Map(entries);

const PROT: Table = table([[1, "PROT_READ"], [2, "PROT_WRITE"], [4, "PROT_EXEC"], [8, "PROT_SEM"]]);

const PERSONALITY: Table = table([
  [0x0000, "PER_LINUX"],
  [0x800000, "PER_LINUX_32BIT"],
  [0x4100001, "PER_SVR4"],
  [0x5000002, "PER_SVR3"],
  [0x7000003, "PER_SCOSVR3"],
  [0x3000003, "PER_OSR5"],
  [0x5000004, "PER_WYSEV386"],
  [0x4000005, "PER_ISCR4"],
  [0x0000006, "PER_BSD"],
  [0x4000006, "PER_SUNOS"],
  [0x5000007, "PER_XENIX"],
  [0x0000008, "PER_LINUX32"],
  [0x8000008, "PER_LINUX32_3GB"],
  [0x4000009, "PER_IRIX32"],
  [0x400000a, "PER_IRIXN32"],
  [0x400000b, "PER_IRIX64"],
  [0x000000c, "PER_RISCOS"],
  [0x400000d, "PER_SOLARIS"],
  [0x410000e, "PER_UW7"],
  [0x000000f, "PER_OSF4"],
  [0x0000010, "PER_HPUX"],
]);

const MOUNT: Table = table(
  (
    "MS_RDONLY MS_NOSUID MS_NODEV MS_NOEXEC MS_SYNCHRONOUS MS_REMOUNT MS_MANDLOCK MS_DIRSYNC - - " +
    "MS_NOATIME MS_NODIRATIME MS_BIND MS_MOVE MS_REC MS_SILENT MS_POSIXACL MS_UNBINDABLE " +
    "MS_PRIVATE MS_SLAVE MS_SHARED MS_RELATIME MS_KERNMOUNT MS_I_VERSION MS_STRICTATIME " +
    "MS_LAZYTIME MS_SUBMOUNT MS_SNAP_STABLE MS_NOSEC MS_BORN MS_ACTIVE MS_NOUSER"
  ).split(" ").map((n, i) => [2 ** i, n] as [number, string]).filter(([, n]) => n !== "-"),
);

/** An ioctl request (a1 of ioctl), by name when libauparse knows it. */
export function printIoctlRequest(val: string): string {
  const n = hex(val);
  if (n === undefined) return `conversion error(${val})`;
  const req = Number(n & 0xffffffffn);
  return IOCTL.get(req | 0) ?? IOCTL.get(req) ?? `0x${req.toString(16)}`;
}

const CLONE: Table = table(CLONE_FLAGS);
const MMAP: Table = table(MMAP_FLAGS);
const UMOUNT: Table = table(UMOUNT_FLAGS);
const lookupTable = table;
const PRCTL = lookupTable(PRCTL_OPTIONS);
const PTRACE = lookupTable(PTRACE_REQUESTS);
const FCNTL = lookupTable(FCNTL_COMMANDS);
const RLIMIT = lookupTable(RLIMITS);
const SEEK = lookupTable(SEEK_WHENCE);
const SCHED = lookupTable(SCHED_POLICIES);
const CLOCK = lookupTable(CLOCKS);
const BPF = lookupTable(BPF_COMMANDS);
const SOCKETCALL = lookupTable(SOCKETCALLS);
const IPCCALL = lookupTable(IPC_CALLS);
const LEVELS = lookupTable(SOCK_LEVELS);
const IOCTL = lookupTable(IOCTL_REQUESTS);
const EPOLL: Table = table([[1, "EPOLL_CTL_ADD"], [2, "EPOLL_CTL_DEL"], [3, "EPOLL_CTL_MOD"]]);
/** Option names per socket level (a2 of [gs]etsockopt, by a1), with the word of "unknown-X-name". */
const SOCKOPT_NAMES: ReadonlyMap<number, [Table, string]> = new Map([
  [0, [lookupTable(IP_OPT_NAMES), "ipopt"]],
  [1, [lookupTable(SOCK_OPT_NAMES), "sockopt"]],
  [6, [lookupTable(TCP_OPT_NAMES), "tcpopt"]],
  [17, [table([[1, "UDP_CORK"], [100, "UDP_ENCAP"]]), "udpopt"]],
  [41, [lookupTable(IP6_OPT_NAMES), "ip6opt"]],
  [263, [lookupTable(PACKET_OPT_NAMES), "pktopt"]],
]);

/** C's strtoul in base 16: no digits give 0, overflow gives undefined (a conversion error). */
function hex(val: string): bigint | undefined {
  return strtoul(val, 16);
}

function flagList(t: Table, flags: bigint): string[] {
  const out: string[] = [];
  for (const [v, n] of [...t].sort((a, b) => a[0] - b[0])) {
    if (BigInt(v) & flags) out.push(n);
  }
  return out;
}

/** clone/unshare/setns flags (32 bits, as libauparse reads them), with the exit signal of the low byte. */
export function printCloneFlags(val: string): string {
  const n = hex(val);
  if (n === undefined) return `conversion error(${val})`;
  const flags = n & 0xffffffffn;
  const out = flagList(CLONE, flags);
  const sig = Number(flags & 0xffn);
  if (sig && sig < 32) {
    const name = printSignal(String(sig), 10);
    if (!name.startsWith("unknown")) out.push(name);
  }
  return out.length ? out.join("|") : `0x${flags.toString(16)}`;
}

/** mmap flags (a3 of mmap, `flags` of MMAP records). */
export function printMmapFlags(val: string): string {
  const n = hex(val);
  if (n === undefined) return `conversion error(${val})`;
  const flags = n & 0xffffffffn;
  const out = (flags & 0xfn) === 0n ? ["MAP_FILE"] : [];
  out.push(...flagList(MMAP, flags));
  return out.length ? out.join("|") : `0x${val}`;
}

/** Memory protections (a2 of mmap and mprotect; PROT_SEM only for mmap, as libauparse 3.0.9 prints them). */
export function printProt(val: string, mmap: boolean): string {
  const n = hex(val);
  if (n === undefined) return `conversion error(${val})`;
  const prot = n & 0xffffffffn;
  if ((prot & 0x7n) === 0n) return "PROT_NONE";
  const t = mmap ? PROT : table([...PROT].filter(([v]) => v !== 8));
  const out = flagList(t, prot);
  return out.length ? out.join("|") : `0x${val}`;
}

/**
 * The personality (a0 of personality, `per` fields), as libauparse names it:
 * only the low byte is looked up (so only the values without flag bits have
 * names), and ADDR_NO_RANDOMIZE is added.
 */
export function printPersonality(val: string): string {
  const n = hex(val);
  if (n === undefined) return `conversion error(${val})`;
  const pers = Number(n & 0xffffffffn);
  const s = PERSONALITY.get(pers & 0xff);
  if (s !== undefined) return pers & 0x0040000 ? `${s}|~ADDR_NO_RANDOMIZE` : s;
  return `unknown-personality(0x${val})`;
}

/** shmget flags: IPC_CREAT/IPC_EXCL, SHM_HUGETLB/SHM_NORESERVE, then the mode. */
export function printShmFlags(val: string): string {
  const n = hex(val);
  if (n === undefined) return `conversion error(${val})`;
  const flags = Number(n & 0xffffffffn);
  const out: string[] = [];
  if (flags & 0o1000) out.push("IPC_CREAT");
  if (flags & 0o2000) out.push("IPC_EXCL");
  if (flags & 0o4000) out.push("SHM_HUGETLB");
  if (flags & 0o10000) out.push("SHM_NORESERVE");
  out.push(printModeShort((flags & 0o777).toString(8), 8));
  return out.join("|");
}

/** A value looked up as C's `int` (32 bits, signed) in `t`; `unknown` names what is not there. */
function lookup(t: Table, val: string, unknown: (v: string, n: number) => string): string {
  const n = hex(val);
  if (n === undefined) return `conversion error(${val})`;
  const i = Number(BigInt.asIntN(32, n));
  return t.get(i) ?? unknown(val, i);
}

/** A bit set of flags as libauparse prints it: names joined by `|`, else `0x` and the raw value. */
function flags(t: Table, val: string): string {
  const n = hex(val);
  if (n === undefined) return `conversion error(${val})`;
  const out = flagList(t, n & 0xffffffffn);
  return out.length ? out.join("|") : `0x${val}`;
}

/** socketcall's and ipc's call numbers (C's strtol: a leading minus counts). */
function callName(t: Table, val: string, word: string): string {
  const n = hex(val);
  // strtol: beyond LONG_MAX is an overflow
  if (n === undefined || (n > 0x7fffffffffffffffn && !val.trimStart().startsWith("-"))) {
    return `conversion error(${val})`;
  }
  return t.get(Number(BigInt.asIntN(32, n))) ?? `unknown-${word}(${val})`;
}

/** The scheduler policy (low 4 bits) and SCHED_RESET_ON_FORK. */
function printSched(val: string): string {
  const n = hex(val);
  if (n === undefined) return `conversion error(${val})`;
  const pol = Number(n & 0xffffffffn);
  const s = SCHED.get(pol & 0xf);
  if (s === undefined) return `unknown-scheduler-policy(0x${val})`;
  return pol & 0x40000000 ? `${s}|SCHED_RESET_ON_FORK` : s;
}

/** A [gs]etsockopt level: SOL_SOCKET, a protocol name, or a SOL_ name. */
function printSockOptLevel(val: string): string {
  const n = hex(val);
  if (n === undefined) return `conversion error(${val})`;
  const lvl = Number(BigInt.asIntN(32, n));
  if (lvl === 1) return "SOL_SOCKET";
  return protocolName(lvl) ?? LEVELS.get(lvl) ?? `unknown-sockopt-level(0x${val})`;
}

/** A [gs]etsockopt option name, by the level in a1 (PowerPC numbers some SOL_SOCKET ones apart). */
function printSockOptName(val: string, level: bigint, machine: number): string | undefined {
  const names = SOCKOPT_NAMES.get(Number(level));
  if (level > 0xffffn || !names) return undefined;
  const n = hex(val);
  if (n === undefined) return `conversion error(${val})`;
  let opt = Number(BigInt.asIntN(32, n));
  if (level === 1n && (machine === 3 || machine === 4) && opt >= 16 && opt <= 21) opt += 100;
  return names[0].get(opt) ?? `unknown-${names[1]}-name(0x${val})`;
}

const O_CREAT = 0o100n;
/** fcntl commands whose argument a2 is not a number: F_SETOWN's is a pid/uid, F_SETFD's may be FD_CLOEXEC. */
const F_SETFD = 2n, F_SETOWN = 8n;

/**
 * The interpretation of argument `index` (0..3) of the event's syscall, as
 * libauparse 3.0.9's `print_a0`..`print_a3` give it: a name or flags for the
 * syscalls they know, `0x` and the raw value otherwise.
 *
 * @example
 * ```ts
 * import { syscallArg } from "./syscall_args.ts";
 * syscallArg(0, "20000", { machine: 1, syscall: 272, a0: 0x20000n, a1: 0n });
 * // "CLONE_NEWNS" (unshare)
 * ```
 */
export function syscallArg(index: number, val: string, ctx: InterpretContext): string {
  const sys = ctx.syscall < 0 ? undefined : syscallName(ctx.syscall, ctx.machine);
  const out = sys === undefined ? undefined : ARGS[index](sys, val, ctx);
  return out ?? `0x${val}`;
}

type ArgPrinter = (sys: string, val: string, ctx: InterpretContext) => string | undefined;

const DIRFD_A0 = new Set([
  "readlinkat",
  "mkdirat",
  "mknodat",
  "fchownat",
  "futimesat",
  "fchmodat",
  "futimensat",
  "unlinkat",
  "utimensat",
  "linkat",
  "newfstatat",
  "name_to_handle_at",
]);
const UID_A0 = new Set(["setuid", "setreuid", "setresuid", "setfsuid"]);
const GID_A0 = new Set(["setgid", "setregid", "setresgid", "setfsgid"]);

const ARGS: readonly ArgPrinter[] = [
  // a0
  (sys, val) => {
    if (
      DIRFD_A0.has(sys) || sys.startsWith("renameat") || sys.startsWith("faccessat") ||
      sys.startsWith("openat")
    ) return printDirfd(val);
    if (sys === "rt_sigaction") return printSignal(val, 16);
    if (sys === "clock_settime") {
      const n = hex(val);
      if (n === undefined) return `conversion error(${val})`;
      const i = Number(BigInt.asIntN(32, n));
      return (i < 7 ? CLOCK.get(i) : undefined) ?? `unknown-clk_id(0x${val})`;
    }
    if (sys === "personality") return printPersonality(val);
    if (sys === "ptrace") return lookup(PTRACE, val, (v) => `unknown-ptrace(0x${v})`);
    if (sys === "prctl") return lookup(PRCTL, val, (v) => `unknown-prctl-option(0x${v})`);
    if (sys === "unshare") return printCloneFlags(val);
    if (sys.slice(1) === "etrlimit") return lookup(RLIMIT, val, (v) => `unknown-rlimit(0x${v})`);
    if (UID_A0.has(sys)) return printUid(val, 16);
    if (GID_A0.has(sys)) return printGid(val, 16);
    if (sys === "socket") return printSocketDomain(val);
    if (sys === "socketcall") return callName(SOCKETCALL, val, "socketcall");
    if (sys === "ipccall") return callName(IPCCALL, val, "ipccall");
    if (sys.startsWith("exit")) {
      return val === "0" ? "EXIT_SUCCESS" : val === "1" ? "EXIT_FAILURE" : "UNKNOWN";
    }
    if (sys === "bpf") {
      const n = hex(val);
      if (n === undefined) return `conversion error(${val})`;
      return BPF.get(Number(n & 0xffffffffn)) ?? `unknown-bpf-cmd(${val})`;
    }
    return undefined;
  },
  // a1
  (sys, val, ctx) => {
    if (sys === "fchmod" || sys === "chmod" || sys === "creat" || sys === "mkdir") {
      return printModeShort(val, 16);
    }
    if (sys.startsWith("fcntl")) {
      return lookup(FCNTL, val, (_v, i) => `unknown-fcntl-command(${i})`);
    }
    // only chown-like syscalls starting with c (chown, chown32): libauparse looks there first
    if (sys[0] === "c" && sys.includes("chown")) return printUid(val, 16);
    if (sys.slice(1) === "etsockopt") return printSockOptLevel(val);
    if (sys === "setreuid" || sys === "setresuid") return printUid(val, 16);
    if (sys === "setregid" || sys === "setresgid") return printGid(val, 16);
    if (sys === "socket") return printSocketType(val);
    if (sys === "setns") return printCloneFlags(val);
    if (sys === "sched_setscheduler") return printSched(val);
    if (sys === "mknod") return printMode(val, 16);
    if (sys === "mq_open" || sys === "open") return printOpenFlags(val);
    if (sys === "access") return printAccess(val);
    if (sys === "epoll_ctl") {
      return lookup(EPOLL, val, (_v, i) => `unknown-epoll_ctl-operation(${i})`);
    }
    if (sys === "kill" || sys === "tkill") return printSignal(val, 16);
    if (sys === "prctl") {
      if (ctx.a0 === 23n || ctx.a0 === 24n) return printCapability(val, 16);
      if (ctx.a0 === 1n) return printSignal(val, 16);
      return undefined;
    }
    if (sys === "umount2") return flags(UMOUNT, val);
    if (sys === "ioctl") return printIoctlRequest(val);
    return undefined;
  },
  // a2
  (sys, val, ctx) => {
    if (sys.startsWith("fcntl")) {
      const n = hex(val);
      if (n === undefined) return `conversion error(${val})`;
      if (ctx.a1 === F_SETOWN) return printUid(val, 16);
      if (ctx.a1 === F_SETFD && Number(BigInt.asIntN(32, n)) === 1) return "FD_CLOEXEC";
      return undefined;
    }
    if (sys.slice(1) === "etsockopt") return printSockOptName(val, ctx.a1, ctx.machine);
    if (sys === "openat" || sys === "open_by_handle_at") return printOpenFlags(val);
    if ((sys === "open" || sys === "mq_open") && (ctx.a1 & O_CREAT)) return printModeShort(val, 16);
    if (sys === "fchmodat" || sys === "mkdirat" || sys === "mknodat") {
      return printModeShort(val, 16);
    }
    if (sys.startsWith("faccessat")) return printAccess(val);
    if (sys === "setresuid") return printUid(val, 16);
    if (sys === "setresgid") return printGid(val, 16);
    if (sys === "socket") return printSocketProto(val);
    if (sys === "sendmsg" || sys === "recvmsg") return printRecv(val);
    if (sys === "shmget") return printShmFlags(val);
    if (sys === "mmap") return printProt(val, true);
    if (sys === "mprotect") return printProt(val, false);
    if (sys === "readlinkat" || sys.startsWith("renameat") || sys === "linkat") {
      return printDirfd(val);
    }
    if (sys === "lseek") {
      const n = hex(val);
      if (n === undefined) return `conversion error(${val})`;
      return SEEK.get(Number(n & 0xffn)) ?? `unknown-whence(${val})`;
    }
    if (sys === "clone" || sys === "clone2") return printCloneFlags(val);
    if (sys === "tgkill") return printSignal(val, 16);
    return undefined;
  },
  // a3
  (sys, val) => {
    if (sys === "mmap") return printMmapFlags(val);
    if (sys === "mount") return flags(MOUNT, val);
    if (
      sys === "recv" || sys === "recvfrom" || sys === "recvmmsg" || sys === "send" ||
      sys === "sendto" || sys === "sendmmsg"
    ) return printRecv(val);
    return undefined;
  },
];

/** How an argument of a syscall is interpreted (see {@link argPlan}). */
export enum ArgPlan {
  /** Always `0x` and the raw value. */
  Hex,
  /** From the value alone (given the syscall). */
  ByValue,
  /** Also from the other arguments (prctl's a1, fcntl's, [gs]etsockopt's, open's and mq_open's a2). */
  InContext,
}

const BY_VALUE: readonly ReadonlySet<string>[] = [
  new Set([
    ...DIRFD_A0,
    ...UID_A0,
    ...GID_A0,
    "rt_sigaction",
    "clock_settime",
    "personality",
    "ptrace",
    "prctl",
    "unshare",
    "socket",
    "socketcall",
    "ipccall",
    "bpf",
  ]),
  new Set([
    "fchmod",
    "chmod",
    "creat",
    "mkdir",
    "setreuid",
    "setresuid",
    "setregid",
    "setresgid",
    "socket",
    "setns",
    "sched_setscheduler",
    "mknod",
    "mq_open",
    "open",
    "access",
    "epoll_ctl",
    "kill",
    "tkill",
    "umount2",
    "ioctl",
  ]),
  new Set([
    "openat",
    "open_by_handle_at",
    "fchmodat",
    "mkdirat",
    "mknodat",
    "setresuid",
    "setresgid",
    "socket",
    "sendmsg",
    "recvmsg",
    "shmget",
    "mmap",
    "mprotect",
    "readlinkat",
    "linkat",
    "lseek",
    "clone",
    "clone2",
    "tgkill",
  ]),
  new Set(["mmap", "mount", "recv", "recvfrom", "recvmmsg", "send", "sendto", "sendmmsg"]),
];

/**
 * Whether argument `index` of syscall `sys` prints as hex, from its value,
 * or from the other arguments too: what {@link syscallArg} does, summed up so
 * the JSON encoder may cache interpretations (a test checks the two agree for
 * every syscall of every table).
 *
 * @example
 * ```ts
 * import { ArgPlan, argPlan } from "./syscall_args.ts";
 * argPlan(1, "openat") === ArgPlan.Hex; // a pointer
 * ```
 */
export function argPlan(index: number, sys: string | undefined): ArgPlan {
  if (sys === undefined) return ArgPlan.Hex;
  switch (index) {
    case 0:
      return BY_VALUE[0].has(sys) || sys.startsWith("renameat") || sys.startsWith("faccessat") ||
          sys.startsWith("openat") || sys.startsWith("exit") || sys.slice(1) === "etrlimit"
        ? ArgPlan.ByValue
        : ArgPlan.Hex;
    case 1:
      if (sys === "prctl") return ArgPlan.InContext;
      return BY_VALUE[1].has(sys) || sys.startsWith("fcntl") || sys.slice(1) === "etsockopt" ||
          (sys[0] === "c" && sys.includes("chown"))
        ? ArgPlan.ByValue
        : ArgPlan.Hex;
    case 2:
      if (
        sys.startsWith("fcntl") || sys.slice(1) === "etsockopt" || sys === "open" ||
        sys === "mq_open"
      ) return ArgPlan.InContext;
      return BY_VALUE[2].has(sys) || sys.startsWith("faccessat") || sys.startsWith("renameat")
        ? ArgPlan.ByValue
        : ArgPlan.Hex;
    default:
      return BY_VALUE[3].has(sys) ? ArgPlan.ByValue : ArgPlan.Hex;
  }
}
