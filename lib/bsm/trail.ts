/**
 * Writing BSM trail files, where `auClose` can put its records: a file
 * token when the trail is opened and another when it is closed (as OpenBSM's
 * auditd brackets its trails), whole records only, and an fsync policy.
 *
 * @module
 */

import type { BsmSink } from "./au.ts";
import { auToFile, bsmNow, type BsmTime, encodeToken } from "./encode.ts";
import { BsmError } from "./error.ts";
import { parseBsmRecords, readBsmRecords } from "./reader.ts";

/**
 * When the writer calls fsync: after every record, only when closing
 * (default), or never.
 *
 * @example
 * ```ts
 * import type { FsyncPolicy } from "./trail.ts";
 * const safest: FsyncPolicy = "record";
 * ```
 */
export type FsyncPolicy = "record" | "close" | "never";

/** Options of {@link BsmTrailWriter.create} and {@link BsmTrailWriter.append}. */
export interface TrailWriterOptions {
  /** When to fsync (default "close"). */
  fsync?: FsyncPolicy;
  /** The name in the file tokens (default: the path as given). */
  name?: string;
  /** The clock of the file tokens (default now). */
  now?: () => BsmTime;
}

/**
 * A BSM trail file open for writing. Records are appended whole, one at a
 * time in call order; a write that fails part way is cut back off the file,
 * so the file only ever holds whole records.
 *
 * @example
 * ```ts
 * import { BsmTrailWriter } from "./trail.ts";
 * import { AU_TO_WRITE, auClose, auOpen, auWrite } from "./au.ts";
 * import { auToText } from "./encode.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.remove(path);
 * await using trail = await BsmTrailWriter.create(path);
 * const d = auOpen();
 * auWrite(d, auToText("hello"));
 * await auClose(d, AU_TO_WRITE, 0, { sink: trail });
 * ```
 */
export class BsmTrailWriter implements BsmSink, AsyncDisposable {
  #file: Deno.FsFile | undefined;
  #size: number;
  #queue: Promise<void> = Promise.resolve();
  readonly #fsync: FsyncPolicy;
  readonly #name: string;
  readonly #now: () => BsmTime;
  /** The trail's path. */
  readonly path: string;

  private constructor(path: string, file: Deno.FsFile, size: number, options: TrailWriterOptions) {
    this.path = path;
    this.#file = file;
    this.#size = size;
    this.#fsync = options.fsync ?? "close";
    this.#name = options.name ?? path;
    this.#now = options.now ?? bsmNow;
  }

  /**
   * Creates a new trail at `path` (refused if the file exists) and writes
   * its opening file token.
   */
  static async create(path: string, options: TrailWriterOptions = {}): Promise<BsmTrailWriter> {
    const file = await Deno.open(path, { write: true, createNew: true });
    const w = new BsmTrailWriter(path, file, 0, options);
    await w.#append(w.#fileToken());
    return w;
  }

  /**
   * Opens an existing trail to add records. The whole file must read as a
   * BSM trail (strict rules); otherwise the {@link BsmError} that says why
   * is thrown and the file is left as it was. An empty file gets an opening
   * file token.
   */
  static async append(path: string, options: TrailWriterOptions = {}): Promise<BsmTrailWriter> {
    try {
      for await (const _ of readBsmRecords(path)) { /* every record must read */ }
    } catch (e) {
      if (e instanceof BsmError) {
        throw new BsmError(e.kind, e.offset, `"${path}" is not a BSM trail: ${e.reason}`);
      }
      throw e;
    }
    const file = await Deno.open(path, { write: true, append: true });
    const size = (await file.stat()).size;
    const w = new BsmTrailWriter(path, file, size, options);
    if (size === 0) await w.#append(w.#fileToken());
    return w;
  }

  #fileToken(): Uint8Array {
    return encodeToken(auToFile(this.#name, this.#now()));
  }

  /** Appends `bytes` whole or not at all. */
  async #append(bytes: Uint8Array): Promise<void> {
    const file = this.#file;
    if (!file) throw new TypeError(`Cannot write to "${this.path}": the trail is closed`);
    try {
      for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
      if (this.#fsync === "record") await file.sync();
      this.#size += bytes.length;
    } catch (e) {
      await file.truncate(this.#size).catch(() => {});
      throw e;
    }
  }

  #enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(job);
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * Appends one whole record. Anything that is not exactly one record
   * (header to its size, tokens and trailer consistent) is refused with a
   * {@link BsmError} before anything is written.
   */
  writeRecord(record: Uint8Array): Promise<void> {
    try {
      const records = [...parseBsmRecords(record)];
      if (records.length !== 1 || records[0].tokens[0].type === "file") {
        throw new BsmError("not_a_record", 0, `${records.length} records given, not one`);
      }
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#enqueue(() => this.#append(record));
  }

  /** Writes the closing file token, syncs (unless the policy is "never") and closes. Idempotent. */
  close(): Promise<void> {
    return this.#enqueue(async () => {
      const file = this.#file;
      if (!file) return;
      try {
        await this.#append(this.#fileToken());
        if (this.#fsync !== "never") await file.sync();
      } finally {
        this.#file = undefined;
        file.close();
      }
    });
  }

  /** Closes the trail. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
