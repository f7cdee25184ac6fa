/**
 * Output formats of events: ausearch's raw, default and interpret (`-i`)
 * text, and auditkit's JSON lines.
 *
 * @module
 */

import type { AuditEvent } from "./assemble.ts";
import type { AuditRecord } from "./record.ts";
import { decodeBytes } from "./record.ts";
import {
  type EscapeMode,
  escapeValue,
  eventContext,
  fieldKind,
  interpretField,
  interpretValue,
} from "./interpret.ts";
import { elfToMachine, HOST_MACHINE } from "./tables.ts";
import { RecordType, recordTypeName } from "./types.ts";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const p2 = (n: number) => String(n).padStart(2, "0");

let ctimeSec = -1;
let ctimeText = "";

/** `ctime()` of a time in seconds, local time, without the newline. */
export function ctime(sec: number): string {
  // consecutive events mostly share their second
  if (sec === ctimeSec) return ctimeText;
  ctimeSec = sec;
  ctimeText = ctimeOf(sec);
  return ctimeText;
}

function ctimeOf(sec: number): string {
  const d = new Date(sec * 1000);
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2)} ${
    p2(d.getHours())
  }:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`;
}

function stripLead(name: string): string {
  const c = name.charCodeAt(0);
  return c === 0x20 || c === 0x28 ? name.replace(/^[ (]+/, "") : name;
}

let stampSec = -1;
let stampText = "";

/** `%x %T` of a time in seconds (the interpreted stamp), cached per second. */
function stampOf(sec: number): string {
  if (sec !== stampSec) {
    stampSec = sec;
    stampText = `${dateX(sec)} ${timeT(sec)}`;
  }
  return stampText;
}

/** `strftime("%x")` in the C locale: `MM/DD/YY`, local time. */
export function dateX(sec: number): string {
  const d = new Date(sec * 1000);
  return `${p2(d.getMonth() + 1)}/${p2(d.getDate())}/${p2(d.getFullYear() % 100)}`;
}

/** `strftime("%T")`: `HH:MM:SS`, local time. */
export function timeT(sec: number): string {
  const d = new Date(sec * 1000);
  return `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}

/** The output formats of `auditkit search`. */
export type SearchFormat = "raw" | "default" | "interpret" | "json";

/** Records of an event in ausearch's output order and selection. */
function printedRecords(event: AuditEvent): AuditRecord[] {
  const last = event.records[event.records.length - 1];
  if (last.type >= RecordType.DAEMON_START && last.type < RecordType.SYSCALL) return [last];
  return event.records.slice().reverse();
}

/** ausearch's safe printing: control characters as `\ooo`. */
function safe(s: string): string {
  return escapeValue(s, "tty");
}

/**
 * ausearch `--raw`: the lines as read, enrichment kept.
 *
 * @example
 * ```ts
 * import { formatRaw, readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(formatRaw(ev));
 * ```
 */
export function formatRaw(event: AuditEvent): string {
  // ausearch marks the whole event enriched when one record is: the others
  // get the 0x1D separator with an empty list
  const enriched = event.records.some((r) => r.enriched);
  let out = "";
  for (const r of event.records) out += r.raw + (enriched && !r.enriched ? "\x1d\n" : "\n");
  return out;
}

/**
 * ausearch's default output: `----`, `time->`, records newest first.
 *
 * @example
 * ```ts
 * import { formatDefault, readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(formatDefault(ev));
 * ```
 */
export function formatDefault(event: AuditEvent): string {
  let out = `----\ntime->${ctime(event.sec)}\n`;
  for (const r of printedRecords(event)) out += safe(r.text) + "\n";
  return out;
}

/**
 * One record as `ausearch -i` prints it. This follows ausearch's own text
 * walk over the line (not auparse's field list): it decides names and values
 * from `=`, spaces, quotes and commas, keeps `msg='` and the text between
 * fields, and interprets each value.
 */
export function formatInterpretedRecord(
  event: AuditEvent,
  r: AuditRecord,
  escape: EscapeMode = "tty",
): string {
  const line = decodeBytes(r.buffer, r.typeStart, r.textEnd);
  let out = event.node !== undefined ? `node=${event.node} ` : "";
  const paren = line.indexOf("(");
  if (paren < 0) return "";
  out += `type=${recordTypeName(r.type)} msg=audit(`;
  const close = line.indexOf(")", paren + 1);
  if (close < 0) return out;
  out += `${stampOf(event.sec)}.${String(event.msec).padStart(3, "0")}:${event.serial}) `;
  let str: number | undefined = close + 1;
  let machine = -1;
  let syscall = -1;
  const isSyscall = r.type === RecordType.SYSCALL || r.type === RecordType.SECCOMP;
  const ectx = r.type === RecordType.SYSCALL ? eventContext(event) : undefined;
  const a0 = ectx?.a0 ?? 0n, a1 = ectx?.a1 ?? 0n;
  const enrichment = r.enriched ? r.enrichment : undefined;
  let found = false;
  let comma = false;
  let eq = -1;
  while (str !== undefined && str < line.length && (eq = line.indexOf("=", str)) >= 0) {
    comma = false;
    found = true;
    let nameStart = eq;
    while (line[nameStart] !== " " && nameStart > str) nameStart--;
    out += line.slice(str, eq) + "=";
    let name = line.slice(nameStart, eq);
    const ptr = eq + 1;
    if (name === "msg") {
      str = ptr;
      continue;
    }
    if (name[0] === "'") name = name.slice(1);
    let valEnd: number;
    const q = line[ptr];
    if (q === "'" || q === '"') {
      const endq = line.indexOf(q, ptr + 1);
      if (endq < 0) {
        valEnd = line.length;
        str = undefined;
      } else {
        valEnd = endq + 1;
        str = valEnd < line.length ? valEnd + 1 : valEnd;
      }
    } else {
      const c = line.indexOf(",", ptr);
      const sp = line.indexOf(" ", ptr);
      if (c >= 0 && sp >= 0 && c < sp) {
        const k = fieldKind(r.type, stripLead(name), line.slice(ptr, sp));
        if (k === "mac_label") {
          valEnd = sp;
          str = sp + 1;
        } else {
          valEnd = c;
          str = c + 1;
          comma = true;
        }
      } else if (c >= 0 && sp < 0) {
        const k = fieldKind(r.type, stripLead(name), line.slice(ptr));
        if (k === "mac_label") {
          valEnd = line.length;
          str = undefined;
        } else {
          valEnd = c;
          str = c + 1;
          comma = true;
        }
      } else if (sp >= 0) {
        valEnd = sp;
        str = sp + 1;
      } else {
        valEnd = line.length;
        str = line.length;
      }
    }
    let val = line.slice(ptr, valEnd);
    name = stripLead(name);
    if (name === "acct" && val.endsWith(":")) val = val.slice(0, -1);
    const kind = fieldKind(r.type, name, val);
    if (isSyscall) {
      if (machine === -1) machine = HOST_MACHINE;
      if (name === "arch") {
        const m = /^\s*(?:0[xX])?([0-9a-fA-F]+)/.exec(val);
        machine = m ? elfToMachine(parseInt(m[1], 16) >>> 0) : elfToMachine(0);
      }
      if (syscall < 0 && name === "syscall") {
        const m = /^\s*(\d+)/.exec(val);
        syscall = m ? Number(m[1]) : 0;
      }
    }
    const ctx = {
      machine,
      syscall: isSyscall ? syscall : 0,
      a0,
      a1,
      enrichment,
    };
    if (kind === "unclassified") {
      out += val + (comma ? "," : " ");
      continue;
    }
    const interp = kind === "mac_label" ? val : interpretValue(kind, name, val, ctx, escape);
    if (name === "key") {
      const keys = interp.split("\x01");
      out += keys.length === 1 ? `${interp} ` : `${keys.join(" key=")} `;
    } else if (kind === "tty_data") out += interp;
    else out += interp + " ";
  }
  // ausearch prints such a remainder with its own newline, then the record's
  if (!found && eq < 0 && str !== undefined) out += safe(line.slice(str)) + "\n";
  else if (comma && str !== undefined) out += safe(line.slice(str)) + "\n";
  return out + "\n";
}

/**
 * `ausearch -i`: `----`, then each record interpreted, newest first.
 *
 * @example
 * ```ts
 * import { formatInterpreted, readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(formatInterpreted(ev));
 * ```
 */
export function formatInterpreted(event: AuditEvent, escape: EscapeMode = "tty"): string {
  let out = "----\n";
  for (const r of printedRecords(event)) out += formatInterpretedRecord(event, r, escape);
  return out;
}

/** One record in auditkit's JSON format. */
export interface JsonRecord {
  /** Record type name. */
  type: string;
  /** Record type number. */
  type_id: number;
  /** Fields as written in the log (name order kept; repeated names become arrays). */
  raw: Record<string, string | string[]>;
  /** The same fields interpreted as libauparse interprets them. */
  interpreted: Record<string, string | string[]>;
  /** ENRICHED values, when the log has them. */
  enriched?: Record<string, string>;
}

/** One event in auditkit's JSON format. */
export interface JsonEvent {
  /** `sec.msec:serial`. */
  id: string;
  /** Time stamp, ISO 8601 UTC with milliseconds. */
  time: string;
  /** Seconds since the epoch. */
  sec: number;
  /** Milliseconds. */
  msec: number;
  /** Serial number. */
  serial: number;
  /** The node, when the log has one. */
  node?: string;
  /** The records, in log order. */
  records: JsonRecord[];
}

function add(obj: Record<string, string | string[]>, name: string, value: string): void {
  const old = obj[name];
  if (old === undefined) obj[name] = value;
  else if (Array.isArray(old)) old.push(value);
  else obj[name] = [old, value];
}

/**
 * An event as a JSON-ready object (raw and interpreted fields of every record).
 *
 * @example
 * ```ts
 * import { eventToJson, readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(eventToJson(ev).records.length);
 * ```
 */
export function eventToJson(event: AuditEvent): JsonEvent {
  const records: JsonRecord[] = [];
  for (const r of event.records) {
    const raw: Record<string, string | string[]> = {};
    const interpreted: Record<string, string | string[]> = {};
    const n = r.fieldCount;
    for (let i = 0; i < n; i++) {
      const name = r.fieldName(i);
      add(raw, name, r.fieldValue(i));
      add(interpreted, name, interpretField(event, r, i, "raw"));
    }
    const rec: JsonRecord = { type: r.typeName, type_id: r.type, raw, interpreted };
    if (r.enriched) rec.enriched = Object.fromEntries(r.enrichment);
    records.push(rec);
  }
  return {
    id: event.id,
    time: new Date(event.time).toISOString(),
    sec: event.sec,
    msec: event.msec,
    serial: event.serial,
    ...(event.node !== undefined ? { node: event.node } : {}),
    records,
  };
}

/**
 * An event as one line of JSON (JSON Lines), newline included.
 *
 * @example
 * ```ts
 * import { formatJson, readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) Deno.stdout.writeSync(new TextEncoder().encode(formatJson(ev)));
 * ```
 */
export function formatJson(event: AuditEvent): string {
  return JSON.stringify(eventToJson(event)) + "\n";
}

/**
 * Formats an event in one of the search formats.
 *
 * @example
 * ```ts
 * import { formatEvent, readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(formatEvent(ev, "interpret"));
 * ```
 */
export function formatEvent(
  event: AuditEvent,
  format: SearchFormat,
  escape: EscapeMode = "tty",
): string {
  switch (format) {
    case "raw":
      return formatRaw(event);
    case "default":
      return formatDefault(event);
    case "interpret":
      return formatInterpreted(event, escape);
    case "json":
      return formatJson(event);
  }
}
