/**
 * Decoding one BSM token from bytes, field for field as OpenBSM's reader
 * (`au_fetch_tok` and the `fetch_*_tok` functions of `libbsm/bsm_io.c`)
 * does, including where it stops: the same tokens parse, the same tokens
 * fail, and each parsed token has the same length. That is what lets a
 * printer built on {@link decodeToken} stop where praudit stops.
 *
 * @module
 */

import { BsmError } from "./error.ts";
import {
  AU_IPv4,
  AU_IPv6,
  AUR_SIZE,
  AUT,
  BSM_LIMITS,
  type BsmToken,
  type ExecToken,
  type Subject32ExToken,
  type Subject32Token,
  type Subject64ExToken,
  type Subject64Token,
} from "./types.ts";

/**
 * A decoded token and the number of bytes it took (its id included).
 *
 * @example
 * ```ts
 * import type { DecodedToken } from "./decode.ts";
 * const next = (d: DecodedToken, at: number) => at + d.length;
 * ```
 */
export interface DecodedToken {
  /** The token. Its byte fields are views into the decoded buffer. */
  token: BsmToken;
  /** Bytes consumed, id included. */
  length: number;
}

/** Thrown inside the decoder and turned into a {@link BsmError} at the token's offset. */
class Short {
  constructor(readonly reason: string) {}
}

/** A read position over `b[pos, end)`; every read checks the end as OpenBSM's READ_TOKEN_* macros do. */
class Cursor {
  constructor(readonly b: Uint8Array, public pos: number, readonly end: number) {}

  need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw new Short(`${what} needs ${n} bytes, ${this.end - this.pos} remain`);
    }
  }
  u8(what: string): number {
    this.need(1, what);
    return this.b[this.pos++];
  }
  u16(what: string): number {
    this.need(2, what);
    const b = this.b, p = this.pos;
    this.pos += 2;
    return (b[p] << 8) | b[p + 1];
  }
  u32(what: string): number {
    this.need(4, what);
    const b = this.b, p = this.pos;
    this.pos += 4;
    return b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }
  u64(what: string): bigint {
    const hi = this.u32(what);
    const lo = this.u32(what);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** A u16 length and that many bytes. */
  counted(what: string): Uint8Array {
    return this.bytes(this.u16(`${what} length`), what);
  }
  /** An address whose length is given by its type: 4 or 16, anything else refused. */
  exAddr(type: number, what: string): Uint8Array {
    if (type === AU_IPv4) return this.bytes(4, what);
    if (type === AU_IPv6) return this.bytes(16, what);
    throw new Short(`${what} type ${type} is neither 4 nor 16`);
  }
}

function ids(c: Cursor) {
  return {
    auid: c.u32("auid"),
    euid: c.u32("euid"),
    egid: c.u32("egid"),
    ruid: c.u32("ruid"),
    rgid: c.u32("rgid"),
    pid: c.u32("pid"),
    sid: c.u32("sid"),
  };
}

function execStrings(c: Cursor): Uint8Array[] {
  const count = c.u32("string count");
  const strings: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    if (c.pos >= c.end) throw new Short(`string ${i + 1} of ${count} starts past the end`);
    const nul = c.b.indexOf(0, c.pos);
    if (nul < 0 || nul >= c.end) throw new Short(`string ${i + 1} of ${count} has no NUL`);
    strings.push(c.b.subarray(c.pos, nul));
    c.pos = nul + 1;
  }
  return strings;
}

function decodeBody(id: number, c: Cursor, tokenStart: number): BsmToken {
  switch (id) {
    case AUT.HEADER32:
    case AUT.HEADER64: {
      const size = c.u32("size"), version = c.u8("version");
      const event = c.u16("event"), modifier = c.u16("modifier");
      if (id === AUT.HEADER32) {
        return {
          type: "header32",
          size,
          version,
          event,
          modifier,
          sec: c.u32("seconds"),
          msec: c.u32("milliseconds"),
        };
      }
      return {
        type: "header64",
        size,
        version,
        event,
        modifier,
        sec: c.u64("seconds"),
        msec: c.u64("milliseconds"),
      };
    }
    case AUT.HEADER32_EX:
    case AUT.HEADER64_EX: {
      const size = c.u32("size"), version = c.u8("version");
      const event = c.u16("event"), modifier = c.u16("modifier");
      const addrType = c.u32("address type");
      // OpenBSM reads no address for a type other than 4 or 16 and goes on.
      const addr = addrType === AU_IPv4 || addrType === AU_IPv6
        ? c.bytes(addrType, "host address")
        : c.bytes(0, "host address");
      if (id === AUT.HEADER32_EX) {
        return {
          type: "header32_ex",
          size,
          version,
          event,
          modifier,
          addrType,
          addr,
          sec: c.u32("seconds"),
          msec: c.u32("milliseconds"),
        };
      }
      return {
        type: "header64_ex",
        size,
        version,
        event,
        modifier,
        addrType,
        addr,
        sec: c.u64("seconds"),
        msec: c.u64("milliseconds"),
      };
    }
    case AUT.TRAILER:
      return { type: "trailer", magic: c.u16("magic"), count: c.u32("count") };
    case AUT.ARG32:
      return {
        type: "arg32",
        argNo: c.u8("number"),
        value: c.u32("value"),
        text: c.counted("text"),
      };
    case AUT.ARG64:
      return {
        type: "arg64",
        argNo: c.u8("number"),
        value: c.u64("value"),
        text: c.counted("text"),
      };
    case AUT.ARG_UUID:
    case AUT.RETURN_UUID:
      return {
        type: id === AUT.ARG_UUID ? "arg_uuid" : "ret_uuid",
        argNo: c.u8("number"),
        uuid: c.bytes(16, "uuid"),
        text: c.counted("text"),
      };
    case AUT.ATTR32:
    case AUT.ATTR64: {
      const mode = c.u32("mode"), uid = c.u32("uid"), gid = c.u32("gid");
      const fsid = c.u32("fsid"), nodeid = c.u64("nodeid");
      return id === AUT.ATTR32
        ? { type: "attr32", mode, uid, gid, fsid, nodeid, dev: c.u32("dev") }
        : { type: "attr64", mode, uid, gid, fsid, nodeid, dev: c.u64("dev") };
    }
    case AUT.EXIT:
      return { type: "exit", status: c.u32("status"), ret: c.u32("return value") };
    case AUT.EXEC_ARGS:
    case AUT.EXEC_ENV:
      return {
        type: id === AUT.EXEC_ARGS ? "exec_args" : "exec_env",
        strings: execStrings(c),
      } satisfies ExecToken;
    case AUT.OTHER_FILE32:
      return {
        type: "file",
        sec: c.u32("seconds"),
        msec: c.u32("milliseconds"),
        name: c.counted("name"),
      };
    case AUT.NEWGROUPS: {
      const count = c.u16("group count");
      const groups: number[] = [];
      // OpenBSM clamps the count to AUDIT_MAX_GROUPS and reads only those.
      const n = Math.min(count, BSM_LIMITS.AUDIT_MAX_GROUPS);
      for (let i = 0; i < n; i++) groups.push(c.u32("group"));
      return { type: "newgroups", count, groups };
    }
    case AUT.IN_ADDR:
      return { type: "in_addr", addr: c.bytes(4, "address") };
    case AUT.IN_ADDR_EX: {
      const addrType = c.u32("address type");
      return { type: "in_addr_ex", addrType, addr: c.exAddr(addrType, "address") };
    }
    case AUT.IP:
      return {
        type: "ip",
        versionIhl: c.u8("version"),
        tos: c.u8("tos"),
        length: c.u16("length"),
        id: c.u16("id"),
        offset: c.u16("offset"),
        ttl: c.u8("ttl"),
        protocol: c.u8("protocol"),
        checksum: c.u16("checksum"),
        src: c.bytes(4, "source"),
        dst: c.bytes(4, "destination"),
      };
    case AUT.IPC:
      return { type: "ipc", ipcType: c.u8("ipc type"), id: c.u32("ipc id") };
    case AUT.IPC_PERM:
      return {
        type: "ipc_perm",
        uid: c.u32("uid"),
        gid: c.u32("gid"),
        cuid: c.u32("cuid"),
        cgid: c.u32("cgid"),
        mode: c.u32("mode"),
        seq: c.u32("seq"),
        key: c.u32("key"),
      };
    case AUT.IPORT:
      return { type: "iport", port: c.u16("port") };
    case AUT.OPAQUE:
      return { type: "opaque", data: c.counted("data") };
    case AUT.PATH:
      return { type: "path", path: c.counted("path") };
    case AUT.TEXT:
      return { type: "text", text: c.counted("text") };
    case AUT.ZONENAME:
      return { type: "zonename", zonename: c.counted("zonename") };
    case AUT.SUBJECT32:
    case AUT.PROCESS32:
      return {
        type: id === AUT.SUBJECT32 ? "subject32" : "process32",
        ...ids(c),
        port: c.u32("port"),
        addr: c.bytes(4, "machine"),
      } satisfies Subject32Token;
    case AUT.SUBJECT64:
    case AUT.PROCESS64:
      return {
        type: id === AUT.SUBJECT64 ? "subject64" : "process64",
        ...ids(c),
        port: c.u64("port"),
        addr: c.bytes(4, "machine"),
      } satisfies Subject64Token;
    case AUT.SUBJECT32_EX:
    case AUT.PROCESS32_EX: {
      const i = ids(c), port = c.u32("port"), addrType = c.u32("address type");
      return {
        type: id === AUT.SUBJECT32_EX ? "subject32_ex" : "process32_ex",
        ...i,
        port,
        addrType,
        addr: c.exAddr(addrType, "machine"),
      } satisfies Subject32ExToken;
    }
    case AUT.SUBJECT64_EX:
    case AUT.PROCESS64_EX: {
      const i = ids(c), port = c.u64("port"), addrType = c.u32("address type");
      return {
        type: id === AUT.SUBJECT64_EX ? "subject64_ex" : "process64_ex",
        ...i,
        port,
        addrType,
        addr: c.exAddr(addrType, "machine"),
      } satisfies Subject64ExToken;
    }
    case AUT.RETURN32:
      return { type: "return32", status: c.u8("status"), value: c.u32("value") };
    case AUT.RETURN64:
      return { type: "return64", status: c.u8("status"), value: c.u64("value") };
    case AUT.SEQ:
      return { type: "seq", seqno: c.u32("sequence") };
    case AUT.SOCKET:
      return {
        type: "socket",
        socketType: c.u16("socket type"),
        localPort: c.u16("local port"),
        localAddr: c.bytes(4, "local address"),
        remotePort: c.u16("remote port"),
        remoteAddr: c.bytes(4, "remote address"),
      };
    case AUT.SOCKINET32:
    case AUT.SOCKINET128: {
      const family = c.u16("family"), port = c.u16("port");
      return id === AUT.SOCKINET32
        ? { type: "sock_inet32", family, port, addr: c.bytes(4, "address") }
        : { type: "sock_inet128", family, port, addr: c.bytes(16, "address") };
    }
    case AUT.SOCKUNIX: {
      const family = c.u16("family");
      const search = Math.min(c.end - c.pos, BSM_LIMITS.AU_UNIX_PATH_MAX);
      const nul = c.b.subarray(c.pos, c.pos + search).indexOf(0);
      return { type: "sock_unix", family, path: c.bytes(nul < 0 ? search : nul + 1, "path") };
    }
    case AUT.SOCKET_EX: {
      const domain = c.u16("domain"), socketType = c.u16("socket type");
      const addrType = c.u16("address type");
      if (addrType !== AU_IPv4 && addrType !== AU_IPv6) {
        throw new Short(`address type ${addrType} is neither 4 nor 16`);
      }
      return {
        type: "socket_ex",
        domain,
        socketType,
        addrType,
        localPort: c.u16("local port"),
        localAddr: c.bytes(addrType, "local address"),
        remotePort: c.u16("remote port"),
        remoteAddr: c.bytes(addrType, "remote address"),
      };
    }
    case AUT.DATA: {
      const printFormat = c.u8("print format"), unit = c.u8("unit"), count = c.u8("count");
      if (unit >= AUR_SIZE.length) throw new Short(`data unit ${unit} is not 0-3`);
      return {
        type: "data",
        printFormat,
        unit,
        count,
        data: c.bytes(AUR_SIZE[unit] * count, "data"),
      };
    }
    case AUT.UPRIV:
      return { type: "upriv", success: c.u8("status"), priv: c.counted("privilege") };
    case AUT.PRIV:
      return { type: "privset", privType: c.counted("set type"), privs: c.counted("privileges") };
    default: {
      // OpenBSM's fetch_invalid_tok: everything up to the trailer's 7 bytes.
      const size = c.end - tokenStart - 1 - BSM_LIMITS.AUDIT_TRAILER_SIZE;
      if (size <= 0) throw new Short(`unknown token id 0x${id.toString(16)} leaves no room`);
      return { type: "unknown", id, data: c.bytes(size, "unknown token") };
    }
  }
}

/**
 * Decodes the token at `bytes[offset]`, reading no byte at or past `end`
 * (default: the end of `bytes`). Inside a record pass the record's end, as
 * OpenBSM's reader does: an unknown id then takes every byte up to the
 * trailer's seven.
 *
 * Byte fields of the result are views into `bytes`. Throws a
 * {@link BsmError} (`malformed_token`, or `truncated` when `offset` is at
 * `end`) with `offset` when the token does not parse.
 *
 * @example
 * ```ts
 * import { decodeToken } from "./decode.ts";
 * const bytes = Uint8Array.of(0x2f, 0, 0, 0, 42); // seq 42
 * const { token, length } = decodeToken(bytes, 0);
 * console.log(token, length); // { type: "seq", seqno: 42 } 5
 * ```
 */
export function decodeToken(
  bytes: Uint8Array,
  offset: number,
  end: number = bytes.length,
): DecodedToken {
  if (offset >= end) throw new BsmError("truncated", offset, "no token: the input ends here");
  const c = new Cursor(bytes, offset + 1, end);
  const id = bytes[offset];
  try {
    const token = decodeBody(id, c, offset);
    return { token, length: c.pos - offset };
  } catch (e) {
    if (e instanceof Short) {
      throw new BsmError(
        "malformed_token",
        offset,
        `token 0x${id.toString(16).padStart(2, "0")}: ${e.reason}`,
      );
    }
    throw e;
  }
}

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The first `end` bytes as a string when they are short and plain ASCII
 * (no NUL): most strings of a trail, decoded without a call into the
 * runtime's UTF-8 decoder.
 *
 * @example
 * ```ts
 * import { asciiText } from "./decode.ts";
 * asciiText(new TextEncoder().encode("/bin/ls\0"), 7); // "/bin/ls"
 * asciiText(Uint8Array.of(0xc3, 0xa9), 2); // undefined: not ASCII
 * ```
 */
export function asciiText(bytes: Uint8Array, end: number): string | undefined {
  if (end > 512) return undefined;
  for (let i = 0; i < end; i++) {
    const c = bytes[i];
    if (c === 0 || c >= 0x80) return undefined;
  }
  return String.fromCharCode.apply(null, bytes.subarray(0, end) as unknown as number[]);
}

/**
 * The string a length-prefixed BSM string holds, when that is lossless:
 * valid UTF-8 ending with exactly one NUL (the terminator) and no other
 * NUL. Otherwise `undefined` (keep the bytes).
 *
 * @example
 * ```ts
 * import { bsmText } from "./decode.ts";
 * bsmText(new TextEncoder().encode("/etc/passwd\0")); // "/etc/passwd"
 * bsmText(Uint8Array.of(0xff, 0)); // undefined: not UTF-8
 * ```
 */
export function bsmText(bytes: Uint8Array): string | undefined {
  const n = bytes.length;
  if (n === 0 || bytes[n - 1] !== 0 || bytes.indexOf(0) !== n - 1) return undefined;
  const ascii = asciiText(bytes, n - 1);
  if (ascii !== undefined) return ascii;
  try {
    return fatalUtf8.decode(bytes.subarray(0, n - 1));
  } catch {
    return undefined;
  }
}
