/**
 * An append-only file of whole lines (audit.log lines or NDJSON) that stays readable across
 * crashes and size-based rotation in auditd's naming.
 *
 * Rules, and why:
 * - The file is opened with O_APPEND, so every write lands at the end whoever else appends.
 * - Lines are buffered and written with one `write(2)` per batch, and a batch holds whole lines
 *   only: the file ends with `\n` after every completed write. A write the kernel cuts short (a
 *   fatal signal, a full disk) is continued; if it fails, the file is truncated back to where the
 *   batch began, so no partial line stays behind (the error is thrown).
 * - A crash (SIGKILL mid-write, power loss) can still leave a cut last line. On open, a file
 *   whose last byte is not `\n` is repaired by ending that line with `\n` (never by truncating:
 *   a shipper reading the file may already be past the cut, and a truncation would make it read
 *   new lines from the wrong offset or the whole file again). The repair is reported in
 *   {@link LineFile.repaired}; readers see one damaged line, which ausearch and JSON parsers skip.
 * - Rotation follows auditd (`auditd-event.c`, `rotate_logs`): `FILE.(N-1)` -> `FILE.N` down to
 *   `FILE.1` -> `FILE.2`, the oldest dropped, then the current file becomes `FILE.1`. It is done
 *   as `link(FILE, FILE.1)` and a new file created under a hidden name and renamed over `FILE`,
 *   so `FILE` never disappears. Every write to the old file is complete before the link, and
 *   nothing is written to it afterwards: a shipper that follows the file by inode (Filebeat
 *   filestream, Vector's file source, Fluent Bit's tail, OpenTelemetry filelog) reads the old
 *   inode to its end and the new one from offset 0, every line once.
 * - A crash inside a rotation is finished on the next open: a leftover hidden file is removed,
 *   and when `FILE` and `FILE.1` are the same inode a new `FILE` is created.
 *
 * Writes are synchronous: ordering with rotation stays simple and a batch is one system call.
 *
 * @module
 */

import { encodeText } from "../event/record.ts";

const NEWLINE = 0x0a;

/** Size-based rotation: auditd's `max_log_file` in bytes and the number of rotated files. */
export interface RotateOptions {
  /** Rotate before a batch would make the file larger than this (bytes, at least 1). */
  maxBytes: number;
  /**
   * How many rotated files to keep, `FILE.1` (newest) to `FILE.N`; the oldest is dropped. auditd's
   * `num_logs` counts the current file too: `num_logs = keep + 1`. With 0 the full file is dropped.
   */
  keep: number;
}

/** Options of {@link openLineFile}. */
export interface LineFileOptions {
  /** Rotation; without it the file grows without bound. */
  rotate?: RotateOptions;
  /** Permission bits of files created (default 0o600, as auditd's logs). */
  mode?: number;
  /** `fdatasync(2)` after each batch (default false). */
  sync?: boolean;
  /** Write when this many bytes are buffered (default 65536); {@link LineFile.flush} writes the rest. */
  batchBytes?: number;
}

/** A cut last line found when the file was opened, and ended with `\n`. */
export interface LineFileRepair {
  /** Offset of the cut line's first byte. */
  offset: number;
  /** Length of the cut line, before the `\n` added. */
  length: number;
}

/** Where {@link openLineFile} writes rotated file `n` (1 is the newest): auditd's naming. */
export function rotatedName(path: string, n: number): string {
  return n === 0 ? path : `${path}.${n}`;
}

function hiddenName(path: string): string {
  const slash = path.lastIndexOf("/");
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.rotating`;
}

function statOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

function removeIfPresent(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/**
 * An open line file: {@link LineFile.write} whole lines, {@link LineFile.flush} at quiet points,
 * {@link LineFile.close} (or `using`) at the end. Made by {@link openLineFile}.
 *
 * @example
 * ```ts
 * const path = Deno.makeTempFileSync();
 * {
 *   using out = openLineFile(path, { rotate: { maxBytes: 1 << 20, keep: 4 } });
 *   out.write('{"a":1}\n');
 * } // flushed and closed
 * console.log(Deno.readTextFileSync(path));
 * ```
 */
export class LineFile implements Disposable {
  /** The file's path (the current file; rotated ones are `path.1` ...). */
  readonly path: string;
  /** A cut last line found and ended when the file was opened. */
  readonly repaired: LineFileRepair | undefined;
  #file: Deno.FsFile | undefined;
  #size: number;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #rotations = 0;
  readonly #rotate: RotateOptions | undefined;
  readonly #mode: number;
  readonly #sync: boolean;
  readonly #batchBytes: number;

  /** @internal use {@link openLineFile} */
  constructor(path: string, options: LineFileOptions = {}) {
    const { rotate, mode = 0o600, sync = false, batchBytes = 65536 } = options;
    if (rotate !== undefined) {
      if (!Number.isSafeInteger(rotate.maxBytes) || rotate.maxBytes < 1) {
        throw new RangeError(`Cannot rotate at "${rotate.maxBytes}" bytes: not a positive integer`);
      }
      if (!Number.isSafeInteger(rotate.keep) || rotate.keep < 0) {
        throw new RangeError(`Cannot keep "${rotate.keep}" rotated files: not a whole number`);
      }
    }
    this.path = path;
    this.#rotate = rotate;
    this.#mode = mode;
    this.#sync = sync;
    this.#batchBytes = batchBytes;
    removeIfPresent(hiddenName(path));
    const current = statOrUndefined(path);
    const first = statOrUndefined(rotatedName(path, 1));
    if (
      current !== undefined && first !== undefined && current.ino === first.ino &&
      current.dev === first.dev
    ) this.#createCurrent();
    const file = Deno.openSync(path, { read: true, append: true, create: true, mode });
    this.#file = file;
    try {
      this.#size = file.statSync().size;
      this.repaired = this.#repairCut(file);
    } catch (e) {
      file.close();
      throw e;
    }
  }

  /** Bytes in the current file, written and buffered. */
  get size(): number {
    return this.#size + this.#pendingBytes;
  }

  /** How many rotations this writer has done. */
  get rotations(): number {
    return this.#rotations;
  }

  /**
   * Buffer whole lines: `text` is empty or ends with `\n`. Written when the buffer reaches the
   * batch size, at {@link LineFile.flush} and at {@link LineFile.close}. Text is written as
   * {@link encodeText} encodes it: a log's bytes that are not UTF-8 are written as they were.
   */
  write(text: string | Uint8Array): void {
    const bytes = typeof text === "string" ? encodeText(text) : text;
    if (bytes.length === 0) return;
    if (bytes[bytes.length - 1] !== NEWLINE) {
      throw new RangeError("Cannot write a partial line: the text does not end with a newline");
    }
    if (this.#file === undefined) throw new TypeError("Cannot write: the line file is closed");
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    if (this.#pendingBytes >= this.#batchBytes) this.flush();
  }

  /** Write what is buffered: one `write(2)` per batch of whole lines, rotating between batches. */
  flush(): void {
    if (this.#pendingBytes === 0 || this.#file === undefined) return;
    let data: Uint8Array;
    if (this.#pending.length === 1) data = this.#pending[0];
    else {
      data = new Uint8Array(this.#pendingBytes);
      let at = 0;
      for (const p of this.#pending) {
        data.set(p, at);
        at += p.length;
      }
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    let from = 0;
    while (from < data.length) {
      const rest = data.length - from;
      let take = rest;
      const max = this.#rotate?.maxBytes;
      if (max !== undefined && this.#size + rest > max) {
        const room = max - this.#size;
        // the last newline that still fits: whole lines up to the limit
        const cut = room > 0 ? data.subarray(from, from + room).lastIndexOf(NEWLINE) : -1;
        if (cut >= 0) take = cut + 1;
        else if (this.#size > 0) {
          this.#rotateNow();
          continue;
        } else take = data.indexOf(NEWLINE, from) + 1 - from; // one line longer than the limit
      }
      this.#writeWhole(data.subarray(from, from + take));
      from += take;
      if (max !== undefined && this.#size >= max && from < data.length) this.#rotateNow();
    }
  }

  /** Flush and close; later calls do nothing. */
  close(): void {
    if (this.#file === undefined) return;
    try {
      this.flush();
    } finally {
      this.#file.close();
      this.#file = undefined;
    }
  }

  /** Same as {@link LineFile.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #writeWhole(bytes: Uint8Array): void {
    const file = this.#file!;
    const start = this.#size;
    let done = 0;
    try {
      while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
      if (this.#sync) file.syncDataSync();
    } catch (e) {
      if (done > 0) file.truncateSync(start);
      throw e;
    }
    this.#size += bytes.length;
  }

  #rotateNow(): void {
    const rotate = this.#rotate!;
    const path = this.path;
    if (rotate.keep > 0) {
      removeIfPresent(rotatedName(path, rotate.keep));
      for (let n = rotate.keep - 1; n >= 1; n--) {
        try {
          Deno.renameSync(rotatedName(path, n), rotatedName(path, n + 1));
        } catch (e) {
          if (!(e instanceof Deno.errors.NotFound)) throw e;
        }
      }
      Deno.linkSync(path, rotatedName(path, 1));
    }
    this.#file!.close();
    this.#file = undefined;
    this.#createCurrent();
    this.#file = Deno.openSync(path, { read: true, append: true, mode: this.#mode });
    this.#size = 0;
    this.#rotations++;
  }

  #createCurrent(): void {
    const hidden = hiddenName(this.path);
    Deno.openSync(hidden, { write: true, createNew: true, mode: this.#mode }).close();
    Deno.renameSync(hidden, this.path);
  }

  #repairCut(file: Deno.FsFile): LineFileRepair | undefined {
    if (this.#size === 0) return undefined;
    const chunk = new Uint8Array(65536);
    let end = this.#size;
    let lastByte = -1;
    let lineStart = 0;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const view = chunk.subarray(0, end - start);
      file.seekSync(start, Deno.SeekMode.Start);
      let got = 0;
      while (got < view.length) {
        const n = file.readSync(view.subarray(got));
        if (n === null) break;
        got += n;
      }
      if (lastByte < 0) {
        lastByte = view[view.length - 1];
        if (lastByte === NEWLINE) return undefined;
      }
      const nl = view.lastIndexOf(NEWLINE);
      if (nl >= 0) {
        lineStart = start + nl + 1;
        break;
      }
      end = start;
    }
    const length = this.#size - lineStart;
    this.#writeWhole(new Uint8Array([NEWLINE]));
    return { offset: lineStart, length };
  }
}

/**
 * Open (create) `path` for appending whole lines, repairing a cut last line and finishing a
 * rotation a crash interrupted (see the module notes).
 *
 * @example
 * ```ts
 * const dir = Deno.makeTempDirSync();
 * using out = openLineFile(`${dir}/audit.log`, { rotate: { maxBytes: 64, keep: 2 } });
 * for (let i = 0; i < 10; i++) out.write(`line ${i} of ten, padded to be long\n`);
 * out.flush();
 * console.log(out.rotations); // several: audit.log.1 and audit.log.2 hold the older lines
 * ```
 */
export function openLineFile(path: string, options: LineFileOptions = {}): LineFile {
  return new LineFile(path, options);
}
