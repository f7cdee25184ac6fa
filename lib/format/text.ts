/**
 * ausearch's `--format text` (3.0.9): one English sentence per event, from
 * libauparse's normaliser.
 *
 * @module
 */

import { type AuditEvent, regroupAsLibauparse } from "../event/assemble.ts";
import type { EventFormatter } from "./formatter.ts";
import type { EscapeMode } from "../interpret/interpret.ts";
import { NormalizedView } from "../interpret/normalize.ts";
import { dateX, timeT } from "./time.ts";
import { objectText, succeeded } from "./_normalized.ts";

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

/** `--format text`: each event as libauparse splits it, a sentence each. */
export const TEXT: EventFormatter = {
  interprets: true,
  carriesNames: true,
  ausearch: true,
  open({ escape = "tty" }) {
    return {
      write: (event) => regroupAsLibauparse(event).map((e) => formatText(e, escape)).join(""),
    };
  },
};
