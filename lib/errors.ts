/**
 * Typed errors of auditkit.
 *
 * @module
 */

import { errnoMessage, errnoName } from "./errno.ts";

/** The capability an operation needs, used to explain EPERM/EACCES. */
export type AuditCapability = "CAP_AUDIT_CONTROL" | "CAP_AUDIT_WRITE" | "CAP_AUDIT_READ";

/** What {@link AuditError} is built from. */
export interface AuditErrorInit {
  /** The C function or kernel request that failed, such as `"audit_set_enabled"`. */
  call: string;
  /** The positive errno number. */
  errno: number;
  /** What was being done, in words: `"set enabled to 1"`. */
  action?: string;
  /** The capability the call needs, to explain EPERM. */
  capability?: AuditCapability;
  /** A reason that replaces the generic one. */
  reason?: string;
  /** The underlying error, if any. */
  cause?: unknown;
  /** A whole message that replaces the built one. */
  message?: string;
}

const CAPABILITY_HINT: Record<AuditCapability, string> = {
  CAP_AUDIT_CONTROL: "needs root or CAP_AUDIT_CONTROL",
  CAP_AUDIT_WRITE: "needs root or CAP_AUDIT_WRITE",
  CAP_AUDIT_READ: "needs root or CAP_AUDIT_READ",
};

/** The sentence auditkit gives for an errno in the context of the audit system. */
export function explainErrno(errno: number, capability?: AuditCapability): string {
  switch (errno) {
    case 1: // EPERM
      return CAPABILITY_HINT[capability ?? "CAP_AUDIT_CONTROL"];
    case 13: // EACCES
      return capability === "CAP_AUDIT_WRITE"
        ? CAPABILITY_HINT.CAP_AUDIT_WRITE
        : "permission denied (EACCES)";
    case 111: // ECONNREFUSED
      return "kernel audit is not available in this namespace";
    case 93: // EPROTONOSUPPORT
      return "the kernel has no audit support";
    default:
      return `${errnoMessage(errno)} (${errnoName(errno) ?? `errno ${errno}`})`;
  }
}

/**
 * An error from the audit system or from libaudit, with its errno.
 *
 * `code` is the errno's symbolic name (`"EPERM"`, `"EINVAL"`, ...), `call` the
 * C function or kernel request that failed, and `message` a sentence a user
 * understands.
 *
 * @example
 * ```ts
 * import { AuditError, openAudit } from "../mod.ts";
 * try {
 *   using audit = openAudit();
 *   await audit.setEnabled(1);
 * } catch (e) {
 *   if (e instanceof AuditError && e.code === "EPERM") console.error(e.message);
 * }
 * ```
 */
export class AuditError extends Error {
  /** The positive errno number. */
  readonly errno: number;
  /** The errno's symbolic name, such as `"EPERM"`. */
  readonly code: string;
  /** The C function or kernel request that failed. */
  readonly call: string;

  /** Builds the error and its message from `init`. */
  constructor(init: AuditErrorInit) {
    const reason = init.reason ?? explainErrno(init.errno, init.capability);
    const what = init.action ? `Cannot ${init.action}` : `${init.call} failed`;
    super(
      init.message ?? `${what}: ${reason}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = "AuditError";
    this.errno = init.errno;
    this.code = errnoName(init.errno) ?? `E${init.errno}`;
    this.call = init.call;
  }
}

/**
 * Thrown when libaudit (or libc) cannot be loaded. Its `code` is `"ELIBACC"`.
 *
 * @example
 * ```ts
 * import { AuditLibraryError, openAudit } from "../mod.ts";
 * try {
 *   openAudit().close();
 * } catch (e) {
 *   if (e instanceof AuditLibraryError) console.error(e.message); // install libaudit1
 * }
 * ```
 */
export class AuditLibraryError extends AuditError {
  /** The path that could not be opened. */
  readonly path: string;
  /** Builds the error for a library `path` that failed to open. */
  constructor(library: string, path: string, pkg: string, cause: unknown) {
    const where = path === library ? "" : ` (tried ${path})`;
    super({
      call: "dlopen",
      errno: 79, // ELIBACC
      message: `${library} not found${where}: install ${pkg}`,
      cause,
    });
    this.name = "AuditLibraryError";
    this.path = path;
  }
}
