/**
 * Reports as aureport makes them: the overall summary, per-event listings
 * (`-x`, `-k`, `-f`, ...) and their `--summary` counts, optionally limited
 * to failed or successful events and to a time range.
 *
 * @module
 */

import type { AuditEvent } from "../event/assemble.ts";
import { dateX, timeT } from "../format/time.ts";
import type { EscapeMode } from "../interpret/interpret.ts";
import { type SearchItems, searchItems } from "../select/criteria.ts";
import { type ExtractFlags, extractItems, reportFlags } from "../select/extract.ts";
import { syscallName } from "../interpret/tables.ts";
import { MORE_COLUMNS, type MoreReportKind } from "./more.ts";
import {
  auid,
  type Column,
  NO_LINE_END,
  type ReportStyle,
  safe,
  typeText,
  uidText,
} from "./text.ts";

/** The report kinds auditkit makes (aureport's selectors). */
export type ReportKind =
  | "summary"
  | "auth"
  | "login"
  | "avc"
  | "executable"
  | "key"
  | "event"
  | "file"
  | "syscall"
  | "user"
  | "pid"
  | "config"
  | "terminal"
  | "host"
  | "comm"
  | "log"
  | MoreReportKind;

/** Options of a report. */
export interface ReportOptions {
  /** What to report. */
  kind: ReportKind;
  /** Counts per value instead of one row per event (`--summary`). */
  summary?: boolean;
  /** Only failed (`false`) or successful (`true`) events. */
  success?: boolean;
  /** Interpret ids and syscalls (`-i`). */
  interpret?: boolean;
  /** How control characters (and shell specials) are escaped in names and summaries (`--escape`, tty by default). */
  escape?: EscapeMode;
  /** Only events of these nodes (`--node`, repeatable). */
  nodes?: string[];
  /** Receives aureport's `--debug` messages about records its readers skip. */
  debug?: (message: string) => void;
  /** Receives the messages aureport's readers print on stderr in any case (a sockaddr too short). */
  warn?: (message: string) => void;
  /** Leave out events that start with a CONFIG_CHANGE record (`-nc`/`--no-config`). */
  noConfig?: boolean;
  /** Leave out the events that remove (`add`) or add (`delete`) users, groups and MAC settings (`--add`, `--delete`). */
  changes?: "add" | "delete";
  /** Events at or after this time (seconds). */
  start?: number;
  /** Events at or before this time (seconds). */
  end?: number;
}

const USER_LOGIN = 1112;
const USER_AUTH = 1100;
const AVC = 1400;
const USER_AVC = 1107;
/** Records that add or remove: ADD_USER/DEL_USER, ADD_GROUP/DEL_GROUP, and MAC settings. */
const CHANGE_KIND = new Map<number, "add" | "delete">([
  [1114, "add"],
  [1115, "delete"],
  [1116, "add"],
  [1117, "delete"],
  [1407, "add"],
  [1408, "delete"],
  [1409, "add"],
  [1410, "delete"],
  [1411, "add"],
  [1412, "delete"],
  [1413, "add"],
  [1414, "delete"],
  [1416, "add"],
  [1417, "delete"],
]);

/** CONFIG_CHANGE, DAEMON_CONFIG, USYS_CONFIG, NETFILTER_CFG, FEATURE_CHANGE, USER_MAC_CONFIG_CHANGE. */
const CONFIG_TYPES = new Set([1305, 1203, 1111, 1325, 1328, 2312]);

/** An event with a configuration change in any of its records (MAC_POLICY_LOAD..MAC_UNLBL_STCDEL too). */
function isConfig(ev: AuditEvent): boolean {
  return ev.records.some((r) => CONFIG_TYPES.has(r.type) || (r.type >= 1403 && r.type <= 1417));
}

function successText(s: SearchItems): string {
  return s.success === undefined ? "unset" : s.success ? "yes" : "no";
}

function syscallText(_ev: AuditEvent, s: SearchItems, t: ReportStyle): string {
  const n = s.syscall ?? 0;
  if (!t.interpret) return String(n);
  if (s.syscallName !== undefined) return s.syscallName;
  // without an arch (no SYSCALL or SECCOMP record) the name is unknown
  if (s.arch === undefined) return "?";
  // an unknown number prints as itself; aureport means to name the call of a socketcall or ipc
  // but looks for it by item number and never finds it, so those stay plain
  return syscallName(n, s.arch) ?? String(n);
}

const q = (v: string | undefined) => v ?? "?";

/** A string aureport prints with printf's %s: as it is, NULL as `(null)`. */
const nul = (v: string | undefined) => v ?? "(null)";

/** {@link q} for a value aureport prints with safe_print_string. */
const qs = (v: string | undefined, t: ReportStyle) => v === undefined ? "?" : safe(v, t);

/** Whether the event has a record of `type` (aureport's list_find_msg). */
function hasRecord(ev: AuditEvent, type: number): boolean {
  return ev.records.some((r) => r.type === type);
}

/** Authentication events as aureport counts them: USER_AUTH, GRP_AUTH, failed USER_MGMT. */
function isAuth(ev: AuditEvent, s: SearchItems): boolean {
  return hasRecord(ev, USER_AUTH) || (hasRecord(ev, 1102) && s.success === false);
}

/**
 * aureport -a for an event with an AVC or USER_AVC record: a row per access
 * decision from the first one on; without one, the row of the last entry of
 * the list, whose result is unset (aureport's cursor stays there). What was
 * not read prints as C's `(null)`.
 */
function avcRow(ev: AuditEvent, s: SearchItems, t: ReportStyle): string[] {
  if (!ev.records.some((r) => r.type === AVC || r.type === USER_AVC) || s.avcs.length === 0) {
    return [];
  }
  let at = s.avcs.findIndex((d) => d.result !== undefined);
  if (at < 0) at = s.avcs.length - 1;
  const rows: string[] = [];
  for (; at < s.avcs.length; at++) {
    const d = s.avcs[at];
    if (rows.length > 0 && d.result === undefined) continue;
    rows.push(
      `${qs(s.comm, t)} ${nul(d.scontext)} ${syscallText(ev, s, t)} ${nul(d.cls)} ${nul(d.perm)} ${
        nul(d.tcontext)
      } ${d.result ?? "unset"} ${ev.serial}`,
    );
  }
  return rows;
}

const COLUMNS: Record<Exclude<ReportKind, "summary" | "log">, Column> = {
  auth: {
    title: "Authentication Report",
    rule: 44,
    header: "# date time acct host term exe success event",
    summaryTitle: "Authentication Summary Report",
    summaryRule: 29,
    summaryHeader: "total  acct",
    // the account, else the uid (failed logins have no auid); what was not read prints as
    // C's printf prints a NULL string
    rows: (ev, s, t) =>
      !isAuth(ev, s) ? [] : [
        `${s.acct !== undefined ? safe(s.acct, t) : uidText(s.uid ?? -1, s, t)} ${
          nul(s.hostname)
        } ${nul(s.terminal)} ${nul(s.exe)} ${successText(s)} ${ev.serial}`,
      ],
    // the account, or the auid's name when an auid was read (-au reads none)
    values: (ev, s, t) =>
      !isAuth(ev, s) ? [] : [(s.auid ?? -2) === -2 && s.acct !== undefined ? s.acct : auid(s, t)],
  },
  login: {
    title: "Login Report",
    rule: 44,
    header: "# date time auid host term exe success event",
    summaryTitle: "Login Summary Report",
    summaryRule: 28,
    summaryHeader: "total  auid",
    // events with a USER_LOGIN record anywhere; a failed login has no auid yet: aureport
    // names its acct instead
    rows: (ev, s, t) =>
      !hasRecord(ev, USER_LOGIN) ? [] : [
        `${s.success === false && s.acct !== undefined ? safe(s.acct, t) : auid(s, t)} ${
          nul(s.hostname)
        } ${nul(s.terminal)} ${nul(s.exe)} ${successText(s)} ${ev.serial}`,
      ],
    values: (ev, s, t) =>
      !hasRecord(ev, USER_LOGIN)
        ? []
        : [(s.auid ?? -2) < 0 && s.acct !== undefined ? s.acct : auid(s, t)],
  },
  avc: {
    title: "AVC Report",
    rule: 63,
    header: "# date time comm subj syscall class permission obj result event",
    summaryTitle: "Avc Object Summary Report",
    summaryRule: 33,
    summaryHeader: "total  obj",
    rows: avcRow,
    values: (_ev, s) => s.avcs.filter((d) => d.result !== undefined).map((d) => nul(d.tcontext)),
  },
  executable: {
    title: "Executable Report",
    rule: 36,
    header: "# date time exe term host auid event",
    summaryTitle: "Executable Summary Report",
    summaryRule: 33,
    summaryHeader: "total  file",
    rows: (ev, s, t) =>
      s.exe === undefined
        ? []
        : [`${safe(s.exe, t)} ${q(s.terminal)} ${q(s.hostname)} ${auid(s, t)} ${ev.serial}`],
    values: (_ev, s) => s.exe === undefined ? [] : [s.exe],
  },
  key: {
    title: "Key Report",
    rule: 47,
    header: "# date time key success exe auid event",
    summaryTitle: "Key Summary Report",
    summaryRule: 27,
    summaryHeader: "total  key",
    // an event whose first key is "(null)" is not listed; "(null)" is no key to count
    rows: (ev, s, t) =>
      s.keys.length === 0 || s.keys[0] === "(null)"
        ? []
        : [`${safe(s.keys[0], t)} ${successText(s)} ${qs(s.exe, t)} ${auid(s, t)} ${ev.serial}`],
    values: (_ev, s) => s.keys.filter((k) => k !== "(null)"),
  },
  event: {
    numeric: true,
    title: "Event Report",
    rule: 35,
    header: "# date time event type auid success",
    summaryTitle: "Event Summary Report",
    summaryRule: 22,
    summaryHeader: "total  type",
    rows: (ev, s, t) => [
      `${ev.serial} ${typeText(ev.type)} ${auid(s, t)} ${successText(s)}`,
    ],
    typeLabels: true,
    // aureport leaves out of the summary the events of a type libaudit cannot read (-1)
    values: (ev) => ev.type === -1 ? [] : [String(ev.type)],
  },
  file: {
    title: "File Report",
    rule: 47,
    header: "# date time file syscall success exe auid event",
    summaryTitle: "File Summary Report",
    summaryRule: 27,
    summaryHeader: "total  file",
    rows: (ev, s, t) =>
      s.files.length === 0 ? [] : [
        `${s.files[0]} ${syscallText(ev, s, t)} ${successText(s)} ${qs(s.exe, t)} ${
          auid(s, t)
        } ${ev.serial}`,
      ],
    values: (_ev, s) => s.files,
  },
  syscall: {
    title: "Syscall Report",
    rule: 39,
    header: "# date time syscall pid comm auid event",
    summaryTitle: "Syscall Summary Report",
    summaryRule: 26,
    summaryHeader: "total  syscall",
    // listed with a syscall other than 0 (read), counted when above 0
    rows: (ev, s, t) =>
      !s.syscall ? [] : [
        // the pid as aureport prints it (%u): one not read is -1
        `${syscallText(ev, s, t)} ${(s.pid ?? -1) >>> 0} ${qs(s.comm, t)} ${
          auid(s, t)
        } ${ev.serial}`,
      ],
    values: (ev, s, t) => (s.syscall ?? 0) > 0 ? [syscallText(ev, s, t)] : [],
  },
  user: {
    title: "User ID Report",
    rule: 36,
    header: "# date time auid term host exe event",
    summaryTitle: "User Summary Report",
    summaryRule: 27,
    summaryHeader: "total  auid",
    // aureport lists events with a uid other than -1 (unread or 4294967295)
    rows: (ev, s, t) =>
      s.uid === undefined || (s.uid | 0) === -1
        ? []
        : [`${auid(s, t)} ${q(s.terminal)} ${q(s.hostname)} ${qs(s.exe, t)} ${ev.serial}`],
    // events without an auid are not counted
    values: (_ev, s, t) => s.auid === undefined ? [] : [auid(s, t)],
  },
  pid: {
    numeric: true,
    title: "Process ID Report",
    rule: 38,
    header: "# date time pid exe syscall auid event",
    summaryTitle: "Pid Summary Report",
    summaryRule: 26,
    summaryHeader: "total  pid",
    // listed with a pid of 0 or more, counted with any pid read
    rows: (ev, s, t) =>
      (s.pid ?? -1) < 0
        ? []
        : [`${s.pid} ${qs(s.exe, t)} ${syscallText(ev, s, t)} ${auid(s, t)} ${ev.serial}`],
    values: (_ev, s) => (s.pid ?? -1) === -1 ? [] : [String(s.pid)],
  },
  config: {
    title: "Config Change Report",
    rule: 35,
    header: "# date time type auid success event",
    summaryTitle: "Config Change Summary Report",
    summaryRule: 28,
    summaryHeader: "total  type",
    // listed by the type of the event's first record
    rows: (ev, s, t) =>
      isConfig(ev) ? [`${typeText(ev.type)} ${auid(s, t)} ${successText(s)} ${ev.serial}`] : [],
    typeLabels: true,
    values: (ev) => isConfig(ev) ? [String(ev.type)] : [],
  },
  terminal: {
    title: "Terminal Report",
    rule: 36,
    header: "# date time term host exe auid event",
    summaryTitle: "Terminal Summary Report",
    summaryRule: 31,
    summaryHeader: "total  terminal",
    rows: (ev, s, t) =>
      s.terminal === undefined ? [] : [
        `${s.terminal} ${nul(s.hostname)} ${nul(s.exe)} ${auid(s, t)} ${ev.serial}`,
      ],
    values: (_ev, s) => s.terminal === undefined ? [] : [s.terminal],
  },
  host: {
    title: "Host Report",
    rule: 35,
    header: "# date time host syscall auid event",
    summaryTitle: "Host Summary Report",
    summaryRule: 27,
    summaryHeader: "total  host",
    rows: (ev, s, t) =>
      s.hostname === undefined
        ? []
        : [`${s.hostname} ${syscallText(ev, s, t)} ${auid(s, t)} ${ev.serial}`],
    values: (_ev, s) => s.hostname === undefined ? [] : [s.hostname],
  },
  comm: {
    title: "Command Report",
    rule: 36,
    ruleBelow: 37,
    header: "# date time comm term host auid event",
    summaryTitle: "Command Summary Report",
    summaryRule: 33,
    summaryHeader: "total  command",
    rows: (ev, s, t) =>
      s.comm === undefined
        ? []
        : [`${safe(s.comm, t)} ${q(s.terminal)} ${q(s.hostname)} ${auid(s, t)} ${ev.serial}`],
    values: (_ev, s) => s.comm === undefined ? [] : [s.comm],
  },
  ...MORE_COLUMNS,
};

function stampAt(sec: number): string {
  return `${dateX(sec)} ${timeT(sec)}`;
}

function stampMs(sec: number, msec: number): string {
  return `${dateX(sec)} ${timeT(sec)}.${String(msec).padStart(3, "0")}`;
}

/**
 * What a {@link Report} takes from one event ({@link Report.prepare}): the
 * rows it prints, or the values it counts, without the event.
 */
export interface ReportPart {
  /** The event's rows, numbered when they are added. */
  readonly rows?: readonly string[];
  /** The values a `--summary` report counts. */
  readonly values?: readonly string[];
}

/** An event outside the time range: it adds nothing. */
const OUTSIDE: ReportPart = Object.freeze({});
/** An event in the range that adds no row (only to the time range, or to a summary's counts). */
const IN_RANGE: ReportPart = Object.freeze({});

/**
 * Builds a report incrementally: feed every event of the logs with
 * {@link add}, then {@link text} gives what aureport prints.
 *
 * @example
 * ```ts
 * import { readEvents, Report } from "../../mod.ts";
 * const report = new Report({ kind: "executable", summary: true });
 * for await (const ev of readEvents("/var/log/audit/audit.log")) report.add(ev);
 * console.log(report.text());
 * ```
 */
export class Report {
  readonly #o: ReportOptions;
  /** How values print: `-i` and the escape mode, this report's own. */
  readonly #style: ReportStyle;
  readonly #flags: ExtractFlags;
  #rows: string[] = [];
  #counts = new Map<string, number>();
  /** aureport's "very first event": see {@link record}. */
  #first: [number, number] | undefined;
  /** The first event in range, for callers that do not feed {@link record}. */
  #firstEvent: [number, number] | undefined;
  #recordsSeen = false;
  #last: { sec: number; msec: number } | undefined;
  #sets = {
    users: new Set<number>(),
    terminals: new Set<string>(),
    hosts: new Set<string>(),
    exes: new Set<string>(),
    comms: new Set<string>(),
    files: new Set<string>(),
    keys: new Set<string>(),
    pids: new Set<number>(),
  };
  #n = {
    acctChanges: 0,
    crypto: 0,
    mac: 0,
    virt: 0,
    integrity: 0,
    anomalies: 0,
    responses: 0,
    logins: 0,
    failedLogins: 0,
    auths: 0,
    failedAuths: 0,
    avcs: 0,
    config: 0,
    failedSyscalls: 0,
    events: 0,
  };
  #files = new Map<string, [number, number] | undefined>();

  /** Starts a report. */
  constructor(options: ReportOptions) {
    this.#o = options;
    this.#style = { interpret: options.interpret ?? false, escape: options.escape ?? "tty" };
    this.#flags = reportFlags(options.kind, options.interpret ?? false);
  }

  /** Adds one event of the logs. */
  add(ev: AuditEvent): void {
    const o = this.#o;
    if (this.#outside(ev)) return;
    // aureport reads what its report needs, and passes over events its reader fails on
    const s = o.debug || o.warn
      ? extractItems(ev, this.#flags, o.debug, o.warn)
      : searchItems(ev, this.#flags);
    this.commit(this.#part(ev, s), ev);
  }

  /**
   * What {@link add} takes from `ev`, read from the event alone, so that the
   * event need not be kept until its turn: {@link commit} then adds it in
   * the order the events come. A summary's counts are taken at once (their
   * order does not matter). Undefined when it cannot be taken so: with
   * `debug`, or when reading the event writes a message (they come in the
   * events' order: {@link add} the event in its turn).
   *
   * @example
   * ```ts
   * import { readEvents } from "../../mod.ts";
   * import { Report } from "./report.ts";
   * const report = new Report({ kind: "login" });
   * for await (const ev of readEvents("/var/log/audit/audit.log", { order: "ausearch" })) {
   *   const part = report.prepare(ev);
   *   if (part === undefined) report.add(ev);
   *   else report.commit(part, ev);
   * }
   * ```
   */
  prepare(ev: AuditEvent): ReportPart | undefined {
    const o = this.#o;
    if (o.debug) return undefined;
    if (this.#outside(ev)) return OUTSIDE;
    let warned = false;
    const s = extractItems(ev, this.#flags, undefined, () => warned = true);
    return warned ? undefined : this.#part(ev, s);
  }

  /** Whether `ev` is outside the report's time range (`start`, `end`). */
  #outside(ev: AuditEvent): boolean {
    const o = this.#o;
    return (o.start !== undefined && ev.sec < o.start) || (o.end !== undefined && ev.sec > o.end);
  }

  /** Adds what {@link prepare} took from an event (`at`: its time stamp), in the events' order. */
  commit(part: ReportPart, at: { sec: number; msec: number }): void {
    if (part === OUTSIDE) return;
    this.#firstEvent ??= [at.sec, at.msec];
    this.#last = { sec: at.sec, msec: at.msec };
    if (part.values) {
      for (const v of part.values) this.#counts.set(v, (this.#counts.get(v) ?? 0) + 1);
    } else if (part.rows) {
      for (const row of part.rows) {
        // a row ending in NO_LINE_END is continued by the next one, as aureport prints it
        const line = `${this.#rows.length + 1}. ${stampAt(at.sec)} ${row}`;
        this.#rows.push(line.endsWith(NO_LINE_END) ? line.slice(0, -1) : line + "\n");
      }
    }
  }

  /** What an event in the time range adds (its items `s`; undefined: a reader failed on it). */
  #part(ev: AuditEvent, s: SearchItems | undefined): ReportPart {
    const o = this.#o;
    if (s === undefined) return IN_RANGE;
    if (o.nodes && (ev.node === undefined || !o.nodes.includes(ev.node))) return IN_RANGE;
    if (o.noConfig && ev.type === 1305) return IN_RANGE;
    if (o.changes && CHANGE_KIND.get(ev.type) === (o.changes === "add" ? "delete" : "add")) {
      return IN_RANGE;
    }
    // events without a result are neither failed nor successful
    if (o.success !== undefined && s.success !== o.success) return IN_RANGE;
    if (o.kind === "summary") {
      this.#summarise(ev, s);
      return IN_RANGE;
    }
    if (o.kind === "log") return IN_RANGE;
    const col = COLUMNS[o.kind];
    const t = this.#style;
    return o.summary ? { values: col.values(ev, s, t) } : { rows: col.rows(ev, s, t) };
  }

  #summarise(ev: AuditEvent, s: SearchItems): void {
    const sets = this.#sets;
    const n = this.#n;
    const has = (t: number) => ev.records.some((r) => r.type === t);
    const inRange = (lo: number, hi: number) =>
      ev.records.some((r) => r.type >= lo && r.type <= hi);
    n.events++;
    // each kind of record found adds one, as aureport counts them
    for (const t of [1305, 1203, 1111, 1325, 1328, 2312]) if (has(t)) n.config++;
    if (inRange(1403, 1417)) n.config++;
    if (has(1108)) n.acctChanges++;
    if (inRange(1114, 1117)) n.acctChanges++;
    if (has(1102)) n.acctChanges++;
    if (has(1132)) n.acctChanges++;
    if (inRange(2301, 2302)) n.acctChanges++;
    if (inRange(1600, 1699)) n.crypto++;
    if (inRange(2400, 2499)) n.crypto++;
    if (has(USER_LOGIN)) {
      if (s.success === true) n.logins++;
      else if (s.success === false) n.failedLogins++;
    }
    if (has(USER_AUTH) || (!has(1102) && has(1126))) {
      if (s.success === true) n.auths++;
      else if (s.success === false) n.failedAuths++;
    } else if (has(1102) && s.success === false) n.failedAuths++;
    if (has(AVC) || has(USER_AVC)) n.avcs++;
    if (inRange(1403, 1417)) n.mac++;
    if (inRange(2300, 2399)) n.mac++;
    if (inRange(2500, 2599)) n.virt++;
    if (inRange(1800, 1899)) n.integrity++;
    if (s.success === false && (s.syscall ?? 0) > 0) n.failedSyscalls++;
    if (inRange(2100, 2199)) n.anomalies++;
    if (inRange(1700, 1799)) n.anomalies++;
    if (inRange(2200, 2299)) n.responses++;
    if (s.auid !== undefined) sets.users.add(s.auid);
    if (s.terminal !== undefined) sets.terminals.add(s.terminal);
    if (s.hostname !== undefined) sets.hosts.add(s.hostname);
    if (s.exe !== undefined) sets.exes.add(s.exe);
    if (s.comm !== undefined) sets.comms.add(s.comm);
    for (const f of s.files) sets.files.add(f);
    for (const k of s.keys) if (k !== "(null)") sets.keys.add(k);
    if (s.pid !== undefined) sets.pids.add(s.pid);
  }

  /**
   * Notes a record as it is read, before events are grouped; returns whether
   * it is inside `start`/`end` (aureport leaves the others out before
   * grouping). The summary's range starts at the first record read, or with
   * a start time, at the first record outside the range, as in aureport.
   */
  record(r: { sec: number; msec: number }): boolean {
    const o = this.#o;
    this.#recordsSeen = true;
    const outside = (o.start !== undefined && r.sec < o.start) ||
      (o.end !== undefined && r.sec > o.end);
    if (this.#first === undefined && (outside || o.start === undefined)) {
      this.#first = [r.sec, r.msec];
    }
    return !outside;
  }

  /** Notes the time range of one input file (for `-t`). */
  addFileRange(file: string, first: AuditEvent | undefined, last: AuditEvent | undefined): void {
    // a file without events is listed too, as aureport lists it
    this.#files.set(file, first && last ? [first.time, last.time] : undefined);
  }

  /** What aureport prints. */
  text(): string {
    const o = this.#o;
    const out = this.heading();
    if (o.kind === "summary") return out + this.#summaryText();
    if (o.kind === "log") {
      let rows = "";
      for (const [file, range] of this.#files) {
        if (range === undefined) {
          rows += `${file}: no records\n`;
          continue;
        }
        const [a, b] = range;
        rows += `${file}: ${stampMs(Math.floor(a / 1000), a % 1000)} - ${
          stampMs(Math.floor(b / 1000), b % 1000)
        }\n`;
      }
      return out + rows;
    }
    const col = COLUMNS[o.kind];
    if (o.summary) {
      const entries = [...this.#counts];
      // aureport keeps numbers (pids, types) in ascending order before sorting by count
      if (col.numeric && entries.every(([v]) => /^-?\d+$/.test(v))) {
        entries.sort((a, b) => Number(a[0]) - Number(b[0]));
      }
      entries.sort((a, b) => b[1] - a[1]);
      if (entries.length === 0) return out + "<no events of interest were found>\n\n";
      const label = col.typeLabels && o.interpret
        ? (v: string) => typeText(Number(v))
        : (v: string) => v;
      let rows = "";
      for (const [v, n] of entries) rows += `${n}  ${safe(label(v), this.#style)}\n`;
      return out + rows;
    }
    if (this.#rows.length === 0) return out + "<no events of interest were found>\n\n";
    return out + this.#rows.join("");
  }

  /**
   * Whether a listing found nothing: aureport then prints "<no events of
   * interest were found>" and exits with status 1 (summaries and the log
   * time range report exit 0).
   *
   * @example
   * ```ts
   * import { Report } from "./report.ts";
   * new Report({ kind: "key" }).nothingFound; // true until an event with a key is added
   * ```
   */
  get nothingFound(): boolean {
    const o = this.#o;
    return !o.summary && o.kind !== "summary" && o.kind !== "log" && this.#rows.length === 0;
  }

  /**
   * The report's title and column header: what aureport prints before it
   * reads, and so all it prints when a log cannot be read.
   *
   * @example
   * ```ts
   * import { Report } from "./report.ts";
   * new Report({ kind: "login" }).heading(); // "\nLogin Report\n====...# date time auid host term exe success event\n====...\n"
   * ```
   */
  heading(): string {
    const o = this.#o;
    const prefix = o.success === true ? "Success " : o.success === false ? "Failed " : "";
    if (o.kind === "summary") return `\n${prefix}Summary Report\n======================\n`;
    if (o.kind === "log") return "\nLog Time Range Report\n=====================\n";
    const col = COLUMNS[o.kind];
    if (o.summary) {
      const rule = "=".repeat(col.summaryRule);
      return `\n${prefix + col.summaryTitle}\n${rule}\n${col.summaryHeader}\n${rule}\n`;
    }
    const below = "=".repeat(col.ruleBelow ?? col.rule);
    return `\n${col.title}\n${"=".repeat(col.rule)}\n${col.header}\n${below}\n`;
  }

  #summaryText(): string {
    // aureport always prints the summary; a time it never saw prints as the epoch
    const last = this.#last ?? { sec: 0, msec: 0 };
    const first = (this.#recordsSeen ? this.#first : this.#firstEvent) ?? [0, 0];
    let out = `Range of time in logs: ${stampMs(first[0], first[1])} - ${
      stampMs(last.sec, last.msec)
    }\n`;
    const o = this.#o;
    const start = o.start !== undefined
      ? `${dateX(o.start)} ${timeT(o.start)}`
      : `${dateX(first[0])} ${timeT(first[0])}`;
    const end = o.end !== undefined
      ? `${dateX(o.end)} ${timeT(o.end)}`
      : stampMs(last.sec, last.msec);
    out += `Selected time for report: ${start} - ${end}\n`;
    const s = this.#sets, n = this.#n;
    const lines: [string, number][] = [
      ["changes in configuration", n.config],
      ["changes to accounts, groups, or roles", n.acctChanges],
      ["logins", n.logins],
      ["failed logins", n.failedLogins],
      ["authentications", n.auths],
      ["failed authentications", n.failedAuths],
      ["users", s.users.size],
      ["terminals", s.terminals.size],
      ["host names", s.hosts.size],
      ["executables", s.exes.size],
      ["commands", s.comms.size],
      ["files", s.files.size],
      ["AVC's", n.avcs],
      ["MAC events", n.mac],
      ["failed syscalls", n.failedSyscalls],
      ["anomaly events", n.anomalies],
      ["responses to anomaly events", n.responses],
      ["crypto events", n.crypto],
      ["integrity events", n.integrity],
      ["virt events", n.virt],
      ["keys", s.keys.size],
      ["process IDs", s.pids.size],
      ["events", n.events],
    ];
    for (const [what, count] of lines) out += `Number of ${what}: ${count}\n`;
    return out + "\n";
  }
}
