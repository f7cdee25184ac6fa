/**
 * Byte sources for audit logs: files, rotated sets, stdin and streams,
 * cut into lines and parsed into records. Lines that are not audit records
 * are reported, never fatal.
 *
 * @module
 */

import {
  AuditRecord,
  BadLineError,
  type BadLineHandler,
  decodeBytes,
  FieldPool,
  POOL_STRIDE,
  readLinePieces,
  scanLines,
} from "../event/record.ts";

/** Anything auditkit reads a log from. */
export type LogInput =
  | string
  | readonly string[]
  | Uint8Array
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>;

/** A line that is not an audit record. */
export interface BadLine {
  /** The file it came from (`-` for stdin and streams). */
  file: string;
  /** Its 1-based line number in that file. */
  line: number;
  /** Why it was rejected. */
  reason: string;
  /** Its first 200 bytes, decoded. */
  text: string;
  /**
   * The time stamp's text when the line was refused for its time stamp (a
   * milli above 999, a number that overflows), which ausearch and aureport
   * report as `Error extracting time stamp (...)`.
   */
  timeStamp?: string;
}

/**
 * A log that cannot be read: missing, not allowed, a directory. Its `code`
 * is the errno name (`"ENOENT"`, `"EACCES"`, `"EISDIR"`, ...), as an
 * `AuditError`'s is, and its message a sentence:
 * `Cannot read log "/var/log/audit": it is a directory (...)`.
 *
 * @example
 * ```ts
 * import { LogReadError, readEvents } from "../../mod.ts";
 * try {
 *   for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(ev.id);
 * } catch (e) {
 *   if (e instanceof LogReadError && e.code === "ENOENT") console.error(e.message);
 * }
 * ```
 */
export class LogReadError extends Error {
  /** The path that could not be read. */
  readonly path: string;
  /** The errno name of the failure (`"ENOENT"`, `"EACCES"`, `"EISDIR"`, `"EIO"`, ...). */
  readonly code: string;

  /** Builds the error for `path`, with the errno name and the reason shown to the user. */
  constructor(path: string, code: string, reason: string, options?: ErrorOptions) {
    super(`Cannot read log "${path}": ${reason}`, options);
    this.name = "LogReadError";
    this.path = path;
    this.code = code;
  }

  /** The error for `path` from what Deno threw when it was opened or read. */
  static from(path: string, e: unknown): LogReadError {
    if (e instanceof LogReadError) return e;
    const [code, reason] = e instanceof Deno.errors.NotFound
      ? ["ENOENT", "no such file"]
      : e instanceof Deno.errors.PermissionDenied
      ? ["EACCES", "permission denied"]
      : e instanceof Deno.errors.NotCapable // Deno's message names the --allow-read it needs
      ? ["EACCES", (e as Error).message]
      : e instanceof Deno.errors.IsADirectory
      ? ["EISDIR", "it is a directory"]
      : ["EIO", (e as Error).message];
    return new LogReadError(path, code, reason, { cause: e });
  }
}

/** Options of the readers. */
export interface ReadOptions {
  /** Stops reading when aborted (the reader throws the abort reason). */
  signal?: AbortSignal;
  /** Called for each line that is not an audit record. */
  onBadLine?: (bad: BadLine) => void;
  /** Called with the bytes read so far and the total when known (progress). */
  onProgress?: (done: number, total: number | undefined) => void;
  /** Lines longer than this are reported as bad and skipped (default 16 MiB). */
  maxLineBytes?: number;
  /** Size of each read (default 64 KiB). */
  chunkBytes?: number;
  /** Called when the reader starts on each file (`-` for standard input and streams). */
  onFile?: (name: string) => void;
  /**
   * Reads lines as ausearch and aureport do, with `fgets` into a buffer of
   * this many bytes (theirs is MAX_AUDIT_MESSAGE_LENGTH, 8970): a longer line
   * is read as pieces of `lineLimit - 1` bytes, each a line of its own (the
   * first is the record cut short; the others are rarely records). Unset:
   * lines are read whole, as libauparse reads them.
   */
  lineLimit?: number;
  /**
   * Reuses the memory of a file's reads (default false). The records a batch
   * hands out (their fields, values and bytes) are then valid only until the
   * next batch is asked for (with `readEvents` and `readRecords`, the next
   * event or record), as libauparse's field pointers are valid only until it
   * reads on: read what you need, and copy it out (`fieldValue` gives a
   * string) before you ask for more. Without it every read takes fresh
   * memory, which the system must clear and map, and records stay valid for
   * as long as they are kept. Applies to files only;
   * {@link eventStream} ignores it (it reads ahead).
   */
  reuseBuffers?: boolean;
}

/**
 * The reads of a file and their field pools, handed back for reuse once no
 * record given out can be reading them ({@link ReadOptions.reuseBuffers}).
 * Each chunk read gets the next sequence number; {@link release} frees the
 * chunks numbered below a bound that nothing holds.
 */
export class ChunkRecycler {
  /** The sequence number of the next chunk read. */
  next = 0;
  /** Chunks in use, oldest first: `[sequence, buffer, pool]`. */
  #busy: [number, ArrayBuffer, FieldPool | undefined][] = [];
  #freeBuffers: ArrayBuffer[] = [];
  #freePools: FieldPool[] = [];

  /** The bytes of the reads in use: what records handed out may still view. */
  get heldBytes(): number {
    let n = 0;
    for (const entry of this.#busy) n += entry[1].byteLength;
    return n;
  }

  /** A buffer of `size` bytes for the next read. */
  buffer(size: number): Uint8Array {
    const free = this.#freeBuffers;
    while (free.length > 0) {
      const b = free.pop()!;
      if (b.byteLength === size) return new Uint8Array(b);
    }
    return new Uint8Array(size);
  }

  /** A field pool for about `fields` fields, emptied. */
  pool(fields: number): FieldPool {
    const p = this.#freePools.pop();
    if (p === undefined) return new FieldPool(fields);
    p.used = 0;
    p.reserve(fields);
    return p;
  }

  /** Records that chunk `seq` (read into `buffer`, its fields in `pool`) is in use. */
  hold(seq: number, buffer: ArrayBuffer | undefined, pool: FieldPool | undefined): void {
    if (buffer !== undefined) this.#busy.push([seq, buffer, pool]);
  }

  /** Frees the chunks numbered below `bound` that `holder` (when given) does not hold. */
  release(bound: number, holder?: { holds(seq: number): boolean }): void {
    const busy = this.#busy;
    let kept = 0;
    for (let i = 0; i < busy.length; i++) {
      const entry = busy[i];
      if (entry[0] < bound && (holder === undefined || !holder.holds(entry[0]))) {
        this.#freeBuffers.push(entry[1]);
        if (entry[2] !== undefined) this.#freePools.push(entry[2]);
      } else busy[kept++] = entry;
    }
    busy.length = kept;
  }
}

/** {@link ReadOptions} with the recycler of a reader that decides itself when chunks are free. */
export interface RecyclingReadOptions extends ReadOptions {
  /** Shared with the caller, which calls its `release`. */
  recycler?: ChunkRecycler;
}

/** ausearch's and aureport's line buffer (MAX_AUDIT_MESSAGE_LENGTH): see {@link ReadOptions.lineLimit}. */
export const AUSEARCH_LINE_LIMIT = 8970;

const CHUNK = 64 << 10;

/**
 * The files of a rotated log set in time order: `audit.log.N` ...
 * `audit.log.1`, `audit.log`. `base` is the current log (`audit.log`) or the
 * directory holding it. As ausearch and aureport count them, the set ends at
 * the first number that cannot be read (`audit.log.3` is not read without
 * `audit.log.2`), and is empty without `audit.log`; then `[base log]` is
 * returned so that opening it reports the error.
 *
 * @example
 * ```ts
 * import { rotatedLogSet } from "./file.ts";
 * console.log(rotatedLogSet("/var/log/audit")); // [".../audit.log.2", ".../audit.log.1", ".../audit.log"]
 * ```
 */
export function rotatedLogSet(base: string): string[] {
  let dir: string, name: string;
  let isDir = false;
  try {
    isDir = Deno.statSync(base).isDirectory;
  } catch { /* a missing base is reported when it is opened */ }
  if (isDir) {
    dir = base.replace(/\/+$/, "");
    name = "audit.log";
  } else {
    const slash = base.lastIndexOf("/");
    dir = slash < 0 ? "." : base.slice(0, slash) || "/";
    name = base.slice(slash + 1);
  }
  // as ausearch/aureport: audit.log, audit.log.1, ... up to the first that cannot be read
  const current = `${dir}/${name}`;
  const found: string[] = [];
  for (let n = 0;; n++) {
    const path = n === 0 ? current : `${current}.${n}`;
    if (!readable(path)) break;
    found.push(path);
  }
  return found.length === 0 ? [current] : found.reverse();
}

/**
 * What ausearch and aureport say about a given input that is a directory: they read the rotated
 * set of its `audit.log` and print `NOTE - using logs in LOG` on standard error first.
 */
export interface DirectoryNote {
  /** The input as given. */
  readonly directory: string;
  /** The log whose rotated set is read, as the tools name it: `DIR/audit.log` (`DIR/` + `audit.log`). */
  readonly log: string;
}

/** The files to read ({@link logFiles}), and a note for each given directory. */
export interface LogSelection {
  /** The files, in reading order (`-` for standard input). */
  readonly files: string[];
  /** One per directory among the given inputs, in their order. */
  readonly notes: DirectoryNote[];
}

/**
 * The files a search or report reads, as {@link logFiles} picks them, with the notes ausearch and
 * aureport print for the given directories (as data: the caller prints them).
 *
 * @example
 * ```ts
 * import { selectLogFiles } from "../../mod.ts";
 * const { files, notes } = selectLogFiles(["/var/log/audit"]);
 * for (const n of notes) console.error(`NOTE - using logs in ${n.log}`);
 * console.log(files); // [".../audit.log.1", ".../audit.log"]
 * ```
 */
export function selectLogFiles(
  given: readonly string[],
  defaultLog = "/var/log/audit/audit.log",
): LogSelection {
  if (given.length === 0) return { files: rotatedLogSet(defaultLog), notes: [] };
  const files: string[] = [];
  const notes: DirectoryNote[] = [];
  for (const g of given) {
    let isDir = false;
    try {
      isDir = g !== "-" && Deno.statSync(g).isDirectory;
    } catch { /* reported when opened */ }
    if (!isDir) {
      files.push(g);
      continue;
    }
    files.push(...rotatedLogSet(g));
    notes.push({ directory: g, log: `${g}${g.endsWith("/") ? "" : "/"}audit.log` });
  }
  return { files, notes };
}

/**
 * The files a search or report reads, as ausearch and aureport pick them:
 * each given path (a directory stands for its rotated set, `-` for
 * standard input), or the rotated set of `defaultLog` when none is given.
 *
 * @example
 * ```ts
 * import { logFiles } from "../../mod.ts";
 * logFiles([]); // the rotated set of /var/log/audit/audit.log, oldest first
 * logFiles(["/var/log/audit", "-"]); // that set, then standard input
 * ```
 */
export function logFiles(
  given: readonly string[],
  defaultLog = "/var/log/audit/audit.log",
): string[] {
  return selectLogFiles(given, defaultLog).files;
}

function readable(path: string): boolean {
  try {
    Deno.openSync(path).close();
    return true;
  } catch {
    return false;
  }
}

async function* fileChunks(
  path: string,
  options: ReadOptions,
  progress: { done: number; total: number | undefined },
  recycler: ChunkRecycler | undefined,
): AsyncGenerator<Uint8Array> {
  let opened: Deno.FsFile;
  try {
    opened = await Deno.open(path, { read: true });
  } catch (e) {
    throw LogReadError.from(path, e);
  }
  using file = opened;
  const info = await file.stat();
  if (info.isDirectory) {
    throw new LogReadError(
      path,
      "EISDIR",
      "it is a directory (read its audit.log, or rotatedLogSet(dir) for the rotated set)",
    );
  }
  const size = info.size;
  const chunk = options.chunkBytes ?? CHUNK;
  const nextBuffer = () => recycler ? recycler.buffer(chunk) : new Uint8Array(chunk);
  if (!info.isFile) {
    // a pipe or a device: its reads wait for a writer, so each is awaited (the event loop
    // runs meanwhile), and none is left running when the consumer stops
    for (;;) {
      options.signal?.throwIfAborted();
      const buf = nextBuffer();
      const n = await file.read(buf);
      if (n === null) return;
      progress.done += n;
      options.onProgress?.(progress.done, progress.total);
      yield n === chunk ? buf : buf.subarray(0, n);
    }
  }
  // Each chunk is fresh (records keep views into it), or a freed one when
  // the caller reuses buffers (see ReadOptions.reuseBuffers). Reads are synchronous:
  // a read served from the page cache takes microseconds, less than the
  // thread hop of an awaited read. So that timers, signal handlers and aborts
  // still run during a long scan, the event loop gets a turn once YIELD_MS
  // have passed since the last: the next read then starts in the background
  // before the chunk is handed out, and is awaited after (it runs while the
  // chunk is parsed; awaiting it is the turn, for some 30 us). An immediate
  // costs less per turn, but its first use loads Deno's Node timers (5-10 ms);
  // setTimeout(0) waits a millisecond or more.
  let turn = performance.now();
  let ahead: Promise<number | null> | undefined;
  let aheadBuf: Uint8Array | undefined;
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      let buf: Uint8Array;
      let n: number | null;
      if (ahead !== undefined) {
        buf = aheadBuf!;
        n = await ahead;
        ahead = aheadBuf = undefined;
        options.signal?.throwIfAborted();
        turn = performance.now();
      } else {
        buf = nextBuffer();
        n = file.readSync(buf);
      }
      if (n === null) return;
      progress.done += n;
      options.onProgress?.(progress.done, progress.total ?? size);
      if (performance.now() - turn > YIELD_MS) {
        aheadBuf = nextBuffer();
        ahead = file.read(aheadBuf);
      }
      yield n === chunk ? buf : buf.subarray(0, n);
    }
  } finally {
    // a consumer that stops early (or an abort) leaves a read running: it ends before the
    // file is closed, its result unused
    if (ahead !== undefined) await ahead.catch(() => null);
  }
}

/** The longest a file scan keeps the event loop waiting (see fileChunks), in milliseconds. */
const YIELD_MS = 10;

async function* streamChunks(
  input: Exclude<LogInput, string | readonly string[]>,
  options: ReadOptions,
): AsyncGenerator<Uint8Array> {
  if (input instanceof Uint8Array) {
    const step = options.chunkBytes ?? input.length;
    for (let off = 0; off < input.length; off += Math.max(step, 1)) {
      options.signal?.throwIfAborted();
      yield input.subarray(off, off + Math.max(step, 1));
    }
    return;
  }
  if (input instanceof ReadableStream) {
    const reader = input.getReader();
    try {
      for (;;) {
        options.signal?.throwIfAborted();
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  for await (const chunk of input as AsyncIterable<Uint8Array>) {
    options.signal?.throwIfAborted();
    yield chunk;
  }
}

/**
 * The named sources of an input: `[name, chunks, owned]` in reading order
 * (`owned`: the chunks are the reader's own buffers, from `recycler` when given).
 */
function sourcesOf(
  input: LogInput,
  options: ReadOptions,
  recycler: ChunkRecycler | undefined,
): [string, () => AsyncGenerator<Uint8Array>, boolean][] {
  if (typeof input === "string" || Array.isArray(input)) {
    const paths = typeof input === "string" ? [input] : input as readonly string[];
    const progress = { done: 0, total: undefined as number | undefined };
    if (paths.length > 1) {
      let total = 0;
      for (const p of paths) {
        try {
          total += Deno.statSync(p).size;
        } catch { /* reported when opened */ }
      }
      progress.total = total;
    }
    return paths.map((p) =>
      p === "-"
        ? [p, () => streamChunks(Deno.stdin.readable, options), false]
        : [p, () => fileChunks(p, options, progress, recycler), true]
    );
  }
  return [[
    "-",
    () => streamChunks(input as Exclude<LogInput, string | readonly string[]>, options),
    false,
  ]];
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * `carry` followed by `rest`: the start of a line that goes on in the next
 * chunk. The first piece is kept as a view; longer starts grow a buffer of
 * their own by doubling (a line of n bytes costs O(n) copying, not O(n^2)).
 * Bytes already written are never overwritten: records may view them.
 */
function appendCarry(carry: Uint8Array | undefined, rest: Uint8Array): Uint8Array {
  if (carry === undefined) return rest;
  const length = carry.length + rest.length;
  const store = carry.buffer as ArrayBuffer;
  // grown in place when carry is the start of a buffer of its own with room after it
  if (
    carry.byteOffset === 0 && ownCarry.has(store) && store.byteLength >= length
  ) {
    const grown = new Uint8Array(store, 0, length);
    grown.set(rest, carry.length);
    return grown;
  }
  const next = new Uint8Array(Math.max(length * 2, 1 << 16));
  ownCarry.add(next.buffer);
  next.set(carry);
  next.set(rest, carry.length);
  return next.subarray(0, length);
}

/** The buffers {@link appendCarry} made (it may write after their used part). */
const ownCarry = new WeakSet<ArrayBufferLike>();

/**
 * Cuts a source into lines and parses each into a record; yields the records
 * of each chunk together (batching keeps the per-record cost low, and reading
 * waits for the consumer so memory stays flat).
 *
 * @example
 * ```ts
 * import { recordBatches } from "./file.ts";
 * for await (const batch of recordBatches("/var/log/audit/audit.log", { onBadLine: console.warn })) {
 *   console.log(batch.length);
 * }
 * ```
 */
export async function* recordBatches(
  input: LogInput,
  options: ReadOptions = {},
): AsyncGenerator<AuditRecord[]> {
  const maxLine = options.maxLineBytes ?? 16 << 20;
  const limit = options.lineLimit;
  // with reused buffers: a caller's recycler (it frees chunks), or our own, which frees the
  // chunks before the last once the consumer asks for more (the last may hold a line's start)
  const shared = (options as RecyclingReadOptions).recycler;
  const own = shared === undefined && options.reuseBuffers === true
    ? new ChunkRecycler()
    : undefined;
  const recycler = shared ?? own;
  for (const [name, chunks, owned] of sourcesOf(input, options, recycler)) {
    options.onFile?.(name);
    let lineNo = 0;
    let carry: Uint8Array | undefined;
    let skipping = false;
    let fieldsPerChunk = 1024;
    let lastPool: FieldPool | undefined;
    // the records read so far of this chunk, and its bad lines by how many records came first:
    // they are reported when the records before them have been handed out, as a reader of
    // one line at a time would report them
    let batch: AuditRecord[] = [];
    let pending: [number, BadLine][] = [];
    const bad = (line: Uint8Array, reason: string, n: number, timeStamp?: string) => {
      const text = decodeBytes(line, 0, Math.min(line.length, 200));
      pending.push([
        batch.length,
        timeStamp === undefined
          ? { file: name, line: n, reason, text }
          : { file: name, line: n, reason, text, timeStamp },
      ]);
    };
    /** The records of the batch, each run cut where a bad line is to be reported. */
    const handOut = function* (): Generator<AuditRecord[]> {
      const all = batch, reports = pending;
      batch = [];
      pending = [];
      let from = 0;
      for (const [at, b] of reports) {
        if (at > from) yield all.slice(from, at);
        from = at;
        options.onBadLine?.(b);
      }
      if (all.length > from) yield from === 0 ? all : all.slice(from);
    };
    /**
     * Parses a whole line; `newline`: it ended with one (the last line of a
     * file may not). Its fields go to `pool`, the current read's.
     */
    const take = (
      buf: Uint8Array,
      start: number,
      end: number,
      newline: boolean,
      pool: FieldPool | undefined,
    ) => {
      lineNo++;
      const n = lineNo;
      const onBad: BadLineHandler = (s, e, why, _, ts) => bad(buf.subarray(s, e), why, n, ts);
      // read as the C tools read it (a limit): the newline comes along
      const withNewline = newline && limit !== undefined;
      if (limit !== undefined && end - start > limit - 1) {
        readLinePieces(buf, start, end, limit, batch, onBad, n, withNewline);
      } else if (end > start) {
        try {
          // the ENRICHED separator is left for the record to find when needed
          batch.push(new AuditRecord(buf, start, end, undefined, pool, withNewline));
        } catch (e) {
          if (!(e instanceof BadLineError)) throw e;
          onBad(start, end, e.message, n, e.timeStamp);
        }
      }
    };
    for await (const chunk of chunks()) {
      // the records of this chunk share one array of field offsets
      // sized from the last chunk's (a pool that grows copies itself)
      const fields = fieldsPerChunk + (fieldsPerChunk >> 3) + 64;
      const seq = recycler ? recycler.next++ : 0;
      const pool = recycler ? recycler.pool(fields) : new FieldPool(fields);
      lastPool = pool;
      // whole lines end at the chunk's last newline; the rest waits for the next chunk
      const last = chunk.lastIndexOf(0x0a);
      let start = 0;
      if (last >= 0 && (carry || skipping)) {
        const nl = chunk.indexOf(0x0a);
        if (skipping) skipping = false;
        else {
          const line = concat(carry!, chunk.subarray(0, nl));
          carry = undefined;
          take(line, 0, line.length, true, pool);
        }
        start = nl + 1;
      }
      if (last >= start) {
        const first = lineNo;
        lineNo += scanLines(chunk, start, last + 1, pool, batch, (s, e, reason, n, ts) => {
          bad(chunk.subarray(s, e), reason, first + n, ts);
        }, limit);
        start = last + 1;
      }
      if (start < chunk.length && !skipping) {
        carry = appendCarry(carry, chunk.subarray(start));
        if (limit !== undefined && carry.length > limit - 1) {
          // read as the C tools read a long line, a piece of limit - 1 bytes at a time: the
          // pieces before the last are taken now, so that only a piece waits for the newline
          const keep = (carry.length - 1) % (limit - 1) + 1;
          readLinePieces(
            carry,
            0,
            carry.length - keep,
            limit,
            batch,
            (s, e, why, _, ts) => bad(carry!.subarray(s, e), why, lineNo + 1, ts),
            lineNo + 1,
            false,
          );
          // a fresh buffer for what follows: the pieces taken view this one
          carry = carry.slice(carry.length - keep);
          ownCarry.add(carry.buffer);
        }
        if (carry.length > maxLine) {
          lineNo++;
          bad(carry, `line longer than ${maxLine} bytes`, lineNo);
          carry = undefined;
          skipping = true;
        }
      }
      fieldsPerChunk = pool.used / POOL_STRIDE;
      recycler?.hold(seq, owned ? chunk.buffer as ArrayBuffer : undefined, pool);
      const records = batch.length;
      yield* handOut();
      // a chunk without records still reaches a caller's recycler, which frees the reads
      // before it (a log without newlines, /dev/zero, would otherwise hold every read)
      if (records === 0 && shared !== undefined) yield [];
      own?.release(seq);
    }
    if (carry && !skipping) take(carry, 0, carry.length, false, lastPool);
    yield* handOut();
  }
}

/**
 * Reads the records of a log in order.
 *
 * @example
 * ```ts
 * import { readRecords } from "./file.ts";
 * for await (const r of readRecords("/var/log/audit/audit.log")) console.log(r.typeName);
 * ```
 */
export async function* readRecords(
  input: LogInput,
  options: ReadOptions = {},
): AsyncGenerator<AuditRecord> {
  for await (const batch of recordBatches(input, options)) yield* batch;
}
