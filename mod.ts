/**
 * auditkit: typed access to Linux kernel auditing from Deno.
 *
 * libaudit (libaudit.so.1) and libc are bound with `Deno.dlopen`, so the
 * program needs `--allow-ffi`. Importing this module needs no permission:
 * the libraries are opened on first use.
 *
 * @example
 * ```ts
 * import { auditctl, formatStatus, openAudit } from "./mod.ts";
 *
 * using audit = openAudit();
 * const status = await audit.status();
 * console.log(formatStatus(status)); // what `auditctl -s` prints
 *
 * const { auditon } = await auditctl("ASTATUS", { client: audit });
 * ```
 *
 * @module
 */

export {
  AuditClient,
  type AuditStatus,
  type LoginuidImmutable,
  openAudit,
  type SetEnabledOptions,
  type SetFailureOptions,
  type SignalInfo,
} from "./lib/client.ts";
export { type Actl, auditctl, type AuditctlCommand, type AuditctlOptions } from "./lib/auditctl.ts";
export { formatStatus, type FormatStatusOptions } from "./lib/status_format.ts";
export {
  type AuditCapability,
  AuditError,
  type AuditErrorInit,
  AuditLibraryError,
} from "./lib/errors.ts";
export { errnoMessage, errnoName, errnoNumber } from "./lib/errno.ts";
