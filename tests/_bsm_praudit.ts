/**
 * The six praudit modes stored in tests/data/bsm/vectors.json and the
 * options (library) and flags (CLI) that give each (REFERENCE.md 8.8).
 *
 * @module
 */

import { parseAuditClass, parseAuditEvent, type PrauditOptions } from "../mod.ts";

/** A stored praudit mode: library options and `bsm print` flags. */
export const MODES: Record<string, { options: PrauditOptions; flags: string[] }> = {
  n: { options: { noResolve: true }, flags: ["-n"] },
  rn: { options: { raw: true, noResolve: true }, flags: ["-r", "-n"] },
  sn: { options: { short: true, noResolve: true }, flags: ["-s", "-n"] },
  ln: { options: { oneLine: true, noResolve: true }, flags: ["-l", "-n"] },
  xn: { options: { xml: true, noResolve: true }, flags: ["-x", "-n"] },
  lrn_pipe: {
    options: { oneLine: true, raw: true, noResolve: true, delimiter: "|" },
    flags: ["-l", "-r", "-n", "-d", "|"],
  },
};

/** The audit_event copy the vectors were printed with. */
export const EVENT_FILE = new URL("./data/bsm/audit_event", import.meta.url).pathname;
/** The audit_class copy. */
export const CLASS_FILE = new URL("./data/bsm/audit_class", import.meta.url).pathname;

/** The event table of {@link EVENT_FILE}. */
export const events = parseAuditEvent(
  Deno.readFileSync(EVENT_FILE),
  parseAuditClass(Deno.readFileSync(CLASS_FILE)),
);
