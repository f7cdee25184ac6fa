/**
 * The user names ausearch carries from one csv or text event to the next:
 * libauparse keeps the ENRICHED names of the last record it went to while
 * formatting, and ausearch compares `-ui`/`-ue`/`-ul`/`-ua` names of the
 * events that do not load their own with those.
 *
 * @module
 */

import { type AuditEvent, regroupAsLibauparse } from "../event/assemble.ts";
import { type FieldRef, NormalizedView } from "../interpret/normalize.ts";
import type { CsvOptions } from "../format/csv.ts";

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
