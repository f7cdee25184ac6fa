/**
 * Record type numbers and names (`audit_msg_type_to_name`), built in.
 *
 * @module
 */

import { MSG_TYPES } from "./_tables.ts";

const byName = new Map<string, number>();
const byNumber = new Map<number, string>();
for (const [n, name] of MSG_TYPES) {
  byName.set(name, n);
  byNumber.set(n, name);
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
  return byNumber.get(type) ?? `UNKNOWN[${type}]`;
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
