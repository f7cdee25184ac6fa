/**
 * Encoding BSM tokens: {@link encodeToken} writes any {@link BsmToken} as
 * its wire bytes, and the `auTo*` constructors build tokens the way
 * OpenBSM's `au_to_*` functions (`libbsm/bsm_token.c`) do, named after them
 * in camelCase.
 *
 * Every value is checked against its wire field: a value that does not fit
 * throws a `RangeError` naming the field, never wraps. Strings given as
 * JavaScript strings are written as UTF-8 with the NUL terminator the
 * format needs; one with a NUL inside is refused (C would cut it there).
 *
 * @module
 */

import {
  AU_IPv4,
  AU_IPv6,
  AUDIT_HEADER_VERSION,
  AUR_SIZE,
  AUT_TRAILER_MAGIC,
  BSM_LIMITS,
  type BsmIds,
  type BsmToken,
  type DataToken,
  type ExecToken,
  type Header32ExToken,
  type Header32Token,
  type Header64ExToken,
  type Header64Token,
  type IpcPermToken,
  type IpToken,
  type SocketExToken,
  type Subject32ExToken,
  type Subject32Token,
  type Subject64ExToken,
  type Subject64Token,
  tokenId,
} from "./types.ts";

const U32_MAX = 0xffffffff;
const U64_MAX = (1n << 64n) - 1n;

function checkInt(value: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`Invalid ${field} "${value}": must be an integer from 0 to ${max}`);
  }
  return value;
}

function checkBig(value: bigint, field: string): bigint {
  if (typeof value !== "bigint" || value < 0n || value > U64_MAX) {
    throw new RangeError(`Invalid ${field} "${value}": must be a bigint from 0 to 2^64-1`);
  }
  return value;
}

/** A growing big-endian byte writer whose every write checks the field's range. */
class Writer {
  buf = new Uint8Array(64);
  pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  u8(v: number, field: string): void {
    checkInt(v, 0xff, field);
    this.room(1);
    this.buf[this.pos++] = v;
  }
  u16(v: number, field: string): void {
    checkInt(v, 0xffff, field);
    this.room(2);
    this.buf[this.pos++] = v >>> 8;
    this.buf[this.pos++] = v & 0xff;
  }
  u32(v: number, field: string): void {
    checkInt(v, U32_MAX, field);
    this.room(4);
    this.buf[this.pos++] = v >>> 24;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
  }
  u64(v: bigint, field: string): void {
    checkBig(v, field);
    this.u32(Number(v >> 32n), field);
    this.u32(Number(v & 0xffffffffn), field);
  }
  bytes(b: Uint8Array, field: string, length?: number): void {
    if (!(b instanceof Uint8Array)) throw new TypeError(`Invalid ${field}: must be a Uint8Array`);
    if (length !== undefined && b.length !== length) {
      throw new RangeError(`Invalid ${field}: must be ${length} bytes, not ${b.length}`);
    }
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** A u16 length and the bytes it counts. */
  counted(b: Uint8Array, field: string): void {
    if (b.length > 0xffff) {
      throw new RangeError(`Invalid ${field}: ${b.length} bytes do not fit a u16 length`);
    }
    this.u16(b.length, `${field} length`);
    this.bytes(b, field);
  }
  exAddr(type: number, addr: Uint8Array, field: string): void {
    if (type !== AU_IPv4 && type !== AU_IPv6) {
      throw new RangeError(`Invalid ${field} type "${type}": must be 4 or 16`);
    }
    this.bytes(addr, field, type);
  }
  ids(t: BsmIds): void {
    this.u32(t.auid, "auid");
    this.u32(t.euid, "euid");
    this.u32(t.egid, "egid");
    this.u32(t.ruid, "ruid");
    this.u32(t.rgid, "rgid");
    this.u32(t.pid, "pid");
    this.u32(t.sid, "sid");
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function headerFields(
  w: Writer,
  t: Header32Token | Header64Token | Header32ExToken | Header64ExToken,
) {
  w.u32(t.size, "size");
  w.u8(t.version, "version");
  w.u16(t.event, "event");
  w.u16(t.modifier, "modifier");
}

function body(w: Writer, t: BsmToken): void {
  switch (t.type) {
    case "header32":
      headerFields(w, t);
      w.u32(t.sec, "sec");
      w.u32(t.msec, "msec");
      return;
    case "header64":
      headerFields(w, t);
      w.u64(t.sec, "sec");
      w.u64(t.msec, "msec");
      return;
    case "header32_ex":
    case "header64_ex":
      headerFields(w, t);
      w.u32(t.addrType, "addrType");
      // OpenBSM's reader takes no address bytes for another type; keep that shape.
      w.bytes(t.addr, "addr", t.addrType === AU_IPv4 || t.addrType === AU_IPv6 ? t.addrType : 0);
      if (t.type === "header32_ex") {
        w.u32(t.sec, "sec");
        w.u32(t.msec, "msec");
      } else {
        w.u64(t.sec, "sec");
        w.u64(t.msec, "msec");
      }
      return;
    case "trailer":
      w.u16(t.magic, "magic");
      w.u32(t.count, "count");
      return;
    case "file":
      w.u32(t.sec, "sec");
      w.u32(t.msec, "msec");
      w.counted(t.name, "name");
      return;
    case "text":
      return w.counted(t.text, "text");
    case "path":
      return w.counted(t.path, "path");
    case "zonename":
      return w.counted(t.zonename, "zonename");
    case "arg32":
      w.u8(t.argNo, "argNo");
      w.u32(t.value, "value");
      return w.counted(t.text, "text");
    case "arg64":
      w.u8(t.argNo, "argNo");
      w.u64(t.value, "value");
      return w.counted(t.text, "text");
    case "arg_uuid":
    case "ret_uuid":
      w.u8(t.argNo, "argNo");
      w.bytes(t.uuid, "uuid", 16);
      return w.counted(t.text, "text");
    case "return32":
      w.u8(t.status, "status");
      return w.u32(t.value, "value");
    case "return64":
      w.u8(t.status, "status");
      return w.u64(t.value, "value");
    case "exit":
      w.u32(t.status, "status");
      return w.u32(t.ret, "ret");
    case "seq":
      return w.u32(t.seqno, "seqno");
    case "attr32":
    case "attr64":
      w.u32(t.mode, "mode");
      w.u32(t.uid, "uid");
      w.u32(t.gid, "gid");
      w.u32(t.fsid, "fsid");
      w.u64(t.nodeid, "nodeid");
      if (t.type === "attr32") w.u32(t.dev, "dev");
      else w.u64(t.dev, "dev");
      return;
    case "subject32":
    case "process32":
      w.ids(t);
      w.u32(t.port, "port");
      return w.bytes(t.addr, "addr", 4);
    case "subject64":
    case "process64":
      w.ids(t);
      w.u64(t.port, "port");
      return w.bytes(t.addr, "addr", 4);
    case "subject32_ex":
    case "process32_ex":
      w.ids(t);
      w.u32(t.port, "port");
      w.u32(t.addrType, "addrType");
      return w.exAddr(t.addrType, t.addr, "addr");
    case "subject64_ex":
    case "process64_ex":
      w.ids(t);
      w.u64(t.port, "port");
      w.u32(t.addrType, "addrType");
      return w.exAddr(t.addrType, t.addr, "addr");
    case "exec_args":
    case "exec_env":
      w.u32(t.strings.length, "strings");
      t.strings.forEach((s, i) => {
        if (s.includes(0)) throw new RangeError(`Invalid strings[${i}]: contains a NUL`);
        w.bytes(s, `strings[${i}]`);
        w.u8(0, "NUL");
      });
      return;
    case "in_addr":
      return w.bytes(t.addr, "addr", 4);
    case "in_addr_ex":
      w.u32(t.addrType, "addrType");
      return w.exAddr(t.addrType, t.addr, "addr");
    case "ip":
      w.u8(t.versionIhl, "versionIhl");
      w.u8(t.tos, "tos");
      w.u16(t.length, "length");
      w.u16(t.id, "id");
      w.u16(t.offset, "offset");
      w.u8(t.ttl, "ttl");
      w.u8(t.protocol, "protocol");
      w.u16(t.checksum, "checksum");
      w.bytes(t.src, "src", 4);
      return w.bytes(t.dst, "dst", 4);
    case "iport":
      return w.u16(t.port, "port");
    case "socket":
      w.u16(t.socketType, "socketType");
      w.u16(t.localPort, "localPort");
      w.bytes(t.localAddr, "localAddr", 4);
      w.u16(t.remotePort, "remotePort");
      return w.bytes(t.remoteAddr, "remoteAddr", 4);
    case "socket_ex":
      w.u16(t.domain, "domain");
      w.u16(t.socketType, "socketType");
      w.u16(t.addrType, "addrType");
      if (t.addrType !== AU_IPv4 && t.addrType !== AU_IPv6) {
        throw new RangeError(`Invalid addrType "${t.addrType}": must be 4 or 16`);
      }
      w.u16(t.localPort, "localPort");
      w.bytes(t.localAddr, "localAddr", t.addrType);
      w.u16(t.remotePort, "remotePort");
      return w.bytes(t.remoteAddr, "remoteAddr", t.addrType);
    case "sock_inet32":
    case "sock_inet128":
      w.u16(t.family, "family");
      w.u16(t.port, "port");
      return w.bytes(t.addr, "addr", t.type === "sock_inet32" ? 4 : 16);
    case "sock_unix":
      w.u16(t.family, "family");
      return w.bytes(t.path, "path");
    case "ipc":
      w.u8(t.ipcType, "ipcType");
      return w.u32(t.id, "id");
    case "ipc_perm":
      for (const f of ["uid", "gid", "cuid", "cgid", "mode", "seq", "key"] as const) {
        w.u32(t[f], f);
      }
      return;
    case "data": {
      w.u8(t.printFormat, "printFormat");
      w.u8(t.unit, "unit");
      w.u8(t.count, "count");
      if (t.unit >= AUR_SIZE.length) throw new RangeError(`Invalid unit "${t.unit}": must be 0-3`);
      return w.bytes(t.data, "data", AUR_SIZE[t.unit] * t.count);
    }
    case "opaque":
      return w.counted(t.data, "data");
    case "newgroups": {
      w.u16(t.count, "count");
      const n = Math.min(t.count, BSM_LIMITS.AUDIT_MAX_GROUPS);
      if (t.groups.length !== n) {
        throw new RangeError(
          `Invalid groups: count ${t.count} needs ${n} groups, not ${t.groups.length}`,
        );
      }
      t.groups.forEach((g, i) => w.u32(g, `groups[${i}]`));
      return;
    }
    case "upriv":
      w.u8(t.success, "success");
      return w.counted(t.priv, "priv");
    case "privset":
      w.counted(t.privType, "privType");
      return w.counted(t.privs, "privs");
    case "unknown":
      return w.bytes(t.data, "data");
  }
}

/**
 * The wire bytes of a token. Throws a `RangeError` naming the field when a
 * value does not fit it (a u16 above 65535, an `_ex` address type other
 * than 4 or 16, an address of the wrong length, a data token whose bytes do
 * not match its unit and count).
 *
 * @example
 * ```ts
 * import { encodeToken } from "./encode.ts";
 * encodeToken({ type: "iport", port: 8080 }); // Uint8Array [0x2c, 0x1f, 0x90]
 * ```
 */
export function encodeToken(token: BsmToken): Uint8Array {
  const w = new Writer();
  w.u8(tokenId(token), "id");
  body(w, token);
  return w.done();
}

/** `token` after checking that it encodes: constructors refuse what does not fit. */
function checked<T extends BsmToken>(token: T): T {
  encodeToken(token);
  return token;
}

/** A JavaScript string or C string bytes (without terminator). */
export type BsmString = string | Uint8Array;

const utf8 = new TextEncoder();

/** `s` as a NUL-terminated C string, refusing an inner NUL. */
function cString(s: BsmString, field: string): Uint8Array {
  const b = typeof s === "string" ? utf8.encode(s) : s;
  if (b.includes(0)) throw new RangeError(`Invalid ${field}: contains a NUL`);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

/** `s` as bytes without terminator (exec args), refusing an inner NUL. */
function rawString(s: BsmString, field: string): Uint8Array {
  const b = typeof s === "string" ? utf8.encode(s) : s;
  if (b.includes(0)) throw new RangeError(`Invalid ${field}: contains a NUL`);
  return b;
}

/** Seconds and milliseconds of a header or file token. */
export interface BsmTime {
  /** Seconds since the epoch. */
  sec: number;
  /** Milliseconds (OpenBSM's unit; pass nanoseconds for an illumos-style header). */
  msec: number;
}

/**
 * The current time as OpenBSM writes it: seconds and `tv_usec / 1000`.
 *
 * @example
 * ```ts
 * import { bsmNow } from "./encode.ts";
 * const { sec, msec } = bsmNow();
 * ```
 */
export function bsmNow(): BsmTime {
  const ms = Date.now();
  return { sec: Math.floor(ms / 1000), msec: ms % 1000 };
}

/** Options of the header constructors. */
export interface HeaderOptions {
  /** Event modifier (default 0). */
  modifier?: number;
  /** Header version (default 11, OpenBSM; 2 for Solaris). */
  version?: number;
  /** The time (default now, in ms). */
  time?: BsmTime;
}

/**
 * `au_to_header32_tm`: a header32 for a record of `size` bytes.
 *
 * @example
 * ```ts
 * import { auToHeader32, encodeToken } from "./encode.ts";
 * encodeToken(auToHeader32(100, 72, { time: { sec: 1700000000, msec: 123 } }));
 * ```
 */
export function auToHeader32(
  size: number,
  event: number,
  options: HeaderOptions = {},
): Header32Token {
  const time = options.time ?? bsmNow();
  return checked({
    type: "header32",
    size,
    version: options.version ?? AUDIT_HEADER_VERSION.OPENBSM,
    event,
    modifier: options.modifier ?? 0,
    sec: time.sec,
    msec: time.msec,
  });
}

/**
 * `au_to_header64_tm`: header32 with u64 time fields.
 *
 * @example
 * ```ts
 * import { auToHeader64 } from "./encode.ts";
 * auToHeader64(100, 72).sec; // a bigint
 * ```
 */
export function auToHeader64(
  size: number,
  event: number,
  options: HeaderOptions = {},
): Header64Token {
  const h = auToHeader32(size, event, options);
  return checked({ ...h, type: "header64", sec: BigInt(h.sec), msec: BigInt(h.msec) });
}

/** Options of the `_ex` header constructors: the host address besides {@link HeaderOptions}. */
export interface HeaderExOptions extends HeaderOptions {
  /** The host's IPv4 (4 bytes) or IPv6 (16 bytes) address. */
  host: Uint8Array;
}

function hostType(host: Uint8Array): number {
  if (host.length !== AU_IPv4 && host.length !== AU_IPv6) {
    throw new RangeError(`Invalid host: must be 4 or 16 bytes, not ${host.length}`);
  }
  return host.length;
}

/**
 * `au_to_header32_ex_tm`: a header with the host address (type 4 or 16
 * from the address's length).
 *
 * @example
 * ```ts
 * import { auToHeader32Ex } from "./encode.ts";
 * auToHeader32Ex(49, 72, { host: Uint8Array.of(192, 0, 2, 10) }).addrType; // 4
 * ```
 */
export function auToHeader32Ex(
  size: number,
  event: number,
  options: HeaderExOptions,
): Header32ExToken {
  const h = auToHeader32(size, event, options);
  return checked({
    ...h,
    type: "header32_ex",
    addrType: hostType(options.host),
    addr: options.host,
  });
}

/**
 * header64_ex: {@link auToHeader32Ex} with u64 time fields (OpenBSM only
 * reads it; illumos LP64 writes it).
 *
 * @example
 * ```ts
 * import { auToHeader64Ex } from "./encode.ts";
 * auToHeader64Ex(61, 72, { host: new Uint8Array(16) }).addrType; // 16
 * ```
 */
export function auToHeader64Ex(
  size: number,
  event: number,
  options: HeaderExOptions,
): Header64ExToken {
  const h = auToHeader64(size, event, options);
  return checked({
    ...h,
    type: "header64_ex",
    addrType: hostType(options.host),
    addr: options.host,
  });
}

/**
 * `au_to_trailer`: the trailer of a record of `size` bytes.
 *
 * @example
 * ```ts
 * import { auToTrailer } from "./encode.ts";
 * auToTrailer(100); // { type: "trailer", magic: 0xb105, count: 100 }
 * ```
 */
export function auToTrailer(size: number): BsmToken {
  return checked({ type: "trailer", magic: AUT_TRAILER_MAGIC, count: size });
}

/**
 * `au_to_file`: the file token that opens or closes a trail.
 *
 * @example
 * ```ts
 * import { auToFile } from "./encode.ts";
 * auToFile("/var/audit/x.trail", { sec: 1700000000, msec: 500 });
 * ```
 */
export function auToFile(name: BsmString, time: BsmTime = bsmNow()): BsmToken {
  return checked({ type: "file", sec: time.sec, msec: time.msec, name: cString(name, "name") });
}

/**
 * `au_to_text`.
 *
 * @example
 * ```ts
 * import { auToText } from "./encode.ts";
 * auToText("hello, world");
 * ```
 */
export function auToText(text: BsmString): BsmToken {
  return checked({ type: "text", text: cString(text, "text") });
}

/**
 * `au_to_path`.
 *
 * @example
 * ```ts
 * import { auToPath } from "./encode.ts";
 * auToPath("/etc/passwd");
 * ```
 */
export function auToPath(path: BsmString): BsmToken {
  return checked({ type: "path", path: cString(path, "path") });
}

/**
 * `au_to_zonename`.
 *
 * @example
 * ```ts
 * import { auToZonename } from "./encode.ts";
 * auToZonename("global");
 * ```
 */
export function auToZonename(zonename: BsmString): BsmToken {
  return checked({ type: "zonename", zonename: cString(zonename, "zonename") });
}

/**
 * `au_to_arg32(n, text, v)`: argument `n` (u8) with value `v` (u32).
 *
 * @example
 * ```ts
 * import { auToArg32 } from "./encode.ts";
 * auToArg32(1, "fd", 3);
 * ```
 */
export function auToArg32(n: number, text: BsmString, v: number): BsmToken {
  return checked({ type: "arg32", argNo: n, value: v, text: cString(text, "text") });
}

/**
 * `au_to_arg64(n, text, v)`: a u64 value.
 *
 * @example
 * ```ts
 * import { auToArg64 } from "./encode.ts";
 * auToArg64(2, "addr", 0x1122334455667788n);
 * ```
 */
export function auToArg64(n: number, text: BsmString, v: bigint): BsmToken {
  return checked({ type: "arg64", argNo: n, value: v, text: cString(text, "text") });
}

/**
 * `au_to_arg_uuid(n, text, uuid)`: `uuid` as its 16 big-endian bytes or
 * the usual `8-4-4-4-12` hex string.
 *
 * @example
 * ```ts
 * import { auToArgUuid } from "./encode.ts";
 * auToArgUuid(9, "obj", "12345678-9abc-def0-1122-010203040506");
 * ```
 */
export function auToArgUuid(n: number, text: BsmString, uuid: Uint8Array | string): BsmToken {
  return checked({
    type: "arg_uuid",
    argNo: n,
    uuid: uuidBytes(uuid),
    text: cString(text, "text"),
  });
}

/**
 * `au_to_return_uuid(n, text, uuid)`: the ret_uuid token (0x85).
 *
 * @example
 * ```ts
 * import { auToReturnUuid } from "./encode.ts";
 * auToReturnUuid(5, "ret", new Uint8Array(16));
 * ```
 */
export function auToReturnUuid(n: number, text: BsmString, uuid: Uint8Array | string): BsmToken {
  return checked({
    type: "ret_uuid",
    argNo: n,
    uuid: uuidBytes(uuid),
    text: cString(text, "text"),
  });
}

function uuidBytes(uuid: Uint8Array | string): Uint8Array {
  if (typeof uuid !== "string") {
    if (uuid.length !== 16) {
      throw new RangeError(`Invalid uuid: must be 16 bytes, not ${uuid.length}`);
    }
    return uuid;
  }
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uuid)) {
    throw new RangeError(`Invalid uuid "${uuid}": must be 8-4-4-4-12 hex digits`);
  }
  const hex = uuid.replaceAll("-", "");
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

/**
 * `au_to_return32(status, ret)`: `status` is the BSM error number (0 for
 * success), `ret` the u32 return value (`0xffffffff` for -1).
 *
 * @example
 * ```ts
 * import { auToReturn32 } from "./encode.ts";
 * auToReturn32(2, 0xffffffff); // failure: ENOENT, -1
 * ```
 */
export function auToReturn32(status: number, ret: number): BsmToken {
  return checked({ type: "return32", status, value: ret });
}

/**
 * `au_to_return64(status, ret)`.
 *
 * @example
 * ```ts
 * import { auToReturn64 } from "./encode.ts";
 * auToReturn64(0, 4294967297n);
 * ```
 */
export function auToReturn64(status: number, ret: bigint): BsmToken {
  return checked({ type: "return64", status, value: ret });
}

/**
 * `au_to_exit(retval, err)`: written as OpenBSM does, `err` first.
 *
 * @example
 * ```ts
 * import { auToExit } from "./encode.ts";
 * auToExit(3, 0); // praudit: exit,Error 0,3
 * ```
 */
export function auToExit(retval: number, err: number): BsmToken {
  return checked({ type: "exit", status: err, ret: retval });
}

/**
 * `au_to_seq`.
 *
 * @example
 * ```ts
 * import { auToSeq } from "./encode.ts";
 * auToSeq(42);
 * ```
 */
export function auToSeq(count: number): BsmToken {
  return checked({ type: "seq", seqno: count });
}

/** File attributes for {@link auToAttr32} and {@link auToAttr64} (`struct vnode_au_info`). */
export interface VnodeInfo {
  /** File mode. */
  mode: number;
  /** Owner uid. */
  uid: number;
  /** Owner gid. */
  gid: number;
  /** File system id. */
  fsid: number;
  /** Inode number. */
  nodeid: bigint;
  /** Device number. */
  dev: number | bigint;
}

/**
 * `au_to_attr32` (absent from OpenBSM's Linux build; kept for trails
 * from FreeBSD/macOS).
 *
 * @example
 * ```ts
 * import { auToAttr32 } from "./encode.ts";
 * auToAttr32({ mode: 0o100644, uid: 0, gid: 0, fsid: 1, nodeid: 42n, dev: 0 });
 * ```
 */
export function auToAttr32(vni: VnodeInfo): BsmToken {
  const dev = typeof vni.dev === "bigint" ? Number(checkBig(vni.dev, "dev")) : vni.dev;
  return checked({ type: "attr32", ...vni, dev });
}

/**
 * `au_to_attr64`.
 *
 * @example
 * ```ts
 * import { auToAttr64 } from "./encode.ts";
 * auToAttr64({ mode: 0o100644, uid: 0, gid: 0, fsid: 1, nodeid: 42n, dev: 7n });
 * ```
 */
export function auToAttr64(vni: VnodeInfo): BsmToken {
  return checked({ type: "attr64", ...vni, dev: BigInt(vni.dev) });
}

/** A subject or process: the seven ids and the terminal id. */
export interface SubjectInit extends BsmIds {
  /** Terminal port. */
  port: number | bigint;
  /** Terminal machine address: 4 bytes, or 16 for the `_ex` tokens. */
  addr: Uint8Array;
}

function ids(s: SubjectInit): BsmIds {
  const { auid, euid, egid, ruid, rgid, pid, sid } = s;
  return { auid, euid, egid, ruid, rgid, pid, sid };
}

function port32(p: number | bigint): number {
  if (typeof p === "number") return p;
  if (p < 0n || p > BigInt(U32_MAX)) {
    throw new RangeError(`Invalid port "${p}": must be an integer from 0 to ${U32_MAX}`);
  }
  return Number(p);
}

function subject32(type: "subject32" | "process32", s: SubjectInit): Subject32Token {
  return { type, ...ids(s), port: port32(s.port), addr: s.addr };
}
function subject64(type: "subject64" | "process64", s: SubjectInit): Subject64Token {
  return { type, ...ids(s), port: BigInt(s.port), addr: s.addr };
}
function subject32Ex(type: "subject32_ex" | "process32_ex", s: SubjectInit): Subject32ExToken {
  return { type, ...ids(s), port: port32(s.port), addrType: hostType(s.addr), addr: s.addr };
}
function subject64Ex(type: "subject64_ex" | "process64_ex", s: SubjectInit): Subject64ExToken {
  return { type, ...ids(s), port: BigInt(s.port), addrType: hostType(s.addr), addr: s.addr };
}

/**
 * `au_to_subject32`.
 *
 * @example
 * ```ts
 * import { auToSubject32 } from "./encode.ts";
 * const ids = { auid: 1000, euid: 0, egid: 0, ruid: 1000, rgid: 1000, pid: 4242, sid: 7 };
 * auToSubject32({ ...ids, port: 0x1234, addr: Uint8Array.of(192, 0, 2, 10) });
 * ```
 */
export function auToSubject32(s: SubjectInit): BsmToken {
  return checked(subject32("subject32", s));
}
/**
 * `au_to_subject64`: a u64 terminal port.
 *
 * @example
 * ```ts
 * import { auToSubject64 } from "./encode.ts";
 * const ids = { auid: 1000, euid: 0, egid: 0, ruid: 1000, rgid: 1000, pid: 4242, sid: 7 };
 * auToSubject64({ ...ids, port: 0x1234n, addr: Uint8Array.of(192, 0, 2, 10) });
 * ```
 */
export function auToSubject64(s: SubjectInit): BsmToken {
  return checked(subject64("subject64", s));
}
/**
 * `au_to_subject32_ex`: address type 4 or 16 from the address's length
 * (OpenBSM writes the `_ex` token for IPv4 too).
 *
 * @example
 * ```ts
 * import { auToSubject32Ex } from "./encode.ts";
 * const ids = { auid: 1000, euid: 0, egid: 0, ruid: 1000, rgid: 1000, pid: 4242, sid: 7 };
 * auToSubject32Ex({ ...ids, port: 0x1234, addr: new Uint8Array(16) });
 * ```
 */
export function auToSubject32Ex(s: SubjectInit): BsmToken {
  return checked(subject32Ex("subject32_ex", s));
}
/**
 * `au_to_subject64_ex`.
 *
 * @example
 * ```ts
 * import { auToSubject64Ex } from "./encode.ts";
 * const ids = { auid: 1000, euid: 0, egid: 0, ruid: 1000, rgid: 1000, pid: 4242, sid: 7 };
 * auToSubject64Ex({ ...ids, port: 0x1234n, addr: Uint8Array.of(192, 0, 2, 10) });
 * ```
 */
export function auToSubject64Ex(s: SubjectInit): BsmToken {
  return checked(subject64Ex("subject64_ex", s));
}
/**
 * `au_to_process32`.
 *
 * @example
 * ```ts
 * import { auToProcess32 } from "./encode.ts";
 * const ids = { auid: 1000, euid: 0, egid: 0, ruid: 1000, rgid: 1000, pid: 4243, sid: 7 };
 * auToProcess32({ ...ids, port: 0x1234, addr: Uint8Array.of(192, 0, 2, 10) });
 * ```
 */
export function auToProcess32(s: SubjectInit): BsmToken {
  return checked(subject32("process32", s));
}
/**
 * `au_to_process64`.
 *
 * @example
 * ```ts
 * import { auToProcess64 } from "./encode.ts";
 * const ids = { auid: 1000, euid: 0, egid: 0, ruid: 1000, rgid: 1000, pid: 4243, sid: 7 };
 * auToProcess64({ ...ids, port: 0x1234n, addr: Uint8Array.of(192, 0, 2, 10) });
 * ```
 */
export function auToProcess64(s: SubjectInit): BsmToken {
  return checked(subject64("process64", s));
}
/**
 * `au_to_process32_ex`.
 *
 * @example
 * ```ts
 * import { auToProcess32Ex } from "./encode.ts";
 * const ids = { auid: 1000, euid: 0, egid: 0, ruid: 1000, rgid: 1000, pid: 4243, sid: 7 };
 * auToProcess32Ex({ ...ids, port: 0x1234, addr: new Uint8Array(16) });
 * ```
 */
export function auToProcess32Ex(s: SubjectInit): BsmToken {
  return checked(subject32Ex("process32_ex", s));
}
/**
 * `au_to_process64_ex`.
 *
 * @example
 * ```ts
 * import { auToProcess64Ex } from "./encode.ts";
 * const ids = { auid: 1000, euid: 0, egid: 0, ruid: 1000, rgid: 1000, pid: 4243, sid: 7 };
 * auToProcess64Ex({ ...ids, port: 0x1234n, addr: Uint8Array.of(192, 0, 2, 10) });
 * ```
 */
export function auToProcess64Ex(s: SubjectInit): BsmToken {
  return checked(subject64Ex("process64_ex", s));
}

function execToken(type: ExecToken["type"], strings: readonly BsmString[]): ExecToken {
  return { type, strings: strings.map((s, i) => rawString(s, `strings[${i}]`)) };
}

/**
 * `au_to_exec_args`.
 *
 * @example
 * ```ts
 * import { auToExecArgs } from "./encode.ts";
 * auToExecArgs(["/bin/ls", "-l", "/tmp"]);
 * ```
 */
export function auToExecArgs(argv: readonly BsmString[]): BsmToken {
  return checked(execToken("exec_args", argv));
}

/**
 * `au_to_exec_env`.
 *
 * @example
 * ```ts
 * import { auToExecEnv } from "./encode.ts";
 * auToExecEnv(["PATH=/bin", "HOME=/root"]);
 * ```
 */
export function auToExecEnv(envp: readonly BsmString[]): BsmToken {
  return checked(execToken("exec_env", envp));
}

/**
 * `au_to_in_addr`: the 4 address bytes in network order.
 *
 * @example
 * ```ts
 * import { auToInAddr } from "./encode.ts";
 * auToInAddr(Uint8Array.of(192, 0, 2, 1));
 * ```
 */
export function auToInAddr(addr: Uint8Array): BsmToken {
  return checked({ type: "in_addr", addr });
}

/**
 * `au_to_in_addr_ex`: OpenBSM always writes an IPv6 (16-byte) address.
 *
 * @example
 * ```ts
 * import { auToInAddrEx } from "./encode.ts";
 * auToInAddrEx(new Uint8Array(16));
 * ```
 */
export function auToInAddrEx(addr: Uint8Array): BsmToken {
  return checked({ type: "in_addr_ex", addrType: AU_IPv6, addr });
}

/**
 * `au_to_ip`: a copy of a 20-byte IPv4 header (network order).
 *
 * @example
 * ```ts
 * import { auToIp } from "./encode.ts";
 * auToIp(new Uint8Array(20));
 * ```
 */
export function auToIp(header: Uint8Array): IpToken {
  if (header.length !== 20) {
    throw new RangeError(`Invalid header: must be 20 bytes, not ${header.length}`);
  }
  const u16 = (i: number) => (header[i] << 8) | header[i + 1];
  return checked({
    type: "ip",
    versionIhl: header[0],
    tos: header[1],
    length: u16(2),
    id: u16(4),
    offset: u16(6),
    ttl: header[8],
    protocol: header[9],
    checksum: u16(10),
    src: header.slice(12, 16),
    dst: header.slice(16, 20),
  });
}

/**
 * `au_to_iport`: the port as a host-order u16, written big-endian.
 *
 * @example
 * ```ts
 * import { auToIport } from "./encode.ts";
 * auToIport(8080); // 2c 1f90
 * ```
 */
export function auToIport(port: number): BsmToken {
  return checked({ type: "iport", port });
}

/**
 * Local (Linux) address families and socket types that
 * {@link auToSocketEx} converts to BSM, as OpenBSM's `au_domain_to_bsm`
 * and `au_socket_type_to_bsm` do on Linux.
 *
 * @example
 * ```ts
 * import { LINUX_SOCKET } from "./encode.ts";
 * LINUX_SOCKET.AF_INET6; // 10
 * ```
 */
export const LINUX_SOCKET = {
  AF_UNIX: 1,
  AF_INET: 2,
  AF_INET6: 10,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_RAW: 3,
  SOCK_RDM: 4,
  SOCK_SEQPACKET: 5,
} as const;

const BSM_PF_INET = 2, BSM_PF_INET6 = 26, BSM_SOCK_UNKNOWN = 500;
const SOCK_TYPE_TO_BSM: Readonly<Record<number, number>> = { 1: 2, 2: 1, 3: 4, 4: 5, 5: 6 };

/** One end of a socket: port (host order) and address (network order). */
export interface SocketEnd {
  /** Port number. */
  port: number;
  /** IPv4 (4 bytes) or IPv6 (16 bytes) address. */
  addr: Uint8Array;
}

/**
 * `au_to_socket_ex(domain, type, local, remote)`: `domain` and `type` are
 * local (Linux) constants, converted to BSM here as OpenBSM does; a domain
 * other than AF_INET/AF_INET6 is refused, an unknown type becomes
 * `BSM_SOCK_UNKNOWN` (500).
 *
 * @example
 * ```ts
 * import { auToSocketEx, LINUX_SOCKET } from "./encode.ts";
 * auToSocketEx(LINUX_SOCKET.AF_INET, LINUX_SOCKET.SOCK_STREAM,
 *   { port: 80, addr: Uint8Array.of(10, 0, 0, 1) },
 *   { port: 12345, addr: Uint8Array.of(10, 0, 0, 2) });
 * ```
 */
export function auToSocketEx(
  domain: number,
  type: number,
  local: SocketEnd,
  remote: SocketEnd,
): SocketExToken {
  let bsmDomain: number, addrType: number;
  if (domain === LINUX_SOCKET.AF_INET) [bsmDomain, addrType] = [BSM_PF_INET, AU_IPv4];
  else if (domain === LINUX_SOCKET.AF_INET6) [bsmDomain, addrType] = [BSM_PF_INET6, AU_IPv6];
  else throw new RangeError(`Invalid domain "${domain}": must be AF_INET (2) or AF_INET6 (10)`);
  return checked({
    type: "socket_ex",
    domain: bsmDomain,
    socketType: SOCK_TYPE_TO_BSM[type] ?? BSM_SOCK_UNKNOWN,
    addrType,
    localPort: local.port,
    localAddr: local.addr,
    remotePort: remote.port,
    remoteAddr: remote.addr,
  });
}

/**
 * `au_to_sock_inet32`: family as given (local), port and 4-byte address.
 *
 * @example
 * ```ts
 * import { auToSockInet32 } from "./encode.ts";
 * auToSockInet32(2, 443, Uint8Array.of(203, 0, 113, 5));
 * ```
 */
export function auToSockInet32(family: number, port: number, addr: Uint8Array): BsmToken {
  return checked({ type: "sock_inet32", family, port, addr });
}

/**
 * `au_to_sock_inet128`: family as given (10 on Linux), a 16-byte address.
 *
 * @example
 * ```ts
 * import { auToSockInet128 } from "./encode.ts";
 * auToSockInet128(10, 443, new Uint8Array(16));
 * ```
 */
export function auToSockInet128(family: number, port: number, addr: Uint8Array): BsmToken {
  return checked({ type: "sock_inet128", family, port, addr });
}

/**
 * `au_to_sock_unix`: the path with its NUL; at most 107 bytes so that the
 * reader, which searches 108 bytes for the NUL, finds it.
 *
 * @example
 * ```ts
 * import { auToSockUnix } from "./encode.ts";
 * auToSockUnix("/tmp/sock"); // family 1 (AF_UNIX)
 * ```
 */
export function auToSockUnix(path: BsmString, family: number = LINUX_SOCKET.AF_UNIX): BsmToken {
  const p = cString(path, "path");
  if (p.length > BSM_LIMITS.AU_UNIX_PATH_MAX) {
    throw new RangeError(`Invalid path: ${p.length - 1} bytes, at most 107 fit`);
  }
  return checked({ type: "sock_unix", family, path: p });
}

/**
 * `au_to_ipc(type, id)`: type 1 message queue, 2 semaphore, 3 shared memory.
 *
 * @example
 * ```ts
 * import { auToIpc } from "./encode.ts";
 * auToIpc(3, 77);
 * ```
 */
export function auToIpc(type: number, id: number): BsmToken {
  return checked({ type: "ipc", ipcType: type, id });
}

/** `struct ipc_perm` for {@link auToIpcPerm}: `mode` and `seq` are 16-bit. */
export type IpcPermInit = Omit<IpcPermToken, "type">;

/**
 * `au_to_ipc_perm`: mode and seq are 16-bit values padded to 32.
 *
 * @example
 * ```ts
 * import { auToIpcPerm } from "./encode.ts";
 * auToIpcPerm({ uid: 1000, gid: 100, cuid: 0, cgid: 0, mode: 0o640, seq: 5, key: 0x1234 });
 * ```
 */
export function auToIpcPerm(perm: IpcPermInit): BsmToken {
  checkInt(perm.mode, 0xffff, "mode");
  checkInt(perm.seq, 0xffff, "seq");
  return checked({ type: "ipc_perm", ...perm });
}

/**
 * `au_to_data(printFormat, unit, count, data)`: `count` items of `unit`
 * taken from the start of `data` as they are (OpenBSM copies host memory:
 * little-endian items on x86).
 *
 * @example
 * ```ts
 * import { auToData, AUP, AUR } from "../../mod.ts";
 * auToData(AUP.HEX, AUR.BYTE, 4, Uint8Array.of(1, 2, 0xfe, 0xff));
 * ```
 */
export function auToData(
  printFormat: number,
  unit: number,
  count: number,
  data: Uint8Array,
): DataToken {
  checkInt(unit, AUR_SIZE.length - 1, "unit");
  checkInt(count, 0xff, "count");
  const n = AUR_SIZE[unit] * count;
  if (data.length < n) {
    throw new RangeError(`Invalid data: ${count} items need ${n} bytes, not ${data.length}`);
  }
  return checked({ type: "data", printFormat, unit, count, data: data.slice(0, n) });
}

/**
 * `au_to_opaque`.
 *
 * @example
 * ```ts
 * import { auToOpaque } from "./encode.ts";
 * auToOpaque(Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0, 1));
 * ```
 */
export function auToOpaque(data: Uint8Array): BsmToken {
  return checked({ type: "opaque", data });
}

/**
 * `au_to_newgroups`: at most 16 groups (more would not be read back).
 *
 * @example
 * ```ts
 * import { auToNewgroups } from "./encode.ts";
 * auToNewgroups([0, 10, 1000]);
 * ```
 */
export function auToNewgroups(groups: readonly number[]): BsmToken {
  if (groups.length > BSM_LIMITS.AUDIT_MAX_GROUPS) {
    throw new RangeError(`Invalid groups: ${groups.length} groups, at most 16 fit`);
  }
  return checked({ type: "newgroups", count: groups.length, groups: [...groups] });
}

/**
 * `au_to_groups`: OpenBSM writes all {@link BSM_LIMITS}.AUDIT_MAX_GROUPS (16)
 * entries of the array as a newgroups token; shorter arrays are refused.
 *
 * @example
 * ```ts
 * import { auToGroups } from "./encode.ts";
 * auToGroups(new Array(16).fill(0));
 * ```
 */
export function auToGroups(groups: readonly number[]): BsmToken {
  if (groups.length !== BSM_LIMITS.AUDIT_MAX_GROUPS) {
    throw new RangeError(`Invalid groups: au_to_groups takes 16 groups, not ${groups.length}`);
  }
  return auToNewgroups(groups);
}

/**
 * `au_to_upriv(sorf, priv)`: success (1) or failure (0) use of a privilege.
 *
 * @example
 * ```ts
 * import { auToUpriv } from "./encode.ts";
 * auToUpriv(1, "file_dac_read");
 * ```
 */
export function auToUpriv(success: number, priv: BsmString): BsmToken {
  return checked({ type: "upriv", success, priv: cString(priv, "priv") });
}

/**
 * `au_to_privset(type, privs)`.
 *
 * @example
 * ```ts
 * import { auToPrivset } from "./encode.ts";
 * auToPrivset("Effective", "file_dac_read,proc_fork");
 * ```
 */
export function auToPrivset(privType: BsmString, privs: BsmString): BsmToken {
  return checked({
    type: "privset",
    privType: cString(privType, "privType"),
    privs: cString(privs, "privs"),
  });
}
