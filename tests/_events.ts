/** Events built from record lines, for unit tests. */

import { AuditEvent, AuditRecord } from "../mod.ts";

const enc = new TextEncoder();

/** One event of the given record lines (the first one's time stamp). */
export function event(...lines: string[]): AuditEvent {
  const records = lines.map((l) => new AuditRecord(enc.encode(l)));
  const ev = new AuditEvent(records[0]);
  ev.records.push(...records.slice(1));
  return ev;
}
