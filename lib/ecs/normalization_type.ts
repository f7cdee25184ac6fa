/**
 * The shape of an entry of go-libaudit's normalisation table (the generated
 * `_normalizations.ts` and its lookups in `normalization.ts` share it).
 *
 * @module
 */

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
