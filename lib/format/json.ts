/**
 * auditkit's JSON lines (`--format json`): one object per event, encoded
 * straight to bytes.
 *
 * @module
 */

import type { AuditEvent } from "../event/assemble.ts";
import type { AuditRecord } from "../event/record.ts";
import { decodeBytes, internedName, internNameBytes, NAME_SLOTS } from "../event/record.ts";
import {
  enrichedIsEscaped,
  type FieldKind,
  fieldKind,
  INTERPRET_AS_HEX,
  interpretationKey,
  interpretEnriched,
  interpretField,
  interpretFieldOnce,
  isContextFree,
  kindDependsOnValue,
} from "../interpret/interpret.ts";
import type { EventFormatter } from "./formatter.ts";

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
  /** `sec.msec:serial[@node]/hash`: unique and stable, see {@link jsonEventId}. */
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
  // own keys only: fields called toString or __proto__ are fields like any other
  if (!Object.hasOwn(obj, name)) {
    if (name === "__proto__") {
      Object.defineProperty(obj, name, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    } else obj[name] = value;
    return;
  }
  const old = obj[name];
  if (Array.isArray(old)) old.push(value);
  else obj[name] = [old, value];
}

/** One record as a JSON-ready object. */
function recordToJson(event: AuditEvent, r: AuditRecord): JsonRecord {
  const raw: Record<string, string | string[]> = {};
  const interpreted: Record<string, string | string[]> = {};
  const n = r.fieldCount;
  for (let i = 0; i < n; i++) {
    const name = jsonText(r.fieldName(i));
    add(raw, name, jsonText(r.fieldValue(i)));
    add(interpreted, name, jsonText(interpretField(event, r, i, "raw")));
  }
  const rec: JsonRecord = { type: jsonText(r.typeName), type_id: r.type, raw, interpreted };
  if (r.enriched) rec.enriched = enrichedJson(r);
  return rec;
}

/** The ENRICHED list of a record, its names and values as {@link jsonText} writes them. */
function enrichedJson(r: AuditRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of r.enrichment) {
    Object.defineProperty(out, jsonText(name), {
      value: jsonText(value),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return out;
}

/** FNV-1a (32 bits) of the event's lines: each line's bytes as in the log, then a newline. */
function linesHash(event: AuditEvent): number {
  let h = 0x811c9dc5;
  const records = event.records;
  for (let k = 0; k < records.length; k++) {
    const r = records[k], b = r.buffer, end = r.end;
    for (let i = r.start; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
    h = Math.imul(h ^ 0x0a, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The `id` of an event in JSON: `sec.msec:serial` as in `msg=audit(...)`,
 * `@node` when the log has `node=`, then `/` and eight hex digits of the
 * FNV-1a hash (32 bits) of the event's lines (each line's bytes as in the
 * log, then a newline). Events that share a time stamp and serial (a LOGIN
 * and the SYSCALL of the same call, the parts of an event split by time)
 * get different ids; the same event read again (a log read twice, or its
 * rotated copy) gets the same id, whatever else was read with it.
 *
 * @example
 * ```ts
 * import { jsonEventId, readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(jsonEventId(ev));
 * // 1700000000.123:4711/5f1d3a0c
 * ```
 */
export function jsonEventId(event: AuditEvent): string {
  const hash = linesHash(event).toString(16).padStart(8, "0");
  return `${event.id}${event.node !== undefined ? `@${event.node}` : ""}/${hash}`;
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
  for (const r of event.records) records.push(recordToJson(event, r));
  return {
    id: jsonText(jsonEventId(event)),
    time: new Date(event.time).toISOString(),
    sec: event.sec,
    msec: event.msec,
    serial: event.serial,
    ...(event.node !== undefined ? { node: jsonText(event.node) } : {}),
    records,
  };
}

const HEX = "0123456789abcdef";
const HEX_UPPER = "0123456789ABCDEF";

/**
 * A string as auditkit's JSON carries it: a byte that was not part of valid
 * UTF-8 (the lone surrogate U+DC80-U+DCFF that stands for it in the
 * library's strings, see {@link encodeText}) becomes `%XX` (two upper-case
 * hex digits), and `%` itself becomes `%25`, so that RFC 3986
 * percent-decoding of the string to bytes gives the log's bytes back, and the
 * JSON text is valid UTF-8 that every parser reads the same way (laurel's
 * convention). Other strings are returned as they are.
 *
 * @example
 * ```ts
 * import { jsonText } from "../../mod.ts";
 * jsonText("/tmp/a\udcff"); // "/tmp/a%FF"
 * jsonText("100%"); // "100%25"
 * jsonText("/etc/passwd"); // "/etc/passwd"
 * ```
 */
export function jsonText(s: string): string {
  if (!PERCENT_NEEDED.test(s)) return s;
  let out = "";
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      out += s.slice(from, i) + "%25";
      from = i + 1;
    } else if (c >= 0xdc80 && c <= 0xdcff && !isHighSurrogate(s.charCodeAt(i - 1))) {
      out += s.slice(from, i) + "%" + HEX_UPPER[(c >> 4) & 15] + HEX_UPPER[c & 15];
      from = i + 1;
    }
  }
  return out + s.slice(from);
}

const PERCENT_NEEDED = /[%\udc80-\udcff]/;

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** `JSON.stringify(jsonText(s))`. */
function jsonQuote(s: string): string {
  return JSON.stringify(jsonText(s));
}

/**
 * Bytes that are written often (names, record heads, cached values), packed
 * for {@link JsonBytes.piece}: the byte count, then the bytes four to a
 * little-endian word.
 */
type Piece = Uint32Array;

function pack(b: Uint8Array): Piece {
  const p = new Uint32Array(2 + (b.length >> 2));
  p[0] = b.length;
  for (let i = 0; i < b.length; i++) p[1 + (i >> 2)] |= b[i] << ((i & 3) * 8);
  return p;
}

/**
 * The JSON lines of events, written as UTF-8 straight into one growing byte
 * buffer: the same text as `JSON.stringify(eventToJson(event))`, without the
 * intermediate objects and strings (most of the cost of JSON output).
 */
class JsonBytes {
  buf: Uint8Array<ArrayBuffer> = new Uint8Array(1 << 16);
  /** {@link buf} for writes of four bytes at a time. */
  view: DataView = new DataView(this.buf.buffer);
  len = 0;

  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  /**
   * A {@link Piece}: four bytes per write (the last word may write past the
   * piece; those bytes are overwritten by what follows).
   */
  piece(p: Piece, from = 0): void {
    const n = p[from];
    this.reserve(n + 4);
    const view = this.view;
    let at = this.len;
    this.len = at + n;
    const end = from + 1 + ((n + 3) >> 2);
    for (let i = from + 1; i < end; i++) {
      view.setUint32(at, p[i], true);
      at += 4;
    }
  }

  /** Text known to need no escaping and to be ASCII (punctuation, numbers). */
  ascii(s: string): void {
    const n = s.length;
    this.reserve(n);
    const buf = this.buf;
    let len = this.len;
    for (let i = 0; i < n; i++) buf[len++] = s.charCodeAt(i);
    this.len = len;
  }

  byte(c: number): void {
    this.reserve(1);
    this.buf[this.len++] = c;
  }

  /** A non-negative integer in decimal, at least `width` digits (zero-padded) (as `String(n)` writes it). */
  uint(n: number, width = 1): void {
    if (n >= 0x80000000) {
      this.ascii(String(n).padStart(width, "0"));
      return;
    }
    let digits = 1;
    for (let m = n; m >= 10; m = (m / 10) | 0) digits++;
    if (digits < width) digits = width;
    this.reserve(digits);
    const buf = this.buf;
    let at = this.len + digits;
    this.len = at;
    for (let k = 0; k < digits; k++) {
      const q = (n / 10) | 0;
      buf[--at] = 0x30 + n - q * 10;
      n = q;
    }
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    this.reserve(n);
    // a loop beats TypedArray.set on the short pieces written here
    const buf = this.buf;
    let len = this.len;
    for (let i = 0; i < n; i++) buf[len++] = b[i];
    this.len = len;
  }

  /** Bytes as they are, in one copy (for long pieces; see {@link bytes}). */
  block(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** `JSON.stringify(jsonText(s))` (see {@link jsonText}). */
  string(s: string): void {
    const n = s.length;
    // at most 6 bytes per UTF-16 unit (`\u001f`), plus the quotes
    this.reserve(n * 6 + 2);
    const buf = this.buf;
    let len = this.len;
    buf[len++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c !== 0x25) buf[len++] = c;
        else len = escapeAscii(buf, len, c);
      } else if (c < 0x800) {
        buf[len++] = 0xc0 | (c >> 6);
        buf[len++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          buf[len++] = 0xf0 | (cp >> 18);
          buf[len++] = 0x80 | ((cp >> 12) & 0x3f);
          buf[len++] = 0x80 | ((cp >> 6) & 0x3f);
          buf[len++] = 0x80 | (cp & 0x3f);
          i++;
        } else if (c >= 0xdc80 && c <= 0xdcff) {
          // a byte that was not UTF-8 (see jsonText)
          buf[len++] = 0x25;
          buf[len++] = HEX_UPPER.charCodeAt((c >> 4) & 15);
          buf[len++] = HEX_UPPER.charCodeAt(c & 15);
        } else {
          buf[len++] = 0x5c;
          buf[len++] = 0x75;
          for (let k = 12; k >= 0; k -= 4) buf[len++] = HEX.charCodeAt((c >> k) & 15);
        }
      } else {
        buf[len++] = 0xe0 | (c >> 12);
        buf[len++] = 0x80 | ((c >> 6) & 0x3f);
        buf[len++] = 0x80 | (c & 0x3f);
      }
    }
    buf[len++] = 0x22;
    this.len = len;
  }

  /**
   * A raw field value as a JSON string, copied from the record's bytes when
   * they are ASCII; otherwise through its decoded string (as
   * {@link AuditRecord.fieldValue} decodes it).
   */
  value(r: AuditRecord, i: number, hex = false): void {
    const start = r.fieldValueStart(i);
    if (start >= 0 && this.span(r.buffer, start, r.fieldValueEnd(i), hex)) return;
    this.string(hex ? `0x${r.fieldValue(i)}` : r.fieldValue(i));
  }

  /**
   * The bytes `src[start, end)` as a JSON string (after `0x` when `hex`),
   * when they are ASCII; false, with nothing written, when they are not.
   */
  span(src: Uint8Array, start: number, end: number, hex = false): boolean {
    this.reserve((end - start) * 6 + 4);
    const buf = this.buf;
    let len = this.len;
    buf[len++] = 0x22;
    if (hex) {
      buf[len++] = 0x30;
      buf[len++] = 0x78;
    }
    for (let k = start; k < end; k++) {
      const c = src[k];
      if (c >= 0x80) return false;
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c !== 0x25) buf[len++] = c;
      else len = escapeAscii(buf, len, c);
    }
    buf[len++] = 0x22;
    this.len = len;
    return true;
  }

  take(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    return out;
  }

  /** The second buffer of {@link takeView}. */
  spare: Uint8Array<ArrayBuffer> | undefined;

  /** The bytes so far without a copy; writing goes on in the other of two buffers. */
  takeView(): Uint8Array {
    const out = this.buf.subarray(0, this.len);
    const next = this.spare ?? new Uint8Array(this.buf.length);
    this.spare = this.buf;
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.len = 0;
    return out;
  }
}

/** Writes the JSON escape of ASCII `c` (a quote, a backslash or a control character), or `%25` for `%`. */
function escapeAscii(buf: Uint8Array, len: number, c: number): number {
  if (c === 0x25) {
    // "%" as jsonText writes it
    buf[len++] = 0x25;
    buf[len++] = 0x32;
    buf[len++] = 0x35;
    return len;
  }
  buf[len++] = 0x5c;
  switch (c) {
    case 0x22:
    case 0x5c:
      buf[len++] = c;
      break;
    case 0x08:
      buf[len++] = 0x62;
      break;
    case 0x09:
      buf[len++] = 0x74;
      break;
    case 0x0a:
      buf[len++] = 0x6e;
      break;
    case 0x0c:
      buf[len++] = 0x66;
      break;
    case 0x0d:
      buf[len++] = 0x72;
      break;
    default:
      buf[len++] = 0x75;
      buf[len++] = 0x30;
      buf[len++] = 0x30;
      buf[len++] = HEX.charCodeAt(c >> 4);
      buf[len++] = HEX.charCodeAt(c & 15);
  }
  return len;
}

const encoder = new TextEncoder();

/**
 * `"name":` as bytes per interned name id (at even indices; `,"name":` at odd
 * ones); null for array indices, which a JS object lists first: they take the
 * object path so the output stays that of JSON.stringify.
 */
const nameKeyBytes: (Piece | null | undefined)[] = new Array(2 * NAME_SLOTS).fill(undefined);
/** Per name id, the last record (by {@link recordStamp}) that used it: finds repeated names. */
const nameSeen = new Int32Array(NAME_SLOTS);
let recordStamp = 0;

function nameKey(id: number, name: string): Piece | null {
  const special = /^(?:0|[1-9]\d*)$/.test(name) && Number(name) < 0xffffffff;
  const key = special ? null : pack(encoder.encode(`${jsonQuote(name)}:`));
  nameKeyBytes[2 * id] = key;
  nameKeyBytes[2 * id + 1] = special ? null : pack(encoder.encode(`,${jsonQuote(name)}:`));
  return key;
}

/**
 * The `"name":` bytes of field `i` (`,"name":` when `comma`), or null when
 * the record cannot be written field by field: a name that is not interned,
 * is an array index, or repeats within the record (`stamp` tells this
 * record's names from older ones).
 */
function plainKey(r: AuditRecord, i: number, stamp: number, comma: number): Piece | null {
  const id = r.fieldNameId(i);
  if (id < 0 || nameSeen[id] === stamp) return null;
  nameSeen[id] = stamp;
  const key = nameKeyBytes[2 * id + comma];
  if (key !== undefined) return key;
  return nameKey(id, r.fieldName(i)) && nameKeyBytes[2 * id + comma]!;
}

/** What the encoder keeps per record type. */
interface TypeInfo {
  /** `{"type":"NAME","type_id":N,"raw":{` */
  head: Piece;
  /** The {@link Interp} of each name id. */
  interp: Uint8Array;
  /** The {@link Enriched} of each name id. */
  enriched: Uint8Array;
  /**
   * The first field of the last record's tail (see {@link Tail}): the
   * next record of the type is looked up from there; -1 when it had no tail,
   * {@link NO_TAIL} while tails of this type are not looked up (see
   * {@link TAIL_PAUSE}).
   */
  tail: number;
  /**
   * Tail lookups and hits for this type since the last pause (lookups pause
   * when hits stay rare); during a pause, `tries` counts up to 0.
   */
  tries: number;
  hits: number;
}

/**
 * By record type number (0 to 0xffff; others in {@link otherTypes}, by
 * number, or by name for names libaudit does not know, which are all type -1).
 */
const typeInfos: (TypeInfo | undefined)[] = new Array(0x10000).fill(undefined);
const otherTypes = new Map<number | string, TypeInfo>();

function typeInfo(r: AuditRecord): TypeInfo {
  const type = r.type;
  const known = type >= 0 && type < 0x10000;
  const other = known ? 0 : type < 0 ? r.typeName : type;
  let info = known ? typeInfos[type] : otherTypes.get(other);
  if (info === undefined) {
    info = {
      head: pack(encoder.encode(`{"type":${jsonQuote(r.typeName)},"type_id":${type},"raw":{`)),
      interp: new Uint8Array(NAME_SLOTS),
      enriched: new Uint8Array(NAME_SLOTS),
      tail: -1,
      tries: 0,
      hits: 0,
    };
    if (known) typeInfos[type] = info;
    else otherTypes.set(other, info);
  }
  return info;
}

/** The second of {@link headPieces}. */
let headSec = NaN;
/**
 * What an event's stamp writes for one second: `{"id":"SEC.`, `","time":"ISO.`
 * (the ISO time up to the second) and `Z","sec":SEC,"msec":`.
 */
let headPieces: Piece[] = [];
const SERIAL_KEY = pack(encoder.encode(',"serial":'));

/**
 * `{"id":"sec.msec:serial/hash","time":"...","sec":N,"msec":N,"serial":N,`
 * of an event ({@link jsonEventId}): without a node the id is digits and
 * punctuation, written as they are; what depends on the second alone is
 * kept for the next event of that second.
 */
function writeStamp(w: JsonBytes, event: AuditEvent): void {
  // a record's milliseconds are 0 to 999 (the reader refuses others)
  const { sec, msec, serial } = event;
  if (event.node !== undefined) {
    // a node name may need escaping: the id as a string, its closing quote left to what follows
    w.ascii('{"id":');
    w.string(jsonEventId(event));
    w.len--;
    writeStampRest(w, event);
    w.uint(serial);
    w.byte(0x2c);
    return;
  }
  stampPieces(sec);
  w.piece(headPieces[0]);
  w.uint(msec, 3);
  w.byte(0x3a);
  const from = w.len;
  w.uint(serial);
  const digits = w.len - from;
  w.byte(0x2f);
  const hash = linesHash(event);
  w.reserve(8);
  for (let k = 28; k >= 0; k -= 4) w.buf[w.len++] = HEX.charCodeAt((hash >>> k) & 15);
  writeStampRest(w, event);
  w.reserve(digits + 1);
  w.buf.copyWithin(w.len, from, from + digits);
  w.len += digits;
  w.byte(0x2c);
}

/** Sets {@link headPieces} for second `sec`. */
function stampPieces(sec: number): void {
  if (sec !== headSec) {
    const iso = new Date(sec * 1000).toISOString();
    headPieces = [
      `{"id":"${sec}.`,
      `","time":"${iso.slice(0, iso.length - 4)}`,
      `Z","sec":${sec},"msec":`,
    ].map((t) => pack(encoder.encode(t)));
    headSec = sec;
  }
}

/** `","time":"...","sec":N,"msec":N,"serial":` of {@link writeStamp}. */
function writeStampRest(w: JsonBytes, event: AuditEvent): void {
  const { sec, msec } = event;
  stampPieces(sec);
  w.piece(headPieces[1]);
  w.uint(msec, 3);
  w.piece(headPieces[2]);
  w.uint(msec);
  w.piece(SERIAL_KEY);
}

/** How the interpreted value of a field is written, by record type and name id (`ByKey + n` for `KEYED_KINDS[n]`). */
const enum Interp {
  /** Not decided yet. */
  Unknown,
  /** Unclassified: the interpretation is the raw value. */
  AsRaw,
  /** From the value alone: cached by raw bytes. */
  ByValue,
  /** Needs the event (a kind neither keyed nor context-free; none today): interpreted each time. */
  InContext,
  /** Kinds with an {@link interpretationKey}: syscall, arch, a0..a3, in this order. */
  ByKey,
}

const KEYED_KINDS: readonly FieldKind[] = ["syscall", "arch", "a0", "a1", "a2", "a3"];

function interpOf(r: AuditRecord, i: number, id: number, table: Uint8Array): number {
  let how = table[id];
  if (how === Interp.Unknown) {
    const name = r.fieldName(i);
    const kind = fieldKind(r.type, name, "");
    const keyed = KEYED_KINDS.indexOf(kind);
    // acct and TRUSTED_APP fields take their kind (a string or not) from the value: its bytes,
    // which key the cache, decide it
    how = kindDependsOnValue(r.type, name)
      ? Interp.ByValue
      : kind === "unclassified" || kind === "mac_label"
      ? Interp.AsRaw
      : keyed >= 0
      ? Interp.ByKey + keyed
      : isContextFree(kind)
      ? Interp.ByValue
      : Interp.InContext;
    table[id] = how;
  }
  return how;
}

/** Cache pairs of {@link interpretationKey} keys start here (record-type pairs stay below). */
const KEY_PAIRS = 1 << 30;

/**
 * Interpretations of context-free fields as JSON bytes, keyed by (record
 * type, name id, raw value bytes): ids, results, exes and paths repeat across
 * events, and a hit costs a hash of the value instead of decoding,
 * interpreting and encoding it again. Direct-mapped; values up to
 * {@link CACHE_VALUE_MAX} bytes.
 */
const CACHE_SLOTS = 1 << 15;
const CACHE_VALUE_MAX = 48;
const cacheKeys = new Uint8Array(CACHE_SLOTS * CACHE_VALUE_MAX);
const cacheLens = new Int32Array(CACHE_SLOTS).fill(-1);
const cachePairs = new Int32Array(CACHE_SLOTS);
/**
 * The JSON of each slot as a {@link Piece} at `slot * SLOT_WORDS` (no
 * object per value: most are short); one longer than {@link SLOT_JSON_MAX}
 * bytes in {@link cacheLong}, its length word then -1.
 */
const SLOT_JSON_MAX = 124;
const SLOT_WORDS = 1 + (SLOT_JSON_MAX >> 2);
const cacheJson = new Uint32Array(CACHE_SLOTS * SLOT_WORDS);
const cacheLong: (Piece | undefined)[] = new Array(CACHE_SLOTS).fill(undefined);
/** Bit patterns of a length word that says the JSON is in {@link cacheLong}. */
const LONG = 0xffffffff;

/** Writes the JSON kept in `slot`. */
function writeCached(w: JsonBytes, slot: number): void {
  const at = slot * SLOT_WORDS;
  if (cacheJson[at] === LONG) w.piece(cacheLong[slot]!);
  else w.piece(cacheJson, at);
}

function writeByValue(
  w: JsonBytes,
  event: AuditEvent,
  r: AuditRecord,
  i: number,
  pair: number,
): void {
  const start = r.fieldValueStart(i);
  const len = r.fieldValueEnd(i) - start;
  if (len > CACHE_VALUE_MAX) {
    w.string(interpretField(event, r, i, "raw"));
    return;
  }
  const slot = cacheSlot(r.buffer, start, len, pair);
  if (slot < 0) {
    writeCached(w, ~slot);
    return;
  }
  const from = w.len;
  // a value new to this cache: the interpreter's own memo would only keep it twice
  w.string(interpretFieldOnce(event, r, i, "raw"));
  cacheStore(w, from, slot, r.buffer, start, len, pair);
}

/**
 * The cache slot of (`pair`, `src[start, start + len)`): its complement
 * (negative) when it holds that key, else the slot to store it in.
 */
function cacheSlot(src: Uint8Array, start: number, len: number, pair: number): number {
  let h = pair;
  for (let k = 0; k < len; k++) h = Math.imul(h, 31) + src[start + k];
  const slot = (h ^ (h >>> 15)) & (CACHE_SLOTS - 1);
  if (cacheLens[slot] === len && cachePairs[slot] === pair) {
    const at = slot * CACHE_VALUE_MAX;
    let k = 0;
    while (k < len && cacheKeys[at + k] === src[start + k]) k++;
    if (k === len) return ~slot;
  }
  return slot;
}

/** Keeps what was written from `from` on as the JSON of the key in `slot` (see {@link cacheSlot}). */
function cacheStore(
  w: JsonBytes,
  from: number,
  slot: number,
  src: Uint8Array,
  start: number,
  len: number,
  pair: number,
): void {
  const n = w.len - from;
  const at = slot * SLOT_WORDS;
  if (n <= SLOT_JSON_MAX) {
    // whole words from the writer's buffer (the bytes past its end are overwritten when read back)
    w.reserve(4);
    const view = w.view;
    cacheJson[at] = n;
    for (let k = 0; k < n; k += 4) cacheJson[at + 1 + (k >> 2)] = view.getUint32(from + k, true);
    cacheLong[slot] = undefined;
  } else {
    cacheJson[at] = LONG;
    cacheLong[slot] = pack(w.buf.subarray(from, w.len));
  }
  cacheKeys.set(src.subarray(start, start + len), slot * CACHE_VALUE_MAX);
  cacheLens[slot] = len;
  cachePairs[slot] = pair;
}

/**
 * The ENRICHED list of the record being written, read from its bytes by
 * {@link scanEnrichment}: its pairs' spans ({@link AuditRecord.enrichmentSpans}),
 * and per pair the interned id of its name (-1 for an empty name).
 */
const spans: number[] = [];
let pairIds = new Int32Array(16);
/** Per interned name id: the stamp of the last record whose list has the name lower-cased, and which pair is its first. */
const lowerSeen = new Int32Array(NAME_SLOTS);
const lowerPair = new Int32Array(NAME_SLOTS);
/** Per interned name id: the stamp of the last record whose list has the name as it is. */
const enrichedSeen = new Int32Array(NAME_SLOTS);
let enrichedStamp = 0;
const lowered = new Uint8Array(32);
/** {@link lowerOf}: not looked up yet. */
const UNSEEN = -2;
/** {@link lowerId}: the name is not ASCII. */
const NOT_ASCII = -3;
/** Per interned name id, {@link lowerId} of the name. */
const lowerOf = new Int32Array(NAME_SLOTS).fill(UNSEEN);

/**
 * The interned id of the lower case of the name `b[start, end)`: -1 when it
 * cannot be interned (no field written field by field has that name),
 * {@link NOT_ASCII} when the name is not ASCII (JavaScript's lower case of
 * other characters may even be ASCII: the Kelvin sign's is "k").
 */
function lowerId(b: Uint8Array, start: number, end: number): number {
  for (let j = start; j < end; j++) if (b[j] >= 0x80) return NOT_ASCII;
  const len = end - start;
  if (len > lowered.length) return -1;
  for (let j = 0; j < len; j++) {
    const c = b[start + j];
    lowered[j] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  }
  return internNameBytes(lowered, 0, len);
}

/** What {@link scanEnrichment} found: the interpretations can be looked up by name id. */
const LOOKUP = 1;
/** ... and the `enriched` object can be written pair by pair. */
const PAIRWISE = 2;

/**
 * Reads `r`'s ENRICHED list for {@link writeInterpretedFields} and
 * {@link writeEnriched}. Returns 0 when the interpretations must come from
 * {@link interpretField} (a name that is not ASCII, whose lower case is
 * not plain to see), else {@link LOOKUP}, with {@link PAIRWISE} unless a
 * name repeats, cannot be interned or is an array index (what
 * `JSON.stringify` of {@link enrichedJson}'s object orders or merges).
 */
function scanEnrichment(r: AuditRecord): number {
  const n = r.enrichmentSpans(spans);
  const stamp = enrichedStamp = (enrichedStamp + 1) | 0;
  if (pairIds.length < n) pairIds = new Int32Array(2 * n);
  const b = r.buffer;
  let result = LOOKUP | PAIRWISE;
  for (let k = 0; k < n; k++) {
    const ns = spans[4 * k], ne = spans[4 * k + 1];
    const id = internNameBytes(b, ns, ne);
    let low = id >= 0 ? lowerOf[id] : lowerId(b, ns, ne);
    if (low === UNSEEN) low = lowerOf[id] = lowerId(b, ns, ne);
    if (low === NOT_ASCII) return 0;
    if (low >= 0 && lowerSeen[low] !== stamp) {
      lowerSeen[low] = stamp;
      lowerPair[low] = k;
    }
    if (ne === ns) {
      pairIds[k] = -1;
      continue;
    }
    pairIds[k] = id;
    if (id < 0 || enrichedSeen[id] === stamp) result = LOOKUP;
    else {
      enrichedSeen[id] = stamp;
      if (nameKeyBytes[2 * id] === undefined) nameKey(id, internedName(id));
      if (nameKeyBytes[2 * id] === null) result = LOOKUP;
    }
  }
  return result;
}

/** The `enriched` object of the record {@link scanEnrichment} read (its result had {@link PAIRWISE}). */
function writeEnriched(w: JsonBytes, r: AuditRecord): void {
  const b = r.buffer;
  const n = spans.length >> 2;
  let comma = 0;
  w.byte(0x7b);
  for (let k = 0; k < n; k++) {
    const id = pairIds[k];
    if (id < 0) continue;
    w.piece(nameKeyBytes[2 * id + comma]!);
    comma = 1;
    const vs = spans[4 * k + 2], ve = spans[4 * k + 3];
    if (!w.span(b, vs, ve)) w.string(decodeBytes(b, vs, ve));
  }
  w.byte(0x7d);
}

/**
 * Record tails: the JSON of a record's last fields, from the first field
 * after which every interpretation depends on the field's own value only
 * (a SYSCALL record's items to key, all of a PATH or CWD record), kept by
 * record type and the tail's bytes. Such tails repeat from event to event
 * (the same process, file or directory); a hit writes both halves of the
 * tail (raw and interpreted) in two copies. A record's ENRICHED list is
 * part of its tail's bytes (it follows the fields): what a field of the tail
 * takes from it, and the `enriched` object, are the same where the bytes are.
 */
interface Tail {
  type: number;
  /** The index of the tail's first field. */
  first: number;
  /** The tail's bytes in the log. */
  bytes: DataView<ArrayBuffer>;
  /** The tail's fields in the record's `raw` object: `,"name":"value"...` (no comma first when `first` is 0). */
  raw: Uint8Array;
  /** The same in its `interpreted` object. */
  interpreted: Uint8Array;
  /** `,"enriched":{...}` of a record with an ENRICHED list, else empty. */
  enriched: Uint8Array;
  /** When it was last stored or hit ({@link tailClock}). */
  used: number;
}

/** Tails by a hash of their bytes: two ways per set (slots `2k` and `2k + 1`), the less recently used one replaced. */
const TAIL_SLOTS = 1 << 12;
const tails: (Tail | undefined)[] = new Array(TAIL_SLOTS).fill(undefined);
let tailClock = 0;
/** Longest tail kept, in bytes of the log (and four times that in bytes of JSON: at most 10 MB in all). */
const TAIL_MAX = 512;
const NO_TAIL = -2;
/** How many records of a type are written without tails once its tails hit too rarely. */
const TAIL_PAUSE = 1 << 16;
/** A view of the last record buffer looked at, to compare it eight bytes at a time. */
let viewed: Uint8Array | undefined;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
/** Where each field's raw and interpreted JSON started in the writer, for the last record written. */
let rawAt = new Int32Array(64);
let interpretedAt = new Int32Array(64);
/** Where the last record's raw and interpreted fields ended in the writer. */
let rawEnd = 0, interpretedEnd = 0;
/** Where its `,"enriched":{...}` started and ended in the writer (equal when it has none). */
let enrichedFrom = 0, enrichedEnd = 0;

/** The first slot of the set of `r`'s tail from field `first` on. */
function tailSlot(r: AuditRecord, first: number): number {
  let h = Math.imul(r.fieldsHash(first) ^ r.type, 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) & (TAIL_SLOTS - 2);
}

/**
 * Whether `tail` is `r`'s bytes `[from, r.end)`, field `first` on. Equal
 * bytes are equal fields: the tokenizer splits each word on its own (AVC's
 * words without "=" depend on how many fields came before: `first`).
 */
function isTail(tail: Tail | undefined, r: AuditRecord, first: number, from: number): tail is Tail {
  if (tail === undefined || tail.type !== r.type || tail.first !== first) return false;
  const key = tail.bytes;
  const len = r.end - from;
  if (key.byteLength !== len) return false;
  // eight bytes at a time as doubles: equal doubles are equal bytes here, as a record's text has
  // no NUL (so neither 0 nor -0, which compare equal) and a NaN only makes a miss
  const v = view;
  let j = 0;
  for (; j < len - 7; j += 8) if (key.getFloat64(j) !== v.getFloat64(from + j)) return false;
  for (; j < len; j++) if (key.getUint8(j) !== r.buffer[from + j]) return false;
  return true;
}

function writeRecord(w: JsonBytes, event: AuditEvent, r: AuditRecord): void {
  const info = typeInfo(r);
  const n = r.fieldCount;
  if (rawAt.length < n) {
    rawAt = new Int32Array(2 * n);
    interpretedAt = new Int32Array(2 * n);
  }
  const first = info.tail;
  let slot = -1;
  if (first >= 0 && first < n) {
    const from = r.fieldNameStart(first);
    if (from >= 0 && r.end - from <= TAIL_MAX) {
      info.tries++;
      slot = tailSlot(r, first);
      const buf = r.buffer;
      if (buf !== viewed) {
        viewed = buf;
        view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      }
      const way = tails[slot];
      const tail = isTail(way, r, first, from)
        ? way
        : isTail(tails[slot + 1], r, first, from)
        ? tails[slot + 1]
        : undefined;
      if (tail !== undefined && writeWithTail(w, event, r, info, tail)) {
        info.hits++;
        tail.used = ++tailClock;
        return;
      }
    }
  }
  const tail = writeFields(w, event, r, info);
  if (info.tail === NO_TAIL) {
    // a long run (live events) may repeat later what it did not at first: look again
    if (++info.tries === 0) info.tail = -1;
    return;
  }
  info.tail = tail >= 0 && tail < n ? tail : -1;
  if (info.tail >= 0) {
    const from = r.fieldNameStart(tail);
    const json = rawEnd - rawAt[tail] + interpretedEnd - interpretedAt[tail] + enrichedEnd -
      enrichedFrom;
    if (from >= 0 && r.end - from <= TAIL_MAX && json <= 4 * TAIL_MAX) {
      if (tail !== first || slot < 0) slot = tailSlot(r, tail);
      if ((tails[slot]?.used ?? -1) > (tails[slot + 1]?.used ?? -1)) slot++;
      tails[slot] = {
        type: r.type,
        first: tail,
        bytes: new DataView(r.buffer.slice(from, r.end).buffer),
        raw: w.buf.slice(rawAt[tail], rawEnd),
        interpreted: w.buf.slice(interpretedAt[tail], interpretedEnd),
        enriched: w.buf.slice(enrichedFrom, enrichedEnd),
        used: ++tailClock,
      };
    }
  }
  // records of this type seldom repeat: stop looking them up for a while
  if (info.tries >= 256) {
    if (info.hits * 4 < info.tries) {
      info.tail = NO_TAIL;
      info.tries = -TAIL_PAUSE;
    } else info.tries = 0;
    info.hits = 0;
  }
}

/**
 * Writes a record field by field. Returns the index of its first field
 * after which every interpretation depends on the field's value alone (the
 * field count when there is none; -1 when the record was written through
 * {@link recordToJson}).
 */
function writeFields(w: JsonBytes, event: AuditEvent, r: AuditRecord, info: TypeInfo): number {
  const mark = w.len;
  const n = r.fieldCount;
  w.piece(info.head);
  if (!writeRawFields(w, r, n)) {
    // rare: undo, and let JSON.stringify order and group the names
    w.len = mark;
    w.bytes(encoder.encode(JSON.stringify(recordToJson(event, r))));
    return -1;
  }
  const enrichment = r.enriched ? scanEnrichment(r) : -1;
  w.ascii('},"interpreted":{');
  const tail = writeInterpretedFields(w, event, r, info, n, enrichment);
  w.ascii("}");
  enrichedFrom = w.len;
  if (enrichment >= 0) {
    w.ascii(',"enriched":');
    if (enrichment & PAIRWISE) writeEnriched(w, r);
    else w.bytes(encoder.encode(JSON.stringify(enrichedJson(r))));
  }
  enrichedEnd = w.len;
  w.ascii("}");
  return tail;
}

/**
 * Writes a record with `tail`: its other fields one by one, the tail's two
 * halves as they are. False, with nothing written, when a name of the tail
 * is also one of the other fields' (the record takes the
 * {@link recordToJson} path).
 */
function writeWithTail(
  w: JsonBytes,
  event: AuditEvent,
  r: AuditRecord,
  info: TypeInfo,
  tail: Tail,
): boolean {
  const mark = w.len;
  const first = tail.first;
  w.piece(info.head);
  if (!writeRawFields(w, r, first)) {
    w.len = mark;
    return false;
  }
  const n = r.fieldCount;
  for (let i = first; i < n; i++) {
    if (nameSeen[r.fieldNameId(i)] === recordStamp) {
      w.len = mark;
      return false;
    }
  }
  w.block(tail.raw);
  w.ascii('},"interpreted":{');
  // the fields before the tail may take values from the ENRICHED list
  const enrichment = r.enriched && first > 0 ? scanEnrichment(r) : -1;
  writeInterpretedFields(w, event, r, info, first, enrichment);
  w.block(tail.interpreted);
  w.byte(0x7d);
  w.block(tail.enriched);
  w.byte(0x7d);
  return true;
}

/**
 * The raw JSON of fields 0 to `n` - 1 of `r`; false when one of them cannot
 * be written on its own (see {@link plainKey}).
 */
function writeRawFields(w: JsonBytes, r: AuditRecord, n: number): boolean {
  const stamp = recordStamp = (recordStamp + 1) | 0;
  for (let i = 0; i < n; i++) {
    const key = plainKey(r, i, stamp, i > 0 ? 1 : 0);
    if (key === null) return false;
    rawAt[i] = w.len;
    w.piece(key);
    w.value(r, i);
  }
  rawEnd = w.len;
  return true;
}

/**
 * The interpreted JSON of fields 0 to `n` - 1 of `r` (written by
 * {@link writeRawFields} before); returns the index of the first field
 * after which each interpretation depends on its value alone. `enrichment`:
 * what {@link scanEnrichment} gave for the record, -1 when it has no
 * ENRICHED list.
 */
function writeInterpretedFields(
  w: JsonBytes,
  event: AuditEvent,
  r: AuditRecord,
  info: TypeInfo,
  n: number,
  enrichment: number,
): number {
  const type = r.type;
  const table = info.interp;
  const stamp = enrichedStamp;
  let tail = 0;
  for (let i = 0; i < n; i++) {
    const id = r.fieldNameId(i);
    interpretedAt[i] = w.len;
    w.piece(nameKeyBytes[2 * id + (i > 0 ? 1 : 0)]!);
    // ENRICHED values come first for every kind
    if (enrichment === 0) {
      w.string(interpretField(event, r, i, "raw"));
      tail = i + 1;
      continue;
    }
    if (
      enrichment > 0 && lowerSeen[id] === stamp &&
      writeEnrichedValue(w, r, i, info, lowerPair[id])
    ) continue; // from the list and the value alone: both are in a tail's bytes
    const how = interpOf(r, i, id, table);
    if (how === Interp.AsRaw) w.value(r, i);
    else if (how === Interp.ByValue) writeByValue(w, event, r, i, type * NAME_SLOTS + id);
    else {
      tail = i + 1;
      if (how >= Interp.ByKey) {
        const key = interpretationKey(r, KEYED_KINDS[how - Interp.ByKey]);
        if (key >= 0) writeByValue(w, event, r, i, KEY_PAIRS + key);
        else if (key === INTERPRET_AS_HEX) w.value(r, i, true);
        else w.string(interpretField(event, r, i, "raw"));
      } else w.string(interpretField(event, r, i, "raw"));
    }
  }
  interpretedEnd = w.len;
  return tail;
}

/** How a field with an ENRICHED value is interpreted, by record type and name id. */
const enum Enriched {
  /** Not decided yet. */
  Unknown,
  /** The value as it is. */
  AsIs,
  /** The value unescaped ({@link enrichedIsEscaped}). */
  Escaped,
  /** As one of the two, by the kind of the field's value (acct, TRUSTED_APP). */
  InContext,
}

/** Cache pairs of ENRICHED values start here, plus their {@link Enriched}. */
const ENRICHED_PAIRS = 1 << 29;

/**
 * Writes the interpretation of field `i` of `r` from pair `k` of its
 * ENRICHED list; false, with nothing written, when that value is
 * `unknown-...` (the field is then interpreted as in a record without one).
 */
function writeEnrichedValue(
  w: JsonBytes,
  r: AuditRecord,
  i: number,
  info: TypeInfo,
  k: number,
): boolean {
  const b = r.buffer;
  const vs = spans[4 * k + 2], ve = spans[4 * k + 3];
  if (startsWithUnknown(b, vs, ve)) return false;
  const id = r.fieldNameId(i);
  let how = info.enriched[id];
  if (how === Enriched.Unknown) {
    const name = r.fieldName(i);
    how = kindDependsOnValue(r.type, name)
      ? Enriched.InContext
      : enrichedIsEscaped(fieldKind(r.type, name, ""))
      ? Enriched.Escaped
      : Enriched.AsIs;
    info.enriched[id] = how;
  }
  // the kind of an acct or TRUSTED_APP field is its value's: decided for each
  const kind = how === Enriched.InContext
    ? fieldKind(r.type, r.fieldName(i), r.fieldValue(i))
    : undefined;
  if (kind !== undefined) how = enrichedIsEscaped(kind) ? Enriched.Escaped : Enriched.AsIs;
  if (how === Enriched.AsIs && w.span(b, vs, ve)) return true;
  const len = ve - vs;
  const pair = ENRICHED_PAIRS + how;
  const slot = len <= CACHE_VALUE_MAX ? cacheSlot(b, vs, len, pair) : NO_SLOT;
  if (slot < 0 && slot !== NO_SLOT) {
    writeCached(w, ~slot);
    return true;
  }
  const from = w.len;
  w.string(
    interpretEnriched(kind ?? fieldKind(r.type, r.fieldName(i), ""), decodeBytes(b, vs, ve)),
  );
  if (slot !== NO_SLOT) cacheStore(w, from, slot, b, vs, len, pair);
  return true;
}

/** Not a {@link cacheSlot}: a value too long to cache. */
const NO_SLOT = -(CACHE_SLOTS + 1);

/** Whether `b[start, end)` starts with `unknown-` (an ENRICHED value that is not used). */
function startsWithUnknown(b: Uint8Array, start: number, end: number): boolean {
  if (end - start < 8) return false;
  for (let j = 0; j < 8; j++) if (b[start + j] !== UNKNOWN.charCodeAt(j)) return false;
  return true;
}

const UNKNOWN = "unknown-";

/**
 * Encodes events as JSON lines into one growing buffer; {@link take} hands
 * out the bytes so far. Each line is `JSON.stringify(eventToJson(event))`.
 *
 * @example
 * ```ts
 * import { JsonLinesEncoder, readEvents } from "../../mod.ts";
 * const out = Deno.stdout.writable.getWriter();
 * const enc = new JsonLinesEncoder();
 * for await (const ev of readEvents("/var/log/audit/audit.log")) {
 *   enc.encode(ev);
 *   if (enc.length > 1 << 20) await out.write(enc.take());
 * }
 * await out.write(enc.take());
 * ```
 */
export class JsonLinesEncoder {
  #w = new JsonBytes();

  /** Appends one event as a line of JSON, newline included. */
  encode(event: AuditEvent): void {
    const w = this.#w;
    writeStamp(w, event);
    if (event.node !== undefined) {
      w.ascii('"node":');
      w.string(event.node);
      w.ascii(",");
    }
    w.ascii('"records":[');
    const records = event.records;
    for (let i = 0; i < records.length; i++) {
      if (i > 0) w.byte(0x2c);
      writeRecord(w, event, records[i]);
    }
    w.ascii("]}\n");
  }

  /** How many bytes are waiting to be taken. */
  get length(): number {
    return this.#w.len;
  }

  /** The bytes encoded since the last call, as a copy of their own. */
  take(): Uint8Array {
    return this.#w.take();
  }

  /**
   * The bytes encoded since the last call, without a copy: the encoder
   * continues in a second buffer, and goes back to this one after the next
   * call. The view stays valid until the first {@link encode} after the
   * next `takeView()`; write it out before that (saves copying and
   * allocating the whole output).
   *
   * @example
   * ```ts
   * import { JsonLinesEncoder, readEvents } from "../../mod.ts";
   * const out = Deno.stdout.writable.getWriter();
   * const enc = new JsonLinesEncoder();
   * for await (const ev of readEvents("/var/log/audit/audit.log")) {
   *   enc.encode(ev);
   *   // the write finishes before the encoder comes back to this buffer
   *   if (enc.length > 1 << 20) await out.write(enc.takeView());
   * }
   * await out.write(enc.takeView());
   * ```
   */
  takeView(): Uint8Array {
    return this.#w.takeView();
  }
}

const textDecoder = new TextDecoder();

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
  const enc = new JsonLinesEncoder();
  enc.encode(event);
  return textDecoder.decode(enc.take());
}

/** `--format json`: encoded straight to bytes, no string per event. */
export const JSON_LINES: EventFormatter = {
  interprets: false,
  carriesNames: false,
  ausearch: false,
  open() {
    const bytes = new JsonLinesEncoder();
    return {
      bytes,
      write(event) {
        bytes.encode(event);
        return "";
      },
    };
  },
};
