/**
 * Record type numbers and names (`audit_msg_type_to_name`), built in.
 *
 * @module
 */

import { MSG_TYPES } from "./_tables.ts";
import { strtolInt } from "../c_number.ts";

/** Numbers by name (libaudit's names are all upper case). */
const byName = new Map<string, number>();
/** Names by number: record types are small numbers, so an array looks them up fastest. */
const byNumber = new Array<string | undefined>(Math.max(...MSG_TYPES.map(([n]) => n)) + 1);
for (const [n, name] of MSG_TYPES) {
  byName.set(name, n);
  if (n >= 0) byNumber[n] = name;
}

/** Record type numbers auditkit's log code refers to by name. */
export const RecordType = {
  LOGIN: 1006,
  USER: 1005,
  DAEMON_START: 1200,
  SYSCALL: 1300,
  PATH: 1302,
  CWD: 1307,
  EXECVE: 1309,
  EOE: 1320,
  PROCTITLE: 1327,
  SECCOMP: 1326,
  AVC: 1400,
  USER_AVC: 1107,
  KERNEL: 2000,
} as const;

/**
 * The record type name of `type` (`SYSCALL`), or `UNKNOWN[n]` as auditd writes it.
 *
 * @example
 * ```ts
 * import { recordTypeName } from "./types.ts";
 * recordTypeName(1300); // "SYSCALL"
 * ```
 */
export function recordTypeName(type: number): string {
  return msgTypeName(type) ?? `UNKNOWN[${type}]`;
}

/**
 * The libaudit name of record type `type` (`audit_msg_type_to_name`), or
 * `undefined` when libaudit has none.
 *
 * @example
 * ```ts
 * import { msgTypeName } from "./types.ts";
 * msgTypeName(1300); // "SYSCALL"
 * msgTypeName(1999); // undefined
 * ```
 */
export function msgTypeName(type: number): string | undefined {
  return type >= 0 && type < byNumber.length ? byNumber[type] : undefined;
}

/**
 * The number libaudit gives a record type name as a log writes it
 * (`audit_name_to_msg_type`): a known name in any case, `UNKNOWN[n]` (up to
 * 7 characters of n read as strtol reads them), a text starting with a
 * digit (its leading number); -1 for anything else.
 *
 * @example
 * ```ts
 * import { msgTypeNumber } from "./types.ts";
 * msgTypeNumber("syscall"); // 1300
 * msgTypeNumber("UNKNOWN[1999]"); // 1999
 * msgTypeNumber("FOOBAR"); // -1
 * ```
 */
export function msgTypeNumber(name: string): number {
  const known = byName.get(name.toUpperCase());
  if (known !== undefined) return known;
  if (name.startsWith("UNKNOWN[")) {
    const end = name.indexOf("]", 8);
    if (end < 0) return -1;
    return strtolInt(name.slice(8, Math.min(end, 15)));
  }
  const c = name.charCodeAt(0);
  return c >= 0x30 && c <= 0x39 ? strtolInt(name) : -1;
}

/**
 * The number of a record type given by name (`SYSCALL`), by `UNKNOWN[n]`, or
 * as a decimal number; `undefined` when unknown.
 *
 * @example
 * ```ts
 * import { recordTypeNumber } from "./types.ts";
 * recordTypeNumber("USER_LOGIN"); // 1112
 * ```
 */
export function recordTypeNumber(name: string): number | undefined {
  const n = byName.get(name.toUpperCase());
  if (n !== undefined) return n;
  const m = /^(?:UNKNOWN\[(\d+)\]|(\d+))$/.exec(name);
  if (m) return Number(m[1] ?? m[2]);
  return undefined;
}

/**
 * Whether a record of this type ends its event (libauparse 3.0.9): PROCTITLE,
 * EOE, types below 1300, 2000 and above 2100, and 1406..1419.
 *
 * @example
 * ```ts
 * import { endsEvent } from "./types.ts";
 * endsEvent(1327); // true: PROCTITLE
 * ```
 */
export function endsEvent(type: number): boolean {
  return type === RecordType.PROCTITLE || type === RecordType.EOE || type < 1300 ||
    type >= 2100 || type === RecordType.KERNEL || (type >= 1406 && type <= 1419);
}
