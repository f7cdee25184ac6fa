/**
 * Symbol table of libauparse.so.0 (audit-userspace 3.0.x and 4.x): the
 * field interpretation that `auditctl -l -i` uses, and the event walk the
 * tests compare auditkit's log reader with.
 *
 * The library path can be overridden with `AUDITKIT_LIBAUPARSE`.
 *
 * @module
 */

import { lazyLibrary } from "./_load.ts";

const int = "i32" as const;
const cstring = "buffer" as const; // const char *, NUL-terminated Uint8Array
const charp_out = "pointer" as const; // returned char * (malloc'd)
const buf = "buffer" as const; // caller-owned memory
const state = "pointer" as const; // auparse_state_t *
const charp = "pointer" as const; // returned const char * (owned by libauparse)

/** `struct _idata` (auparse-idata.h), 48 bytes on x86_64. */
export const IDATA = {
  size: 48,
  /** unsigned int machine */
  machine: 0,
  /** int syscall */
  syscall: 4,
  /** unsigned long long a0 */
  a0: 8,
  /** unsigned long long a1 */
  a1: 16,
  /** const char *cwd */
  cwd: 24,
  /** const char *name */
  name: 32,
  /** const char *val */
  val: 40,
} as const;

/** The libauparse symbols auditkit binds. */
export const libauparseSymbols = {
  /** int auparse_interp_adjust_type(int rtype, const char *name, const char *val); */
  auparse_interp_adjust_type: { parameters: [int, cstring, cstring], result: int, optional: true },
  /** char *auparse_do_interpretation(int type, const idata *id, auparse_esc_t escape_mode); (malloc'd) */
  auparse_do_interpretation: { parameters: [int, buf, int], result: charp_out, optional: true },
  /** auparse_state_t *auparse_init(ausource_t source, const void *b); (AUSOURCE_BUFFER = 3) */
  auparse_init: { parameters: [int, cstring], result: state, optional: true },
  /** void auparse_destroy(auparse_state_t *au); */
  auparse_destroy: { parameters: [state], result: "void", optional: true },
  /** int auparse_next_event(auparse_state_t *au); 1 event, 0 none, -1 error */
  auparse_next_event: { parameters: [state], result: int, optional: true },
  /** int auparse_next_record(auparse_state_t *au); */
  auparse_next_record: { parameters: [state], result: int, optional: true },
  /** int auparse_next_field(auparse_state_t *au); */
  auparse_next_field: { parameters: [state], result: int, optional: true },
  /** int auparse_get_type(const auparse_state_t *au); the record type */
  auparse_get_type: { parameters: [state], result: int, optional: true },
  /** const char *auparse_get_field_name(const auparse_state_t *au); */
  auparse_get_field_name: { parameters: [state], result: charp, optional: true },
  /** const char *auparse_get_field_str(const auparse_state_t *au); */
  auparse_get_field_str: { parameters: [state], result: charp, optional: true },
  /** const char *auparse_interpret_field(const auparse_state_t *au); */
  auparse_interpret_field: { parameters: [state], result: charp, optional: true },
  /** void auparse_set_escape_mode(auparse_state_t *au, auparse_esc_t mode); (AUPARSE_ESC_RAW = 0) */
  auparse_set_escape_mode: { parameters: [state, int], result: "void", optional: true },
} as const;

/** The opened libauparse type. */
export type Libauparse = Deno.DynamicLibrary<typeof libauparseSymbols>;

/** libauparse, opened on first use from `AUDITKIT_LIBAUPARSE` or `libauparse.so.0`. */
export const libauparse = lazyLibrary(
  "libauparse.so.0",
  "AUDITKIT_LIBAUPARSE",
  libauparseSymbols,
);
