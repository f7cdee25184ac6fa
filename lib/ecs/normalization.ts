/**
 * go-libaudit's normalisation table (`normalizations.yaml`), carried as data
 * in `_normalizations.ts`, and the lookups over it: by syscall name (with
 * the `*` entry as the fallback) and by record type name (several entries
 * for one type are told apart by the fields they require).
 *
 * @module
 */

import { NORMALIZATIONS } from "./_normalizations.ts";

/** Where an ECS entity's value is read: the summary or a data or id field. */
export type MappingSource = string;
/** Which ECS entity a mapping writes. */
export type MappingTarget = "user" | "user.effective" | "user.target" | "user.changes" | "group";

/** One entry of the table, its keys as the YAML spells them. */
export interface Normalization {
  /** What happened (`opened-file`). */
  action?: string;
  /** Fields for the summary's actor, first one present wins. */
  subject_primary?: string[];
  /** Fields for the actor's secondary identity. */
  subject_secondary?: string[];
  /** Fields for the object. */
  object_primary?: string[];
  /** Fields for the object's secondary part. */
  object_secondary?: string[];
  /** What kind of thing the object is (`file`, `socket`, `user-session`). */
  object_what?: string;
  /** Which PATH record names the object of a file action. */
  object_path_index?: number;
  /** Fields for how it was done. */
  how?: string[];
  /** Record types this entry applies to. */
  record_types?: string[];
  /** Syscalls this entry applies to (`*`: any other). */
  syscalls?: string[];
  /** Fields that hold the source address. */
  source_ip?: string[];
  /** Fields that must be present for this entry to apply. */
  has_fields?: string[];
  /** ECS categorisation and entity mappings. */
  ecs?: {
    kind?: string;
    category?: string[];
    type?: string[];
    mappings?: [MappingSource, MappingTarget][];
  };
}

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
