/**
 * Lazy `Deno.dlopen` with an environment override of the library path.
 *
 * Nothing here runs at import time, so importing `mod.ts` for its types or
 * its documentation needs no permission at all.
 *
 * @module
 */

/** Reads an environment variable; a missing `--allow-env` reads as unset. */
export function envOrUndefined(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** Why a shared library could not be opened. */
export type LoadFailure =
  | { kind: "permission"; error: Error }
  | { kind: "missing"; path: string; error: Error };

/** A library opened once, on first use, or the reason it could not be. */
export interface LazyLibrary<S extends Deno.ForeignLibraryInterface> {
  /** Opens the library on the first call and returns the same handle afterwards. */
  get(): Deno.DynamicLibrary<S>;
  /** The path that is (or would be) opened: the override or the default soname. */
  path(): string;
}

/** Thrown by {@link lazyLibrary} loaders; `failure` says why. */
export class LibraryLoadError extends Error {
  /** Why the library could not be opened. */
  readonly failure: LoadFailure;
  /** Creates the error from its failure description. */
  constructor(message: string, failure: LoadFailure) {
    super(message, { cause: failure.error });
    this.name = "LibraryLoadError";
    this.failure = failure;
  }
}

/**
 * Describes a library that is opened on first use.
 *
 * @param soname default file name handed to the dynamic linker
 * @param envVar environment variable whose value, when set, replaces `soname`
 * @param symbols the symbol table
 */
export function lazyLibrary<const S extends Deno.ForeignLibraryInterface>(
  soname: string,
  envVar: string,
  symbols: S,
): LazyLibrary<S> {
  let lib: Deno.DynamicLibrary<S> | undefined;
  const path = () => envOrUndefined(envVar) || soname;
  return {
    path,
    get() {
      if (lib) return lib;
      const p = path();
      try {
        lib = Deno.dlopen(p, symbols);
      } catch (error) {
        const e = error as Error;
        if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
          throw new LibraryLoadError(`Cannot load ${p}: needs --allow-ffi`, {
            kind: "permission",
            error: e,
          });
        }
        throw new LibraryLoadError(`Cannot load ${p}: ${e.message}`, {
          kind: "missing",
          path: p,
          error: e,
        });
      }
      return lib;
    },
  };
}
