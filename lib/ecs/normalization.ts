/**
 * go-libaudit's normalisation table (`normalizations.yaml`), carried as data
 * in `_normalizations.ts`, and the lookups over it: by syscall name (with
 * the `*` entry as the fallback) and by record type name (several entries
 * for one type are told apart by the fields they require).
 *
 * @module
 */

import { NORMALIZATIONS } from "./_normalizations.ts";
import type { Normalization } from "./normalization_type.ts";

export type { MappingSource, MappingTarget, Normalization } from "./normalization_type.ts";

const bySyscall = new Map<string, Normalization>();
const byRecordType = new Map<string, Normalization[]>();
for (const n of NORMALIZATIONS) {
  for (const s of n.syscalls ?? []) bySyscall.set(s, n);
  for (const t of n.record_types ?? []) {
    const list = byRecordType.get(t);
    if (list) list.push(n);
    else byRecordType.set(t, [n]);
  }
}

/**
 * The entry for a syscall name; the catch-all `*` entry for a syscall the
 * table does not name.
 *
 * @example
 * ```ts
 * import { syscallNormalization } from "./normalization.ts";
 * syscallNormalization("openat").action; // "opened-file"
 * ```
 */
export function syscallNormalization(name: string): Normalization {
  return bySyscall.get(name) ?? bySyscall.get("*")!;
}

/**
 * The entry for a record type name (`USER_LOGIN`) given the event's data
 * fields: among several entries the last whose `has_fields` are all present
 * (go-libaudit's choice); `undefined` when none applies.
 *
 * @example
 * ```ts
 * import { recordTypeNormalization } from "./normalization.ts";
 * recordTypeNormalization("USER_LOGIN", () => false)?.action; // "logged-in"
 * ```
 */
export function recordTypeNormalization(
  type: string,
  has: (field: string) => boolean,
): Normalization | undefined {
  const list = byRecordType.get(type);
  if (!list) return undefined;
  if (list.length === 1) return list[0];
  let found: Normalization | undefined;
  for (const n of list) if ((n.has_fields ?? []).every(has)) found = n;
  return found;
}
