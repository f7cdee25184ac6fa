/**
 * What `search` and `report` share: ausearch/aureport-style argument
 * scanning (multi-letter short options such as `-ts`, options whose value
 * is one or two words), the log inputs, buffered output and progress.
 *
 * @module
 */

import denoJson from "../deno.json" with { type: "json" };
import {
  type AccountDatabase,
  accountDatabase,
  type DirectoryNote,
  encodeText,
  errnoNumber,
  gidOfName,
  type LineFile,
  type LogSelection,
  openLineFile,
  parseSearchTime,
  selectLogFiles,
  uidOfName,
  useAccountDatabase,
} from "../mod.ts";
import { out, outSync, UsageError } from "./_common.ts";

const encoder = new TextEncoder();

/** One option of an ausearch-like command. */
export interface ArgSpec {
  /** Every spelling (`-ts`, `--start`). */
  names: string[];
  /** `none`: a flag; `one`: one value; `time`: a date and/or a time. */
  takes: "none" | "one" | "time";
  /** The key the value is stored under. */
  key: string;
  /** The value may start with "-" (ausearch's -e, --session and -ul: negative numbers). */
  dashValue?: boolean;
}

/** An {@link ArgSpec} from its spellings separated by spaces (`"-ts --start"`). */
export function spec(
  names: string,
  takes: ArgSpec["takes"],
  key: string,
  dashValue = false,
): ArgSpec {
  return { names: names.split(" "), takes, key, dashValue };
}

/** Parsed options: flags are `true`, values are lists (options may repeat). */
export type ParsedArgs = Map<string, (string | true | [string?, string?])[]>;

/** The entry of {@link ParsedArgs} that lists the option keys in command-line order. */
export const ORDER = "#order";

/**
 * The values of the options `keys`, in command-line order: `[key, value]`.
 *
 * @example
 * ```ts
 * // -se A -su B: [["context", "A"], ["subject", "B"]]
 * ```
 */
export function inOrder(p: ParsedArgs, keys: string[]): [string, string][] {
  const seen = new Map<string, number>();
  const out: [string, string][] = [];
  for (const k of p.get(ORDER) ?? []) {
    if (typeof k !== "string" || !keys.includes(k)) continue;
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    const v = p.get(k)?.[n];
    if (typeof v === "string") out.push([k, v]);
  }
  return out;
}

/** The values of a repeatable option (`--node A --node B`), or `undefined` when not given. */
export function valuesOf(p: ParsedArgs, key: string): string[] | undefined {
  const values = (p.get(key) ?? []).filter((x): x is string => typeof x === "string");
  return values.length ? values : undefined;
}

/**
 * `-v`/`--version` as ausearch and aureport take it: the options before it
 * are checked, then the version is the whole answer. Returns the line to
 * print, or `undefined` without the option.
 */
export function versionAsked(args: string[], specs: ArgSpec[], tool: string): string | undefined {
  const at = args.findIndex((a) => a === "-v" || a === "--version");
  if (at < 0) return undefined;
  scanArgs(args.slice(0, at), specs);
  return `${tool} version 3.0.9 (auditkit ${denoJson.version})\n`;
}

/**
 * `-h` as ausearch takes it: the options before it are checked, then the
 * help is the whole answer.
 */
export function helpAsked(args: string[], specs: ArgSpec[]): boolean {
  const at = args.indexOf("-h");
  if (at < 0) return false;
  scanArgs(args.slice(0, at), specs);
  return true;
}

/** Scans `args` against `specs`; throws UsageError for anything unknown. */
export function scanArgs(args: string[], specs: ArgSpec[]): ParsedArgs {
  const byName = new Map<string, ArgSpec>();
  for (const s of specs) for (const n of s.names) byName.set(n, s);
  const out: ParsedArgs = new Map();
  for (let i = 0; i < args.length; i++) {
    let arg = args[i];
    let inline: string | undefined;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    if (eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const spec = byName.get(arg);
    if (!spec) {
      throw new UsageError(
        arg.startsWith("-") ? `Unknown option "${args[i]}"` : `Unexpected word "${args[i]}"`,
      );
    }
    const list = out.get(spec.key) ?? [];
    out.set(spec.key, list);
    // the keys in command-line order, for options whose order matters (-se, -su, -o)
    const order = out.get(ORDER) ?? [];
    out.set(ORDER, order);
    order.push(spec.key);
    if (spec.takes === "none") {
      list.push(true);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`Option "${arg}" needs a value`);
    // as ausearch and aureport: a word starting with "-" is the next option, not a value
    // (a lone "-" is standard input for -if)
    if (inline === undefined && value.startsWith("-") && value !== "-" && !spec.dashValue) {
      throw new UsageError(
        byName.has(value.replace(/=.*/, ""))
          ? `Option "${arg}" needs a value before "${value}"`
          : `Option "${arg}" needs a value: "${value}" starts with "-" and is read as an option` +
            negativesNote(specs),
      );
    }
    if (spec.takes === "one") {
      list.push(value);
      continue;
    }
    // -ts/-te: [date] [time] or [time] [date], as ausearch takes them: a second word that is
    // not an option is part of the value, the one with a ":" is the time
    const next = inline === undefined ? args[i + 1] : undefined;
    if (next !== undefined && !next.startsWith("-")) {
      i++;
      list.push(value.includes(":") ? [next, value] : [value, next]);
    } else if (value.includes(":")) list.push([undefined, value]);
    else list.push([value, undefined]);
  }
  return out;
}

/** Which options take negative numbers, for a message about a value read as an option. */
function negativesNote(specs: ArgSpec[]): string {
  const names = specs.filter((s) => s.dashValue).map((s) => s.names[0]);
  if (names.length === 0) return "";
  const list = names.length === 1
    ? names[0]
    : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return ` (only ${list} take negative numbers)`;
}

/** The last value of an option. */
export function last(p: ParsedArgs, key: string): string | undefined {
  const v = p.get(key);
  const x = v?.[v.length - 1];
  return typeof x === "string" ? x : undefined;
}

/** Whether a flag was given. */
export function flag(p: ParsedArgs, key: string): boolean {
  return (p.get(key)?.length ?? 0) > 0;
}

/** A `-ts`/`-te` value as seconds since the epoch. */
export function timeArg(p: ParsedArgs, key: string, which: "start" | "end"): number | undefined {
  const v = p.get(key);
  const x = v?.[v.length - 1];
  if (!Array.isArray(x)) return undefined;
  try {
    return parseSearchTime(x[0], x[1], which);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** A decimal integer option value (ausearch rejects trailing junk and overflow). */
export function intArg(value: string, what: string, min = -2147483648, max = 4294967295): number {
  if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`Invalid ${what} "${value}": must be an integer`);
  }
  return Number(value);
}

/** A uid/gid option value: a number, or a name from the user or group database. */
export function idArg(value: string, what: string, db: "user" | "group"): number {
  if (/^-?\d+$/.test(value)) return intArg(value, what) | 0;
  const id = db === "user" ? uidOfName(value) : gidOfName(value);
  if (id === undefined) throw new UsageError(`Invalid ${what} "${value}": unknown name`);
  return id | 0;
}

/** An exit value: a number or an errno name (`-EACCES` is -13, `EACCES` 13, as in ausearch). */
export function exitArg(value: string): number {
  if (/^-?\d+$/.test(value)) return intArg(value, "exit", -2147483648, 2147483647);
  const neg = value.startsWith("-");
  const e = errnoNumber(neg ? value.slice(1) : value);
  if (e === undefined) throw new UsageError(`Invalid exit "${value}": unknown errno name`);
  return neg ? -e : e;
}

/**
 * Whether standard input is a pipe (or a FIFO). As ausearch and aureport do, a
 * search without `-if` reads such an input instead of the system's logs
 * (`--input-logs` reads the logs anyway); a terminal, a file or /dev/null is
 * not read.
 */
export function stdinIsPipe(): boolean {
  try {
    return Deno.statSync("/dev/stdin").isFifo === true;
  } catch {
    return false;
  }
}

/**
 * The log files to read: `-if` values (a directory means its rotated set),
 * else standard input when it is a pipe and `--input-logs` is not given,
 * else the default set; with a note for each `-if` that is a directory.
 */
export function inputsOf(
  p: ParsedArgs,
  defaultLog = "/var/log/audit/audit.log",
  pipedStdin: () => boolean = stdinIsPipe,
): LogSelection {
  const given = (p.get("input") ?? []).filter((x): x is string => typeof x === "string");
  if (given.length === 0 && !flag(p, "inputLogs") && pipedStdin()) {
    return { files: ["-"], notes: [] };
  }
  return selectLogFiles(given, defaultLog);
}

/** ausearch's and aureport's notes for the directories read (`NOTE - using logs in DIR/audit.log`). */
export function notesText(notes: readonly DirectoryNote[]): string {
  return notes.map((n) => `NOTE - using logs in ${n.log}\n`).join("");
}

/** Where command output goes: standard output, or a test's collector. */
export type Sink = (text: string) => Promise<void> | void;

/**
 * Output pieces appended to a {@link LineFile} (`--output FILE`): the whole lines of each piece
 * are handed to the file at once, a piece's unfinished last line waits for the piece that ends it,
 * so the file only ever grows by whole lines (a shipper tailing it never reads half a line).
 */
export class LineFileOutput implements Disposable {
  /** The file written. */
  readonly file: LineFile;
  #rest: Uint8Array = new Uint8Array(0);

  /** Writes to `file` (closed with this output). */
  constructor(file: LineFile) {
    this.file = file;
  }

  /** Adds a piece; the bytes are copied (a piece's memory may be reused after the call). */
  write(piece: string | Uint8Array): void {
    if (piece.length === 0) return;
    let bytes = typeof piece === "string" ? encodeText(piece) : piece;
    if (this.#rest.length) {
      const joined = new Uint8Array(this.#rest.length + bytes.length);
      joined.set(this.#rest);
      joined.set(bytes, this.#rest.length);
      bytes = joined;
    }
    const end = bytes.lastIndexOf(0x0a) + 1;
    this.#rest = bytes.slice(end);
    if (end > 0) this.file.write(bytes.slice(0, end));
  }

  /**
   * Flushes and closes the file. An unfinished last line is ended with `\n` first: the file holds
   * whole lines only.
   */
  [Symbol.dispose](): void {
    if (this.#rest.length) {
      const line = new Uint8Array(this.#rest.length + 1);
      line.set(this.#rest);
      line[this.#rest.length] = 0x0a;
      this.#rest = new Uint8Array(0);
      this.file.write(line);
    }
    this.file.close();
  }
}

/**
 * Opens `--output FILE` for appending whole lines (created 0600 when missing); a cut last line
 * left by a crash is ended with a newline and reported through `errors`. A path that cannot be
 * written is an error naming it.
 */
export async function openOutput(
  path: string,
  command: string,
  errors: Sink,
): Promise<LineFileOutput> {
  let file: LineFile;
  try {
    file = openLineFile(path);
  } catch (e) {
    // an error of the system (no such directory, permission, read-only file system): named
    const reason = e instanceof Error ? /^(.+?) \(os error \d+\)/.exec(e.message)?.[1] : undefined;
    if (reason === undefined) throw e;
    throw new Error(
      `Cannot write --output file "${path}": ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`,
    );
  }
  if (file.repaired) {
    await errors(
      `auditkit ${command}: "${path}" ended in a cut line (${file.repaired.length} bytes at ` +
        `offset ${file.repaired.offset}): ended with a newline\n`,
    );
  }
  return new LineFileOutput(file);
}

const decoder = new TextDecoder();

/**
 * Buffered output: one write per ~1 MiB, each overlapping the work that
 * produces the next (only one write is in flight, so order is kept).
 */
export class OutputBuffer {
  #parts: string[] = [];
  #size = 0;
  #writing: Promise<void> = Promise.resolve();
  readonly #lineBuffered: boolean;
  /** A collector; standard output when undefined (which also takes bytes as they are). */
  readonly #sink: Sink | undefined;
  /** `--output FILE`: written instead of standard output or the sink. */
  readonly #file: LineFileOutput | undefined;

  /** The progress line, cleared before each write (the output may reach the same terminal). */
  readonly #progress: Progress | undefined;
  /** Standard output is a terminal: each write is made at once, with no redraw during it. */
  readonly #terminal: boolean;

  /**
   * Creates the buffer; with `lineBuffered` every event is written at once
   * (ausearch -l). `progress`: the progress line on standard error, cleared
   * before each write to standard output (which may be the same terminal,
   * or a pipe to `head` or `less` that writes there).
   */
  constructor(lineBuffered = false, sink?: Sink | LineFileOutput, progress?: Progress) {
    this.#lineBuffered = lineBuffered;
    this.#file = sink instanceof LineFileOutput ? sink : undefined;
    this.#sink = sink instanceof LineFileOutput ? undefined : sink;
    this.#progress = sink === undefined ? progress : undefined;
    this.#terminal = this.#progress !== undefined && Deno.stdout.isTerminal();
  }

  /** Adds text; writes when the buffer is full. */
  async add(text: string): Promise<void> {
    this.#parts.push(text);
    this.#size += text.length;
    if (this.#lineBuffered) await this.flush();
    else if (this.#size > 1 << 20) await this.#send();
  }

  /** Writes bytes that are already encoded (after the text buffered before them). */
  async addBytes(bytes: Uint8Array): Promise<void> {
    await this.#send(bytes);
    if (this.#lineBuffered) await this.#writing;
  }

  /** Starts writing the buffered text, then `bytes`, once the previous write is done. */
  async #send(bytes?: Uint8Array): Promise<void> {
    await this.#writing;
    const text = this.#parts.join("");
    this.#parts = [];
    this.#size = 0;
    const sink = this.#sink;
    if (this.#file) {
      // synchronous: the file takes whole lines and writes them in batches of its own
      this.#file.write(text);
      if (bytes) this.#file.write(bytes);
      return;
    }
    this.#progress?.clear();
    if (this.#terminal) {
      // written at once, so that no progress line is drawn while it is written
      if (text) outSync(text);
      if (bytes) outSync(bytes);
      return;
    }
    this.#writing = (async () => {
      if (text) await (sink ? sink(text) : out(text));
      if (bytes) await (sink ? sink(decoder.decode(bytes)) : out(bytes));
    })();
    // a failed write is thrown by the next send or flush, not reported as unhandled meanwhile
    this.#writing.catch(() => {});
  }

  /** Writes everything buffered and waits until it is written. */
  async flush(): Promise<void> {
    if (this.#parts.length) await this.#send();
    await this.#writing;
    this.#file?.file.flush();
  }
}

/**
 * The progress line on standard error (`reading 12 MiB 40%`), drawn when it
 * is a terminal. It is cleared before anything else is written to that
 * terminal (see {@link OutputBuffer}'s `beforeWrite`), when the work ends
 * (`using`) and on Ctrl-C, so that it is never glued to the output or left
 * behind.
 */
export class Progress implements Disposable {
  #shown = false;
  #lastShown = 0;
  readonly #onInterrupt = () => {
    this.clear();
    Deno.exit(130);
  };

  private constructor() {
    Deno.addSignalListener("SIGINT", this.#onInterrupt);
  }

  /** A progress line when standard error is a terminal, else undefined. */
  static onTerminal(): Progress | undefined {
    return Deno.stderr.isTerminal() ? new Progress() : undefined;
  }

  /** The reader's progress callback: redraws the line at most every 200 ms. */
  readonly update = (done: number, total: number | undefined): void => {
    const now = Date.now();
    if (now - this.#lastShown < 200) return;
    this.#lastShown = now;
    const pct = total ? ` ${Math.floor((done / total) * 100)}%` : "";
    Deno.stderr.writeSync(
      encoder.encode(`\rreading ${(done / 1048576).toFixed(0)} MiB${pct}\x1b[K`),
    );
    this.#shown = true;
  };

  /** Clears the line if it is drawn (it is drawn again at the next update). */
  clear(): void {
    if (!this.#shown) return;
    this.#shown = false;
    Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
  }

  /** Clears the line and stops listening for Ctrl-C. */
  [Symbol.dispose](): void {
    this.clear();
    Deno.removeSignalListener("SIGINT", this.#onInterrupt);
  }
}

/**
 * A sink that clears the progress line (when one is drawn) before it writes
 * to standard error, or `sink` unchanged without progress.
 */
export function clearingFirst(sink: Sink, progress: Progress | undefined): Sink {
  if (progress === undefined) return sink;
  return (text) => {
    progress.clear();
    return sink(text);
  };
}

/** Options of `runSearch` and `runReport` beyond ausearch's and aureport's own. */
export interface RunOptions {
  /**
   * Adds auditkit's own notes to standard error (default true), such as
   * {@link noRecordsNote}; off, standard error is exactly the C tool's.
   */
  notes?: boolean;
}

/**
 * auditkit's note when lines were read and none was an audit record (random
 * bytes, a text file): ausearch and aureport say only that nothing matched.
 */
export function noRecordsNote(badLines: number): string {
  return badLines === 1
    ? "auditkit: The only line read is not an audit record\n"
    : `auditkit: None of the ${badLines} lines read is an audit record\n`;
}

/** `--passwd FILE` and `--group FILE`: another host's user and group files for the names. */
export const ACCOUNT_SPECS: ArgSpec[] = [
  spec("--passwd", "one", "passwd"),
  spec("--group", "one", "group"),
];

/**
 * Reads the files of `--passwd`/`--group` (the last of each) and makes them
 * the database the library names ids from; the side not given stays the
 * local file. Returns the database, or `undefined` without the options. A
 * file that cannot be read is an error that names it.
 */
export function useAccountArgs(p: ParsedArgs): AccountDatabase | undefined {
  const passwd = valuesOf(p, "passwd")?.at(-1), group = valuesOf(p, "group")?.at(-1);
  if (passwd === undefined && group === undefined) return undefined;
  const read = (option: string, path: string | undefined) => {
    if (path === undefined) return undefined;
    try {
      return Deno.readFileSync(path);
    } catch (e) {
      throw new Error(`Cannot read ${option} file "${path}": ${(e as Error).message}`);
    }
  };
  const db = accountDatabase({ passwd: read("--passwd", passwd), group: read("--group", group) });
  useAccountDatabase(db);
  return db;
}
