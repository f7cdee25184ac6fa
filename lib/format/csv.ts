/**
 * ausearch's `--format csv` and `--format text` (3.0.9): one line per event
 * from libauparse's normaliser.
 *
 * @module
 */

import { type AuditEvent, regroupAsLibauparse } from "../event/assemble.ts";
import type { EscapeMode } from "../interpret/interpret.ts";
import { type FieldRef, NormalizedView } from "../interpret/normalize.ts";
import { dateX, timeT } from "./json.ts";
import { msgTypeName } from "../event/types.ts";

/** The optional csv columns of ausearch (`--extra-keys` and friends). */
export interface CsvOptions {
  /** Add a KEY column (`--extra-keys`). */
  keys?: boolean;
  /** Add SUBJ_LABEL and OBJ_LABEL columns (`--extra-labels`). */
  labels?: boolean;
  /** Add an OBJ2 column (`--extra-obj2`). */
  obj2?: boolean;
  /** Add YEAR, MONTH, DAY, WEEKDAY, HOUR, MILLI and GMT_OFFSET columns (`--extra-time`). */
  time?: boolean;
  /**
   * Called with ausearch's message (`error normalizing TYPE`) for an event
   * libauparse cannot normalise (several records, none a SYSCALL); its row
   * then has empty columns after the serial, as ausearch prints it.
   */
  warn?: (message: string) => void;
}

/**
 * The csv header line ausearch prints before the first event.
 *
 * @example
 * ```ts
 * import { csvHeader } from "../../mod.ts";
 * csvHeader({ keys: true }).endsWith(",HOW,KEY\n"); // true
 * ```
 */
export function csvHeader(opts: CsvOptions = {}): string {
  return `NODE,EVENT,DATE,TIME,${
    opts.time ? "YEAR,MONTH,DAY,WEEKDAY,HOUR,MILLI,GMT_OFFSET," : ""
  }SERIAL_NUM,EVENT_KIND,SESSION,SUBJ_PRIME,SUBJ_SEC,SUBJ_KIND,${
    opts.labels ? "SUBJ_LABEL," : ""
  }ACTION,RESULT,OBJ_PRIME,OBJ_SEC,${opts.obj2 ? "OBJ2," : ""}${
    opts.labels ? "OBJ_LABEL," : ""
  }OBJ_KIND,HOW${opts.keys ? ",KEY" : ""}\n`;
}

const p2 = (n: number) => String(n).padStart(2, "0");

function extraTime(sec: number, msec: number): string {
  const d = new Date(sec * 1000);
  const off = -d.getTimezoneOffset() * 60;
  const total = Math.abs(off);
  const hour = Math.floor(total / 3600);
  const min = (total - hour * 3600) % 60;
  return `${d.getFullYear()},${p2(d.getMonth() + 1)},${p2(d.getDate())},${d.getDay() || 7},${
    String(d.getHours()).padStart(2)
  },${msec},${off >= 0 ? "+" : "-"}${p2(hour)}:${p2(min)},`;
}

/** RESULT: whether the result field says success, as ausearch decides it. */
function succeeded(v: NormalizedView, ref: FieldRef): boolean {
  const item = v.interpret(ref);
  return item === "yes" || item.startsWith("suc") ||
    (v.kind(ref) === "seccomp" && item === "allow");
}

function objectText(v: NormalizedView, ref: FieldRef): string {
  return v.realpath(ref) ?? v.interpret(ref);
}

function primaryObject(v: NormalizedView, ref: FieldRef): string {
  // a file path first, then a setting's name
  return v.realpath(ref) ?? (v.norm.objectByName ? v.name(ref) : v.interpret(ref));
}

/**
 * The first attribute called `name`, as ausearch walks the list: nothing
 * when the first cannot be read, and the walk stops at one that cannot.
 */
function attr(v: NormalizedView, refs: FieldRef[], name: string): string {
  if (refs.length === 0 || !v.has(refs[0])) return "";
  for (const r of refs) {
    if (!v.has(r)) break;
    if (v.name(r) === name) return v.interpret(r);
  }
  return "";
}

/**
 * One event as a line of ausearch's csv (without the header).
 *
 * @example
 * ```ts
 * import { csvHeader, formatCsv, readEvents } from "../../mod.ts";
 * let out = csvHeader();
 * for await (const ev of readEvents("/var/log/audit/audit.log")) out += formatCsv(ev);
 * ```
 */
export function formatCsv(
  event: AuditEvent,
  opts: CsvOptions = {},
  escape: EscapeMode = "tty",
): string {
  const v = new NormalizedView(event, opts.labels ?? false, escape);
  const n = v.norm;
  const first = event.records[0];
  let s = `${first.node ?? ""},${msgTypeName(first.type) ?? ""},${dateX(event.sec)},${
    timeT(event.sec)
  },`;
  if (opts.time) s += extraTime(event.sec, event.msec);
  if (n.failed) {
    opts.warn?.(`error normalizing ${msgTypeName(first.type) ?? "(null)"}\n`);
    return `${s}${event.serial},,,,,,,,,,${opts.labels ? ",," : ""}${opts.keys ? "," : ""}\n`;
  }
  s += `${event.serial},${n.kind},`;
  s += `${n.session ? v.interpret(n.session) : ""},`;
  if (n.subjectPrimary) {
    const subj = v.interpret(n.subjectPrimary);
    s += subj === "unset" ? "system" : subj;
  }
  s += `,${n.subjectSecondary ? v.interpret(n.subjectSecondary) : ""},${n.subjectKind ?? ""},`;
  if (opts.labels) s += `${attr(v, n.subjectAttrs, "subj")},`;
  s += `${n.action ?? "did-unknown"},`;
  if (n.results) s += succeeded(v, n.results) ? "success" : "failed";
  s += `,${n.objectPrimary ? primaryObject(v, n.objectPrimary) : ""},`;
  s += `${n.objectSecondary ? v.interpret(n.objectSecondary) : ""},`;
  if (opts.obj2) s += `${n.objectPrimary2 ? objectText(v, n.objectPrimary2) : ""},`;
  if (opts.labels) s += `${attr(v, n.objectAttrs, "obj")},`;
  s += `${n.objectKind},${n.how ?? ""}`;
  if (opts.keys) s += `,${n.key ? v.interpret(n.key) : ""}`;
  return s + "\n";
}

/**
 * One event as ausearch's English sentence (`--format text`).
 *
 * @example
 * ```ts
 * import { formatText, readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(formatText(ev));
 * ```
 */
export function formatText(event: AuditEvent, escape: EscapeMode = "tty"): string {
  const v = new NormalizedView(event, false, escape);
  const n = v.norm;
  const when = `${timeT(event.sec)} ${dateX(event.sec)}`;
  const node = event.records[0].node;
  let s = node !== undefined ? `On ${node} at ${when} ` : `At ${when} `;
  let id = -2;
  if (n.subjectPrimary) {
    const subj = v.interpret(n.subjectPrimary);
    id = v.int(n.subjectPrimary);
    s += subj === "unset" ? "system" : subj;
  }
  if (n.subjectSecondary) {
    const uid = v.int(n.subjectSecondary);
    if (uid !== id && id !== -2) s += `, acting as ${v.interpret(n.subjectSecondary)},`;
  }
  if (n.results) s += succeeded(v, n.results) ? " successfully " : " unsuccessfully ";
  else s += " ";
  const action = n.action;
  s += `${action ?? "did-unknown"} `;
  if (n.objectPrimary) {
    const ref = n.objectPrimary;
    let val: string | undefined;
    if (action?.includes("violated")) val = "accessing ";
    const kind = v.kind(ref);
    if (kind === "escaped_file") val = v.realpath(ref);
    else if (kind === "sockaddr") val = v.sockPart(ref, "laddr=") ?? v.sockPart(ref, "fam=");
    else if (n.objectByName) val = v.name(ref);
    s += `${val ?? v.interpret(ref)} `;
  }
  if (n.objectPrimary2) s += `to ${objectText(v, n.objectPrimary2)} `;
  if (n.how !== undefined && action !== undefined && !action.startsWith("e")) s += `using ${n.how}`;
  return s + "\n";
}

/**
 * The record of the last field libauparse goes to while ausearch formats
 * the event `v` as text or csv (its `text_event`/`csv_event` callbacks,
 * field by field in their order): each move to a record loads that
 * record's ENRICHED names. Without any move, the first record's (as
 * `auparse_normalize` leaves it, assumed).
 */
function lastRecordVisited(v: NormalizedView, format: "csv" | "text", opts: CsvOptions): number {
  const n = v.norm;
  const refs: (FieldRef | undefined)[] = [];
  // the moves of an attribute search: the first attribute, then on while found and not `name`
  const attrs = (list: FieldRef[], name: string) => {
    for (const r of list) {
      refs.push(r);
      if (!v.has(r) || v.name(r) === name) break;
    }
  };
  if (format === "text") {
    refs.push(n.subjectPrimary, n.subjectSecondary, n.results, n.objectPrimary, n.objectPrimary2);
  } else if (!n.failed) {
    refs.push(n.session, n.subjectPrimary, n.subjectSecondary);
    if (opts.labels) attrs(n.subjectAttrs, "subj");
    refs.push(n.results, n.objectPrimary, n.objectSecondary);
    if (opts.obj2) refs.push(n.objectPrimary2);
    if (opts.labels) attrs(n.objectAttrs, "obj");
    if (opts.keys) refs.push(n.key);
  }
  let last = 0;
  for (const r of refs) if (r !== undefined && r.record < v.event.records.length) last = r.record;
  return last;
}

/**
 * The ENRICHED names libauparse holds after ausearch 3.0.9 writes `event`
 * as `--format csv` or `--format text`: those of the last record its
 * formatting went to (empty when that record has none). ausearch keeps
 * them: an event that does not load its own names (see `loadsOwnNames`)
 * compares `-ui`/`-ue`/`-ul`/`-ua` user names with these, until an event
 * that does replaces them. Pass them to `matchEvent` (`carriedNames`) for
 * the events that follow.
 *
 * @example
 * ```ts
 * import { namesLeftAfter, readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) {
 *   console.log(namesLeftAfter(ev, "text").get("uid"));
 * }
 * ```
 */
export function namesLeftAfter(
  event: AuditEvent,
  format: "csv" | "text",
  opts: CsvOptions = {},
): ReadonlyMap<string, string> {
  // libauparse hands the event out in parts when ausearch's grouping differs from its own
  const parts = regroupAsLibauparse(event);
  const last = parts[parts.length - 1];
  if (last === undefined) return new Map();
  const v = new NormalizedView(last, format === "csv" && (opts.labels ?? false), "tty");
  return last.records[lastRecordVisited(v, format, opts)].interpretations;
}
