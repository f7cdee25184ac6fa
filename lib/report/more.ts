/**
 * aureport's event-type listings (3.0.9): account modifications (`-m`),
 * anomalies (`-n`), responses to anomalies (`-r`), crypto (`-cr`), MAC
 * (`-ma`), integrity (`--integrity`), virtualization (`--virt`) and
 * keystrokes (`--tty`), each with its `--summary` of event types.
 *
 * @module
 */

import type { AuditEvent } from "../event/assemble.ts";
import { printTtyData } from "../interpret/interpret_extra.ts";
import { auid, type Column, NO_LINE_END, type ReportStyle, safe, typeText } from "./text.ts";
import type { SearchItems } from "../select/criteria.ts";

/** The report kinds this module adds. */
export type MoreReportKind =
  | "acct_mod"
  | "anomaly"
  | "response"
  | "crypto"
  | "mac"
  | "integrity"
  | "virt"
  | "tty";

const has = (ev: AuditEvent, lo: number, hi = lo) =>
  ev.records.some((r) => r.type >= lo && r.type <= hi);
const q = (v: string | undefined) => v ?? "?";
/** {@link q} for what aureport prints with safe_print_string. */
const qs = (v: string | undefined, t: ReportStyle) => v === undefined ? "?" : safe(v, t);
/** aureport's success column: events without a result say unset. */
const successText = (s: SearchItems) =>
  s.success === undefined ? "unset" : s.success ? "yes" : "no";
const typeName = (ev: AuditEvent) => typeText(ev.type);

/** Account changes: passwords, user and group accounts, roles. */
const isAcctMod = (ev: AuditEvent) =>
  has(ev, 1108) || has(ev, 1114, 1117) || has(ev, 1102) || has(ev, 1132) ||
  has(ev, 2301, 2302);
const isAnomaly = (ev: AuditEvent) => has(ev, 2100, 2199) || has(ev, 1700, 1799) || has(ev, 1326); // SECCOMP too
const isResponse = (ev: AuditEvent) => has(ev, 2200, 2299);
const isCrypto = (ev: AuditEvent) => has(ev, 1600, 1699) || has(ev, 2400, 2499);
const isIntegrity = (ev: AuditEvent) => has(ev, 1800, 1899);
const isVirt = (ev: AuditEvent) => has(ev, 2500, 2599);

/** aureport reads ANOM_LINK records as syscall records: their tty is the terminal. */
function anomalyTty(ev: AuditEvent): string | undefined {
  const r = ev.records[0];
  return r.type === 1702 ? r.get("tty") : undefined;
}

/** The type summary of a kind: one count per event of interest, by its first record's type. */
function typeColumn(
  match: (ev: AuditEvent) => boolean,
  detail: Omit<Column, "values" | "summaryHeader" | "numeric" | "typeLabels" | "rows">,
  row: (ev: AuditEvent, s: SearchItems, t: ReportStyle) => string,
  summaryMatch: (ev: AuditEvent) => boolean = match,
): Column {
  return {
    ...detail,
    numeric: true,
    typeLabels: true,
    summaryHeader: "total  type",
    rows: (ev, s, t) => match(ev) ? [row(ev, s, t)] : [],
    values: (ev) => summaryMatch(ev) ? [String(ev.type)] : [],
  };
}

/** The listings aureport 3.0.9 has beyond those of report.ts. */
export const MORE_COLUMNS: Record<MoreReportKind, Column> = {
  acct_mod: typeColumn(
    isAcctMod,
    {
      title: "Account Modifications Report",
      rule: 49,
      header: "# date time auid addr term exe acct success event",
      summaryTitle: "Acct Modification Summary Report",
      summaryRule: 32,
    },
    (ev, s, t) =>
      `${auid(s, t)} ${q(s.hostname)} ${q(s.terminal)} ${qs(s.exe, t)} ${qs(s.acct, t)} ${
        successText(s)
      } ${ev.serial}`,
  ),
  anomaly: typeColumn(
    isAnomaly,
    {
      title: "Anomaly Report",
      rule: 41,
      header: "# date time type exe term host auid event",
      summaryTitle: "Anomaly Summary Report",
      summaryRule: 22,
    },
    (ev, s, t) =>
      `${typeName(ev)} ${qs(s.exe ?? s.comm, t)} ${q(s.terminal ?? anomalyTty(ev))} ${
        q(s.hostname)
      } ${auid(s, t)} ${ev.serial}`,
  ),
  response: typeColumn(isResponse, {
    title: "Response to Anomaly Report",
    rule: 30,
    header: "# date time type success event",
    summaryTitle: "Anomaly Response Summary Report",
    summaryRule: 31,
  }, (ev, s) => `${typeName(ev)} ${successText(s)} ${ev.serial}`),
  crypto: typeColumn(isCrypto, {
    title: "Crypto Report",
    rule: 35,
    header: "# date time auid type success event",
    summaryTitle: "Crypto Summary Report",
    summaryRule: 21,
  }, (ev, s, t) => `${auid(s, t)} ${typeName(ev)} ${successText(s)} ${ev.serial}`),
  // aureport lists MAC_POLICY_LOAD..MAC_UNLBL_STCDEL but its summary stops at MAC_MAP_DEL
  mac: typeColumn(
    (ev) => has(ev, 1403, 1417) || has(ev, 2300, 2399),
    {
      title: "MAC Report",
      rule: 35,
      header: "# date time auid type success event",
      summaryTitle: "MAC Summary Report",
      summaryRule: 18,
    },
    (ev, s, t) => `${auid(s, t)} ${typeName(ev)} ${successText(s)} ${ev.serial}`,
    (ev) => has(ev, 1403, 1410) || has(ev, 2300, 2399),
  ),
  integrity: typeColumn(isIntegrity, {
    title: "Integrity Report",
    rule: 30,
    header: "# date time type success event",
    summaryTitle: "Integrity Summary Report",
    summaryRule: 24,
  }, (ev, s) => `${typeName(ev)} ${successText(s)} ${ev.serial}`),
  virt: typeColumn(isVirt, {
    title: "Virtualization Report",
    rule: 30,
    header: "# date time type success event",
    summaryTitle: "Virtualization Summary Report",
    summaryRule: 29,
  }, (ev, s) => `${typeName(ev)} ${successText(s)} ${ev.serial}`),
  tty: {
    numeric: true,
    typeLabels: false,
    title: "TTY Report",
    rule: 47,
    header: "# date time event auid term sess comm data",
    summaryTitle: "",
    summaryRule: 0,
    summaryHeader: "",
    rows: (ev, s, t) => {
      if (ev.type !== 1319 && ev.type !== 1124) return [];
      // aureport takes the text after the first data= up to the line's last space
      const text = ev.records[0].text;
      const at = text.indexOf("data=");
      // aureport has then printed the number and time, and nothing more
      if (at < 0) return ["" + NO_LINE_END];
      let data = text.slice(at + 5);
      const sp = data.lastIndexOf(" ");
      if (sp >= 0) data = data.slice(0, sp);
      return [
        `${ev.serial} ${auid(s, t)} ${q(s.terminal)} ${(s.session ?? -1) >>> 0} ${qs(s.comm, t)} ${
          printTtyData(data)
        }`,
      ];
    },
    values: () => [],
  },
};
