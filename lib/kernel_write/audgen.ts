/**
 * audgen(2) on Linux: one user-space audit record from an event type, a
 * list of token types and at most AUD_NPARAM arguments.
 *
 * @module
 */

import type { AuditClient } from "../client.ts";
import { AuditError } from "../errors.ts";
import { type AuditMessage } from "../source/multicast.ts";
import { canWriteAudit } from "./_send.ts";
import { encodeValue, toHex, valueBytes } from "./encode.ts";
import {
  AUDIT_MESSAGE_TEXT_MAX,
  resolveUserMessageType,
  type UserMessageType,
  userMessageTypeName,
  type VerifyOptions,
} from "./types.ts";
import { writeUserText } from "./user_text.ts";

const EINVAL = 22;
const EACCES = 13;
const AUDIT_USER_TTY = 1124;

/**
 * The most arguments one audgen record takes (AUD_NPARAM).
 *
 * @example
 * ```ts
 * import { AUD_NPARAM } from "../../mod.ts";
 * const batches = (args: string[]) => Math.ceil(args.length / AUD_NPARAM);
 * ```
 */
export const AUD_NPARAM = 8;

/**
 * How an audgen argument is rendered, and the field it becomes:
 *
 * | token | field | value |
 * |---|---|---|
 * | `string` | `str` | any text, quoted or hex |
 * | `path` | `path` | any text, quoted or hex |
 * | `integer` | `int` | a 64-bit signed integer, decimal |
 * | `uid` | `ouid` | 0 to 4294967295 (-1 for "unset"), decimal |
 * | `gid` | `ogid` | 0 to 4294967295 (-1 for "unset"), decimal |
 * | `pid` | `opid` | 0 to 2147483647, decimal |
 * | `hex`, `opaque` | `data` | bytes or text, always hex |
 * | `hostname` | `hostname` | any text, quoted or hex |
 * | `addr` | `addr` | any text, quoted or hex |
 * | `terminal` | `terminal` | any text, quoted or hex |
 * | `result` | `res` | `success`/`failed` (or true/false, 1/0) |
 *
 * uid, gid and pid become `ouid`, `ogid`, `opid` (secondary values, as the
 * manual puts it): the kernel's own `uid=` and `pid=` of the writer cannot
 * be replaced. A field name that repeats gets its position appended from the
 * second time on (`str`, `str2`, `str3`).
 */
export type AudgenTokenType =
  | "string"
  | "path"
  | "integer"
  | "uid"
  | "gid"
  | "pid"
  | "hex"
  | "opaque"
  | "hostname"
  | "addr"
  | "terminal"
  | "result";

/** One audgen argument; which kinds a token accepts is in {@link AudgenTokenType}. */
export type AudgenArgument = string | number | bigint | boolean | Uint8Array;

/** Options of {@link audgen}; `verify` defaults to true (false leaves `generated` undefined). */
export interface AudgenOptions extends VerifyOptions {
  /** A client to use; by default one is opened and closed for the call. */
  client?: AuditClient;
}

/** A record audgen built (see {@link formatAudgen}). */
export interface AudgenRecord {
  /** The record type number. */
  type: number;
  /** The record type's name, such as `"USER_LOGIN"`. */
  typeName: string;
  /** The user text sent: space-separated `name=value` fields. */
  text: string;
}

/** What {@link audgen} did. */
export interface AudgenResult extends AudgenRecord {
  /**
   * true: the kernel generated the record (it was read back); false: the
   * kernel accepted the message but generated no record (`reason` says
   * why); undefined: not checked, or it could not be checked.
   */
  generated: boolean | undefined;
  /** Why no record was generated, or why that could not be checked. */
  reason?: string;
  /** The record as the kernel sent it, when it was read back. */
  record?: AuditMessage;
}

type Render = (v: AudgenArgument) => string;

const U32 = 0xffffffff;

function text(v: AudgenArgument): string {
  if (typeof v === "string" || v instanceof Uint8Array) return encodeValue(v);
  throw "must be a string";
}

function integer(min: bigint, max: bigint, what: string, unset?: bigint): Render {
  return (v) => {
    let n: bigint;
    if (typeof v === "bigint") n = v;
    else if (typeof v === "number" && Number.isSafeInteger(v)) n = BigInt(v);
    else if (typeof v === "string" && /^-?\d{1,20}$/.test(v)) n = BigInt(v);
    else throw `must be ${what}`;
    if (unset !== undefined && n === -1n) n = unset;
    if (n < min || n > max) throw `must be ${what}`;
    return n.toString();
  };
}

const id = integer(0n, BigInt(U32), "an integer from 0 to 4294967295 (or -1)", BigInt(U32));

const TOKENS: Record<AudgenTokenType, { field: string; render: Render }> = {
  string: { field: "str", render: text },
  path: { field: "path", render: text },
  integer: {
    field: "int",
    render: integer(-(2n ** 63n), 2n ** 63n - 1n, "a 64-bit signed integer"),
  },
  uid: { field: "ouid", render: id },
  gid: { field: "ogid", render: id },
  pid: { field: "opid", render: integer(0n, 2147483647n, "an integer from 0 to 2147483647") },
  hex: { field: "data", render: hex },
  opaque: { field: "data", render: hex },
  hostname: { field: "hostname", render: text },
  addr: { field: "addr", render: text },
  terminal: { field: "terminal", render: text },
  result: { field: "res", render: result },
};

function hex(v: AudgenArgument): string {
  if (typeof v === "string" || v instanceof Uint8Array) return toHex(valueBytes(v));
  throw "must be a string or bytes";
}

function result(v: AudgenArgument): string {
  if (v === true || v === 1 || v === "success") return "success";
  if (v === false || v === 0 || v === "failed") return "failed";
  throw `must be "success" or "failed"`;
}

/**
 * The token types audgen knows, for help texts and validation.
 *
 * @example
 * ```ts
 * import { AUDGEN_TOKEN_TYPES } from "../../mod.ts";
 * AUDGEN_TOKEN_TYPES.includes("uid"); // true
 * ```
 */
export const AUDGEN_TOKEN_TYPES: readonly AudgenTokenType[] = Object.keys(
  TOKENS,
) as AudgenTokenType[];

function describe(v: AudgenArgument): string {
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  const s = String(v);
  return `"${s.length > 40 ? s.slice(0, 40) + "..." : s}"`;
}

/**
 * Builds the record audgen would send, without sending it: the type
 * resolved and checked, and the text with every value encoded. Invalid
 * input throws the `EINVAL` {@link AuditError} audgen throws.
 *
 * @example
 * ```ts
 * import { formatAudgen } from "../../mod.ts";
 * const r = formatAudgen("USER_MGMT", ["string", "uid"], ["x res=success", 1000]);
 * r.text; // 'str=78207265733D73756363657373 ouid=1000'
 * ```
 */
export function formatAudgen(
  event: UserMessageType,
  tokenTypes: readonly AudgenTokenType[],
  args: readonly AudgenArgument[],
): AudgenRecord {
  const type = resolveUserMessageType(event, "audgen");
  const typeName = userMessageTypeName(type);
  const invalid = (reason: string) =>
    new AuditError({
      call: "audgen",
      errno: EINVAL,
      action: `generate a ${typeName} record`,
      reason,
    });
  if (!Array.isArray(tokenTypes) || !Array.isArray(args)) {
    throw invalid("token types and arguments must be arrays");
  }
  if (args.length > AUD_NPARAM) {
    throw invalid(`${args.length} arguments, at most ${AUD_NPARAM} (AUD_NPARAM) are allowed`);
  }
  if (tokenTypes.length !== args.length) {
    throw invalid(`${tokenTypes.length} token types for ${args.length} arguments`);
  }
  if (args.length === 0) {
    throw invalid("no arguments: the kernel refuses an empty user message");
  }
  const seen = new Map<string, number>();
  const fields = tokenTypes.map((t, i) => {
    const token = Object.hasOwn(TOKENS, t) ? TOKENS[t as AudgenTokenType] : undefined;
    if (!token) {
      throw invalid(`unknown token type "${t}" (use ${AUDGEN_TOKEN_TYPES.join(", ")})`);
    }
    let value: string;
    try {
      value = token.render(args[i]);
    } catch (reason) {
      if (typeof reason !== "string") throw reason;
      throw invalid(`argument ${i + 1} (${t}) ${describe(args[i])} ${reason}`);
    }
    const n = (seen.get(token.field) ?? 0) + 1;
    seen.set(token.field, n);
    return `${token.field}${n > 1 ? n : ""}=${value}`;
  });
  const out = fields.join(" ");
  const size = new TextEncoder().encode(out).length;
  if (size > AUDIT_MESSAGE_TEXT_MAX) {
    throw invalid(
      `the record text is ${size} bytes, the kernel keeps at most ${AUDIT_MESSAGE_TEXT_MAX}`,
    );
  }
  return { type, typeName, text: out };
}

/**
 * audgen(2): writes one user-space audit record of type `event` whose
 * fields are `args`, rendered as `tokenTypes` say (see
 * {@link AudgenTokenType}). Every value is encoded (see `encodeValue`), so
 * no argument can add or replace a field.
 *
 * Errors are {@link AuditError}s with the manual's codes: `EINVAL` for an
 * event that is not a user message type (1005, 1100-1199, 2100-2999), more
 * than {@link AUD_NPARAM} arguments, a token/argument count mismatch, an
 * unknown token type, an argument its token does not accept, or a text
 * longer than the kernel keeps ({@link AUDIT_MESSAGE_TEXT_MAX} bytes);
 * `EACCES` without CAP_AUDIT_WRITE.
 *
 * When the kernel does not audit the event (auditing disabled, a user or
 * exclude filter rule), the call succeeds with `generated: false` and a
 * `reason`, as the manual's "no record is generated".
 *
 * The record is sent as built (an AUDIT_USER-range netlink request, not
 * through libaudit, which would append its own fields) and the kernel's
 * acknowledgement is awaited without blocking the event loop.
 *
 * @example
 * ```ts ignore
 * import { audgen } from "../../mod.ts";
 * const r = await audgen("USER_MGMT", ["string", "uid", "result"], ["add-user", 1001, "success"]);
 * if (!r.generated) console.error(`no record: ${r.reason}`);
 * ```
 */
export async function audgen(
  event: UserMessageType,
  tokenTypes: readonly AudgenTokenType[],
  args: readonly AudgenArgument[],
  options: AudgenOptions = {},
): Promise<AudgenResult> {
  const record = formatAudgen(event, tokenTypes, args);
  const action = `generate a ${record.typeName} record`;
  try {
    const written = await writeUserText(record.type, record.text, {
      ...options,
      verify: options.verify !== false,
      call: "audgen",
    });
    return { ...record, ...written };
  } catch (e) {
    // the manual's "not privileged" is EACCES; the kernel says EPERM
    if (e instanceof AuditError && e.code === "EPERM" && !canWriteAudit()) {
      throw new AuditError({
        call: "audgen",
        errno: EACCES,
        action,
        capability: "CAP_AUDIT_WRITE",
        cause: e,
      });
    }
    if (e instanceof AuditError && e.code === "EPERM" && record.type === AUDIT_USER_TTY) {
      throw new AuditError({
        call: "audgen",
        errno: e.errno,
        action,
        reason:
          "the kernel takes USER_TTY only from a process with TTY auditing on (pam_tty_audit)",
        cause: e,
      });
    }
    throw e;
  }
}
