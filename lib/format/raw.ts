/**
 * ausearch `--raw`: the lines as read.
 *
 * @module
 */

import type { AuditEvent } from "../event/assemble.ts";
import type { EventFormatter } from "./formatter.ts";

/**
 * ausearch `--raw`: the lines as read, enrichment kept.
 *
 * @example
 * ```ts
 * import { formatRaw, readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(formatRaw(ev));
 * ```
 */
export function formatRaw(event: AuditEvent): string {
  // ausearch marks the whole event enriched when one record is: the others
  // get the 0x1D separator with an empty list
  const enriched = event.records.some((r) => r.enriched);
  let out = "";
  for (const r of event.records) out += r.raw + (enriched && !r.enriched ? "\x1d\n" : "\n");
  return out;
}

/** `--raw`. */
export const RAW: EventFormatter = {
  interprets: false,
  carriesNames: false,
  ausearch: true,
  open: () => ({ write: formatRaw }),
};
