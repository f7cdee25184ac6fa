/**
 * Access to the native libraries for the rest of `lib/`: loading with typed
 * errors, C strings, errno.
 *
 * @module
 */

import { type Libaudit, libaudit, type LibauditTables, libauditTables } from "../ffi/libaudit.ts";
import { type Libc, libc } from "../ffi/libc.ts";
import { type Libauparse, libauparse } from "../ffi/libauparse.ts";
import { LibraryLoadError } from "../ffi/_load.ts";
import { AuditLibraryError } from "./errors.ts";

function load<T>(get: () => T, soname: string, pkg: string, path: () => string): T {
  try {
    return get();
  } catch (e) {
    if (e instanceof LibraryLoadError) {
      if (e.failure.kind === "permission") throw e.failure.error;
      throw new AuditLibraryError(soname, path(), pkg, e);
    }
    throw e;
  }
}

/** The libaudit symbols; throws {@link AuditLibraryError} when the library is missing. */
export function audit(): Libaudit["symbols"] {
  return load(() => libaudit.get().symbols, "libaudit.so.1", "libaudit1", libaudit.path);
}

/** libaudit's table functions alone (quick to open); throws {@link AuditLibraryError} when it is missing. */
export function auditTables(): LibauditTables["symbols"] {
  return load(
    () => libauditTables.get().symbols,
    "libaudit.so.1",
    "libaudit1",
    libauditTables.path,
  );
}

/** The libc symbols; throws {@link AuditLibraryError} when the library is missing. */
export function c(): Libc["symbols"] {
  return load(() => libc.get().symbols, "libc.so.6", "libc6", libc.path);
}

/** The libauparse symbols; throws {@link AuditLibraryError} when the library is missing. */
export function auparse(): Libauparse["symbols"] {
  return load(() => libauparse.get().symbols, "libauparse.so.0", "libauparse0", libauparse.path);
}

const encoder = new TextEncoder();

/** A fresh, writable, NUL-terminated copy of `s` (libaudit writes into some inputs). */
export function cstr(s: string): Uint8Array<ArrayBuffer> {
  if (s.includes("\0")) throw new TypeError(`Cannot pass "${s}" to C: it contains a NUL byte`);
  const bytes = encoder.encode(s);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** A NUL-terminated copy of `s`, or `null` for `undefined`. */
export function cstrOrNull(s: string | undefined): Uint8Array<ArrayBuffer> | null {
  return s === undefined ? null : cstr(s);
}

/** Reads a C string returned by libaudit; `undefined` for NULL. */
export function fromCString(p: Deno.PointerValue): string | undefined {
  return p === null ? undefined : Deno.UnsafePointerView.getCString(p);
}

let errnoView: Deno.UnsafePointerView | undefined;

/** The calling thread's errno. Read it immediately after the failing call. */
export function errno(): number {
  errnoView ??= new Deno.UnsafePointerView(c().__errno_location()!);
  return errnoView.getInt32(0);
}
