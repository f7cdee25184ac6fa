/**
 * ausearch's `--format csv` (3.0.9): one line per event from libauparse's
 * normaliser, after a header.
 *
 * @module
 */

import type { AuditEvent } from "../event/assemble.ts";
import type { EscapeMode } from "../interpret/interpret.ts";
import { type FieldRef, NormalizedView } from "../interpret/normalize.ts";
import { msgTypeName } from "../event/types.ts";
import type { CsvOptions, EventFormatter } from "./formatter.ts";
import { regroupAsLibauparse } from "../event/assemble.ts";
import { dateX, timeT } from "./time.ts";
import { objectText, primaryObject, succeeded } from "./_normalized.ts";

export type { CsvOptions } from "./formatter.ts";

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

/** `--format csv`: the header with the first event, each event as libauparse splits it. */
export const CSV: EventFormatter = {
  interprets: true,
  carriesNames: true,
  ausearch: true,
  open({ csv = {}, escape = "tty" }) {
    let header = false;
    return {
      write(event) {
        let out = "";
        // ausearch hands each event's records to libauparse, which may split them
        for (const part of regroupAsLibauparse(event)) {
          // the header comes with the first event libauparse hands out
          if (!header) {
            out += csvHeader(csv);
            header = true;
          }
          out += formatCsv(part, csv, escape);
        }
        return out;
      },
    };
  },
};
