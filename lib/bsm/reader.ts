/**
 * Reading BSM trails: records and their tokens from bytes, a file or a
 * stream, with two explicit sets of rules.
 *
 * - **Strict** ({@link readBsmRecords}, {@link parseBsmRecords}): every record
 *   must start with a header (0x14, 0x15, 0x74, 0x79) or be a standalone
 *   file token, its tokens must fill exactly the size the header gives, and
 *   a final trailer must repeat that size with the BSM magic. The first
 *   fault throws a {@link BsmError} with its byte offset, after every record
 *   before it has been delivered. With `resync`, the reader instead reports
 *   the fault to `onError` and goes on at the next offset where a whole
 *   valid record starts.
 * - **praudit** ({@link readPrauditRecords}, {@link parsePrauditRecords}):
 *   OpenBSM praudit's acceptance (`au_read_rec` in `libbsm/bsm_io.c`,
 *   `print_tokens` in `bin/praudit/praudit.c`). A record is a header id, a
 *   u32 size of at least 5 and exactly that many bytes, or a standalone
 *   file token; anything else (a bare token, trailing garbage, a truncated
 *   record) ends the input silently. Inside a record, tokens are decoded
 *   until one fails; the record is still delivered, marked incomplete, and
 *   reading goes on with the next record. Nothing throws for bad data;
 *   `onStop` learns why reading stopped early.
 *
 * Streams and files are read chunk by chunk: memory holds the unread part
 * of the current chunk plus one record (at most `maxRecordSize` bytes),
 * whatever the file size.
 *
 * @module
 */

import { decodeToken } from "./decode.ts";
import { BsmError } from "./error.ts";
import { AUT, AUT_TRAILER_MAGIC, type BsmRecord, type BsmToken } from "./types.ts";

/** Where records come from: bytes in memory, a file path, or a byte stream. */
export type BsmSource = Uint8Array | string | URL | ReadableStream<Uint8Array>;

/** Options of the strict reader. */
export interface ReadBsmOptions {
  /**
   * After a fault, go on at the next offset where a whole valid record (or
   * file token) starts, instead of throwing; each fault goes to `onError`.
   * Use it for a stream picked up mid-record (praudit -p does the same once,
   * at the start).
   */
  resync?: boolean;
  /** Called with each fault skipped by `resync`. */
  onError?: (error: BsmError) => void;
  /** Largest record accepted (default 1 MiB); a larger header size is a `bad_size` fault. */
  maxRecordSize?: number;
  /** Stops reading (the iterator throws the signal's reason). */
  signal?: AbortSignal;
}

/** Options of the praudit-rules reader. */
export interface PrauditRulesOptions {
  /** praudit -p: first skip input bytes up to the first 0x14 (header32) byte. */
  partial?: boolean;
  /** Called once when reading ends before the input does, with the reason praudit stays silent about. */
  onStop?: (error: BsmError) => void;
  /** Largest record read (default 1 MiB); a larger header size stops reading. */
  maxRecordSize?: number;
  /** Stops reading (the iterator throws the signal's reason). */
  signal?: AbortSignal;
}

/**
 * A record read under praudit's rules: `complete` is false when a token
 * failed to decode and the record's remaining bytes were skipped (praudit
 * prints the tokens before it and moves on).
 *
 * @example
 * ```ts
 * import type { PrauditRecord } from "./reader.ts";
 * const shown = (r: PrauditRecord) => r.complete ? r.tokens.length : `${r.tokens.length}+`;
 * ```
 */
export interface PrauditRecord extends BsmRecord {
  /** Whether every byte of the record was decoded into tokens. */
  complete: boolean;
}

const DEFAULT_MAX_RECORD = 1 << 20;
const HEADER_IDS = new Set<number>([AUT.HEADER32, AUT.HEADER32_EX, AUT.HEADER64, AUT.HEADER64_EX]);
/** id + sec + msec + name length: the fixed part of a file token. */
const FILE_FIXED = 11;

/**
 * Whether `id` starts a record (a header token) for OpenBSM's reader.
 *
 * @example
 * ```ts
 * import { isHeaderId } from "./reader.ts";
 * isHeaderId(0x14); // true
 * isHeaderId(0x28); // false: a text token cannot start a record
 * ```
 */
export function isHeaderId(id: number): boolean {
  return HEADER_IDS.has(id);
}

const u32 = (b: Uint8Array, at: number) =>
  b[at] * 0x1000000 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);

/** What one step over a buffer window finds. */
type Step =
  | { kind: "need"; bytes: number }
  | { kind: "record"; length: number; tokens: BsmToken[]; complete: boolean }
  | { kind: "stop"; error: BsmError };

/** The length of the whole record at `buf[at]`, or how many bytes are needed, or why there is none. */
function step(
  buf: Uint8Array,
  at: number,
  base: number,
  max: number,
  strict: boolean,
): Step | number {
  const avail = buf.length - at;
  if (avail < 1) return { kind: "need", bytes: 1 };
  const id = buf[at];
  if (isHeaderId(id)) {
    if (avail < 5) return { kind: "need", bytes: 5 };
    const size = u32(buf, at + 1);
    if (size < 5 || size > max || (strict && size < 18)) {
      return {
        kind: "stop",
        error: new BsmError("bad_size", base + at, `record size ${size} is impossible`),
      };
    }
    return avail < size ? { kind: "need", bytes: size } : size;
  }
  if (id === AUT.OTHER_FILE32) {
    if (avail < FILE_FIXED) return { kind: "need", bytes: FILE_FIXED };
    const size = FILE_FIXED + ((buf[at + 9] << 8) | buf[at + 10]);
    return avail < size ? { kind: "need", bytes: size } : size;
  }
  return {
    kind: "stop",
    error: new BsmError(
      "not_a_record",
      base + at,
      `byte 0x${id.toString(16).padStart(2, "0")} starts neither a header nor a file token`,
    ),
  };
}

/** Tokens of the record `rec`, under strict or praudit rules. */
function tokensOf(rec: Uint8Array, offset: number, strict: boolean): Step {
  const tokens: BsmToken[] = [];
  let at = 0;
  while (at < rec.length) {
    try {
      const d = decodeToken(rec, at, rec.length);
      tokens.push(d.token);
      at += d.length;
    } catch (e) {
      if (!(e instanceof BsmError) || !strict) {
        if (e instanceof BsmError) {
          return { kind: "record", length: rec.length, tokens, complete: false };
        }
        throw e;
      }
      return { kind: "stop", error: new BsmError(e.kind, offset + e.offset, e.reason) };
    }
  }
  if (strict && rec[0] !== AUT.OTHER_FILE32) {
    const last = tokens[tokens.length - 1];
    if (
      last.type === "trailer" && (last.count !== rec.length || last.magic !== AUT_TRAILER_MAGIC)
    ) {
      return {
        kind: "stop",
        error: new BsmError(
          "bad_trailer",
          offset + rec.length - 7,
          `trailer (magic 0x${
            last.magic.toString(16)
          }, count ${last.count}) does not close a ${rec.length}-byte record`,
        ),
      };
    }
  }
  return { kind: "record", length: rec.length, tokens, complete: true };
}

function truncated(at: number, need: number, have: number): BsmError {
  return new BsmError("truncated", at, `the input ends ${have} bytes into a ${need}-byte record`);
}

/** The next offset after `from` where a whole strict record starts, or where more bytes are needed. */
function resyncFrom(
  buf: Uint8Array,
  from: number,
  base: number,
  max: number,
  eof: boolean,
): { at: number; waiting: boolean } {
  for (let p = from; p < buf.length; p++) {
    const id = buf[p];
    if (!isHeaderId(id) && id !== AUT.OTHER_FILE32) continue;
    const s = step(buf, p, base, max, true);
    if (typeof s === "number") {
      if (tokensOf(buf.subarray(p, p + s), base + p, true).kind === "record") {
        return { at: p, waiting: false };
      }
    } else if (s.kind === "need" && !eof) return { at: p, waiting: true };
  }
  return { at: buf.length, waiting: false };
}

/** Byte chunks of a source; Uint8Array sources are one chunk. */
async function* chunks(source: BsmSource, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  const stream = source instanceof ReadableStream ? source : (await Deno.open(source)).readable;
  const reader = stream.getReader();
  try {
    while (true) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) return;
      if (value.length) yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

interface Engine {
  strict: boolean;
  max: number;
  resync: boolean;
  onError?: (e: BsmError) => void;
  partial: boolean;
  signal?: AbortSignal;
}

/**
 * The reader over a stream of chunks: yields records; a strict fault
 * throws (or resyncs), a praudit stop ends the iteration and is returned.
 */
async function* engine(
  source: BsmSource,
  e: Engine,
): AsyncGenerator<PrauditRecord, BsmError | undefined> {
  let buf: Uint8Array = new Uint8Array(0);
  let base = 0; // stream offset of buf[0]
  let at = 0;
  let eof = false;
  let skipping = e.partial;
  let resyncing = false;
  const it = chunks(source, e.signal);
  const more = async (): Promise<boolean> => {
    const next = await it.next();
    if (next.done) {
      eof = true;
      return false;
    }
    const rest = buf.subarray(at);
    if (rest.length === 0) buf = next.value;
    else {
      const joined = new Uint8Array(rest.length + next.value.length);
      joined.set(rest);
      joined.set(next.value, rest.length);
      buf = joined;
    }
    base += at;
    at = 0;
    return true;
  };
  const copies = !(source instanceof Uint8Array);
  try {
    while (true) {
      e.signal?.throwIfAborted();
      if (skipping) {
        const p = buf.indexOf(AUT.HEADER32, at);
        if (p < 0) {
          at = buf.length;
          if (!(await more())) return undefined;
          continue;
        }
        at = p;
        skipping = false;
      }
      if (resyncing) {
        const r = resyncFrom(buf, at, base, e.max, eof);
        at = r.at;
        if (r.waiting || at >= buf.length) {
          if (!(await more())) {
            if (at >= buf.length) return undefined;
            resyncing = false; // at eof: the candidate gets its own verdict below
          }
          continue;
        }
        resyncing = false;
      }
      if (at >= buf.length && !(await more())) return undefined;
      const f = step(buf, at, base, e.max, e.strict);
      const view = typeof f === "number" ? buf.subarray(at, at + f) : undefined;
      const bytes = view && copies ? view.slice() : view;
      const s = bytes ? tokensOf(bytes, base + at, e.strict) : f as Step;
      if (s.kind === "need") {
        if (await more()) continue;
        if (at >= buf.length) return undefined;
        const err = truncated(base + at, s.bytes, buf.length - at);
        if (!e.strict) return err;
        if (!e.resync) throw err;
        e.onError?.(err);
        at++;
        resyncing = true;
        continue;
      }
      if (s.kind === "stop") {
        if (!e.strict) return s.error;
        if (!e.resync) throw s.error;
        e.onError?.(s.error);
        at++;
        resyncing = true;
        continue;
      }
      // Token byte fields view the record's own copy, not the shared window.
      yield { offset: base + at, bytes: bytes!, tokens: s.tokens, complete: s.complete };
      at += s.length;
    }
  } finally {
    await it.return(undefined);
  }
}

/**
 * Records of a trail under the strict rules (see the module doc), as an
 * async iterator; every record before a fault is delivered, then the fault
 * throws a {@link BsmError} (unless `resync`).
 *
 * @example
 * ```ts
 * import { readBsmRecords } from "./reader.ts";
 * import { auCloseBuffer, auOpen, auWrite } from "./au.ts";
 * import { auToText } from "./encode.ts";
 * const d = auOpen();
 * auWrite(d, auToText("hello"));
 * for await (const record of readBsmRecords(auCloseBuffer(d, 0))) {
 *   console.log(record.offset, record.tokens.map((t) => t.type));
 * }
 * ```
 */
export async function* readBsmRecords(
  source: BsmSource,
  options: ReadBsmOptions = {},
): AsyncGenerator<BsmRecord> {
  for await (const { complete: _, ...record } of engine(source, strictEngine(options))) {
    yield record;
  }
}

function strictEngine(options: ReadBsmOptions): Engine {
  return {
    strict: true,
    max: options.maxRecordSize ?? DEFAULT_MAX_RECORD,
    resync: options.resync ?? false,
    onError: options.onError,
    partial: false,
    signal: options.signal,
  };
}

/**
 * Records of a trail under praudit's rules (see the module doc). Never
 * throws for bad data: reading ends where praudit's does and `onStop`
 * says why.
 *
 * @example
 * ```ts
 * import { readPrauditRecords } from "./reader.ts";
 * const junk = Uint8Array.of(1, 2, 3);
 * for await (const r of readPrauditRecords(junk, { onStop: (e) => console.log(e.kind) })) {
 *   console.log(r.tokens.length); // never reached: "not_a_record"
 * }
 * ```
 */
export async function* readPrauditRecords(
  source: BsmSource,
  options: PrauditRulesOptions = {},
): AsyncGenerator<PrauditRecord> {
  const it = engine(source, prauditEngine(options));
  while (true) {
    const next = await it.next();
    if (next.done) {
      if (next.value) options.onStop?.(next.value);
      return;
    }
    yield next.value;
  }
}

function prauditEngine(options: PrauditRulesOptions): Engine {
  return {
    strict: false,
    max: options.maxRecordSize ?? DEFAULT_MAX_RECORD,
    resync: false,
    partial: options.partial ?? false,
    signal: options.signal,
  };
}

/** Runs the engine over bytes in memory synchronously (one chunk, no awaits needed). */
function* inMemory(bytes: Uint8Array, e: Engine): Generator<PrauditRecord, BsmError | undefined> {
  let at = 0;
  if (e.partial) {
    const p = bytes.indexOf(AUT.HEADER32);
    if (p < 0) return undefined;
    at = p;
  }
  while (at < bytes.length) {
    e.signal?.throwIfAborted();
    const f = step(bytes, at, 0, e.max, e.strict);
    let s = typeof f === "number" ? tokensOf(bytes.subarray(at, at + f), at, e.strict) : f;
    if (s.kind === "need") s = { kind: "stop", error: truncated(at, s.bytes, bytes.length - at) };
    if (s.kind === "stop") {
      if (!e.strict) return s.error;
      if (!e.resync) throw s.error;
      e.onError?.(s.error);
      at = resyncFrom(bytes, at + 1, 0, e.max, true).at;
      continue;
    }
    yield {
      offset: at,
      bytes: bytes.subarray(at, at + s.length),
      tokens: s.tokens,
      complete: s.complete,
    };
    at += s.length;
  }
  return undefined;
}

/**
 * {@link readBsmRecords} over bytes in memory, synchronously. Byte fields
 * of the records view `bytes`.
 *
 * @example
 * ```ts
 * import { parseBsmRecords } from "./reader.ts";
 * [...parseBsmRecords(new Uint8Array(0))].length; // 0: an empty trail
 * ```
 */
export function* parseBsmRecords(
  bytes: Uint8Array,
  options: ReadBsmOptions = {},
): Generator<BsmRecord> {
  for (const { complete: _, ...record } of inMemory(bytes, strictEngine(options))) yield record;
}

/**
 * {@link readPrauditRecords} over bytes in memory, synchronously.
 *
 * @example
 * ```ts
 * import { parsePrauditRecords } from "./reader.ts";
 * const withJunk = Uint8Array.of(0xff, 0x14, 0, 0, 0, 3);
 * [...parsePrauditRecords(withJunk, { partial: true })].length; // 0: size 3 < 5 ends it
 * ```
 */
export function* parsePrauditRecords(
  bytes: Uint8Array,
  options: PrauditRulesOptions = {},
): Generator<PrauditRecord> {
  const it = inMemory(bytes, prauditEngine(options));
  while (true) {
    const next = it.next();
    if (next.done) {
      if (next.value) options.onStop?.(next.value);
      return;
    }
    yield next.value;
  }
}
