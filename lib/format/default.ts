/**
 * ausearch's default output: `----`, `time->`, the records newest first.
 *
 * @module
 */

import type { AuditEvent } from "../event/assemble.ts";
import type { AuditRecord } from "../event/record.ts";
import { RecordType } from "../event/types.ts";
import { type EscapeMode, escapeValue } from "../interpret/interpret.ts";
import { ctime } from "./time.ts";
import type { EventFormatter } from "./formatter.ts";

/** Records of an event in ausearch's output order and selection. */
export function printedRecords(event: AuditEvent): AuditRecord[] {
  const last = event.records[event.records.length - 1];
  if (last.type >= RecordType.DAEMON_START && last.type < RecordType.SYSCALL) return [last];
  return event.records.slice().reverse();
}

/**
 * ausearch's default output: `----`, `time->`, records newest first, each
 * record's text escaped as `--escape` says (`tty`, the default: control
 * characters as `\ooo`).
 *
 * @example
 * ```ts
 * import { formatDefault, readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(formatDefault(ev));
 * ```
 */
export function formatDefault(event: AuditEvent, escape: EscapeMode = "tty"): string {
  let out = `----\ntime->${ctime(event.sec)}\n`;
  for (const r of printedRecords(event)) out += escapeValue(r.text, escape) + "\n";
  return out;
}

/** ausearch's default format. */
export const DEFAULT: EventFormatter = {
  interprets: false,
  carriesNames: false,
  ausearch: true,
  open: ({ escape = "tty" }) => ({ write: (event) => formatDefault(event, escape) }),
};
