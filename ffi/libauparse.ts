/**
 * Symbol table of libauparse.so.0 (audit-userspace 3.0.x and 4.x): the
 * field interpretation that `auditctl -l -i` uses.
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
} as const;

/** The opened libauparse type. */
export type Libauparse = Deno.DynamicLibrary<typeof libauparseSymbols>;

/** libauparse, opened on first use from `AUDITKIT_LIBAUPARSE` or `libauparse.so.0`. */
export const libauparse = lazyLibrary(
  "libauparse.so.0",
  "AUDITKIT_LIBAUPARSE",
  libauparseSymbols,
);
