/**
 * ausearch's `--format csv` and `--format text` (3.0.9): one line per event
 * from libauparse's normaliser.
 *
 * @module
 */

import type { AuditEvent } from "./assemble.ts";
import type { EscapeMode } from "./interpret.ts";
import { type FieldRef, NormalizedView } from "./normalize.ts";
import { dateX, timeT } from "./format.ts";
import { msgTypeName } from "./types.ts";

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
