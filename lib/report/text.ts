/**
 * Text helpers shared by aureport's report modules: its safe_print_string
 * escaping, the auid column and the marker of a row printed without its
 * newline.
 *
 * @module
 */

import { userName } from "../accounts.ts";
import type { AuditEvent } from "../event/assemble.ts";
import { type EscapeMode, escapeValue } from "../interpret/interpret.ts";
import type { SearchItems } from "../select/criteria.ts";
import { msgTypeName } from "../event/types.ts";

/** Ends a row that aureport prints without its newline (a TTY event without data=). */
export const NO_LINE_END = "\u0000";

/** A listing report: its headings and, per event, its rows and summary values. */
export interface Column {
  /** Summary values are numbers: ties sort by value (aureport keeps them in a sorted list). */
  numeric?: boolean;
  /** Summary values are record type numbers, printed by name with `-i`. */
  typeLabels?: boolean;
  title: string;
  rule: number;
  /** The rule under the column header, when it differs (aureport's Command Report). */
  ruleBelow?: number;
  header: string;
  summaryTitle: string;
  summaryRule: number;
  summaryHeader: string;
  /** The rows of one event (usually one), or none when the event is not of interest. */
  rows(ev: AuditEvent, s: SearchItems, t: ReportStyle): string[];
  /** The summary value of one event. */
  values(ev: AuditEvent, s: SearchItems, t: ReportStyle): string[];
}

/** How a report prints values: names for numbers (`-i`) and aureport's `--escape` mode. */
export interface ReportStyle {
  /** Numbers as names (`-i`). */
  readonly interpret: boolean;
  /** How control characters are escaped (tty by default in aureport). */
  readonly escape: EscapeMode;
}

/**
 * aureport's safe_print_string, in the report's escape mode (`--escape`,
 * tty by default: control characters as `\ooo`). aureport prints commands,
 * executables, accounts, keys and user names, and every summary entry, this
 * way.
 *
 * @example
 * ```ts
 * import { safe } from "./text.ts";
 * safe("a\x1eb", { interpret: false, escape: "tty" }); // "a\\036b"
 * ```
 */
export function safe(v: string, style: ReportStyle): string {
  return escapeValue(v, style.escape);
}

/** The auid column: the number, or the name with `-i`. */
export function auid(s: SearchItems, style: ReportStyle): string {
  // aureport starts every event with loginuid -2: events without an auid print that
  return uidText(s.auid ?? -2, s, style);
}

/**
 * A uid as aureport's aulookup_uid prints it: the number, or with -i its
 * name (an ENRICHED auid name stands for any uid, as aureport looks up the
 * record's `auid` interpretation whatever uid it prints).
 */
export function uidText(v: number, s: SearchItems, style: ReportStyle): string {
  if (!style.interpret) return String(v);
  if (v === -1) return "unset";
  if (s.auidName !== undefined) return safe(s.auidName, style);
  if (v === 0) return "root";
  return userName(v >>> 0) ?? `unknown(${v})`;
}

/** A record type as aureport prints it: libaudit's name, `(null)` when libaudit has none. */
export function typeText(type: number): string {
  return msgTypeName(type) ?? "(null)";
}
