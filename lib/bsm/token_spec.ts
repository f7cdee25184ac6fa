/**
 * Tokens written as `TYPE=VALUE` text (`auditkit bsm write --token`), and
 * the subject of the current process (what Solaris's `au_to_me` gives).
 *
 * Multi-field values are separated by `:` and come in the order praudit
 * prints the fields; the last field takes the rest of the text, so it may
 * itself hold `:` and `=`:
 *
 * | spec | token |
 * |---|---|
 * | `text=TEXT`, `path=PATH`, `zonename=NAME` | text, path, zonename (the whole rest) |
 * | `arg32=N:VALUE:NAME`, `arg64=N:VALUE:NAME` | argument N (1-255), value (decimal, `0x` hex or negative), its name |
 * | `return32=ERRNO:VALUE`, `return64=ERRNO:VALUE` | BSM error number (0 success), return value (`-1` allowed) |
 * | `exit=ERROR:RETVAL` | exit token (praudit: `exit,Error ERROR,RETVAL`) |
 * | `subject`, `process` (or `=self`) | the current process: audit uid and session, effective and real ids, pid; terminal 0, 0.0.0.0 |
 * | `subject=AUID:EUID:EGID:RUID:RGID:PID:SID:PORT:ADDR` | explicit ids, terminal port and address |
 * | `subject32`, `subject64`, `subject32_ex`, `subject64_ex` and the same for `process` | that variant (`subject` is `subject32`; `_ex` takes an IPv4 or IPv6 address) |
 * | `exec_args=ARG ARG ...`, `exec_env=...` | split on spaces, or a JSON array of strings (`["a b","c"]`) |
 * | `opaque=HEX`, `seq=N`, `iport=PORT`, `in_addr=A.B.C.D`, `in_addr_ex=IPV6` | those tokens |
 * | `json={"type":...}` | any token in the JSON schema of json.ts |
 *
 * Bad input is a `RangeError` (or `TypeError`) that names the spec.
 *
 * @module
 */

import { parseInetAddress } from "../inet.ts";
import {
  auToArg32,
  auToArg64,
  auToExecArgs,
  auToExecEnv,
  auToExit,
  auToInAddr,
  auToInAddrEx,
  auToIport,
  auToOpaque,
  auToPath,
  auToProcess32,
  auToProcess32Ex,
  auToProcess64,
  auToProcess64Ex,
  auToReturn32,
  auToReturn64,
  auToSeq,
  auToSubject32,
  auToSubject32Ex,
  auToSubject64,
  auToSubject64Ex,
  auToText,
  auToZonename,
  type SubjectInit,
} from "./encode.ts";
import { tokenFromJson, type TokenJson } from "./json.ts";
import type { BsmToken } from "./types.ts";

const U32 = 0xffffffff;

/**
 * The current process as a subject: audit uid (`/proc/self/loginuid`),
 * effective and real uid and gid (`/proc/self/status`), pid, audit session
 * (`/proc/self/sessionid`); terminal port 0 and address 0.0.0.0. Needs
 * read access to /proc.
 *
 * @example
 * ```ts
 * import { currentSubject } from "./token_spec.ts";
 * import { auToSubject32 } from "./encode.ts";
 * auToSubject32(currentSubject());
 * ```
 */
export function currentSubject(): SubjectInit {
  const status = Deno.readTextFileSync("/proc/self/status");
  const ids = (name: string) => {
    const m = status.match(new RegExp(`^${name}:\\s+(\\d+)\\s+(\\d+)`, "m"));
    if (!m) throw new TypeError(`Cannot read the ${name} line of /proc/self/status`);
    return { real: Number(m[1]), effective: Number(m[2]) };
  };
  const uid = ids("Uid"), gid = ids("Gid");
  const proc = (file: string) => Number(Deno.readTextFileSync(`/proc/self/${file}`).trim());
  return {
    auid: proc("loginuid"),
    euid: uid.effective,
    egid: gid.effective,
    ruid: uid.real,
    rgid: gid.real,
    pid: Deno.pid,
    sid: proc("sessionid"),
    port: 0,
    addr: new Uint8Array(4),
  };
}

function integer(text: string, what: string, min: bigint, max: bigint): bigint {
  if (!/^-?(\d+|0x[0-9a-f]+)$/i.test(text)) {
    throw new RangeError(`Invalid ${what} "${text}": not an integer`);
  }
  const neg = text.startsWith("-");
  const n = BigInt(neg ? text.slice(1) : text) * (neg ? -1n : 1n);
  if (n < min || n > max) {
    throw new RangeError(`Invalid ${what} "${text}": must be from ${min} to ${max}`);
  }
  return n;
}

/** A u32 field that also takes -1 .. -2^31 (stored as two's complement). */
const u32 = (text: string, what: string) =>
  Number(BigInt.asUintN(32, integer(text, what, -(2n ** 31n), BigInt(U32))));
const u64 = (text: string, what: string) =>
  BigInt.asUintN(64, integer(text, what, -(2n ** 63n), 2n ** 64n - 1n));
const small = (text: string, what: string, max: number) =>
  Number(integer(text, what, 0n, BigInt(max)));

/** `value` split into `n` fields on `:`, the last one keeping the rest. */
function fields(value: string, n: number, form: string): string[] {
  const parts = value.split(":");
  if (parts.length < n) throw new RangeError(`Invalid value "${value}": the form is ${form}`);
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(":")];
}

function subjectOf(value: string | undefined, ex: boolean): SubjectInit {
  if (value === undefined || value === "self") return currentSubject();
  const f = value.split(":");
  const form = "AUID:EUID:EGID:RUID:RGID:PID:SID:PORT:ADDR";
  if (f.length < 9) throw new RangeError(`Invalid value "${value}": the form is ${form}`);
  const [auid, euid, egid, ruid, rgid, pid, sid, port] = f.slice(0, 8);
  const addr = parseInetAddress(f.slice(8).join(":"));
  if (!ex && addr.length !== 4) {
    throw new RangeError(`Invalid address "${f.slice(8).join(":")}": this token takes IPv4`);
  }
  return {
    auid: u32(auid, "auid"),
    euid: u32(euid, "euid"),
    egid: u32(egid, "egid"),
    ruid: u32(ruid, "ruid"),
    rgid: u32(rgid, "rgid"),
    pid: u32(pid, "pid"),
    sid: u32(sid, "sid"),
    port: u64(port, "port"),
    addr,
  };
}

function strings(value: string): string[] {
  if (!value.startsWith("[")) return value.split(/\s+/).filter((s) => s !== "");
  let list: unknown;
  try {
    list = JSON.parse(value);
  } catch {
    throw new RangeError(`Invalid value "${value}": not a JSON array`);
  }
  if (!Array.isArray(list) || list.some((s) => typeof s !== "string")) {
    throw new RangeError(`Invalid value "${value}": must be an array of strings`);
  }
  return list;
}

function hexBytes(value: string): Uint8Array {
  if (!/^([0-9a-f]{2})+$/i.test(value)) {
    throw new RangeError(`Invalid value "${value}": must be hex bytes`);
  }
  return Uint8Array.from(value.match(/../g)!, (h) => parseInt(h, 16));
}

const SUBJECTS: Record<string, [(s: SubjectInit) => BsmToken, boolean]> = {
  subject: [auToSubject32, false],
  subject32: [auToSubject32, false],
  subject64: [auToSubject64, false],
  subject32_ex: [auToSubject32Ex, true],
  subject64_ex: [auToSubject64Ex, true],
  process: [auToProcess32, false],
  process32: [auToProcess32, false],
  process64: [auToProcess64, false],
  process32_ex: [auToProcess32Ex, true],
  process64_ex: [auToProcess64Ex, true],
};

const VALUED: Record<string, (v: string) => BsmToken> = {
  text: auToText,
  path: auToPath,
  zonename: auToZonename,
  arg32: (v) => {
    const [n, value, name] = fields(v, 3, "N:VALUE:NAME");
    return auToArg32(small(n, "argument number", 0xff), name, u32(value, "value"));
  },
  arg64: (v) => {
    const [n, value, name] = fields(v, 3, "N:VALUE:NAME");
    return auToArg64(small(n, "argument number", 0xff), name, u64(value, "value"));
  },
  return32: (v) => {
    const [status, value] = fields(v, 2, "ERRNO:VALUE");
    return auToReturn32(small(status, "error number", 0xff), u32(value, "value"));
  },
  return64: (v) => {
    const [status, value] = fields(v, 2, "ERRNO:VALUE");
    return auToReturn64(small(status, "error number", 0xff), u64(value, "value"));
  },
  exit: (v) => {
    const [error, retval] = fields(v, 2, "ERROR:RETVAL");
    return auToExit(u32(retval, "retval"), u32(error, "error"));
  },
  exec_args: (v) => auToExecArgs(strings(v)),
  exec_env: (v) => auToExecEnv(strings(v)),
  opaque: (v) => auToOpaque(hexBytes(v)),
  seq: (v) => auToSeq(small(v, "sequence", U32)),
  iport: (v) => auToIport(small(v, "port", 0xffff)),
  in_addr: (v) => {
    const a = parseInetAddress(v);
    if (a.length !== 4) throw new RangeError(`Invalid address "${v}": in_addr takes IPv4`);
    return auToInAddr(a);
  },
  in_addr_ex: (v) => {
    const a = parseInetAddress(v);
    if (a.length !== 16) throw new RangeError(`Invalid address "${v}": in_addr_ex takes IPv6`);
    return auToInAddrEx(a);
  },
  json: (v) => {
    let json: unknown;
    try {
      json = JSON.parse(v);
    } catch {
      throw new RangeError(`Invalid JSON "${v}"`);
    }
    if (typeof json !== "object" || json === null || typeof (json as TokenJson).type !== "string") {
      throw new RangeError(`Invalid token JSON "${v}": an object with a "type" is needed`);
    }
    return tokenFromJson(json as TokenJson);
  },
};

/**
 * The token types {@link parseTokenSpec} takes, for help texts.
 *
 * @example
 * ```ts
 * import { TOKEN_SPEC_TYPES } from "./token_spec.ts";
 * TOKEN_SPEC_TYPES.includes("exec_args"); // true
 * ```
 */
export const TOKEN_SPEC_TYPES: readonly string[] = [
  ...Object.keys(VALUED),
  ...Object.keys(SUBJECTS),
];

/**
 * The token a `TYPE=VALUE` spec describes (see the module doc). Bad input
 * throws a `RangeError` or `TypeError` whose message starts with the spec.
 *
 * @example
 * ```ts
 * import { parseTokenSpec } from "./token_spec.ts";
 * parseTokenSpec("arg32=1:0x3:fd"); // { type: "arg32", argNo: 1, value: 3, text: "fd\0" bytes }
 * parseTokenSpec("return32=2:-1"); // failure ENOENT, value 0xffffffff
 * ```
 */
export function parseTokenSpec(spec: string): BsmToken {
  const eq = spec.indexOf("=");
  const type = eq < 0 ? spec : spec.slice(0, eq);
  const value = eq < 0 ? undefined : spec.slice(eq + 1);
  try {
    const subject = Object.hasOwn(SUBJECTS, type) ? SUBJECTS[type] : undefined;
    if (subject) return subject[0](subjectOf(value, subject[1]));
    const make = Object.hasOwn(VALUED, type) ? VALUED[type] : undefined;
    if (!make) {
      throw new RangeError(`unknown token type "${type}" (use ${TOKEN_SPEC_TYPES.join(", ")})`);
    }
    if (value === undefined) throw new RangeError(`${type} needs a value: ${type}=VALUE`);
    return make(value);
  } catch (e) {
    if (!(e instanceof RangeError || e instanceof TypeError)) throw e;
    const Err = e instanceof RangeError ? RangeError : TypeError;
    throw new Err(`Invalid token "${spec}": ${e.message}`, { cause: e });
  }
}
