/**
 * BSM records as JSON, and back: `recordToJson` gives a documented, plain
 * JSON object for a record and `recordFromJson` rebuilds the exact bytes.
 *
 * Schema of a record (`BsmRecordJson`):
 * - `offset`: byte offset in the trail;
 * - `event`: the header's event number; `event_name`, `event_description`,
 *   `classes` when a lookup function knows the event;
 * - `time`: the header time as ISO 8601 UTC (the second field read as
 *   milliseconds when below 1000, else as nanoseconds as illumos writes);
 *   informational, the header token keeps the exact fields;
 * - `tokens`: every token in order, each `{ "type": <type name>, ...fields }`
 *   with the fields of the token model (types.ts), encoded as:
 *   - u8/u16/u32 fields: JSON numbers; u64 fields: decimal strings;
 *     newgroups `groups`: an array of numbers;
 *   - strings (text, path, zonename, file name, arg texts, privileges,
 *     sock_unix path): a JSON string when the wire bytes are UTF-8 ending in
 *     their single NUL terminator (not included in the string), otherwise
 *     `{ "hex": "<the exact wire bytes>" }`;
 *   - exec_args/exec_env `strings`: JSON strings when UTF-8, else `{ "hex" }`;
 *   - addresses (`addr`, `src`, `dst`, `localAddr`, `remoteAddr`): text
 *     (`192.0.2.10`, `2001:db8::10`), or `{ "hex" }` for another length;
 *   - `uuid`: `8-4-4-4-12` hex text; `data` (data, opaque, unknown): hex.
 *
 * @module
 */

import { ipv4Text, ipv6Text, parseInetAddress } from "../inet.ts";
import { asciiText, bsmText } from "./decode.ts";
import { encodeToken } from "./encode.ts";
import type { AuditEventTable } from "./event_table.ts";
import type { BsmRecord, BsmToken } from "./types.ts";

/** A byte field that is not text: its bytes in lowercase hex. */
export interface HexJson {
  /** The bytes, two lowercase hex digits each. */
  hex: string;
}

/** A JSON value of a token field. */
export type TokenFieldJson = number | string | HexJson | number[] | (string | HexJson)[];

/** A token as JSON: its type and its fields. */
export interface TokenJson {
  /** The token type name. */
  type: string;
  /** The fields, encoded as the module doc says. */
  [field: string]: TokenFieldJson;
}

/** What an event table knows of an event number. */
export interface BsmEventInfo {
  /** Short name, e.g. `AUE_OPEN_R`. */
  name: string;
  /** Description, e.g. `open(2) - read`. */
  description: string;
  /** Class short names, e.g. `["fr"]`. */
  classes: string[];
}

/** A record as JSON (see the module doc). */
export interface BsmRecordJson {
  /** Byte offset in the trail. */
  offset: number;
  /** Header event number (absent for a file token). */
  event?: number;
  /** Event short name, when known. */
  event_name?: string;
  /** Event description, when known. */
  event_description?: string;
  /** Event classes, when known. */
  classes?: string[];
  /** Header or file token time, ISO 8601 UTC. */
  time?: string;
  /** The tokens in order. */
  tokens: TokenJson[];
}

/**
 * The `lookupEvent` of {@link RecordJsonOptions} for an audit_event table:
 * the entry's short name, description and class names.
 *
 * @example
 * ```ts
 * import { eventLookup, recordToJson } from "./json.ts";
 * import { builtinEventTable } from "./event_table.ts";
 * const options = { lookupEvent: eventLookup(builtinEventTable()) };
 * options.lookupEvent(23)?.name; // "AUE_EXECVE"
 * ```
 */
export function eventLookup(events: AuditEventTable): (event: number) => BsmEventInfo | undefined {
  const cache = new Map<number, BsmEventInfo | undefined>();
  return (event) => {
    if (cache.has(event)) return cache.get(event);
    const e = events.byNumber(event);
    const info = e && {
      name: e.name,
      description: e.description,
      classes: e.classes.split(",").filter((c) => c !== ""),
    };
    cache.set(event, info);
    return info;
  };
}

/** Options of {@link recordToJson}. */
export interface RecordJsonOptions {
  /** Names an event number (e.g. from an audit_event table). */
  lookupEvent?: (event: number) => BsmEventInfo | undefined;
}

const CSTRING_FIELDS = new Set(["text", "path", "zonename", "name", "priv", "privType", "privs"]);
const ADDR_FIELDS = new Set(["addr", "src", "dst", "localAddr", "remoteAddr"]);

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (h: string) => {
  if (!/^(?:[0-9a-f]{2})*$/i.test(h)) throw new TypeError(`Invalid hex "${h}"`);
  return Uint8Array.from(
    { length: h.length / 2 },
    (_, i) => parseInt(h.slice(2 * i, 2 * i + 2), 16),
  );
};
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function rawText(b: Uint8Array): string | HexJson {
  const ascii = asciiText(b, b.length);
  if (ascii !== undefined) return ascii;
  try {
    if (!b.includes(0)) return utf8.decode(b);
  } catch { /* not UTF-8 */ }
  return { hex: hex(b) };
}

function addrText(b: Uint8Array): string | HexJson {
  return b.length === 4 ? ipv4Text(b) : b.length === 16 ? ipv6Text(b) : { hex: hex(b) };
}

function uuidText(b: Uint8Array): string {
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A token as JSON (see the module doc for the field encodings).
 *
 * @example
 * ```ts
 * import { tokenToJson } from "./json.ts";
 * import { auToPath } from "./encode.ts";
 * tokenToJson(auToPath("/etc/passwd")); // { type: "path", path: "/etc/passwd" }
 * ```
 */
export function tokenToJson(token: BsmToken): TokenJson {
  const out: TokenJson = { type: token.type };
  const fields = token as unknown as Record<string, unknown>;
  for (const k in fields) {
    const v = fields[k];
    if (k === "type" || !Object.hasOwn(fields, k)) continue;
    if (typeof v === "number") out[k] = v;
    else if (typeof v === "bigint") out[k] = v.toString();
    else if (Array.isArray(v)) {
      out[k] = k === "strings" ? (v as Uint8Array[]).map(rawText) : [...(v as number[])];
    } else if (v instanceof Uint8Array) {
      if (CSTRING_FIELDS.has(k)) out[k] = bsmText(v) ?? { hex: hex(v) };
      else if (k === "uuid") out[k] = uuidText(v);
      else if (ADDR_FIELDS.has(k)) out[k] = addrText(v);
      else out[k] = hex(v);
    }
  }
  return out;
}

/**
 * The token a {@link TokenJson} describes. Throws a `TypeError` for a
 * malformed field (the encoder's `RangeError` for a value out of range).
 *
 * @example
 * ```ts
 * import { tokenFromJson } from "./json.ts";
 * tokenFromJson({ type: "return64", status: 0, value: "4294967297" }); // value 4294967297n
 * ```
 */
export function tokenFromJson(json: TokenJson): BsmToken {
  const out: Record<string, unknown> = { type: json.type };
  for (const [k, v] of Object.entries(json)) {
    if (k === "type") continue;
    const bytesField = CSTRING_FIELDS.has(k) || ADDR_FIELDS.has(k) || k === "uuid" || k === "data";
    if (typeof v === "number" && !bytesField) out[k] = v;
    else if (k === "groups") out[k] = [...(v as number[])];
    else if (k === "strings") {
      out[k] = (v as (string | HexJson)[]).map((s) =>
        typeof s === "string" ? new TextEncoder().encode(s) : unhex(s.hex)
      );
    } else if (typeof v === "object" && v !== null && "hex" in v) out[k] = unhex(v.hex);
    else if (typeof v !== "string") {
      throw new TypeError(`Invalid field "${k}" of a ${json.type} token`);
    } else if (CSTRING_FIELDS.has(k)) out[k] = new TextEncoder().encode(v + "\0");
    else if (k === "uuid") out[k] = unhex(v.replaceAll("-", ""));
    else if (ADDR_FIELDS.has(k)) out[k] = parseInetAddress(v);
    else if (k === "data") out[k] = unhex(v);
    else out[k] = BigInt(v);
  }
  const token = out as unknown as BsmToken;
  encodeToken(token); // refuses what does not fit
  return token;
}

/** The ISO text of the last second asked for, up to its "." (records of a trail share seconds). */
let lastSecond = NaN;
let lastPrefix = "";

function isoTime(sec: number, frac: number): string | undefined {
  const ms = frac < 1000 ? frac : Math.floor(frac / 1e6);
  if (ms >= 1000) {
    const d = new Date(sec * 1000 + ms);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  if (sec !== lastSecond) {
    const d = new Date(sec * 1000);
    if (Number.isNaN(d.getTime())) return undefined;
    lastSecond = sec;
    lastPrefix = d.toISOString().slice(0, -4);
  }
  return `${lastPrefix}${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}Z`;
}

/**
 * A record as JSON (see the module doc).
 *
 * @example
 * ```ts
 * import { recordToJson } from "./json.ts";
 * import { parseBsmRecords } from "./reader.ts";
 * import { auCloseBuffer, auOpen } from "./au.ts";
 * const [record] = parseBsmRecords(auCloseBuffer(auOpen(), 0, { time: new Date(0) }));
 * recordToJson(record).time; // "1970-01-01T00:00:00.000Z"
 * ```
 */
export function recordToJson(record: BsmRecord, options: RecordJsonOptions = {}): BsmRecordJson {
  // fields in reading order: where, what, when, then the tokens
  const out = { offset: record.offset } as BsmRecordJson;
  const first = record.tokens[0];
  let time: string | undefined;
  if (first?.type === "file") time = isoTime(first.sec, first.msec);
  else if (first && "event" in first) {
    out.event = first.event;
    const info = options.lookupEvent?.(first.event);
    if (info) {
      out.event_name = info.name;
      out.event_description = info.description;
      out.classes = info.classes;
    }
    time = isoTime(Number(first.sec), Number(first.msec));
  }
  if (time !== undefined) out.time = time;
  out.tokens = record.tokens.map(tokenToJson);
  return out;
}

/**
 * The record's bytes from its JSON: the tokens encoded in order, so a
 * record read, turned to JSON and back gives the bytes it was read from.
 *
 * @example
 * ```ts
 * import { recordFromJson, recordToJson } from "./json.ts";
 * import { parseBsmRecords } from "./reader.ts";
 * import { auCloseBuffer, auOpen } from "./au.ts";
 * const bytes = auCloseBuffer(auOpen(), 0);
 * const [record] = parseBsmRecords(bytes);
 * recordFromJson(JSON.parse(JSON.stringify(recordToJson(record)))); // the same bytes
 * ```
 */
export function recordFromJson(json: BsmRecordJson): Uint8Array {
  const parts = json.tokens.map((t) => encodeToken(tokenFromJson(t)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
