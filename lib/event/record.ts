/**
 * One audit record, parsed from the bytes of one log line.
 *
 * The header (node, type, time stamp, serial) is parsed when the record is
 * made; the fields are split only when first asked for, and their names and
 * values become strings only when read, so that scanning a large log costs
 * little more than finding its line ends.
 *
 * @module
 */

import { msgTypeName, msgTypeNumber, RecordType } from "./types.ts";
import { strtoul } from "../c_number.ts";

const SP = 0x20;
const EQ = 0x3d;
const QUOTE = 0x22;
const APOS = 0x27;
const LPAREN = 0x28;
const RPAREN = 0x29;
const GS = 0x1d;
const NL = 0x0a;
const KEY_SEPARATOR = 0x01;
const LBRACE = 0x7b;
const RBRACE = 0x7d;

const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();

/**
 * Decodes `buf[start, end)` without losing a byte: ASCII directly, anything
 * else as UTF-8, where each byte that is not part of a valid UTF-8 sequence
 * becomes the lone surrogate U+DC80-U+DCFF of its value (as Python's
 * `surrogateescape`), so that {@link encodeText} gives the bytes back and
 * `/tmp/a\xff` and `/tmp/a\xfe` stay two strings.
 *
 * @example
 * ```ts
 * import { decodeBytes, encodeText } from "./record.ts";
 * const s = decodeBytes(new Uint8Array([0x61, 0xff]), 0, 2); // "a\udcff"
 * encodeText(s); // Uint8Array [0x61, 0xff]
 * ```
 */
export function decodeBytes(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= 0) return "";
  if (n > 48) return decodeUtf8(buf.subarray(start, end));
  let s = "";
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c >= 0x80) return decodeUtf8(buf.subarray(start, end));
    s += String.fromCharCode(c);
  }
  return s;
}

/** UTF-8 as {@link decodeBytes} decodes it: the replacement character only where the bytes have it. */
function decodeUtf8(b: Uint8Array): string {
  const s = utf8.decode(b);
  // a U+FFFD is a byte that was not UTF-8, or one the bytes spell out (EF BF BD): decode again
  return s.includes("\ufffd") ? decodeEscaped(b) : s;
}

/** The length of the valid UTF-8 sequence at `b[i]`, or 0 when the byte starts none. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i], n = b.length;
  if (c < 0x80) return 1;
  const cont = (k: number) => i + k < n && (b[i + k] & 0xc0) === 0x80;
  if (c < 0xc2) return 0;
  if (c < 0xe0) return cont(1) ? 2 : 0;
  const c1 = i + 1 < n ? b[i + 1] : 0;
  if (c < 0xf0) {
    // no overlong forms (E0 80-9F) and no surrogates (ED A0-BF)
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f)) return 0;
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (c < 0xf5) {
    // no overlong forms (F0 80-8F) and nothing past U+10FFFF (F4 90-BF)
    if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return 0;
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** UTF-8 with each byte outside a valid sequence as U+DC00 + the byte. */
function decodeEscaped(b: Uint8Array): string {
  let out = "";
  let from = 0, i = 0;
  while (i < b.length) {
    const len = sequenceLength(b, i);
    if (len > 0) {
      i += len;
      continue;
    }
    if (from < i) out += utf8.decode(b.subarray(from, i));
    out += String.fromCharCode(0xdc00 + b[i]);
    from = ++i;
  }
  if (from < b.length) out += utf8.decode(b.subarray(from));
  return out;
}

/**
 * Encodes text as UTF-8, each lone surrogate U+DC80-U+DCFF (a byte
 * {@link decodeBytes} could not decode) as the byte it stands for: the
 * bytes the log had. Other lone surrogates become U+FFFD, as `TextEncoder`
 * writes them.
 *
 * @example
 * ```ts
 * import { encodeText } from "./record.ts";
 * encodeText("/tmp/a\udcff"); // the bytes of "/tmp/a" and 0xff
 * ```
 */
export function encodeText(s: string): Uint8Array {
  if (s.isWellFormed()) return utf8Encoder.encode(s);
  const out = new Uint8Array(s.length * 3);
  let len = 0, from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc80 || c > 0xdcff) continue;
    // a low surrogate after a high one is half of a pair, not a byte
    const prev = i > 0 ? s.charCodeAt(i - 1) : 0;
    if (prev >= 0xd800 && prev <= 0xdbff) continue;
    len += utf8Encoder.encodeInto(s.slice(from, i), out.subarray(len)).written;
    out[len++] = c - 0xdc00;
    from = i + 1;
  }
  len += utf8Encoder.encodeInto(s.slice(from), out.subarray(len)).written;
  return out.slice(0, len);
}

/**
 * Whether `needle` is in `haystack` as their bytes are (C's `strstr`):
 * text that holds bytes that are not UTF-8 ({@link decodeBytes}) is
 * compared byte by byte, since such a byte of the needle may be part of a
 * character of the haystack.
 *
 * @example
 * ```ts
 * import { includesBytes } from "./record.ts";
 * includesBytes("/tmp/a\udcff", "a\udcff"); // true
 * includesBytes("/tmp/a\udcfe", "a\udcff"); // false
 * ```
 */
export function includesBytes(haystack: string, needle: string): boolean {
  if (needle.isWellFormed()) return haystack.includes(needle);
  const h = encodeText(haystack), n = encodeText(needle);
  outer: for (let i = 0; i + n.length <= h.length; i++) {
    for (let k = 0; k < n.length; k++) if (h[i + k] !== n[k]) continue outer;
    return true;
  }
  return false;
}

/** Interned field names: the few dozen names of a log become one string each (ids below NAME_SLOTS). */
export const NAME_SLOTS = 4096;
const NAME_MAX = 32;
/** The bytes of each interned name, `NAME_MAX` per slot in one array (no object per name). */
const nameBytes = new Uint8Array(NAME_SLOTS * NAME_MAX);
/** Each slot's name length, -1 when free. */
const nameLens = new Int32Array(NAME_SLOTS).fill(-1);
const nameStrings: string[] = new Array(NAME_SLOTS).fill("");

/** The interned slot of a name whose hash is `h`, or -1 when it cannot be interned. */
function nameSlot(buf: Uint8Array, start: number, end: number, h: number): number {
  const len = end - start;
  if (len > NAME_MAX) return -1;
  let slot = (h >>> 0) & (NAME_SLOTS - 1);
  for (let probe = 0; probe < 8; probe++) {
    const at = slot * NAME_MAX;
    const have = nameLens[slot];
    if (have < 0) {
      nameBytes.set(buf.subarray(start, end), at);
      nameLens[slot] = len;
      nameStrings[slot] = decodeBytes(buf, start, end);
      return slot;
    }
    if (have === len) {
      let i = 0;
      while (i < len && nameBytes[at + i] === buf[start + i]) i++;
      if (i === len) return slot;
    }
    slot = (slot + 1) & (NAME_SLOTS - 1);
  }
  return -1;
}

/**
 * The id {@link AuditRecord.fieldNameId} gives fields called `name` (interned
 * now if new), so hot loops compare ids instead of strings; -1 when the name
 * cannot be interned.
 */
export function internName(name: string): number {
  const bytes = new TextEncoder().encode(name);
  return internNameBytes(bytes, 0, bytes.length);
}

/**
 * {@link internName} for the name `buf[start, end)`: the id of fields so
 * called, interned now if new; -1 when the name cannot be interned.
 *
 * @example
 * ```ts
 * import { internName, internNameBytes } from "./record.ts";
 * internNameBytes(new TextEncoder().encode("uid"), 0, 3) === internName("uid"); // true
 * ```
 */
export function internNameBytes(buf: Uint8Array, start: number, end: number): number {
  return nameSlot(buf, start, end, nameHash(buf, start, end));
}

/**
 * The name whose id is `id` (from {@link internName} or
 * {@link AuditRecord.fieldNameId}).
 *
 * @example
 * ```ts
 * import { internName, internedName } from "./record.ts";
 * internedName(internName("uid")); // "uid"
 * ```
 */
export function internedName(id: number): string {
  return nameStrings[id];
}

/** The hash of a name's bytes (the tokenizer computes the same while it scans). */
function nameHash(buf: Uint8Array, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + buf[i]) | 0;
  return h ^ (end - start);
}

/**
 * Short values repeat a lot (uids, results, flags): a direct-mapped cache
 * keyed by their bytes returns the same string without decoding again.
 */
const VALUE_SLOTS = 1 << 16;
const VALUE_MAX = 16;
const valueBytes = new Uint8Array(VALUE_SLOTS * VALUE_MAX);
const valueLens = new Uint8Array(VALUE_SLOTS);
const valueStrings: string[] = new Array(VALUE_SLOTS).fill("");

function decodeValue(buf: Uint8Array, start: number, end: number): string {
  const len = end - start;
  if (len > VALUE_MAX || len === 0) return decodeBytes(buf, start, end);
  let h = len;
  for (let i = start; i < end; i++) h = Math.imul(h, 31) + buf[i];
  const slot = (h ^ (h >>> 15)) & (VALUE_SLOTS - 1);
  const at = slot * VALUE_MAX;
  if (valueLens[slot] === len) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (valueBytes[at + i] !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return valueStrings[slot];
  }
  const s = decodeBytes(buf, start, end);
  for (let i = 0; i < len; i++) valueBytes[at + i] = buf[start + i];
  valueLens[slot] = len;
  valueStrings[slot] = s;
  return s;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function hexValue(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

/** Decodes hex text to bytes (an odd last digit is ignored). */
export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) {
    const a = hex.charCodeAt(2 * i), b = hex.charCodeAt(2 * i + 1);
    out[i] = ((isHexDigit(a) ? hexValue(a) : 0) << 4) | (isHexDigit(b) ? hexValue(b) : 0);
  }
  return out;
}

/** Whether `s` is non-empty and only hex digits. */
export function isHex(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isHexDigit(s.charCodeAt(i))) return false;
  return true;
}

/** Where the last {@link parseDigits} stopped (a module variable: no tuple per call). */
let digitsEnd = 0;

/** A decimal number at `pos` (-1 when there is none); sets {@link digitsEnd}. */
function parseDigits(buf: Uint8Array, pos: number, end: number): number {
  let n = 0;
  const start = pos;
  while (pos < end && buf[pos] >= 0x30 && buf[pos] <= 0x39 && pos - start < 20) {
    n = n * 10 + (buf[pos] - 0x30);
    pos++;
  }
  digitsEnd = pos;
  return pos === start ? -1 : n;
}

/**
 * Whether a word ending at `at` ends the line (and so takes its newline
 * along when read with fgets): at its newline in scan mode, else at `end`
 * unless a NUL cut the line there.
 */
function endsLine(
  line: Uint8Array,
  at: number,
  scan: boolean,
  end: number,
  nulCut: boolean,
): boolean {
  return scan ? line[at] === NL : at === end && !nulCut;
}

/*
 * The prefixes every line is checked for, compared with the bytes as numbers:
 * reading a constant string's characters costs a load from wherever the
 * string lives, which the log's bytes have long pushed out of the cache.
 */

/** Whether `node=` starts at `pos` (before `end`). */
function isNodeEq(b: Uint8Array, pos: number, end: number): boolean {
  return end - pos >= 5 && b[pos] === 0x6e && b[pos + 1] === 0x6f && b[pos + 2] === 0x64 &&
    b[pos + 3] === 0x65 && b[pos + 4] === EQ;
}

/** Whether `type=` starts at `pos` (before `end`). */
function isTypeEq(b: Uint8Array, pos: number, end: number): boolean {
  return end - pos >= 5 && b[pos] === 0x74 && b[pos + 1] === 0x79 && b[pos + 2] === 0x70 &&
    b[pos + 3] === 0x65 && b[pos + 4] === EQ;
}

/** Whether `msg=audit(` starts at `pos` (before `end`). */
function isMsgAudit(b: Uint8Array, pos: number, end: number): boolean {
  return end - pos >= 10 && b[pos] === 0x6d && b[pos + 1] === 0x73 && b[pos + 2] === 0x67 &&
    b[pos + 3] === EQ && b[pos + 4] === 0x61 && b[pos + 5] === 0x75 && b[pos + 6] === 0x64 &&
    b[pos + 7] === 0x69 && b[pos + 8] === 0x74 && b[pos + 9] === LPAREN;
}

/** Whether the six bytes at `pos` are `(none)` or `(null)`. */
function isNoneOrNull(b: Uint8Array, pos: number): boolean {
  const c = b[pos + 1], d = b[pos + 2];
  return b[pos] === LPAREN && c === 0x6e && b[pos + 5] === RPAREN &&
    ((d === 0x6f && b[pos + 3] === 0x6e && b[pos + 4] === 0x65) ||
      (d === 0x75 && b[pos + 3] === 0x6c && b[pos + 4] === 0x6c));
}

function startsWith(buf: Uint8Array, pos: number, end: number, text: string): boolean {
  if (end - pos < text.length) return false;
  for (let i = 0; i < text.length; i++) if (buf[pos + i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * Where a line failed to parse, for reports of bad lines.
 *
 * @example
 * ```ts
 * import { AuditRecord, BadLineError } from "./record.ts";
 * try {
 *   new AuditRecord(new TextEncoder().encode("not a record"));
 * } catch (e) {
 *   console.log(e instanceof BadLineError);
 * }
 * ```
 */
export class BadLineError extends Error {
  /**
   * The time stamp text (between `msg=audit(` and `)`) when it is the time
   * stamp that could not be read (a milli above 999, a number that
   * overflows): ausearch and aureport report such lines on stderr.
   */
  readonly timeStamp: string | undefined;

  /** Creates the error for a line that is not an audit record. */
  constructor(message: string, timeStamp?: string) {
    super(message);
    this.name = "BadLineError";
    this.timeStamp = timeStamp;
  }
}

const LONG_MAX = 0x7fffffffffffffffn;

/** C's strtoul (base 10) on `buf[pos, end)`, read as Latin-1 (a time stamp's slow path). */
function strtoulAt(buf: Uint8Array, pos: number, end: number): bigint | undefined {
  return strtoul(latin1.decode(buf.subarray(pos, end)), 10);
}
const latin1 = new TextDecoder("latin1");

/** Where {@link readStamp} left the seconds, milliseconds and serial. */
const stamp = { sec: 0, msec: 0, serial: 0 };

/**
 * The time stamp `buf[start, end)` as ausearch, aureport and libauparse read
 * it (str2event): seconds, then a milli after the first ".", then a serial
 * after the next ":", each as strtoul reads it (missing: 0). Throws for a
 * milli above 999 or a number that overflows; a serial beyond 2^53 is not
 * read either (auditkit keeps serials as numbers).
 */
function readStamp(buf: Uint8Array, start: number, end: number): void {
  const fail = () => {
    throw new BadLineError("bad time stamp", decodeBytes(buf, start, end));
  };
  const sec = strtoulAt(buf, start, end);
  // a time_t: the unsigned value read as signed; above LONG_MAX - eoe_timeout - 1 is refused
  if (sec === undefined || BigInt.asIntN(64, sec) > LONG_MAX - 3n) fail();
  let from = start;
  let msec = 0n;
  const dot = buf.subarray(start, end).indexOf(0x2e);
  if (dot >= 0) {
    from = start + dot + 1;
    const m = strtoulAt(buf, from, end);
    if (m === undefined || m > 999n) fail();
    msec = m!;
  }
  let serial = 0n;
  const colon = buf.subarray(from, end).indexOf(0x3a);
  if (colon >= 0) {
    const n = strtoulAt(buf, from + colon + 1, end);
    if (n === undefined) fail();
    serial = n!;
  }
  if (serial > BigInt(Number.MAX_SAFE_INTEGER)) throw new BadLineError("serial beyond 2^53");
  stamp.sec = Number(BigInt.asIntN(64, sec!));
  stamp.msec = Number(msec);
  stamp.serial = Number(serial);
}

/** Where the line after the last record made in scan mode starts. */
let scanNext = 0;
/** Where a NUL ended the text of the line the tokenizer scanned, or -1. */
let scanCut = -1;

/** Record type numbers by interned-name slot ({@link NOT_LOOKED_UP} at first). */
const NOT_LOOKED_UP = -0x80000000;
const typeBySlot = new Int32Array(NAME_SLOTS).fill(NOT_LOOKED_UP);
/** By type slot (and {@link NAME_SLOTS} for none): the type slot that followed it last. */
const nextTypeGuess = new Int32Array(NAME_SLOTS + 1).fill(-1);
/** The type slot of the last record read ({@link NAME_SLOTS} at first). */
let lastTypeSlot = NAME_SLOTS;

/** Name guesses per record type: the first GUESSES fields of each type slot. */
const GUESSES = 64;
/**
 * By type slot and field index, the name slot the last record of that type
 * had there (-1: no guess): the tokenizer checks it before hashing a name.
 */
const nameGuess = new Int16Array(NAME_SLOTS * GUESSES).fill(-1);
/** Names the tokenizer treats specially, never guessed. */
const MSG_SLOT = internName("msg");
const KEY_SLOT = internName("key");

/**
 * A value's end after libauparse's trailing punctuation cuts, in its order:
 * ":", ",", "'", and ")" unless the value is (none) or (null).
 */
function trimValue(line: Uint8Array, vs: number, ve: number): number {
  if (ve > vs && line[ve - 1] === 0x3a) ve--;
  if (ve > vs && line[ve - 1] === 0x2c) ve--;
  if (ve > vs && line[ve - 1] === APOS) ve--;
  if (
    ve > vs && line[ve - 1] === RPAREN &&
    !(ve - vs === 6 && isNoneOrNull(line, vs))
  ) ve--;
  return ve;
}

/**
 * Field offsets of many records in one array: the records of a read chunk
 * share a pool, so splitting their fields allocates nothing per record.
 */
const STRIDE = 4;
/** Numbers per field in a {@link FieldPool}. */
export const POOL_STRIDE = STRIDE;

interface RecordExtra {
  /** The stamp word has 18 characters: the newline counted, as ausearch counts it, made it long enough. */
  shortStamp?: boolean;
  names?: (string | undefined)[];
  synthetic?: Map<number, string>;
  enrichment?: Map<string, string>;
  interpretations?: Map<string, string>;
}

export class FieldPool {
  /** `[nameStart, nameEnd, valueEnd, nameSlot]` per field (the value starts after the name's "="). */
  data: Int32Array;
  /** How many entries are in use. */
  used = 0;

  /** Creates a pool for about `fields` fields. */
  constructor(fields = 16) {
    this.data = new Int32Array(fields * STRIDE);
  }

  /** Makes room for `n` more entries. */
  reserve(n: number): void {
    if (this.used + n <= this.data.length) return;
    const bigger = new Int32Array(Math.max(this.data.length * 2, this.used + n));
    bigger.set(this.data.subarray(0, this.used));
    this.data = bigger;
  }
}

/** The spans of {@link AuditRecord.enrichmentSpans} while the getters decode them. */
const enrichmentScratch: number[] = [];

/** The name end of a synthetic field in its pool entry, whose value end is -1. */
const SYNTH_NAME_END = -2;

/** Appends a field's `[nameStart, nameEnd, valueEnd, nameSlot]` to `pool`. */
function pushField(pool: FieldPool, ns: number, ne: number, ve: number, slot: number): void {
  const u = pool.used;
  if (u + STRIDE > pool.data.length) pool.reserve(STRIDE);
  const d = pool.data;
  d[u] = ns;
  d[u + 1] = ne;
  d[u + 2] = ve;
  d[u + 3] = slot;
  pool.used = u + STRIDE;
}

/**
 * An audit record: `[node=N ]type=T msg=audit(sec.msec:serial): fields[<0x1D>enrichment]`.
 * Fields follow libauparse's tokenization (`auparse/ellist.c`).
 *
 * @example
 * ```ts
 * import { AuditRecord } from "./record.ts";
 * const r = new AuditRecord(new TextEncoder().encode('type=CWD msg=audit(1.000:1): cwd="/"'));
 * console.log(r.typeName, r.fieldName(0), r.fieldValue(0)); // CWD cwd "/"
 * ```
 */
export class AuditRecord {
  /** The buffer holding the line (offsets below are into it). */
  readonly buffer: Uint8Array;
  /** Offset of the line's first byte in {@link buffer}. */
  readonly start: number;
  /** Offset just past the line's last byte (its newline excluded). */
  readonly end: number;
  /** The record type number (1300 for SYSCALL). */
  readonly type: number;
  /** The node name, when the line starts with `node=`. */
  readonly node: string | undefined;
  /** Seconds of the time stamp. */
  readonly sec: number;
  /** Milliseconds of the time stamp. */
  readonly msec: number;
  /** The event serial number. */
  readonly serial: number;
  /** Offset of the first field (after `): `) in {@link buffer}. */
  readonly bodyStart: number;
  /** Offset of `type=` (the line start, or after the node). */
  readonly typeStart: number;
  #pool: FieldPool | undefined;
  #base = -1;
  #count = 0;
  /** See {@link textEnd}; -1 until known (found by the tokenizer or on demand). */
  #textEnd: number;
  /** Rarely needed parts, in one object so that records stay small. */
  #extra: RecordExtra | undefined;

  /**
   * Parses the header of the line `buffer[start, end)`; throws
   * {@link BadLineError} when it is not a record. `separator` is the offset
   * of the line's 0x1D byte, or -1 when the caller knows it has none;
   * without it the line is searched only when its fields or enrichment are
   * needed (the tokenizer finds the separator on its way).
   *
   * With `end` < 0 and a `pool`, the line runs to the next newline in
   * `buffer` (there must be one): the header and the fields are parsed in
   * one pass that also finds the line's end ({@link scanLines} reads a log
   * this way).
   *
   * `newline`: the line is read as ausearch and aureport read it, its
   * newline kept (fgets), so that a stamp word at the end of the line
   * counts the newline when they check its length.
   */
  constructor(
    buffer: Uint8Array,
    start = 0,
    end: number = buffer.length,
    separator?: number,
    pool?: FieldPool,
    newline = false,
  ) {
    this.#pool = pool;
    const scan = end < 0 && pool !== undefined;
    let nulCut = false;
    if (!scan) {
      // as in C, a line's text stops at its first NUL (in scan mode the scans below stop there)
      const nul = buffer.subarray(start, end).indexOf(0);
      if (nul >= 0) {
        end = start + nul;
        nulCut = true;
      }
    }
    const limit = scan ? buffer.length : end;
    // in scan mode a newline ends the name scans below; otherwise only a space does
    const stop = scan ? NL : SP;
    const line = buffer;
    this.buffer = buffer;
    this.start = start;
    let pos = start;
    // as the C tools split the header on spaces: spaces before and between its words are skipped
    while (pos < limit && line[pos] === SP) pos++;
    let node: string | undefined;
    if (isNodeEq(line, pos, limit)) {
      let sp = pos + 5;
      while (sp < limit && line[sp] !== SP && line[sp] !== stop && line[sp] !== 0) sp++;
      if (sp >= limit || line[sp] !== SP) throw new BadLineError("no space after the node name");
      node = decodeBytes(line, pos + 5, sp);
      while (line[sp] === SP) sp++;
      pos = sp;
    }
    this.node = node;
    this.typeStart = pos;
    if (!isTypeEq(line, pos, limit)) throw new BadLineError("no type= field");
    pos += 5;
    // the type that followed the last record's type last time, checked byte by byte: a match
    // needs neither the name's hash nor a look-up (records of an event come in a usual order)
    let slot = nextTypeGuess[lastTypeSlot];
    let typeEnd = -1;
    if (slot >= 0) {
      const len = nameLens[slot];
      const at = slot * NAME_MAX;
      let k = 0;
      while (k < len && line[pos + k] === nameBytes[at + k]) k++;
      if (k === len && pos + len < limit && line[pos + len] === SP) typeEnd = pos + len;
    }
    if (typeEnd < 0) {
      // the type name is found and hashed in one loop (a call to indexOf costs more on so few bytes)
      typeEnd = pos;
      let h = 0;
      for (; typeEnd < limit; typeEnd++) {
        const c = line[typeEnd];
        if (c === SP || c === stop || c === 0) break;
        h = (Math.imul(h, 31) + c) | 0;
      }
      if (typeEnd >= limit || line[typeEnd] !== SP) {
        throw new BadLineError("nothing after the type");
      }
      // type names are interned like field names; their numbers are kept by slot
      slot = nameSlot(line, pos, typeEnd, h ^ (typeEnd - pos));
      if (slot >= 0) {
        nextTypeGuess[lastTypeSlot] = slot;
        lastTypeSlot = slot;
      }
    } else lastTypeSlot = slot;
    let type = slot >= 0 ? typeBySlot[slot] : NOT_LOOKED_UP;
    if (type === NOT_LOOKED_UP) {
      // as libaudit reads it: an unknown name is type -1, and the record is kept
      type = msgTypeNumber(decodeBytes(line, pos, typeEnd));
      if (slot >= 0) typeBySlot[slot] = type;
    }
    this.type = type;
    pos = typeEnd + 1;
    while (pos < limit && line[pos] === SP) pos++;
    // the usual msg=audit(sec.mmm:serial), read at once
    const msg = pos;
    let shortStamp = false;
    let sec = -1, msec = -1, serial = -1;
    if (isMsgAudit(line, pos, limit)) {
      sec = parseDigits(line, pos + 10, limit);
      pos = digitsEnd;
      if (sec >= 0 && line[pos] === 0x2e && pos - msg < 25) {
        msec = parseDigits(line, pos + 1, limit);
        pos = digitsEnd;
        if (msec >= 0 && msec <= 999 && line[pos] === 0x3a) {
          serial = parseDigits(line, pos + 1, limit);
          pos = digitsEnd;
          if (serial < 0 || serial > 0xffffffff || line[pos] !== RPAREN) serial = -1;
          else if (pos + 1 - msg <= 18) {
            // the C tools want a word of 19 or more characters there
            let wordEnd = pos + 1;
            while (
              wordEnd < limit && line[wordEnd] !== SP && line[wordEnd] !== stop &&
              line[wordEnd] !== 0
            ) wordEnd++;
            const nl = newline && endsLine(line, wordEnd, scan, end, nulCut) ? 1 : 0;
            if (wordEnd - msg + nl <= 18) serial = -1;
            else shortStamp = wordEnd - msg === 18;
          }
        }
      }
    }
    if (serial >= 0) {
      this.sec = sec;
      this.msec = msec;
      this.serial = serial;
      pos++;
    } else {
      // anything else as the C tools read it: a word of 19 or more characters, its time
      // stamp after a "(" (the tenth character, or the first) up to a ")" or the word's end
      let wordEnd = msg;
      while (wordEnd < limit) {
        const c = line[wordEnd];
        if (c === SP || c === stop || c === 0) break;
        wordEnd++;
      }
      const nl = newline && endsLine(line, wordEnd, scan, end, nulCut) ? 1 : 0;
      if (wordEnd - msg + nl <= 18) throw new BadLineError("no msg=audit( stamp");
      shortStamp = wordEnd - msg === 18;
      let open = line[msg + 9] === LPAREN ? msg + 9 : -1;
      for (let i = msg; open < 0 && i < wordEnd; i++) if (line[i] === LPAREN) open = i;
      if (open < 0) throw new BadLineError("no msg=audit( stamp");
      let close = open + 1;
      while (close < wordEnd && line[close] !== RPAREN) close++;
      readStamp(line, open + 1, close);
      this.sec = stamp.sec;
      this.msec = stamp.msec;
      this.serial = stamp.serial;
      pos = close < wordEnd ? close + 1 : wordEnd;
    }
    if (pos < limit && line[pos] === 0x3a) pos++;
    if (pos < limit && line[pos] === SP) pos++;
    this.bodyStart = pos;
    if (shortStamp) this.#extra = { shortStamp };
    if (!scan) {
      this.end = end;
      this.#textEnd = separator === undefined
        ? -1
        : separator < pos || separator >= end
        ? end
        : separator;
      return;
    }
    // scan mode: the fields are split now, and their scan finds the line's end
    this.#textEnd = -1;
    if (type !== RecordType.AVC && type !== RecordType.USER_AVC) {
      scanCut = -1;
      const nl = this.#tokenize(limit, true, slot);
      if (scanCut >= 0) {
        // a NUL ended the text: the line goes on to its newline unread
        this.end = scanCut;
        scanNext = nl + 1;
        return;
      }
      // a CR before the newline is part of the line, as for the C tools
      this.end = nl;
      scanNext = nl + 1;
      return;
    }
    let nl = line.indexOf(NL, pos);
    if (nl < 0) nl = limit;
    scanNext = nl + 1;
    const nul = line.subarray(pos, nl).indexOf(0);
    this.end = nul >= 0 ? pos + nul : nl;
    this.#tokenize(this.end, false);
  }

  /** Offset of the 0x1D separator, or {@link end} when the record is not enriched. */
  get textEnd(): number {
    if (this.#textEnd < 0) {
      const line = this.buffer;
      let i = this.bodyStart;
      while (i < this.end && line[i] !== GS) i++;
      this.#textEnd = i;
    }
    return this.#textEnd;
  }

  /** The bytes of the line, without its newline. */
  get line(): Uint8Array {
    return this.buffer.subarray(this.start, this.end);
  }

  /**
   * The record type name: libaudit's for its number (`SYSCALL`), else as the
   * log writes it (`UNKNOWN[1999]`, or a name libaudit does not know, whose
   * number is -1).
   */
  get typeName(): string {
    return msgTypeName(this.type) ?? this.writtenTypeName;
  }

  /** The record type as the line writes it (`syscall`, `UNKNOWN[1999]`). */
  get writtenTypeName(): string {
    const line = this.buffer;
    let end = this.typeStart + 5;
    while (end < this.end && line[end] !== SP) end++;
    return decodeBytes(line, this.typeStart + 5, end);
  }

  /**
   * Whether the record's stamp word is long enough only with the line's
   * newline counted, as ausearch and aureport count it (see the
   * constructor's `newline`): libauparse, which drops the newline, does not
   * take such a line as a record.
   */
  get shortStamp(): boolean {
    return this.#extra?.shortStamp === true;
  }

  /** Whether the line carries an ENRICHED list after 0x1D. */
  get enriched(): boolean {
    return this.textEnd < this.end;
  }

  /** The whole line as text, enrichment and 0x1D included. */
  get raw(): string {
    return decodeBytes(this.buffer, this.start, this.end);
  }

  /** The line without its enrichment. */
  get text(): string {
    return decodeBytes(this.buffer, this.start, this.textEnd);
  }

  /** The part after `msg=audit(...): `, without enrichment. */
  get body(): string {
    return decodeBytes(this.buffer, this.bodyStart, this.textEnd);
  }

  #synth(name: string, value: string): void {
    const i = this.#count;
    const extra = this.#extra ??= {};
    (extra.names ??= [])[i] = name;
    (extra.synthetic ??= new Map()).set(i, value);
    // marked in the pool by a value end of -1 (and a name end of -2: the value starts at -1)
    pushField(this.#pool!, 0, SYNTH_NAME_END, -1, -1);
    this.#count++;
  }

  /**
   * Splits the fields of `buffer[bodyStart, end)` into the pool. With
   * `scan`, `end` is only a bound and a newline ends the line; returns where
   * the line ends (its newline in scan mode, `end` otherwise).
   */
  #tokenize(end: number, scan: boolean, typeSlot = -1): number {
    const line = this.buffer;
    // the text ends at the first 0x1D, found here unless already known
    if (this.#textEnd >= 0) end = this.#textEnd;
    const stop = scan ? NL : SP;
    const pool = this.#pool ??= new FieldPool();
    this.#base = pool.used;
    this.#count = 0;
    let count = 0;
    const guesses = typeSlot >= 0 ? typeSlot * GUESSES : -1;
    const avc = this.type === RecordType.AVC || this.type === RecordType.USER_AVC;
    let pos = this.bodyStart;
    let lineEnd = -1;
    while (pos < end) {
      while (pos < end && line[pos] === SP) pos++;
      if (pos >= end) break;
      if (line[pos] === GS) {
        this.#textEnd = pos;
        if (scan) {
          // the enrichment runs to the newline, or to a NUL (as in C, the line's text ends there)
          let i = pos + 1;
          while (i < end && line[i] !== NL && line[i] !== 0) i++;
          if (i < end && line[i] === 0) {
            scanCut = i;
            this.#count = count;
            lineEnd = line.indexOf(NL, i);
            return lineEnd < 0 ? end : lineEnd;
          }
          lineEnd = i;
        }
        break;
      }
      if (line[pos] === stop) {
        lineEnd = pos;
        break;
      }
      if (line[pos] === 0) {
        // scan mode: as in C, the text ends at a NUL (other records were cut before)
        this.#textEnd = scanCut = pos;
        this.#count = count;
        lineEnd = line.indexOf(NL, pos);
        if (lineEnd < 0) lineEnd = end;
        return lineEnd;
      }
      let ts = pos;
      const pos0 = pos;
      let te = pos + 1;
      let eq = -1;
      let h = 0;
      // the name this type's record had at this place last time, checked byte by byte: a
      // match needs neither the name's hash nor a look-up (most records repeat their names)
      const guess = guesses >= 0 && count < GUESSES ? nameGuess[guesses + count] : -1;
      if (guess >= 0) {
        const len = nameLens[guess];
        const at = guess * NAME_MAX;
        let k = 0;
        while (k < len && line[ts + k] === nameBytes[at + k]) k++;
        if (k === len && ts + len < end && line[ts + len] === EQ) {
          eq = ts + len;
          te = eq + 1;
          if (scan) {
            // unbounded: in scan mode the line's newline is in the buffer and stops the loop
            for (;;) {
              const c = line[te];
              if (c <= SP && (c === SP || c === GS || c === NL || c === 0)) break;
              te++;
            }
          } else {
            while (te < end) {
              const c = line[te];
              if (c <= SP && (c === SP || c === GS || c === stop || c === 0)) break;
              te++;
            }
          }
          pos = te;
          // as below: nothing after "=" is no field
          if (te === eq + 1) continue;
          let ve = te;
          if (line[ve - 1] <= 0x2c || line[ve - 1] === 0x3a) ve = trimValue(line, eq + 1, ve);
          pushField(pool, ts, eq, ve, guess);
          count++;
          continue;
        }
      }
      // the name's hash is computed on the way, for interning without a second pass
      h = line[ts];
      // the name up to "=", then the value: two tight loops
      while (te < end) {
        const c = line[te];
        if (c === EQ) {
          eq = te++;
          break;
        }
        // separators are all below 0x21: one comparison for most bytes
        if (c <= SP && (c === SP || c === GS || c === stop || c === 0)) break;
        h = (Math.imul(h, 31) + c) | 0;
        te++;
      }
      if (eq >= 0) {
        while (te < end) {
          const c = line[te];
          if (c <= SP && (c === SP || c === GS || c === stop || c === 0)) break;
          te++;
        }
      }
      pos = te;
      if (line[ts] === EQ) eq = ts;
      if (
        eq === ts + 3 && line[ts] === 0x6d && line[ts + 1] === 0x73 && line[ts + 2] === 0x67
      ) {
        // msg=audit(...) (or any msg=a...) is no field; msg='op=... : the user part's first pair
        const after = line[ts + 4];
        if (after === 0x61) continue;
        if (after === APOS) {
          ts += 5;
          eq = -1;
          for (let i = ts; i < te; i++) {
            if (line[i] === EQ) {
              eq = i;
              break;
            }
          }
          if (eq < 0) continue;
        }
      }
      if (eq < 0) {
        if (avc) {
          this.#count = count;
          pos = this.#avcWord(ts, te);
          count = this.#count;
        }
        continue;
      }
      // as libauparse: a name with nothing after its "=" is no field
      if (te === eq + 1) continue;
      // one "(" before the name is cut
      const ns = line[ts] === LPAREN && ts < eq ? ts + 1 : ts;
      const vs = eq + 1;
      const ve = trimValue(line, vs, te);
      if (
        eq - ns === 3 && line[ns] === 0x6b && line[ns + 1] === 0x65 && line[ns + 2] === 0x79 &&
        line[vs] !== QUOTE && line[vs] !== LPAREN
      ) {
        this.#count = count;
        this.#virtualKeys(vs, ve);
        count = this.#count;
        continue;
      }
      // the hash made while scanning is the name's when the name starts where the scan did
      const plain = ns === pos0 && eq > ns;
      const slot = plain
        ? nameSlot(line, ns, eq, h ^ (eq - ns))
        : nameSlot(line, ns, eq, nameHash(line, ns, eq));
      // guessed next time only when a byte match means the same name (not msg, key, "(")
      if (guesses >= 0 && count < GUESSES) {
        nameGuess[guesses + count] = plain && slot >= 0 && slot !== MSG_SLOT &&
            slot !== KEY_SLOT && line[ns] !== LPAREN
          ? slot
          : -1;
      }
      pushField(pool, ns, eq, ve, slot);
      count++;
    }
    this.#count = count;
    if (scan) {
      if (lineEnd < 0) {
        lineEnd = line.indexOf(NL, pos);
        if (lineEnd < 0) lineEnd = end;
      }
      if (this.#textEnd < 0) this.#textEnd = lineEnd;
      return lineEnd;
    }
    if (this.#textEnd < 0) this.#textEnd = end;
    return end;
  }

  /**
   * A key that is neither quoted nor `(null)`, as libauparse reads it: its
   * hex digits decoded up to the first other character (an odd last digit
   * as its high half), up to a NUL; then one `key` field per piece between
   * 0x01 bytes (empty pieces skipped), quoted, or in upper-case hex when it
   * has a quote, a space, a control or a non-ASCII byte. Fewer than two hex
   * digits make one `key` field without a value, shown as `(null)`.
   */
  #virtualKeys(vs: number, ve: number): void {
    const line = this.buffer;
    let p = vs;
    while (p < ve && isHexDigit(line[p])) p++;
    if (p - vs < 2) {
      this.#synth("key", "(null)");
      return;
    }
    const bytes: number[] = [];
    for (let i = vs; i < p; i += 2) {
      const hi = hexValue(line[i]);
      const b = (hi << 4) | (i + 1 < p ? hexValue(line[i + 1]) : 0);
      if (b === 0) break;
      bytes.push(b);
    }
    let from = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== KEY_SEPARATOR) continue;
      if (i > from) {
        const piece = bytes.slice(from, i);
        const plain = piece.every((b) => b >= 0x21 && b <= 0x7e && b !== QUOTE);
        this.#synth(
          "key",
          plain
            ? `"${String.fromCharCode(...piece)}"`
            : piece.map((b) => (b < 16 ? "0" : "") + b.toString(16).toUpperCase()).join(""),
        );
      }
      from = i + 1;
    }
  }

  /**
   * A word without "=" in an AVC or USER_AVC record, as libauparse takes it
   * (`avc: denied { read write }`): first in the record, a word not starting
   * with "avc" is the seresult; second, a word starting with "{" starts the
   * permissions, the words up to one starting with "}" (seperms, joined with
   * ","); other words are nothing. Returns where the scan goes on.
   */
  #avcWord(ts: number, te: number): number {
    const line = this.buffer;
    const end = this.textEnd;
    if (this.#count === 0) {
      if (!startsWith(line, ts, te, "avc")) this.#synth("seresult", decodeBytes(line, ts, te));
      return te;
    }
    if (this.#count !== 1 || line[ts] !== 0x7b) return te;
    const perms: string[] = [];
    let p = te;
    for (;;) {
      while (p < end && line[p] === SP) p++;
      if (p >= end) break;
      let q = p;
      while (q < end && line[q] !== SP) q++;
      if (line[p] === 0x7d) {
        p = q;
        break;
      }
      perms.push(decodeBytes(line, p, q));
      p = q;
    }
    this.#synth("seperms", perms.join(","));
    return p;
  }

  /** How many fields the body has (node and type not counted). */
  get fieldCount(): number {
    if (this.#base < 0) this.#tokenize(this.end, false);
    return this.#count;
  }

  /** The name of field `i`. */
  fieldName(i: number): string {
    if (this.#base < 0) this.#tokenize(this.end, false);
    const k = this.#base + i * STRIDE;
    const d = this.#pool!.data;
    const slot = d[k + 3];
    if (slot >= 0) return nameStrings[slot];
    return d[k + 2] < 0 ? this.#extra!.names![i]! : decodeBytes(this.buffer, d[k], d[k + 1]);
  }

  /**
   * The interned id of field `i`'s name: equal names have equal ids within a
   * process, so callers can key per-name caches by it; -1 for synthetic
   * fields and names too long to intern.
   */
  fieldNameId(i: number): number {
    if (this.#base < 0) this.#tokenize(this.end, false);
    return this.#pool!.data[this.#base + i * STRIDE + 3];
  }

  /** The value of field `i` as written in the log (quotes and hex kept). */
  fieldValue(i: number): string {
    if (this.#base < 0) this.#tokenize(this.end, false);
    const k = this.#base + i * STRIDE;
    const d = this.#pool!.data;
    const end = d[k + 2];
    return end < 0 ? this.#extra!.synthetic!.get(i)! : decodeValue(this.buffer, d[k + 1] + 1, end);
  }

  /**
   * Offset of field `i`'s value in {@link buffer} (with {@link fieldValueEnd}:
   * the value's bytes without making a string); -1 for synthetic fields.
   */
  fieldValueStart(i: number): number {
    if (this.#base < 0) this.#tokenize(this.end, false);
    // -1 for synthetic fields, whose name end is -2
    return this.#pool!.data[this.#base + i * STRIDE + 1] + 1;
  }

  /** Offset just past field `i`'s value in {@link buffer}; -1 for synthetic fields. */
  fieldValueEnd(i: number): number {
    if (this.#base < 0) this.#tokenize(this.end, false);
    return this.#pool!.data[this.#base + i * STRIDE + 2];
  }

  /** Whether field `i` was made by the tokenizer (a split key, an AVC result). */
  fieldIsSynthetic(i: number): boolean {
    if (this.#base < 0) this.#tokenize(this.end, false);
    return this.#pool!.data[this.#base + i * STRIDE + 2] < 0;
  }

  /**
   * Byte offsets of field `i` in {@link buffer}: `[nameStart, nameEnd,
   * valueStart, valueEnd]` (all 0 for synthetic fields).
   */
  fieldOffsets(i: number): [number, number, number, number] {
    if (this.#base < 0) this.#tokenize(this.end, false);
    const k = this.#base + i * STRIDE;
    const d = this.#pool!.data;
    if (d[k + 2] < 0) return [0, 0, 0, 0];
    return [d[k], d[k + 1], d[k + 1] + 1, d[k + 2]];
  }

  /**
   * A hash of fields `from` to the last, from what tells such runs apart
   * cheaply: each field's name, length and last four bytes. Runs that are
   * byte for byte equal and split alike hash alike.
   */
  fieldsHash(from: number): number {
    if (this.#base < 0) this.#tokenize(this.end, false);
    const d = this.#pool!.data;
    const b = this.buffer;
    const end = this.#base + this.#count * STRIDE;
    let h = this.#count - from;
    for (let k = this.#base + from * STRIDE; k < end; k += STRIDE) {
      const ve = d[k + 2];
      h = Math.imul(h ^ d[k + 3], 0x01000193);
      h = Math.imul(h ^ (ve - d[k]), 0x01000193);
      if (ve > 3) {
        h = Math.imul(
          h ^ (b[ve - 1] | b[ve - 2] << 8 | b[ve - 3] << 16 | b[ve - 4] << 24),
          0x01000193,
        );
      }
    }
    return h;
  }

  /** Offset of field `i`'s name in {@link buffer}; -1 for synthetic fields. */
  fieldNameStart(i: number): number {
    if (this.#base < 0) this.#tokenize(this.end, false);
    const k = this.#base + i * STRIDE;
    const d = this.#pool!.data;
    return d[k + 2] < 0 ? -1 : d[k];
  }

  /** The index of the first field called `name`, or -1. */
  indexOf(name: string): number {
    const n = this.fieldCount;
    for (let i = 0; i < n; i++) if (this.fieldName(i) === name) return i;
    return -1;
  }

  /** The raw value of the first field called `name`. */
  get(name: string): string | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.fieldValue(i);
  }

  /** Every `[name, raw value]` pair, in order. */
  fields(): [string, string][] {
    const out: [string, string][] = [];
    const n = this.fieldCount;
    for (let i = 0; i < n; i++) out.push([this.fieldName(i), this.fieldValue(i)]);
    return out;
  }

  /** The ENRICHED list (`UID` -> `"root"`), empty when the record has none. */
  get enrichment(): ReadonlyMap<string, string> {
    const cached = this.#extra?.enrichment;
    if (cached) return cached;
    const map = new Map<string, string>();
    for (const [name, value] of this.#enrichmentPairs()) if (name !== "") map.set(name, value);
    (this.#extra ??= {}).enrichment = map;
    return map;
  }

  /**
   * The ENRICHED values as libauparse's interpretation list holds them,
   * which is what the tools look fields up in: names lower-cased (`uid` ->
   * `"root"`), the first of a name kept; empty when the record has none.
   * A field is looked up by its name as written.
   */
  get interpretations(): ReadonlyMap<string, string> {
    const cached = this.#extra?.interpretations;
    if (cached) return cached;
    const map = new Map<string, string>();
    for (const [name, value] of this.#enrichmentPairs()) {
      const lower = name.toLowerCase();
      if (!map.has(lower)) map.set(lower, value);
    }
    (this.#extra ??= {}).interpretations = map;
    return map;
  }

  /** The ENRICHED list's name=value pairs in order, duplicates kept. */
  #enrichmentPairs(): [string, string][] {
    const spans = enrichmentScratch;
    const n = this.enrichmentSpans(spans);
    const pairs: [string, string][] = [];
    const b = this.buffer;
    for (let k = 0; k < 4 * n; k += 4) {
      pairs.push([
        decodeBytes(b, spans[k], spans[k + 1]),
        decodeBytes(b, spans[k + 2], spans[k + 3]),
      ]);
    }
    return pairs;
  }

  /**
   * Where the ENRICHED list's name=value pairs are in {@link buffer}, in
   * order, duplicates kept: `[nameStart, nameEnd, valueStart, valueEnd]` per
   * pair into `out` (grown as needed); returns how many pairs. The words are
   * split at spaces, each at its first "="; a list that starts with `SADDR=`
   * is one pair whose value runs from its first "{" to the end (none when no
   * "}" follows). A byte that is not ASCII never ends a word, so decoding each
   * span gives what splitting the decoded list would.
   */
  enrichmentSpans(out: number[]): number {
    out.length = 0;
    const end = this.end;
    const from = this.textEnd + 1;
    if (from > end) return 0;
    const b = this.buffer;
    if (startsWith(b, from, end, "SADDR=")) {
      let open = from;
      while (open < end && b[open] !== LBRACE) open++;
      let close = open;
      while (close < end && b[close] !== RBRACE) close++;
      if (close < end) out.push(from, from + 5, open, end);
      return out.length >> 2;
    }
    let p = from;
    while (p <= end) {
      let eq = -1, q = p;
      for (; q < end && b[q] !== SP; q++) if (eq < 0 && b[q] === EQ) eq = q;
      if (eq >= 0) out.push(p, eq, eq + 1, q);
      p = q + 1;
    }
    return out.length >> 2;
  }

  /** The time stamp in milliseconds since the epoch. */
  get time(): number {
    return this.sec * 1000 + this.msec;
  }
}

/**
 * A line {@link scanLines} could not parse: its bounds in the buffer, why,
 * and its 1-based number among the lines of that call.
 */
export type BadLineHandler = (
  start: number,
  end: number,
  reason: string,
  line: number,
  timeStamp?: string,
) => void;

/**
 * Parses the lines of `buffer[from, to)` into records, header and fields in
 * one pass; `buffer[to - 1]` must be a newline. Empty lines are skipped;
 * lines that are not records go to `onBad` (with their bounds). The
 * records share `pool`. Returns how many lines were read.
 *
 * @example
 * ```ts
 * import { AuditRecord, FieldPool, scanLines } from "./record.ts";
 * const buf = new TextEncoder().encode("type=CWD msg=audit(1.000:1): cwd=\"/\"\nbad\n");
 * const out: AuditRecord[] = [];
 * scanLines(buf, 0, buf.length, new FieldPool(), out, (s, e, why) => console.log(why));
 * console.log(out[0].fieldValue(0)); // "/"
 * ```
 */
export function scanLines(
  buffer: Uint8Array,
  from: number,
  to: number,
  pool: FieldPool,
  out: AuditRecord[],
  onBad: BadLineHandler,
  limit?: number,
): number {
  // the tokenizer relies on it: a newline ends its scans of the last line
  if (to > from && buffer[to - 1] !== NL) {
    throw new RangeError("scanLines: the text must end with a newline");
  }
  let lines = 0;
  let pos = from;
  while (pos < to) {
    lines++;
    const c = buffer[pos];
    if (c === NL) {
      pos++;
      continue;
    }
    try {
      // read as the C tools read it (a limit): the newline comes along
      out.push(new AuditRecord(buffer, pos, -1, undefined, pool, limit !== undefined));
      const next = scanNext;
      if (limit !== undefined && next - 1 - pos > limit - 1) {
        // longer than the C tools' line buffer: read as they read it, in pieces
        out.pop();
        readLinePieces(buffer, pos, next - 1, limit, out, onBad, lines, true);
      }
      pos = next;
    } catch (e) {
      if (!(e instanceof BadLineError)) throw e;
      let nl = buffer.indexOf(NL, pos);
      if (nl < 0 || nl >= to) nl = to;
      const end = nl;
      if (limit !== undefined && end - pos > limit - 1) {
        readLinePieces(buffer, pos, end, limit, out, onBad, lines, true);
      } else {
        // parsed again within the line's bounds, for the reason a reader of that line alone gets
        try {
          out.push(new AuditRecord(buffer, pos, end, undefined, pool, limit !== undefined));
        } catch (again) {
          if (!(again instanceof BadLineError)) throw again;
          onBad(pos, end, again.message, lines, again.timeStamp);
        }
      }
      pos = nl + 1;
    }
  }
  return lines;
}

/**
 * The line `buffer[start, end)` read as ausearch and aureport read a line
 * longer than their buffer of `limit` bytes (fgets): pieces of `limit - 1`
 * bytes, each a line of its own (the first the record cut short); pieces
 * that are not records go to `onBad`, as line `line`.
 *
 * @example
 * ```ts
 * import { type AuditRecord, readLinePieces } from "./record.ts";
 * const text = 'type=CWD msg=audit(1.000:1): cwd="/' + "x".repeat(9000) + '"';
 * const out: AuditRecord[] = [];
 * readLinePieces(new TextEncoder().encode(text), 0, text.length, 8970, out, () => {}, 1);
 * console.log(out[0].end); // 8969
 * ```
 */
export function readLinePieces(
  buffer: Uint8Array,
  start: number,
  end: number,
  limit: number,
  out: AuditRecord[],
  onBad: BadLineHandler,
  line: number,
  newline = false,
): void {
  for (let p = start; p < end;) {
    const q = Math.min(p + limit - 1, end);
    try {
      // only the last piece ends with the line's newline
      out.push(new AuditRecord(buffer, p, q, undefined, undefined, newline && q === end));
    } catch (e) {
      if (!(e instanceof BadLineError)) throw e;
      onBad(p, q, e.message, line, e.timeStamp);
    }
    p = q;
  }
}
