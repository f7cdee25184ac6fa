/**
 * Syscall-specific interpretation of a0..a3 (libauparse 3.0.9 `print_a0`
 * .. `print_a3`) for the syscalls the common printers leave as hex: clone
 * and unshare flags, mmap/mprotect protections and flags, prctl options,
 * fcntl commands, ptrace requests, personality, rlimits, clocks, socket
 * option levels and names, lseek whence, umount2 flags, scheduler
 * policies, epoll_ctl operations, mount flags, shmget flags and ioctl
 * requests.
 *
 * @module
 */

import { type InterpretContext, interpretValue, PROTOCOLS } from "./interpret.ts";
import { syscallName } from "./tables.ts";

type Table = ReadonlyMap<number, string>;
const table = (entries: [number, string][]): Table => new Map(entries);
const names = (start: number, list: string): [number, string][] =>
  list.split(" ").map((n, i) => [start + i, n] as [number, string]).filter(([, n]) => n !== "-");

const CLONE: Table = table([
  [0x100, "CLONE_VM"],
  [0x200, "CLONE_FS"],
  [0x400, "CLONE_FILES"],
  [0x800, "CLONE_SIGHAND"],
  [0x2000, "CLONE_PTRACE"],
  [0x4000, "CLONE_VFORK"],
  [0x8000, "CLONE_PARENT"],
  [0x10000, "CLONE_THREAD"],
  [0x20000, "CLONE_NEWNS"],
  [0x40000, "CLONE_SYSVSEM"],
  [0x80000, "CLONE_SETTLS"],
  [0x100000, "CLONE_PARENT_SETTID"],
  [0x200000, "CLONE_CHILD_CLEARTID"],
  [0x400000, "CLONE_DETACHED"],
  [0x800000, "CLONE_UNTRACED"],
  [0x1000000, "CLONE_CHILD_SETTID"],
  [0x2000000, "CLONE_STOPPED"],
  [0x4000000, "CLONE_NEWUTS"],
  [0x8000000, "CLONE_NEWIPC"],
  [0x10000000, "CLONE_NEWUSER"],
  [0x20000000, "CLONE_NEWPID"],
  [0x40000000, "CLONE_NEWNET"],
  [0x80000000, "CLONE_IO"],
  [0x100000000, "CLONE_CLEAR_SIGHAND"],
]);

const MMAP: Table = table([
  [0x1, "MAP_SHARED"],
  [0x2, "MAP_PRIVATE"],
  [0x10, "MAP_FIXED"],
  [0x20, "MAP_ANONYMOUS"],
  [0x40, "MAP_32BIT"],
  [0x100, "MAP_GROWSDOWN"],
  [0x800, "MAP_DENYWRITE"],
  [0x1000, "MAP_EXECUTABLE"],
  [0x2000, "MAP_LOCKED"],
  [0x4000, "MAP_NORESERVE"],
  [0x8000, "MAP_POPULATE"],
  [0x10000, "MAP_NONBLOCK"],
  [0x20000, "MAP_STACK"],
  [0x40000, "MAP_HUGETLB"],
  [0x80000, "MAP_SYNC"],
  [0x100000, "MAP_FIXED_NOREPLACE"],
  [0x4000000, "MAP_UNINITIALIZED"],
]);

const PROT: Table = table([[1, "PROT_READ"], [2, "PROT_WRITE"], [4, "PROT_EXEC"], [8, "PROT_SEM"]]);

const PRCTL: Table = table(names(
  1,
  "PR_SET_PDEATHSIG PR_GET_PDEATHSIG PR_GET_DUMPABLE PR_SET_DUMPABLE PR_GET_UNALIGN " +
    "PR_SET_UNALIGN PR_GET_KEEPCAPS PR_SET_KEEPCAPS PR_GET_FPEMU PR_SET_FPEMU PR_GET_FPEXC " +
    "PR_SET_FPEXC PR_GET_TIMING PR_SET_TIMING PR_SET_NAME PR_GET_NAME - - PR_GET_ENDIAN " +
    "PR_SET_ENDIAN PR_GET_SECCOMP PR_SET_SECCOMP PR_CAPBSET_READ PR_CAPBSET_DROP PR_GET_TSC " +
    "PR_SET_TSC PR_GET_SECUREBITS PR_SET_SECUREBITS PR_SET_TIMERSLACK PR_GET_TIMERSLACK " +
    "PR_TASK_PERF_EVENTS_DISABLE PR_TASK_PERF_EVENTS_ENABLE PR_MCE_KILL PR_MCE_KILL_GET " +
    "PR_SET_MM PR_SET_CHILD_SUBREAPER PR_GET_CHILD_SUBREAPER PR_SET_NO_NEW_PRIVS " +
    "PR_GET_NO_NEW_PRIVS PR_GET_TID_ADDRESS PR_SET_THP_DISABLE PR_GET_THP_DISABLE " +
    "PR_MPX_ENABLE_MANAGEMENT PR_MPX_DISABLE_MANAGEMENT PR_SET_FP_MODE PR_GET_FP_MODE " +
    "PR_CAP_AMBIENT - - PR_SVE_SET_VL PR_SVE_GET_VL PR_GET_SPECULATION_CTRL " +
    "PR_SET_SPECULATION_CTRL PR_PAC_RESET_KEYS PR_SET_TAGGED_ADDR_CTRL PR_GET_TAGGED_ADDR_CTRL",
));

const FCNTL: Table = table([
  ...names(
    0,
    "F_DUPFD F_GETFD F_SETFD F_GETFL F_SETFL F_GETLK F_SETLK F_SETLKW F_SETOWN F_GETOWN " +
      "F_SETSIG F_GETSIG F_GETLK64 F_SETLK64 F_SETLKW64 F_SETOWN_EX F_GETOWN_EX F_GETOWNER_UIDS",
  ),
  ...names(
    1024,
    "F_SETLEASE F_GETLEASE F_NOTIFY - - F_CANCELLK F_DUPFD_CLOEXEC F_SETPIPE_SZ F_GETPIPE_SZ " +
      "F_ADD_SEALS F_GET_SEALS F_GET_RW_HINT F_SET_RW_HINT F_GET_FILE_RW_HINT F_SET_FILE_RW_HINT",
  ),
]);

const PTRACE: Table = table([
  ...names(
    0,
    "PTRACE_TRACEME PTRACE_PEEKTEXT PTRACE_PEEKDATA PTRACE_PEEKUSER PTRACE_POKETEXT " +
      "PTRACE_POKEDATA PTRACE_POKEUSER PTRACE_CONT PTRACE_KILL PTRACE_SINGLESTEP - - " +
      "PTRACE_GETREGS PTRACE_SETREGS PTRACE_GETFPREGS PTRACE_SETFPREGS PTRACE_ATTACH " +
      "PTRACE_DETACH PTRACE_GETFPXREGS PTRACE_SETFPXREGS - - - - PTRACE_SYSCALL " +
      "PTRACE_GET_THREAD_AREA PTRACE_SET_THREAD_AREA - - - PTRACE_ARCH_PRCTL PTRACE_SYSEMU " +
      "PTRACE_SYSEMU_SINGLESTEP PTRACE_SINGLEBLOCK",
  ),
  ...names(
    0x4200,
    "PTRACE_SETOPTIONS PTRACE_GETEVENTMSG PTRACE_GETSIGINFO PTRACE_SETSIGINFO " +
      "PTRACE_GETREGSET PTRACE_SETREGSET PTRACE_SEIZE PTRACE_INTERRUPT PTRACE_LISTEN " +
      "PTRACE_PEEKSIGINFO PTRACE_GETSIGMASK PTRACE_SETSIGMASK PTRACE_SECCOMP_GET_FILTER " +
      "PTRACE_SECCOMP_GET_METADATA PTRACE_GET_SYSCALL_INFO",
  ),
]);

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

const RLIMIT: Table = table(names(
  0,
  "RLIMIT_CPU RLIMIT_FSIZE RLIMIT_DATA RLIMIT_STACK RLIMIT_CORE RLIMIT_RSS RLIMIT_NPROC " +
    "RLIMIT_NOFILE RLIMIT_MEMLOCK RLIMIT_AS RLIMIT_LOCKS RLIMIT_SIGPENDING RLIMIT_MSGQUEUE " +
    "RLIMIT_NICE RLIMIT_RTPRIO RLIMIT_RTTIME",
));

const CLOCKS: Table = table(names(
  0,
  "CLOCK_REALTIME CLOCK_MONOTONIC CLOCK_PROCESS_CPUTIME_ID CLOCK_THREAD_CPUTIME_ID " +
    "CLOCK_MONOTONIC_RAW CLOCK_REALTIME_COARSE CLOCK_MONOTONIC_COARSE CLOCK_BOOTTIME " +
    "CLOCK_REALTIME_ALARM CLOCK_BOOTTIME_ALARM CLOCK_SGI_CYCLE CLOCK_TAI",
));

const SOCK_LEVELS: Table = table([
  [0, "SOL_IP"],
  [6, "SOL_TCP"],
  [17, "SOL_UDP"],
  [41, "SOL_IPV6"],
  [58, "SOL_ICMPV6"],
  [132, "SOL_SCTP"],
  [136, "SOL_UDPLITE"],
  [255, "SOL_RAW"],
  [256, "SOL_IPX"],
  [257, "SOL_AX25"],
  [258, "SOL_ATALK"],
  [259, "SOL_NETROM"],
  [260, "SOL_ROSE"],
  [261, "SOL_DECNET"],
  [262, "SOL_X25"],
  [263, "SOL_PACKET"],
  [264, "SOL_ATM"],
  [265, "SOL_AAL"],
  [266, "SOL_IRDA"],
  [267, "SOL_NETBEUI"],
  [268, "SOL_LLC"],
  [269, "SOL_DCCP"],
  [270, "SOL_NETLINK"],
  [271, "SOL_TIPC"],
  [272, "SOL_RXRPC"],
  [273, "SOL_PPPOL2TP"],
  [274, "SOL_BLUETOOTH"],
  [275, "SOL_PNPIPE"],
  [276, "SOL_RDS"],
  [277, "SOL_IUCV"],
  [278, "SOL_CAIF"],
  [279, "SOL_ALG"],
  [280, "SOL_NFC"],
  [281, "SOL_KCM"],
  [282, "SOL_TLS"],
  [283, "SOL_XDP"],
]);

const SO_NAMES: Table = table(names(
  1,
  "SO_DEBUG SO_REUSEADDR SO_TYPE SO_ERROR SO_DONTROUTE SO_BROADCAST SO_SNDBUF SO_RCVBUF " +
    "SO_KEEPALIVE SO_OOBINLINE SO_NO_CHECK SO_PRIORITY SO_LINGER SO_BSDCOMPAT SO_REUSEPORT " +
    "SO_PASSCRED SO_PEERCRED SO_RCVLOWAT SO_SNDLOWAT SO_RCVTIMEO SO_SNDTIMEO " +
    "SO_SECURITY_AUTHENTICATION SO_SECURITY_ENCRYPTION_TRANSPORT SO_SECURITY_ENCRYPTION_NETWORK " +
    "SO_BINDTODEVICE SO_ATTACH_FILTER SO_DETACH_FILTER SO_PEERNAME SO_TIMESTAMP SO_ACCEPTCONN " +
    "SO_PEERSEC SO_SNDBUFFORCE SO_RCVBUFFORCE SO_PASSSEC SO_TIMESTAMPNS SO_MARK SO_TIMESTAMPING " +
    "SO_PROTOCOL SO_DOMAIN SO_RXQ_OVFL SO_WIFI_STATUS SO_PEEK_OFF SO_NOFCS SO_LOCK_FILTER " +
    "SO_SELECT_ERR_QUEUE SO_BUSY_POLL SO_MAX_PACING_RATE SO_BPF_EXTENSIONS SO_INCOMING_CPU " +
    "SO_ATTACH_BPF SO_ATTACH_REUSEPORT_CBPF SO_ATTACH_REUSEPORT_EBPF SO_CNX_ADVICE - SO_MEMINFO " +
    "SO_INCOMING_NAPI_ID SO_COOKIE - SO_PEERGROUPS SO_ZEROCOPY SO_TXTIME SO_BINDTOIFINDEX " +
    "SO_TIMESTAMP_NEW SO_TIMESTAMPNS_NEW SO_TIMESTAMPING_NEW SO_RCVTIMEO_NEW SO_SNDTIMEO_NEW " +
    "SO_DETACH_REUSEPORT_BPF",
));

const TCP_NAMES: Table = table(names(
  1,
  "TCP_NODELAY TCP_MAXSEG TCP_CORK TCP_KEEPIDLE TCP_KEEPINTVL TCP_KEEPCNT TCP_SYNCNT " +
    "TCP_LINGER2 TCP_DEFER_ACCEPT TCP_WINDOW_CLAMP TCP_INFO TCP_QUICKACK TCP_CONGESTION " +
    "TCP_MD5SIG TCP_COOKIE_TRANSACTIONS TCP_THIN_LINEAR_TIMEOUTS TCP_THIN_DUPACK " +
    "TCP_USER_TIMEOUT TCP_REPAIR TCP_REPAIR_QUEUE TCP_QUEUE_SEQ TCP_REPAIR_OPTIONS " +
    "TCP_FASTOPEN TCP_TIMESTAMP TCP_NOTSENT_LOWAT TCP_CC_INFO TCP_SAVE_SYN TCP_SAVED_SYN " +
    "TCP_REPAIR_WINDOW TCP_FASTOPEN_CONNECT TCP_ULP TCP_MD5SIG_EXT TCP_FASTOPEN_KEY " +
    "TCP_FASTOPEN_NO_COOKIE TCP_ZEROCOPY_RECEIVE TCP_INQ TCP_TX_DELAY",
));

const IP_NAMES: Table = table([
  ...names(
    1,
    "IP_TOS IP_TTL IP_HDRINCL IP_OPTIONS IP_ROUTER_ALERT IP_RECVOPTS IP_RETOPTS IP_PKTINFO " +
      "IP_PKTOPTIONS IP_MTU_DISCOVER IP_RECVERR IP_RECVTTL IP_RECVTOS IP_MTU IP_FREEBIND " +
      "IP_IPSEC_POLICY IP_XFRM_POLICY IP_PASSSEC IP_TRANSPARENT IP_ORIGDSTADDR IP_MINTTL " +
      "IP_NODEFRAG IP_CHECKSUM IP_BIND_ADDRESS_NO_PORT IP_RECVFRAGSIZE",
  ),
  ...names(
    32,
    "IP_MULTICAST_IF IP_MULTICAST_TTL IP_MULTICAST_LOOP IP_ADD_MEMBERSHIP IP_DROP_MEMBERSHIP " +
      "IP_UNBLOCK_SOURCE IP_BLOCK_SOURCE IP_ADD_SOURCE_MEMBERSHIP IP_DROP_SOURCE_MEMBERSHIP " +
      "IP_MSFILTER",
  ),
  [49, "IP_MULTICAST_ALL"],
  [50, "IP_UNICAST_IF"],
]);

const IPV6_NAMES: Table = table([
  ...names(
    1,
    "IPV6_ADDRFORM IPV6_2292PKTINFO IPV6_2292HOPOPTS IPV6_2292DSTOPTS IPV6_2292RTHDR " +
      "IPV6_2292PKTOPTIONS IPV6_CHECKSUM IPV6_2292HOPLIMIT IPV6_NEXTHOP IPV6_AUTHHDR IPV6_FLOWINFO",
  ),
  ...names(
    16,
    "IPV6_UNICAST_HOPS IPV6_MULTICAST_IF IPV6_MULTICAST_HOPS IPV6_MULTICAST_LOOP " +
      "IPV6_ADD_MEMBERSHIP IPV6_DROP_MEMBERSHIP IPV6_ROUTER_ALERT IPV6_MTU_DISCOVER IPV6_MTU " +
      "IPV6_RECVERR IPV6_V6ONLY IPV6_JOIN_ANYCAST IPV6_LEAVE_ANYCAST IPV6_MULTICAST_ALL " +
      "IPV6_ROUTER_ALERT_ISOLATE - IPV6_FLOWLABEL_MGR IPV6_FLOWINFO_SEND IPV6_IPSEC_POLICY " +
      "IPV6_XFRM_POLICY IPV6_HDRINCL",
  ),
  ...names(
    49,
    "IPV6_RECVPKTINFO IPV6_PKTINFO IPV6_RECVHOPLIMIT IPV6_HOPLIMIT IPV6_RECVHOPOPTS " +
      "IPV6_HOPOPTS IPV6_RTHDRDSTOPTS IPV6_RECVRTHDR IPV6_RTHDR IPV6_RECVDSTOPTS IPV6_DSTOPTS " +
      "IPV6_RECVPATHMTU IPV6_PATHMTU IPV6_DONTFRAG IPV6_USE_MIN_MTU - - IPV6_RECVTCLASS " +
      "IPV6_TCLASS - - IPV6_AUTOFLOWLABEL - IPV6_ADDR_PREFERENCES IPV6_MINHOPCOUNT " +
      "IPV6_ORIGDSTADDR IPV6_TRANSPARENT IPV6_UNICAST_IF IPV6_RECVFRAGSIZE IPV6_FREEBIND",
  ),
]);

const PACKET_NAMES: Table = table([
  [1, "PACKET_ADD_MEMBERSHIP"],
  [2, "PACKET_DROP_MEMBERSHIP"],
  [3, "PACKET_RECV_OUTPUT"],
  ...names(
    5,
    "PACKET_RX_RING PACKET_STATISTICS PACKET_COPY_THRESH PACKET_AUXDATA PACKET_ORIGDEV " +
      "PACKET_VERSION PACKET_HDRLEN PACKET_RESERVE PACKET_TX_RING PACKET_LOSS PACKET_VNET_HDR " +
      "PACKET_TX_TIMESTAMP PACKET_TIMESTAMP PACKET_FANOUT PACKET_TX_HAS_OFF PACKET_QDISC_BYPASS " +
      "PACKET_ROLLOVER_STATS PACKET_FANOUT_DATA PACKET_IGNORE_OUTGOING",
  ),
]);

const MOUNT: Table = table(
  (
    "MS_RDONLY MS_NOSUID MS_NODEV MS_NOEXEC MS_SYNCHRONOUS MS_REMOUNT MS_MANDLOCK MS_DIRSYNC - - " +
    "MS_NOATIME MS_NODIRATIME MS_BIND MS_MOVE MS_REC MS_SILENT MS_POSIXACL MS_UNBINDABLE " +
    "MS_PRIVATE MS_SLAVE MS_SHARED MS_RELATIME MS_KERNMOUNT MS_I_VERSION MS_STRICTATIME " +
    "MS_LAZYTIME MS_SUBMOUNT MS_SNAP_STABLE MS_NOSEC MS_BORN MS_ACTIVE MS_NOUSER"
  ).split(" ").map((n, i) => [2 ** i, n] as [number, string]).filter(([, n]) => n !== "-"),
);

/** Option names per socket level (a2 of setsockopt/getsockopt, by a1). */
const SOCKOPT_NAMES: ReadonlyMap<number, [Table, string]> = new Map([
  [0, [IP_NAMES, "ipopt"]],
  [1, [SO_NAMES, "sockopt"]],
  [6, [TCP_NAMES, "tcpopt"]],
  [17, [table([[1, "UDP_CORK"], [100, "UDP_ENCAP"]]), "udpopt"]],
  [41, [IPV6_NAMES, "ip6opt"]],
  [263, [PACKET_NAMES, "pktopt"]],
]);

const IOCTL_REQUESTS: Table = table([
  [0x4b3a, "KDSETMODE"],
  [0x4b3b, "KDGETMODE"],
  [0x5309, "CDROMEJECT"],
  [0x530f, "CDROMEJECT_SW"],
  [0x5311, "CDROM_GET_UPC"],
  [0x5316, "CDROMSEEK"],
  [0x5401, "TCGETS"],
  [0x5402, "TCSETS"],
  [0x5403, "TCSETSW"],
  [0x5404, "TCSETSF"],
  [0x5409, "TCSBRK"],
  [0x540b, "TCFLSH"],
  [0x540e, "TIOCSCTTY"],
  [0x540f, "TIOCGPGRP"],
  [0x5410, "TIOCSPGRP"],
  [0x5413, "TIOCGWINSZ"],
  [0x5414, "TIOCSWINSZ"],
  [0x541b, "TIOCINQ"],
  [0x5421, "FIONBIO"],
  [0x8901, "FIOSETOWN"],
  [0x8903, "FIOGETOWN"],
  [0x8910, "SIOCGIFNAME"],
  [0x8927, "SIOCGIFHWADDR"],
  [0x8933, "SIOCGIFINDEX"],
  [0x89a2, "SIOCBRADDIF"],
  [0x40045431, "TIOCSPTLCK"],
  [0x80045430, "TIOCGPTN"],
  [0x80045431, "TIOCSPTLCK"],
  [0xc01c64a3, "DRM_IOCTL_MODE_CURSOR"],
  [0xc01864b0, "DRM_IOCTL_MODE_PAGE_FLIP"],
  [0xc01864b1, "DRM_IOCTL_MODE_DIRTYFB"],
]);

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
  out.push(interpretValue("mode_short", "mode", (flags & 0o777).toString(8), NO_CTX, "raw"));
  return out.join("|");
}

/** An ioctl request (a1 of ioctl), by name when libauparse knows it. */
export function printIoctlRequest(val: string): string {
  const n = hex(val);
  if (n === undefined) return `conversion error(${val})`;
  const req = Number(n & 0xffffffffn);
  return IOCTL_REQUESTS.get(req) ?? `0x${req.toString(16)}`;
}

const SEEK: Table = table(names(0, "SEEK_SET SEEK_CUR SEEK_END SEEK_DATA SEEK_HOLE"));
const UMOUNT: Table = table([
  [1, "MNT_FORCE"],
  [2, "MNT_DETACH"],
  [4, "MNT_EXPIRE"],
  [8, "UMOUNT_NOFOLLOW"],
  [0x80000000, "UMOUNT_UNUSED"],
]);
const SCHED: Table = table(
  names(0, "SCHED_OTHER SCHED_FIFO SCHED_RR SCHED_BATCH - SCHED_IDLE SCHED_DEADLINE"),
);
const EPOLL: Table = table(names(1, "EPOLL_CTL_ADD EPOLL_CTL_DEL EPOLL_CTL_MOD"));

/** A directory fd: AT_FDCWD by name (as libauparse's print_dirfd). */
function dirfd(val: string): string {
  const n = hex(val);
  return n !== undefined && BigInt.asIntN(32, n) === -100n ? "AT_FDCWD" : `0x${val}`;
}

/** strtoul of a hex value; undefined when it is no number. */
function hex(val: string): bigint | undefined {
  const m = /^\s*(?:0[xX])?([0-9a-fA-F]+)/.exec(val);
  return m ? BigInt("0x" + m[1]) : undefined;
}

function flagList(t: Table, flags: bigint): string[] {
  const out: string[] = [];
  for (const [v, n] of [...t].sort((a, b) => a[0] - b[0])) {
    if (BigInt(v) & flags) out.push(n);
  }
  return out;
}

const NO_CTX: InterpretContext = { machine: -1, syscall: -1, a0: 0n, a1: 0n };

function signalName(n: number): string {
  return interpretValue("signal", "sig", String(n), NO_CTX, "raw");
}

/** clone/unshare flags, with the exit signal of the low byte. */
export function printCloneFlags(val: string): string {
  const flags = hex(val);
  if (flags === undefined) return `conversion error(${val})`;
  const out = flagList(CLONE, flags);
  const sig = Number(flags & 0xffn);
  if (sig && sig < 32) out.push(signalName(sig));
  return out.length ? out.join("|") : `0x${flags.toString(16)}`;
}

/** mmap flags (a3 of mmap, `flags` of MMAP records). */
export function printMmapFlags(val: string): string {
  const flags = hex(val);
  if (flags === undefined) return `conversion error(${val})`;
  const out = (flags & 0xfn) === 0n ? ["MAP_FILE"] : [];
  out.push(...flagList(MMAP, flags));
  return out.length ? out.join("|") : `0x${val}`;
}

/** Memory protections (a2 of mmap and mprotect; PROT_SEM only for mmap, as libauparse 3.0.9 prints them). */
export function printProt(val: string, mmap: boolean): string {
  const prot = hex(val);
  if (prot === undefined) return `conversion error(${val})`;
  if ((prot & 0x7n) === 0n) return "PROT_NONE";
  const t = mmap ? PROT : table([...PROT].filter(([v]) => v !== 8));
  const out = flagList(t, prot);
  return out.length ? out.join("|") : `0x${val}`;
}

/** The personality (a0 of personality, `per` fields). */
export function printPersonality(val: string): string {
  const pers = hex(val);
  if (pers === undefined) return `conversion error(${val})`;
  const s = PERSONALITY.get(Number(pers & 0xffffffffn) & 0xff0000ff) ??
    PERSONALITY.get(Number(pers & 0xffffffffn) & 0x0fffffff & ~0x0040000);
  if (s !== undefined) return pers & 0x0040000n ? `${s}|~ADDR_NO_RANDOMIZE` : s;
  return `unknown-personality(0x${val})`;
}

function lookup(t: Table, val: string, unknown: (v: string) => string, mask = 0xffffffffn): string {
  const n = hex(val);
  if (n === undefined) return `conversion error(${val})`;
  return t.get(Number(n & mask)) ?? unknown(val);
}

/**
 * The interpretation of argument `index` (0..3) of the event's syscall when
 * libauparse decodes it here, else undefined (the common printers decide).
 *
 * @example
 * ```ts
 * import { syscallArg } from "./syscall_args.ts";
 * syscallArg(0, "20000", { machine: 1, syscall: 272, a0: 0x20000n, a1: 0n });
 * // "CLONE_NEWNS" (unshare)
 * ```
 */
export function syscallArg(index: number, val: string, ctx: InterpretContext): string | undefined {
  const sys = ctx.syscall < 0 ? undefined : syscallName(ctx.syscall, ctx.machine);
  if (sys === undefined) return undefined;
  switch (index) {
    case 0:
      if (sys === "unshare") return printCloneFlags(val);
      if (sys === "clock_settime") {
        return lookup(CLOCKS, val, (v) => `unknown-clk_id(0x${v})`);
      }
      if (sys === "personality") return printPersonality(val);
      if (sys === "ptrace") return lookup(PTRACE, val, (v) => `unknown-ptrace(0x${v})`);
      if (sys === "prctl") return lookup(PRCTL, val, (v) => `unknown-prctl-option(0x${v})`);
      if (sys.slice(1) === "etrlimit") return lookup(RLIMIT, val, (v) => `unknown-rlimit(0x${v})`);
      return undefined;
    case 1:
      if (sys.startsWith("fcntl")) {
        return lookup(
          FCNTL,
          val,
          () => `unknown-fcntl-command(${Number((hex(val) ?? 0n) & 0xffffffffn) | 0})`,
        );
      }
      if (sys.slice(1) === "etsockopt") {
        // protocol names as getprotobynumber gives them, then the SOL_ names
        const lvl = hex(val);
        if (lvl === undefined) return `conversion error(${val})`;
        if (lvl === 1n) return "SOL_SOCKET";
        return PROTOCOLS[Number(lvl & 0xffffffffn)] ?? SOCK_LEVELS.get(Number(lvl & 0xffffffffn)) ??
          `unknown-sockopt-level(0x${val})`;
      }
      if (sys === "setns") return printCloneFlags(val);
      if (sys === "sched_setscheduler") {
        return lookup(SCHED, val, (v) => `unknown-scheduler-policy(0x${v})`);
      }
      if (sys === "epoll_ctl") {
        return lookup(EPOLL, val, (v) => `unknown-epoll_ctl-operation(${v})`);
      }
      if (sys === "prctl" && (ctx.a0 === 23n || ctx.a0 === 24n)) {
        return interpretValue("capability", "capability", String(hex(val) ?? 0n), NO_CTX, "raw");
      }
      if (sys === "prctl" && ctx.a0 === 1n) return signalName(Number(hex(val) ?? 0n));
      if (sys === "ioctl") return printIoctlRequest(val);
      if (sys === "umount2") {
        const n = hex(val);
        if (n === undefined) return `conversion error(${val})`;
        const out = flagList(UMOUNT, n);
        return out.length ? out.join("|") : `0x${val}`;
      }
      return undefined;
    case 2:
      if (sys.startsWith("fcntl")) {
        if (ctx.a1 === 8n) {
          return interpretValue("uid", "uid", String(hex(val) ?? 0n), NO_CTX, "raw");
        }
        if (ctx.a1 === 2n && hex(val) === 1n) return "FD_CLOEXEC";
        return undefined;
      }
      if (sys.slice(1) === "etsockopt") {
        const names = SOCKOPT_NAMES.get(Number(ctx.a1));
        if (!names) return undefined;
        return lookup(names[0], val, (v) => `unknown-${names[1]}-name(0x${v})`);
      }
      if (sys === "renameat") return dirfd(val);
      if (sys === "shmget") return printShmFlags(val);
      if (sys === "mmap") return printProt(val, true);
      if (sys === "mprotect") return printProt(val, false);
      if (sys === "lseek") return lookup(SEEK, val, (v) => `unknown-whence(${v})`, 0xffn);
      return undefined;
    case 3:
      if (sys === "mmap") return printMmapFlags(val);
      if (sys === "mount") {
        const n = hex(val);
        if (n === undefined) return `conversion error(${val})`;
        const out = flagList(MOUNT, n);
        return out.length ? out.join("|") : `0x${val}`;
      }
      return undefined;
  }
  return undefined;
}
