/**
 * Text forms of the audit status, as `auditctl -s` prints them.
 *
 * @module
 */

import type { AuditStatus } from "./client.ts";

/** Options of {@link formatStatus}. */
export interface FormatStatusOptions {
  /** Words instead of numbers for `enabled` and `failure`, like `auditctl -s -i`. */
  interpret?: boolean;
}

function enabledWord(v: number): string {
  return ["disable", "enabled", "enabled+immutable"][v] ?? "unknown";
}

function failureWord(v: number): string {
  return ["silent", "printk", "panic"][v] ?? "unknown";
}

/**
 * The status block exactly as `auditctl -s` prints it (one `name value` line
 * each, ending in a newline).
 *
 * @example
 * ```ts
 * import { formatStatus, openAudit } from "../mod.ts";
 * using audit = openAudit();
 * console.log(formatStatus(await audit.status()));
 * ```
 */
export function formatStatus(s: AuditStatus, options: FormatStatusOptions = {}): string {
  const i = options.interpret ?? false;
  const lines = [
    `enabled ${i ? enabledWord(s.enabled) : s.enabled}`,
    `failure ${i ? failureWord(s.failure) : s.failure}`,
    `pid ${s.pid}`,
    `rate_limit ${s.rate_limit}`,
    `backlog_limit ${s.backlog_limit}`,
    `lost ${s.lost}`,
    `backlog ${s.backlog}`,
  ];
  if (s.backlog_wait_time !== undefined) lines.push(`backlog_wait_time ${s.backlog_wait_time}`);
  if (s.backlog_wait_time_actual !== undefined) {
    lines.push(`backlog_wait_time_actual ${s.backlog_wait_time_actual}`);
  }
  if (s.loginuid_immutable) {
    const l = s.loginuid_immutable;
    lines.push(`loginuid_immutable ${l.value} ${l.locked ? "locked" : "unlocked"}`);
  }
  return lines.join("\n") + "\n";
}
