/**
 * The SVR4 auditctl(2) interface on Linux: AUDITON, AUDITOFF and ASTATUS
 * with the manual's error semantics.
 *
 * @module
 */

import { type AuditClient, openAudit } from "./client.ts";
import { AuditError } from "./errors.ts";

/** The commands of auditctl(2). */
export type AuditctlCommand = "AUDITON" | "AUDITOFF" | "ASTATUS";

/** The `struct actl` of auditctl(2), as ASTATUS returns it. */
export interface Actl {
  /** 1 when auditing is enabled (kernel enabled 1 or 2), 0 when disabled. */
  auditon: 0 | 1;
  /** The kernel's audit interface version: its AUDIT_VERSION feature bitmap, in decimal. */
  version: string;
  /** Seconds west of UTC of the local time zone, like C's `timezone`. */
  gmtsecoff: number;
}

/** Options of {@link auditctl}. */
export interface AuditctlOptions {
  /** A client to use; by default one is opened and closed for the call. */
  client?: AuditClient;
}

const EINVAL = 22;

/**
 * auditctl(2): `AUDITON` enables kernel auditing, `AUDITOFF` disables it,
 * `ASTATUS` reports it.
 *
 * Errors are {@link AuditError}s with the manual's codes: `EINVAL` for
 * AUDITON when auditing is already on, AUDITOFF when it is already off, and
 * an unknown command; `EPERM` without CAP_AUDIT_CONTROL. AUDITOFF on a
 * configuration locked with enabled=2 fails with the kernel's `EPERM`.
 * AUDITON and AUDITOFF resolve to `undefined`, ASTATUS to an {@link Actl}.
 *
 * @example
 * ```ts
 * import { auditctl } from "../mod.ts";
 * const { auditon } = await auditctl("ASTATUS");
 * if (!auditon) await auditctl("AUDITON");
 * ```
 */
export async function auditctl(cmd: "ASTATUS", options?: AuditctlOptions): Promise<Actl>;
/** auditctl(2) AUDITON / AUDITOFF. */
export async function auditctl(
  cmd: "AUDITON" | "AUDITOFF",
  options?: AuditctlOptions,
): Promise<undefined>;
/** auditctl(2) with a command known only at run time. */
export async function auditctl(
  cmd: AuditctlCommand,
  options?: AuditctlOptions,
): Promise<Actl | undefined>;
export async function auditctl(
  cmd: AuditctlCommand,
  options: AuditctlOptions = {},
): Promise<Actl | undefined> {
  if (cmd !== "AUDITON" && cmd !== "AUDITOFF" && cmd !== "ASTATUS") {
    throw new AuditError({
      call: "auditctl",
      errno: EINVAL,
      reason: `unknown command "${String(cmd)}": use AUDITON, AUDITOFF or ASTATUS`,
      action: "run auditctl",
    });
  }
  const own = options.client ? undefined : openAudit();
  const client = options.client ?? own!;
  try {
    const status = await client.status();
    const on = status.enabled !== 0;
    if (cmd === "ASTATUS") {
      return {
        auditon: on ? 1 : 0,
        version: String(status.feature_bitmap),
        gmtsecoff: new Date().getTimezoneOffset() * 60,
      };
    }
    if (cmd === "AUDITON" && on) {
      throw new AuditError({
        call: "auditctl",
        errno: EINVAL,
        action: "run AUDITON",
        reason: "auditing is already enabled",
      });
    }
    if (cmd === "AUDITOFF" && !on) {
      throw new AuditError({
        call: "auditctl",
        errno: EINVAL,
        action: "run AUDITOFF",
        reason: "auditing is already disabled",
      });
    }
    await client.setEnabled(cmd === "AUDITON" ? 1 : 0);
    return undefined;
  } finally {
    own?.close();
  }
}
