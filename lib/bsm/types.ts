/**
 * The BSM token model: one object per token, every wire field kept, so that
 * a token decoded from a trail encodes back to the same bytes and a printer
 * can reproduce OpenBSM praudit byte for byte from it.
 *
 * Layouts follow OpenBSM `sys/bsm/audit_record.h`, `libbsm/bsm_token.c`
 * (writer) and `libbsm/bsm_io.c` (reader); shared/docs/REFERENCE.md 8.2.
 *
 * The contract:
 * - {@link BsmToken} is a union discriminated by `type` (`"header32"`,
 *   `"text"`, ...). `"unknown"` carries an id auditkit does not parse and its
 *   raw bytes.
 * - Integers are big-endian on the wire and JavaScript numbers here; u64
 *   fields are `bigint`.
 * - Addresses (IPv4/IPv6, the IP header's addresses) are raw `Uint8Array`s in
 *   network order, with the wire's address type kept beside them.
 * - Ports inside socket tokens and the `iport` token are the wire's two
 *   bytes read big-endian (what praudit prints after `ntohs`).
 * - Length-prefixed strings (text, path, arg, zonename, privileges, file
 *   name, uuid descriptions) are the exact wire bytes the length counts,
 *   normally ending with the NUL terminator. They may be any bytes (non-UTF-8,
 *   interior NULs, no terminator); `bsmText` in decode.ts decodes one to a
 *   string when that is lossless. `exec_args`/`exec_env` strings are stored
 *   without their NUL separators, `sock_unix` paths as the bytes read
 *   (including the NUL when one was found).
 * - A {@link BsmRecord} is a header, body tokens and (normally) a trailer,
 *   with its byte offset in the stream and its raw bytes.
 *
 * @example
 * ```ts
 * import { AUT, type BsmToken } from "./types.ts";
 * const token: BsmToken = { type: "return32", status: 0, value: 0 };
 * console.log(AUT.RETURN32, token.type); // 39 "return32"
 * ```
 *
 * @module
 */

/**
 * Token ids (`AUT_*` in OpenBSM `sys/bsm/audit_record.h`).
 *
 * @example
 * ```ts
 * import { AUT } from "./types.ts";
 * AUT.HEADER32; // 0x14
 * ```
 */
export const AUT = {
  OTHER_FILE32: 0x11,
  OHEADER: 0x12,
  TRAILER: 0x13,
  HEADER32: 0x14,
  HEADER32_EX: 0x15,
  DATA: 0x21,
  IPC: 0x22,
  PATH: 0x23,
  SUBJECT32: 0x24,
  XATPATH: 0x25,
  PROCESS32: 0x26,
  RETURN32: 0x27,
  TEXT: 0x28,
  OPAQUE: 0x29,
  IN_ADDR: 0x2a,
  IP: 0x2b,
  IPORT: 0x2c,
  ARG32: 0x2d,
  SOCKET: 0x2e,
  SEQ: 0x2f,
  ACL: 0x30,
  ATTR: 0x31,
  IPC_PERM: 0x32,
  LABEL: 0x33,
  GROUPS: 0x34,
  ACE: 0x35,
  PRIV: 0x38,
  UPRIV: 0x39,
  LIAISON: 0x3a,
  NEWGROUPS: 0x3b,
  EXEC_ARGS: 0x3c,
  EXEC_ENV: 0x3d,
  ATTR32: 0x3e,
  UNAUTH: 0x3f,
  EXIT: 0x52,
  ZONENAME: 0x60,
  ARG64: 0x71,
  RETURN64: 0x72,
  ATTR64: 0x73,
  HEADER64: 0x74,
  SUBJECT64: 0x75,
  PROCESS64: 0x77,
  HEADER64_EX: 0x79,
  SUBJECT32_EX: 0x7a,
  PROCESS32_EX: 0x7b,
  SUBJECT64_EX: 0x7c,
  PROCESS64_EX: 0x7d,
  IN_ADDR_EX: 0x7e,
  SOCKET_EX: 0x7f,
  SOCKINET32: 0x80,
  SOCKINET128: 0x81,
  SOCKUNIX: 0x82,
  ARG_UUID: 0x84,
  RETURN_UUID: 0x85,
} as const;

/**
 * Header versions (`AUDIT_HEADER_VERSION_*`): OpenBSM writes 11, Solaris and
 * illumos 2 (illumos `audit(2)` refuses any other).
 *
 * @example
 * ```ts
 * import { AUDIT_HEADER_VERSION } from "./types.ts";
 * AUDIT_HEADER_VERSION.OPENBSM; // 11
 * ```
 */
export const AUDIT_HEADER_VERSION = {
  OLDDARWIN: 1,
  SOLARIS: 2,
  TSOL25: 3,
  TSOL: 4,
  OPENBSM10: 10,
  OPENBSM11: 11,
  OPENBSM: 11,
} as const;

/**
 * The trailer's magic number (`AUT_TRAILER_MAGIC`).
 *
 * @example
 * ```ts
 * import { AUT_TRAILER_MAGIC } from "./types.ts";
 * AUT_TRAILER_MAGIC.toString(16); // "b105"
 * ```
 */
export const AUT_TRAILER_MAGIC = 0xb105;

/**
 * Address types of the `_ex` tokens (`AU_IPv4`, `AU_IPv6`): the address's
 * length in bytes.
 *
 * @example
 * ```ts
 * import { AU_IPv4, AU_IPv6 } from "./types.ts";
 * [AU_IPv4, AU_IPv6]; // [4, 16]
 * ```
 */
export const AU_IPv4 = 4;
/** The IPv6 address type of the `_ex` tokens (`AU_IPv6`). See {@link AU_IPv4}. */
export const AU_IPv6 = 16;

/**
 * How a `data` token's items are printed (`AUP_*`).
 *
 * @example
 * ```ts
 * import { AUP } from "./types.ts";
 * AUP.HEX; // 3
 * ```
 */
export const AUP = { BINARY: 0, OCTAL: 1, DECIMAL: 2, HEX: 3, STRING: 4 } as const;

/**
 * The unit of a `data` token's items (`AUR_*`); {@link AUR_SIZE} gives
 * their sizes.
 *
 * @example
 * ```ts
 * import { AUR, AUR_SIZE } from "./types.ts";
 * AUR_SIZE[AUR.INT32]; // 4
 * ```
 */
export const AUR = { BYTE: 0, CHAR: 0, SHORT: 1, INT32: 2, INT: 2, INT64: 3 } as const;

/**
 * Size in bytes of each `data` token unit, indexed by its {@link AUR} value.
 *
 * @example
 * ```ts
 * import { AUR_SIZE } from "./types.ts";
 * AUR_SIZE[3]; // 8
 * ```
 */
export const AUR_SIZE: readonly number[] = [1, 2, 4, 8];

/**
 * Header event modifier bits (`PAD_NOTATTR`, `PAD_FAILURE`).
 *
 * @example
 * ```ts
 * import { PAD } from "./types.ts";
 * PAD.FAILURE; // 0x8000
 * ```
 */
export const PAD = { NOTATTR: 0x4000, FAILURE: 0x8000 } as const;

/**
 * IPC object types of the `ipc` token (`AT_IPC_*`).
 *
 * @example
 * ```ts
 * import { AT_IPC } from "./types.ts";
 * AT_IPC.SHM; // 3
 * ```
 */
export const AT_IPC = { MSG: 1, SEM: 2, SHM: 3 } as const;

/**
 * Audit policy bits (`AUDIT_*` of OpenBSM `sys/bsm/audit.h`, illumos
 * `AUDIT_*` policy flags). auditkit's `auClose` honours `SEQ`, `TRAIL` and
 * `ZONENAME`.
 *
 * @example
 * ```ts
 * import { AUDIT_POLICY } from "./types.ts";
 * AUDIT_POLICY.SEQ | AUDIT_POLICY.TRAIL; // 0x110
 * ```
 */
export const AUDIT_POLICY = {
  CNT: 0x1,
  AHLT: 0x2,
  ARGV: 0x4,
  ARGE: 0x8,
  SEQ: 0x10,
  WINDATA: 0x20,
  USER: 0x40,
  GROUP: 0x80,
  TRAIL: 0x100,
  PATH: 0x200,
  SCNT: 0x400,
  PUBLIC: 0x800,
  ZONENAME: 0x1000,
  PERZONE: 0x2000,
} as const;

/**
 * Limits: the largest record (`MAX_AUDIT_RECORD_SIZE`), the trailer size,
 * the largest header `au_close` reserves room for, the groups a `newgroups`
 * token can carry and the strings praudit prints of `exec_args`/`exec_env`.
 *
 * @example
 * ```ts
 * import { BSM_LIMITS } from "./types.ts";
 * BSM_LIMITS.MAX_AUDIT_RECORD_SIZE; // 32767
 * ```
 */
export const BSM_LIMITS = {
  MAX_AUDIT_RECORD_SIZE: 32767,
  AUDIT_TRAILER_SIZE: 7,
  AUDIT_HEADER_SIZE: 18,
  MAX_AUDIT_HEADER_SIZE: 38,
  AUDIT_MAX_GROUPS: 16,
  AUDIT_MAX_ARGS: 128,
  AUDIT_MAX_ENV: 128,
  AU_UNIX_PATH_MAX: 108,
} as const;

/** The fields every header token has. */
export interface BsmHeaderFields {
  /** Record byte count (u32), header and trailer included. */
  size: number;
  /** Header version (u8): 11 OpenBSM, 2 Solaris. */
  version: number;
  /** Event number (u16). */
  event: number;
  /** Event modifier (u16), e.g. {@link PAD}. */
  modifier: number;
}

/** header32 (0x14): the record's size includes header and trailer. */
export interface Header32Token extends BsmHeaderFields {
  /** The token type (discriminant). */
  type: "header32";
  /** Seconds (u32). */
  sec: number;
  /** Milliseconds from OpenBSM, nanoseconds from the illumos kernel (u32). */
  msec: number;
}

/**
 * header32_ex (0x15) and header64_ex (0x79): the header with the host
 * address. `addrType` is a u32; the reader reads 4 address bytes for type 4,
 * 16 for 16 and none for any other value (OpenBSM `fetch_header32_ex_tok`).
 */
export interface Header32ExToken extends BsmHeaderFields {
  /** The token type (discriminant). */
  type: "header32_ex";
  /** Address type (u32): {@link AU_IPv4} or {@link AU_IPv6}. */
  addrType: number;
  /** The host address, raw (4, 16 or 0 bytes). */
  addr: Uint8Array;
  /** Seconds. */
  sec: number;
  /** Milliseconds (OpenBSM) or nanoseconds (illumos kernel). */
  msec: number;
}

/** header64 (0x74): header32 with u64 time fields. */
export interface Header64Token extends BsmHeaderFields {
  /** The token type (discriminant). */
  type: "header64";
  /** Seconds. */
  sec: bigint;
  /** Milliseconds (OpenBSM) or nanoseconds (illumos kernel). */
  msec: bigint;
}

/** header64_ex (0x79): header32_ex with u64 time fields. */
export interface Header64ExToken extends BsmHeaderFields {
  /** The token type (discriminant). */
  type: "header64_ex";
  /** Address type: 4 or 16. */
  addrType: number;
  /** The address, raw bytes in network order. */
  addr: Uint8Array;
  /** Seconds. */
  sec: bigint;
  /** Milliseconds (OpenBSM) or nanoseconds (illumos kernel). */
  msec: bigint;
}

/** trailer (0x13). */
export interface TrailerToken {
  /** The token type (discriminant). */
  type: "trailer";
  /** Magic (u16), {@link AUT_TRAILER_MAGIC} when written by a BSM writer. */
  magic: number;
  /** Record byte count (u32). */
  count: number;
}

/** file (0x11, `AUT_OTHER_FILE32`): marks the start or end of a trail file. */
export interface FileToken {
  /** The token type (discriminant). */
  type: "file";
  /** Seconds. */
  sec: number;
  /** Milliseconds from OpenBSM (illumos reads microseconds). */
  msec: number;
  /** The file name's wire bytes (normally NUL-terminated). */
  name: Uint8Array;
}

/** text (0x28). */
export interface TextToken {
  /** The token type (discriminant). */
  type: "text";
  /** The wire bytes (normally NUL-terminated). */
  text: Uint8Array;
}

/** path (0x23). */
export interface PathToken {
  /** The token type (discriminant). */
  type: "path";
  /** The wire bytes (normally NUL-terminated). */
  path: Uint8Array;
}

/** zonename (0x60). */
export interface ZonenameToken {
  /** The token type (discriminant). */
  type: "zonename";
  /** The wire bytes (normally NUL-terminated). */
  zonename: Uint8Array;
}

/** arg32 (0x2d). */
export interface Arg32Token {
  /** The token type (discriminant). */
  type: "arg32";
  /** Argument number (u8). */
  argNo: number;
  /** Value (u32). */
  value: number;
  /** Description, wire bytes (normally NUL-terminated). */
  text: Uint8Array;
}

/** arg64 (0x71). */
export interface Arg64Token {
  /** The token type (discriminant). */
  type: "arg64";
  /** Argument number (u8). */
  argNo: number;
  /** Value (u64). */
  value: bigint;
  /** Description, wire bytes (normally NUL-terminated). */
  text: Uint8Array;
}

/** arg_uuid (0x84) and ret_uuid (0x85): a number, a UUID and a text. */
export interface ArgUuidToken {
  /** The token type (discriminant). */
  type: "arg_uuid";
  /** Argument number (u8). */
  argNo: number;
  /** The UUID's 16 wire bytes (big-endian fields, as printed). */
  uuid: Uint8Array;
  /** Description, wire bytes (normally NUL-terminated). */
  text: Uint8Array;
}

/** ret_uuid (0x85): the layout of {@link ArgUuidToken}. */
export interface RetUuidToken {
  /** The token type (discriminant). */
  type: "ret_uuid";
  /** Argument number (u8). */
  argNo: number;
  /** The UUID's 16 wire bytes. */
  uuid: Uint8Array;
  /** Description, wire bytes (normally NUL-terminated). */
  text: Uint8Array;
}

/** return32 (0x27). */
export interface Return32Token {
  /** The token type (discriminant). */
  type: "return32";
  /** BSM error number (u8), 0 for success. */
  status: number;
  /** Return value (u32). */
  value: number;
}

/** return64 (0x72). */
export interface Return64Token {
  /** The token type (discriminant). */
  type: "return64";
  /** BSM error number (u8), 0 for success. */
  status: number;
  /** Return value (u64). */
  value: bigint;
}

/** exit (0x52): two u32s; OpenBSM writes the error first, the return value second. */
export interface ExitToken {
  /** The token type (discriminant). */
  type: "exit";
  /** First u32 (OpenBSM: the error, printed `Error <status>`). */
  status: number;
  /** Second u32 (OpenBSM: the return value). */
  ret: number;
}

/** seq (0x2f). */
export interface SeqToken {
  /** The token type (discriminant). */
  type: "seq";
  /** Sequence number (u32). */
  seqno: number;
}

/** attr32 (0x3e): file attributes. */
export interface Attr32Token {
  /** The token type (discriminant). */
  type: "attr32";
  /** Mode (u32). */
  mode: number;
  /** Owner uid (u32). */
  uid: number;
  /** Owner gid (u32). */
  gid: number;
  /** File system id (u32). */
  fsid: number;
  /** Node id (u64). */
  nodeid: bigint;
  /** Device (u32). */
  dev: number;
}

/** attr64 (0x73): attr32 with a u64 device. */
export interface Attr64Token {
  /** The token type (discriminant). */
  type: "attr64";
  /** Mode (u32). */
  mode: number;
  /** Owner uid (u32). */
  uid: number;
  /** Owner gid (u32). */
  gid: number;
  /** File system id (u32). */
  fsid: number;
  /** Node id (u64). */
  nodeid: bigint;
  /** Device. */
  dev: bigint;
}

/** The ids shared by subject and process tokens (seven u32s). */
export interface BsmIds {
  /** Audit user id (u32). */
  auid: number;
  /** Effective uid (u32). */
  euid: number;
  /** Effective gid (u32). */
  egid: number;
  /** Real uid (u32). */
  ruid: number;
  /** Real gid (u32). */
  rgid: number;
  /** Process id (u32). */
  pid: number;
  /** Audit session id (u32). */
  sid: number;
}

/** subject32 (0x24) / process32 (0x26): terminal port u32, IPv4 machine. */
export interface Subject32Token extends BsmIds {
  /** The token type (discriminant). */
  type: "subject32" | "process32";
  /** Terminal port (u32). */
  port: number;
  /** Terminal machine address, raw 4 bytes. */
  addr: Uint8Array;
}

/** subject64 (0x75) / process64 (0x77): terminal port u64. */
export interface Subject64Token extends BsmIds {
  /** The token type (discriminant). */
  type: "subject64" | "process64";
  /** Port. */
  port: bigint;
  /** The address, raw bytes in network order. */
  addr: Uint8Array;
}

/** subject32_ex (0x7a) / process32_ex (0x7b): address type u32 and 4/16 address bytes. */
export interface Subject32ExToken extends BsmIds {
  /** The token type (discriminant). */
  type: "subject32_ex" | "process32_ex";
  /** Port. */
  port: number;
  /** Address type (u32): 4 or 16 (the reader refuses others). */
  addrType: number;
  /** The address, raw bytes in network order. */
  addr: Uint8Array;
}

/** subject64_ex (0x7c) / process64_ex (0x7d). */
export interface Subject64ExToken extends BsmIds {
  /** The token type (discriminant). */
  type: "subject64_ex" | "process64_ex";
  /** Port. */
  port: bigint;
  /** Address type: 4 or 16. */
  addrType: number;
  /** The address, raw bytes in network order. */
  addr: Uint8Array;
}

/** exec_args (0x3c) / exec_env (0x3d): a u32 count and NUL-terminated strings. */
export interface ExecToken {
  /** The token type (discriminant). */
  type: "exec_args" | "exec_env";
  /** The strings, each without its NUL terminator. */
  strings: Uint8Array[];
}

/** in_addr (0x2a). */
export interface InAddrToken {
  /** The token type (discriminant). */
  type: "in_addr";
  /** Raw 4 bytes. */
  addr: Uint8Array;
}

/** in_addr_ex (0x7e). */
export interface InAddrExToken {
  /** The token type (discriminant). */
  type: "in_addr_ex";
  /** Address type (u32): 4 or 16. */
  addrType: number;
  /** The address, raw bytes in network order. */
  addr: Uint8Array;
}

/** ip (0x2b): an IPv4 header; multi-byte fields read big-endian. */
export interface IpToken {
  /** The token type (discriminant). */
  type: "ip";
  /** Version and header length byte. */
  versionIhl: number;
  /** Type of service (u8). */
  tos: number;
  /** Total length (u16). */
  length: number;
  /** Identification (u16). */
  id: number;
  /** Fragment offset and flags (u16). */
  offset: number;
  /** Time to live (u8). */
  ttl: number;
  /** Protocol (u8). */
  protocol: number;
  /** Header checksum (u16). */
  checksum: number;
  /** Source address, raw 4 bytes. */
  src: Uint8Array;
  /** Destination address, raw 4 bytes. */
  dst: Uint8Array;
}

/** iport (0x2c). */
export interface IportToken {
  /** The token type (discriminant). */
  type: "iport";
  /** The two wire bytes read big-endian. */
  port: number;
}

/** socket (0x2e, old Solaris token; decoded, never written by OpenBSM). */
export interface SocketToken {
  /** The token type (discriminant). */
  type: "socket";
  /** Socket type (u16). */
  socketType: number;
  /** Local port: the two wire bytes read big-endian. */
  localPort: number;
  /** Raw 4 bytes. */
  localAddr: Uint8Array;
  /** Remote port: the two wire bytes read big-endian. */
  remotePort: number;
  /** Remote address, raw bytes. */
  remoteAddr: Uint8Array;
}

/** socket_ex (0x7f): BSM domain and type, address type u16. */
export interface SocketExToken {
  /** The token type (discriminant). */
  type: "socket_ex";
  /** BSM domain (u16), e.g. 2 (AF_INET), 26 (AF_INET6). */
  domain: number;
  /** BSM socket type (u16), e.g. 2 (stream), 1 (dgram). */
  socketType: number;
  /** Address type (u16): 4 or 16. */
  addrType: number;
  /** Local port: the two wire bytes read big-endian. */
  localPort: number;
  /** Local address, raw bytes. */
  localAddr: Uint8Array;
  /** Remote port: the two wire bytes read big-endian. */
  remotePort: number;
  /** Remote address, raw bytes. */
  remoteAddr: Uint8Array;
}

/** sock_inet32 (0x80). */
export interface SockInet32Token {
  /** The token type (discriminant). */
  type: "sock_inet32";
  /** Address family (u16), the writer's local value. */
  family: number;
  /** Port. */
  port: number;
  /** Raw 4 bytes. */
  addr: Uint8Array;
}

/** sock_inet128 (0x81). */
export interface SockInet128Token {
  /** The token type (discriminant). */
  type: "sock_inet128";
  /** Address family (u16). */
  family: number;
  /** Port. */
  port: number;
  /** Raw 16 bytes. */
  addr: Uint8Array;
}

/** sock_unix (0x82). */
export interface SockUnixToken {
  /** The token type (discriminant). */
  type: "sock_unix";
  /** Address family (u16). */
  family: number;
  /**
   * The path bytes read: up to and including the first NUL, searching at
   * most {@link BSM_LIMITS}.AU_UNIX_PATH_MAX bytes.
   */
  path: Uint8Array;
}

/** ipc (0x22). */
export interface IpcToken {
  /** The token type (discriminant). */
  type: "ipc";
  /** {@link AT_IPC} value (u8). */
  ipcType: number;
  /** Object id (u32). */
  id: number;
}

/** ipc_perm (0x32): seven u32s. */
export interface IpcPermToken {
  /** The token type (discriminant). */
  type: "ipc_perm";
  /** Owner uid (u32). */
  uid: number;
  /** Owner gid (u32). */
  gid: number;
  /** Creator uid. */
  cuid: number;
  /** Creator gid. */
  cgid: number;
  /** Mode (u32). */
  mode: number;
  /** Slot sequence number (u32). */
  seq: number;
  /** IPC key (u32). */
  key: number;
}

/** data (0x21, praudit "arbitrary"). */
export interface DataToken {
  /** The token type (discriminant). */
  type: "data";
  /** {@link AUP} print format (u8). */
  printFormat: number;
  /** {@link AUR} unit (u8). */
  unit: number;
  /** Item count (u8). */
  count: number;
  /** The items' bytes (count * unit size) as on the wire. */
  data: Uint8Array;
}

/** opaque (0x29). */
export interface OpaqueToken {
  /** The token type (discriminant). */
  type: "opaque";
  /** The bytes. */
  data: Uint8Array;
}

/**
 * newgroups (0x3b). The reader clamps a count above
 * {@link BSM_LIMITS}.AUDIT_MAX_GROUPS to 16 groups but the wire count is
 * kept in `count`.
 */
export interface NewgroupsToken {
  /** The token type (discriminant). */
  type: "newgroups";
  /** The wire count (u16). */
  count: number;
  /** The group ids read (u32 each). */
  groups: number[];
}

/** upriv (0x39, praudit "use of privilege"). */
export interface UprivToken {
  /** The token type (discriminant). */
  type: "upriv";
  /** Success (1) or failure (0) (u8). */
  success: number;
  /** Privilege name, wire bytes. */
  priv: Uint8Array;
}

/** privset (0x38, praudit "privilege"). */
export interface PrivsetToken {
  /** The token type (discriminant). */
  type: "privset";
  /** Privilege set type, wire bytes. */
  privType: Uint8Array;
  /** Privileges, wire bytes. */
  privs: Uint8Array;
}

/**
 * A token auditkit does not parse. Inside a record OpenBSM's reader takes
 * everything up to the trailer's seven bytes (`fetch_invalid_tok`).
 */
export interface UnknownToken {
  /** The token type (discriminant). */
  type: "unknown";
  /** Token id (u8). */
  id: number;
  /** The bytes after the id. */
  data: Uint8Array;
}

/**
 * Any BSM token, discriminated by `type`.
 *
 * @example
 * ```ts
 * import type { BsmToken } from "./types.ts";
 * function describe(t: BsmToken): string {
 *   return t.type === "text" ? `text of ${t.text.length} bytes` : t.type;
 * }
 * ```
 */
export type BsmToken =
  | Header32Token
  | Header32ExToken
  | Header64Token
  | Header64ExToken
  | TrailerToken
  | FileToken
  | TextToken
  | PathToken
  | ZonenameToken
  | Arg32Token
  | Arg64Token
  | ArgUuidToken
  | RetUuidToken
  | Return32Token
  | Return64Token
  | ExitToken
  | SeqToken
  | Attr32Token
  | Attr64Token
  | Subject32Token
  | Subject64Token
  | Subject32ExToken
  | Subject64ExToken
  | ExecToken
  | InAddrToken
  | InAddrExToken
  | IpToken
  | IportToken
  | SocketToken
  | SocketExToken
  | SockInet32Token
  | SockInet128Token
  | SockUnixToken
  | IpcToken
  | IpcPermToken
  | DataToken
  | OpaqueToken
  | NewgroupsToken
  | UprivToken
  | PrivsetToken
  | UnknownToken;

/**
 * A token's type name.
 *
 * @example
 * ```ts
 * import type { BsmTokenType } from "./types.ts";
 * const t: BsmTokenType = "subject32_ex";
 * ```
 */
export type BsmTokenType = BsmToken["type"];

/**
 * The token id of each type name (`unknown` has no fixed id).
 *
 * @example
 * ```ts
 * import { TOKEN_IDS } from "./types.ts";
 * TOKEN_IDS.text; // 0x28
 * ```
 */
export const TOKEN_IDS: Readonly<Record<Exclude<BsmTokenType, "unknown">, number>> = {
  header32: AUT.HEADER32,
  header32_ex: AUT.HEADER32_EX,
  header64: AUT.HEADER64,
  header64_ex: AUT.HEADER64_EX,
  trailer: AUT.TRAILER,
  file: AUT.OTHER_FILE32,
  text: AUT.TEXT,
  path: AUT.PATH,
  zonename: AUT.ZONENAME,
  arg32: AUT.ARG32,
  arg64: AUT.ARG64,
  arg_uuid: AUT.ARG_UUID,
  ret_uuid: AUT.RETURN_UUID,
  return32: AUT.RETURN32,
  return64: AUT.RETURN64,
  exit: AUT.EXIT,
  seq: AUT.SEQ,
  attr32: AUT.ATTR32,
  attr64: AUT.ATTR64,
  subject32: AUT.SUBJECT32,
  process32: AUT.PROCESS32,
  subject64: AUT.SUBJECT64,
  process64: AUT.PROCESS64,
  subject32_ex: AUT.SUBJECT32_EX,
  process32_ex: AUT.PROCESS32_EX,
  subject64_ex: AUT.SUBJECT64_EX,
  process64_ex: AUT.PROCESS64_EX,
  exec_args: AUT.EXEC_ARGS,
  exec_env: AUT.EXEC_ENV,
  in_addr: AUT.IN_ADDR,
  in_addr_ex: AUT.IN_ADDR_EX,
  ip: AUT.IP,
  iport: AUT.IPORT,
  socket: AUT.SOCKET,
  socket_ex: AUT.SOCKET_EX,
  sock_inet32: AUT.SOCKINET32,
  sock_inet128: AUT.SOCKINET128,
  sock_unix: AUT.SOCKUNIX,
  ipc: AUT.IPC,
  ipc_perm: AUT.IPC_PERM,
  data: AUT.DATA,
  opaque: AUT.OPAQUE,
  newgroups: AUT.NEWGROUPS,
  upriv: AUT.UPRIV,
  privset: AUT.PRIV,
};

/**
 * The id of a token as it is written.
 *
 * @example
 * ```ts
 * import { tokenId } from "./types.ts";
 * tokenId({ type: "seq", seqno: 1 }); // 0x2f
 * tokenId({ type: "unknown", id: 0x99, data: new Uint8Array() }); // 0x99
 * ```
 */
export function tokenId(token: BsmToken): number {
  return token.type === "unknown" ? token.id : TOKEN_IDS[token.type];
}

/** The header token types that start a record. */
export type BsmHeaderToken = Header32Token | Header32ExToken | Header64Token | Header64ExToken;

/**
 * A record (or a standalone file token) read from a trail.
 *
 * @example
 * ```ts
 * import type { BsmRecord } from "./types.ts";
 * const describe = (r: BsmRecord) => `${r.tokens.length} tokens at byte ${r.offset}`;
 * ```
 */
export interface BsmRecord {
  /** Byte offset of the record's first byte in the stream. */
  offset: number;
  /** The record's bytes, from the header's id to the end of its size. */
  bytes: Uint8Array;
  /** The tokens in order: header, body, trailer (or one file token). */
  tokens: BsmToken[];
}
