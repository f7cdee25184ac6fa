/**
 * A whole ausearch run as a library call: logs read and grouped as ausearch
 * groups them, events matched against criteria, written in one of the
 * output formats (with what csv and text carry from one event to the next),
 * and optionally resumed from and saved to an ausearch checkpoint file.
 * `auditkit search` is this session behind its flag parser.
 *
 * @module
 */

import { eventBatches } from "../event/assemble.ts";
import { errnoMessage } from "../errno.ts";
import { loadTables } from "../interpret/tables.ts";
import type { EscapeMode } from "../interpret/interpret.ts";
import { type CsvOptions } from "../format/csv.ts";
import { FORMATS, type OutputFormat } from "../format/formats.ts";
import { AUSEARCH_LINE_LIMIT, type ReadOptions } from "../source/file.ts";
import {
  type Checkpoint,
  CheckpointError,
  type CheckpointEvent,
  CheckpointFilter,
  formatCheckpoint,
  parseCheckpoint,
  resumeFiles,
} from "../source/checkpoint.ts";
import type { SearchCriteria } from "./criteria.ts";
import { EventSelection } from "./selection.ts";

/** ausearch's `--checkpoint FILE` (3.0.9). */
export interface CheckpointOptions {
  /** The checkpoint file: read at the start (when it exists), written at the end. */
  file: string;
  /** `-ts checkpoint`: start at the checkpoint's time instead of after its event. */
  timeOnly?: boolean;
}

/** What a search does; every field is optional (ausearch's defaults). */
export interface SearchOptions {
  /** The criteria (all must match); every event without. */
  criteria?: SearchCriteria;
  /** The output format (a name in `FORMATS`); `default` as ausearch. */
  format?: OutputFormat;
  /** Escaping of control characters (`--escape`); tty as ausearch. */
  escape?: EscapeMode;
  /** csv's optional columns (`--extra-keys` ...). */
  csv?: Omit<CsvOptions, "warn">;
  /** Stop at the first match (`--just-one`). */
  justOne?: boolean;
  /** Seconds after which an event without its end is complete (`--eoe-timeout`). */
  eoeTimeout?: number;
  /** Group records as ausearch does, not as libauparse does (`--exact-grouping`). */
  exactGrouping?: boolean;
  /** Hand out each event's output at once (`-l`), not in chunks of about 1 MiB. */
  lineBuffered?: boolean;
  /** ausearch's `--debug` messages about the records it skips. */
  debug?: boolean;
  /** Resume from a checkpoint and save one at the end (`--checkpoint`). */
  checkpoint?: CheckpointOptions;
  /** Reading progress (see `ReadOptions.onProgress`). */
  onProgress?: ReadOptions["onProgress"];
  /** Stops the search (the reader throws the abort reason). */
  signal?: AbortSignal;
}

/**
 * A piece of a search's output: `out` for standard output (text, or bytes
 * from a format that encodes to bytes: write them before asking for the
 * next piece, their memory is reused), `message` for standard error.
 */
export type SearchChunk =
  | { readonly out: string }
  | { readonly bytes: Uint8Array }
  | { readonly message: string };

/** How a search ended. */
export interface SearchResult {
  /**
   * ausearch's exit status: 0 events found, 1 none; with a checkpoint also
   * 10 (unusable checkpoint or its file not found in the set), 11
   * (checkpoint not written), 12 (checkpoint from another log).
   */
  status: number;
  /** Events written. */
  found: number;
  /** Events read. */
  events: number;
  /** Lines that were not audit records. */
  badLines: number;
}

/** The message of a file error as C's strerror gives it. */
function why(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return errnoMessage(2);
  if (e instanceof Deno.errors.PermissionDenied) return errnoMessage(13);
  if (e instanceof Deno.errors.IsADirectory) return errnoMessage(21);
  return (e as Error).message;
}

/** ausearch's and aureport's message for a line whose time stamp they cannot read. */
export function stampError(timeStamp: string): string {
  return `Error extracting time stamp (${timeStamp})\n`;
}

const ms3 = (n: number) => String(n).padStart(3, "0");

/** Where a checkpointed search reads and what it remembers. */
interface CheckpointRun {
  file: string;
  files: string[];
  filter: CheckpointFilter;
}

/**
 * Loads the checkpoint and picks the files to read; an exit status when the
 * search cannot go on, undefined (after a warning) for standard input.
 */
async function checkpointRun(
  files: string[],
  rotated: boolean,
  opts: CheckpointOptions,
  messages: string[],
): Promise<CheckpointRun | number | undefined> {
  if (files.length === 1 && files[0] === "-") {
    messages.push("Warning - checkpointing stdin is not supported");
    return undefined;
  }
  let cp: Checkpoint | undefined;
  try {
    cp = parseCheckpoint(await Deno.readTextFile(opts.file), opts.file);
  } catch (e) {
    if (e instanceof CheckpointError) {
      messages.push(`${e.message}\n`);
      return 10;
    }
    if (!(e instanceof Deno.errors.NotFound)) {
      messages.push(`Cannot open checkpoint file - ${opts.file}: ${why(e)}\n`);
      return 10;
    }
  }
  if (cp && rotated && !opts.timeOnly) {
    // a rotated set: the search resumes in the file the checkpoint was taken in
    const from = await resumeFiles(files, cp);
    if (from === undefined) return 10;
    files = from;
  }
  return {
    file: opts.file,
    files,
    filter: new CheckpointFilter(cp?.event, opts.timeOnly ?? false),
  };
}

/** Writes the checkpoint at the end; 0, or 11 when it cannot. */
async function saveCheckpoint(
  run: CheckpointRun,
  lastFile: string,
  last: CheckpointEvent,
  messages: string[],
): Promise<number> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.stat(lastFile);
  } catch (e) {
    messages.push(`Cannot stat audit file for checkpoint details - ${lastFile}: ${why(e)}\n`);
    return 11;
  }
  try {
    await Deno.writeTextFile(
      run.file,
      formatCheckpoint({ dev: st.dev ?? 0, inode: st.ino ?? 0, event: last }),
    );
  } catch (e) {
    messages.push(`Cannot open checkpoint file - ${run.file}: ${why(e)}\n`);
    return 11;
  }
  return 0;
}

/**
 * Runs a search over `files` (paths, `-` for standard input; oldest first)
 * as ausearch 3.0.9 runs it, and hands out its output and messages in
 * order; the generator's return value is the result. `rotated` says the
 * files are a rotated set (a directory or the default logs), where a
 * checkpoint is found again by device and inode.
 *
 * @example
 * ```ts
 * import { rotatedLogSet, searchChunks } from "../../mod.ts";
 * const run = searchChunks(rotatedLogSet("/var/log/audit"), { criteria: { key: "passwd" } });
 * for (let r = await run.next(); !r.done; r = await run.next()) {
 *   if ("out" in r.value) console.log(r.value.out);
 * }
 * ```
 */
export async function* searchChunks(
  files: string[],
  options: SearchOptions = {},
  rotated = false,
): AsyncGenerator<SearchChunk, SearchResult> {
  const criteria = options.criteria ?? {};
  const formatter = FORMATS[options.format ?? "default"];
  const messages: string[] = [];
  const result: SearchResult = { status: 1, found: 0, events: 0, badLines: 0 };
  let cp: CheckpointRun | undefined;
  if (options.checkpoint) {
    const r = await checkpointRun(files, rotated, options.checkpoint, messages);
    if (messages.length) yield { message: messages.splice(0).join("") };
    if (typeof r === "number") return { ...result, status: r };
    cp = r;
  }
  await loadTables();
  // ausearch's "error normalizing" messages of csv rows go to stderr with the others
  const warn = (m: string) => void messages.push(m);
  const debug = options.debug ? warn : undefined;
  const selection = new EventSelection({
    criteria,
    format: options.format,
    escape: options.escape,
    csv: options.csv,
    warn,
    debug,
  });
  const noCriteria = Object.values(criteria).every((v) => v === undefined);
  const bytes = selection.bytes;
  const lineBuffered = options.lineBuffered ?? false;
  const { start, end } = criteria;
  let parts: string[] = [];
  let size = 0;
  let corrupt = false;
  let lastFile = "";
  let last: CheckpointEvent = { sec: 0, msec: 0, serial: 0, type: 0 };
  outer: for await (
    const batch of eventBatches(cp?.files ?? files, {
      eoeTimeout: options.eoeTimeout,
      // a checkpoint records events as ausearch groups them; the open ones wait for the next run
      rules: cp || options.exactGrouping ? "ausearch" : "libauparse",
      // ausearch's formats print the events in ausearch's order; JSON and ECS in libauparse's
      order: formatter.ausearch ? "ausearch" : "libauparse",
      flushAtEnd: !cp,
      // records outside -ts/-te are left out before grouping, as ausearch does
      onRecord: (start ?? end) === undefined
        ? undefined
        : (r) => !((start !== undefined && r.sec < start) || (end !== undefined && r.sec > end)),
      onProgress: options.onProgress,
      signal: options.signal,
      // ausearch's formats read lines as ausearch does (a long line is cut); JSON reads them whole
      lineLimit: formatter.ausearch ? AUSEARCH_LINE_LIMIT : undefined,
      onBadLine: (b) => {
        result.badLines++;
        // a format that reports bad lines (ECS) does so in a search without criteria
        const text = noCriteria ? selection.badLine(b) : undefined;
        if (text) {
          parts.push(text);
          size += text.length;
        }
        // ausearch's message for a line whose time stamp it cannot read
        if (b.timeStamp !== undefined) messages.push(stampError(b.timeStamp));
      },
      onFile: (f) => lastFile = f,
      // events that cannot match go as soon as they are complete, not when their turn comes
      // (ausearch's order holds events for eoeTimeout seconds of log time): counted here
      keep: cp || noCriteria ? undefined : (ev) => {
        if (selection.mayMatch(ev) !== false) return true;
        result.events++;
        return false;
      },
      // each event is matched and written before the next batch is read: nothing below keeps
      // a record's bytes (the checkpoint keeps numbers, the JSON encoder its own copies)
      reuseBuffers: true,
    })
  ) {
    result.events += batch.length;
    for (const ev of batch) {
      const matched = selection.match(ev);
      if (messages.length) yield { message: messages.splice(0).join("") };
      if (matched) {
        const decision = cp ? cp.filter.decide(ev) : "output";
        if (decision === "corrupt") {
          const c = cp!.filter.from!;
          messages.push(
            `Corrupted checkpoint file. Inode match, but newer complete event ` +
              `(${ev.sec}.${ms3(ev.msec)}:${ev.serial}) found before loaded checkpoint ` +
              `${c.sec}.${ms3(c.msec)}:${c.serial}\n`,
          );
          corrupt = true;
          break outer;
        }
        if (decision === "output") {
          result.found++;
          const text = selection.write(ev);
          if (messages.length) yield { message: messages.splice(0).join("") };
          if (text) {
            parts.push(text);
            size += text.length;
          }
          if (lineBuffered || size > 1 << 20) {
            if (parts.length) yield { out: parts.join("") };
            parts = [];
            size = 0;
          }
          // the view is written before the next piece is asked for (its memory is reused)
          if (bytes && (lineBuffered || bytes.length > 1 << 20)) yield { bytes: bytes.takeView() };
        } else selection.pass(ev);
        if (options.justOne) break outer;
      } else selection.pass(ev);
      // a checkpoint remembers every event read, shown or not
      if (cp) {
        last = { node: ev.node, sec: ev.sec, msec: ev.msec, serial: ev.serial, type: ev.type };
      }
    }
  }
  if (messages.length) yield { message: messages.splice(0).join("") };
  if (parts.length) yield { out: parts.join("") };
  if (bytes?.length) yield { bytes: bytes.takeView() };
  if (cp) {
    if (corrupt) return { ...result, status: 12 };
    const status = await saveCheckpoint(cp, lastFile, last, messages);
    if (messages.length) yield { message: messages.splice(0).join("") };
    if (status) return { ...result, status };
  }
  return { ...result, status: result.found ? 0 : 1 };
}

/** What {@link searchLog} gives: the output and messages in full, and the result. */
export interface SearchOutput extends SearchResult {
  /** Standard output of `auditkit search` (and of ausearch, for its formats). */
  output: string;
  /** Its standard error, without auditkit's own notes and without `<no matches>`. */
  messages: string;
}

const decoder = new TextDecoder();

/**
 * Runs a search in one call: the output ausearch (and `auditkit search`)
 * writes for these files and options, its messages and exit status. For
 * large outputs, {@link searchChunks} hands the output out in pieces.
 *
 * @example
 * ```ts
 * import { searchLog } from "../../mod.ts";
 * const { output, status } = await searchLog(["/var/log/audit/audit.log"], {
 *   criteria: { key: "passwd" },
 *   format: "csv",
 * });
 * if (status === 0) console.log(output);
 * ```
 */
export async function searchLog(
  files: string[],
  options: SearchOptions = {},
  rotated = false,
): Promise<SearchOutput> {
  let output = "", messages = "";
  const run = searchChunks(files, options, rotated);
  for (let r = await run.next();; r = await run.next()) {
    if (r.done) return { ...r.value, output, messages };
    const c = r.value;
    if ("out" in c) output += c.out;
    else if ("bytes" in c) output += decoder.decode(c.bytes);
    else messages += c.message;
  }
}
