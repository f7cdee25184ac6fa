/**
 * A log (or a plugin stream) repeated so that it reads as one longer real
 * log: the k-th copy (from 0) has every serial moved up by k * 100,000,000
 * and every time stamp moved forward by k times the log's span in whole
 * seconds (its latest second minus its earliest, plus one), so each copy
 * starts after the one before it ends. Copy 0 is the log itself; in the
 * others only the numbers of each line's `msg=audit(SEC.MSEC:SERIAL)` change
 * (the first on the line, the record's own; the milliseconds stay), every
 * other byte is copied as it is.
 *
 * Plain byte-for-byte copies repeat serials and stamps, which no real log
 * does: libauparse (ausearch, aureport) joins the records of an event still
 * open with a later copy's, so the tools would not do the same work.
 *
 * Streams: the log is read in chunks, once for its span and once per copy.
 *
 * @module
 */

/** How far each copy's serials move up from the copy before it. */
export const SERIAL_STEP = 100_000_000;

const CHUNK = 1 << 20;
const NL = 10;
const HEADER = new TextEncoder().encode("msg=audit(");

/** `path` in pieces of whole lines (each line with its newline; the file's last may have none). */
async function* pieces(path: string): AsyncGenerator<Uint8Array> {
  using f = await Deno.open(path);
  let carry = new Uint8Array(0);
  const buf = new Uint8Array(CHUNK);
  for (;;) {
    const n = await f.read(buf);
    if (n === null) break;
    let data = buf.subarray(0, n);
    if (carry.length) {
      const joined = new Uint8Array(carry.length + n);
      joined.set(carry);
      joined.set(data, carry.length);
      data = joined;
    }
    const end = data.lastIndexOf(NL) + 1;
    if (end > 0) yield data.subarray(0, end);
    carry = data.slice(end);
  }
  if (carry.length) yield carry;
}

/** The lines of a piece, each with its newline (the last may have none). */
function* linesOf(piece: Uint8Array): Generator<Uint8Array> {
  let start = 0;
  for (let i = piece.indexOf(NL); i >= 0; start = i + 1, i = piece.indexOf(NL, start)) {
    yield piece.subarray(start, i + 1);
  }
  if (start < piece.length) yield piece.subarray(start);
}

/** Where the record's stamp is in `line`: the offsets of its three numbers; undefined: none. */
interface Stamp {
  /** First digit of the seconds. */
  sec: number;
  /** The `.` after the seconds. */
  dot: number;
  /** The `:` after the milliseconds. */
  colon: number;
  /** The `)` after the serial. */
  close: number;
}

const isDigit = (b: number) => b >= 48 && b <= 57;

/** The stamp of `line` (its first `msg=audit(`); throws on a header that is not `SEC.MSEC:SERIAL)`. */
function stampOf(line: Uint8Array, lineNo: number): Stamp | undefined {
  let at = line.indexOf(HEADER[0]);
  for (; at >= 0; at = line.indexOf(HEADER[0], at + 1)) {
    if (HEADER.every((b, k) => line[at + k] === b)) break;
  }
  if (at < 0) return undefined;
  const sec = at + HEADER.length;
  let i = sec;
  while (isDigit(line[i])) i++;
  const dot = i;
  if (dot === sec || line[dot] !== 46) throw badStamp(lineNo);
  i++;
  while (isDigit(line[i])) i++;
  const colon = i;
  if (colon === dot + 1 || line[colon] !== 58) throw badStamp(lineNo);
  i++;
  while (isDigit(line[i])) i++;
  if (i === colon + 1 || line[i] !== 41) throw badStamp(lineNo);
  return { sec, dot, colon, close: i };
}

const badStamp = (lineNo: number) =>
  new Error(`line ${lineNo}: msg=audit( not followed by SEC.MSEC:SERIAL)`);

/** The number written in ASCII digits in `b` from `start` to `end`. */
function numberAt(b: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + b[i] - 48;
  return n;
}

/** The earliest and latest second of the stamps of `path`'s records. */
export async function stampSeconds(path: string): Promise<{ first: number; last: number }> {
  let first = Infinity, last = -Infinity, lineNo = 0;
  for await (const piece of pieces(path)) {
    for (const line of linesOf(piece)) {
      let s;
      try {
        s = stampOf(line, ++lineNo);
      } catch (e) {
        throw new Error(`${path}: ${(e as Error).message}`);
      }
      if (!s) continue;
      const sec = numberAt(line, s.sec, s.dot);
      if (sec < first) first = sec;
      if (sec > last) last = sec;
    }
  }
  if (first > last) throw new Error(`${path}: no record with msg=audit(SEC.MSEC:SERIAL)`);
  return { first, last };
}

/** Buffered writes to a file: `room(n)` before writing up to `n` bytes with `put`. */
class Out {
  #buf = new Uint8Array(CHUNK * 2);
  #len = 0;
  constructor(private file: Deno.FsFile) {}
  async room(n: number): Promise<void> {
    if (this.#len + n > this.#buf.length) await this.flush();
    if (n > this.#buf.length) this.#buf = new Uint8Array(n);
  }
  put(bytes: Uint8Array): void {
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }
  putNumber(n: number): void {
    const text = String(n);
    for (let i = 0; i < text.length; i++) this.#buf[this.#len++] = text.charCodeAt(i);
  }
  async flush(): Promise<void> {
    const b = this.#buf.subarray(0, this.#len);
    for (let at = 0; at < b.length;) at += await this.file.write(b.subarray(at));
    this.#len = 0;
  }
}

const NEWLINE = new Uint8Array([NL]);
/** Room for the digits a copy's numbers may gain. */
const SLACK = 64;

/**
 * Writes `copies` copies of the log `src` into `out` (created or truncated),
 * the k-th with its serials up by k * {@link SERIAL_STEP} and its stamps
 * forward by k times the log's span in seconds (see the module). A log whose
 * last line has no newline gets one between copies (not after the last).
 */
export async function repeatLog(src: string, out: string, copies: number): Promise<void> {
  const { first, last } = copies > 1 ? await stampSeconds(src) : { first: 0, last: 0 };
  const span = last - first + 1;
  using file = await Deno.open(out, { create: true, write: true, truncate: true });
  const o = new Out(file);
  for (let k = 0; k < copies; k++) {
    let lineNo = 0, open = false;
    for await (const piece of pieces(src)) {
      open = piece[piece.length - 1] !== NL;
      if (k === 0) {
        await o.room(piece.length);
        o.put(piece);
        continue;
      }
      for (const line of linesOf(piece)) {
        await o.room(line.length + SLACK);
        const s = stampOf(line, ++lineNo);
        if (!s) o.put(line);
        else {
          o.put(line.subarray(0, s.sec));
          o.putNumber(numberAt(line, s.sec, s.dot) + k * span);
          o.put(line.subarray(s.dot, s.colon + 1));
          o.putNumber(numberAt(line, s.colon + 1, s.close) + k * SERIAL_STEP);
          o.put(line.subarray(s.close));
        }
      }
    }
    if (open && k < copies - 1) o.put(NEWLINE);
  }
  await o.flush();
}

/**
 * `src` repeated into `out` ({@link repeatLog}) until it holds at least
 * `minBytes`; returns the copies made.
 */
export async function repeatTo(src: string, out: string, minBytes: number): Promise<number> {
  const size = (await Deno.stat(src)).size;
  const copies = Math.max(1, Math.ceil(minBytes / Math.max(1, size)));
  await repeatLog(src, out, copies);
  return copies;
}
