/**
 * User-space record types: the numbers the kernel accepts from user space
 * and their names.
 *
 * @module
 */

import { audit, cstr, fromCString } from "../_native.ts";
import { AuditError } from "../errors.ts";
import type { AuditMessage } from "../source/multicast.ts";

const EINVAL = 22;

/**
 * The most bytes of user text the kernel keeps in one record
 * (AUDIT_MESSAGE_TEXT_MAX); longer texts are refused, not cut.
 *
 * @example
 * ```ts
 * import { AUDIT_MESSAGE_TEXT_MAX } from "../../mod.ts";
 * const fits = (text: string) => new TextEncoder().encode(text).length <= AUDIT_MESSAGE_TEXT_MAX;
 * ```
 */
export const AUDIT_MESSAGE_TEXT_MAX = 8560;

/** A record type given by number (1100) or name (`"USER_AUTH"`, `"AUDIT_USER_AUTH"`). */
export type UserMessageType = number | string;

/**
 * Whether the kernel accepts `type` in a user message: 1005, 1100-1199 or
 * 2100-2999.
 *
 * @example
 * ```ts
 * import { isUserMessageType } from "../../mod.ts";
 * isUserMessageType(1112); // true (USER_LOGIN)
 * isUserMessageType(1300); // false (SYSCALL comes from the kernel)
 * ```
 */
export function isUserMessageType(type: number): boolean {
  return type === 1005 || (type >= 1100 && type <= 1199) || (type >= 2100 && type <= 2999);
}

/**
 * The number of a user message type, or an `EINVAL` {@link AuditError} for a
 * type the kernel would refuse. Checking here also keeps libaudit from
 * silently retrying a refused 1100-1199 type as USER. `call` names the
 * function in the error.
 *
 * @example
 * ```ts
 * import { resolveUserMessageType } from "../../mod.ts";
 * resolveUserMessageType("USER_LOGIN", "mytool"); // 1112
 * resolveUserMessageType("AUDIT_USER", "mytool"); // 1005
 * ```
 */
export function resolveUserMessageType(type: UserMessageType, call: string): number {
  let n: number;
  if (typeof type === "number") {
    n = type;
  } else {
    const name = type.trim().replace(/^AUDIT_/i, "").toUpperCase();
    n = /^\d+$/.test(name)
      ? Number(name)
      : name === "" || name.includes("\0")
      ? -1
      : audit().audit_name_to_msg_type(cstr(name));
  }
  if (!Number.isInteger(n) || !isUserMessageType(n)) {
    const known = typeof type === "string" && n >= 0 ? ` (${n})` : "";
    throw new AuditError({
      call,
      errno: EINVAL,
      action: `write a record of type "${type}"`,
      reason: typeof type === "string" && n < 0
        ? "unknown record type"
        : `type${known} is not a user message type (1005, 1100-1199, 2100-2999)`,
    });
  }
  return n;
}

/** The name of a record type (`"USER_LOGIN"`), or `UNKNOWN[n]` like the log writes it. */
export function userMessageTypeName(type: number): string {
  return fromCString(audit().audit_msg_type_to_name(type)) ?? `UNKNOWN[${type}]`;
}

/** Whether and how long to check that the kernel generated a record. */
export interface VerifyOptions {
  /**
   * Check that the kernel generated the record: auditing off is known at
   * once (AUDIT_GET), otherwise the record is read back over the multicast
   * group (CAP_AUDIT_READ; the kernel logs EVENT_LISTENER records for the
   * listener).
   */
  verify?: boolean;
  /** How long to wait for the record when verifying, in milliseconds (default 2000). */
  timeoutMs?: number;
}

/** The timeout of {@link VerifyOptions}, checked. */
export function verifyTimeout(options: VerifyOptions): number {
  const timeoutMs = options.timeoutMs ?? 2000;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(`Cannot wait "${timeoutMs}" ms: must be a finite number of 0 or more`);
  }
  return timeoutMs;
}

/** Whether the kernel generated a record, and why not. */
export interface Generation {
  /** true when the record was seen, false when it was not generated, undefined when unknown. */
  generated: boolean | undefined;
  /** Why it was not generated, or why that is unknown. */
  reason?: string;
  /** The record as the kernel sent it, when it was seen. */
  record?: AuditMessage;
}
