/**
 * ausearch's selection and output, one event at a time: the step a search
 * makes for each event it reads (match the criteria, write the event in the
 * output format, keep the user names libauparse holds after a csv or text
 * event for the next matches), for callers that push events themselves, such
 * as a live stream. `searchChunks` makes the same step over log files.
 *
 * @module
 */

import type { AuditEvent } from "../event/assemble.ts";
import type { BadLine } from "../source/file.ts";
import type { CsvOptions } from "../format/csv.ts";
import { FORMATS, type OutputFormat } from "../format/formats.ts";
import type { EventFormatter, FormatWriter } from "../format/formatter.ts";
import type { EscapeMode } from "../interpret/interpret.ts";
import { namesLeftAfter } from "./carried_names.ts";
import { matchEvent, type SearchCriteria } from "./criteria.ts";
import { loadsOwnNames } from "./extract.ts";

/** Options of {@link EventSelection}. */
export interface SelectionOptions {
  /** ausearch's criteria (none: every event). */
  criteria?: SearchCriteria;
  /** Output format (default `"default"`, ausearch's). */
  format?: OutputFormat;
  /** Escaping of control characters (ausearch `--escape`; default tty). */
  escape?: EscapeMode;
  /** csv columns and the normaliser's messages. */
  csv?: CsvOptions;
  /** Gets the messages ausearch's `--debug` writes about records it skips. */
  debug?: (message: string) => void;
  /** Gets ausearch's other messages (csv's `error normalizing TYPE`). */
  warn?: (message: string) => void;
}

/**
 * Selects and formats events as `auditkit search` does, one at a time.
 *
 * @example
 * ```ts
 * import { EventSelection, readEvents } from "../../mod.ts";
 * const select = new EventSelection({ criteria: { key: "passwd" }, format: "interpret" });
 * for await (const ev of readEvents(["/var/log/audit/audit.log"])) {
 *   const text = select.take(ev);
 *   if (text !== undefined) console.log(text + select.takeBytes());
 * }
 * ```
 */
export class EventSelection {
  /** The output format's formatter. */
  readonly formatter: EventFormatter;
  readonly #writer: FormatWriter;
  readonly #criteria: SearchCriteria;
  readonly #format: OutputFormat;
  readonly #csv: CsvOptions | undefined;
  readonly #debug: ((message: string) => void) | undefined;
  readonly #warn: ((message: string) => void) | undefined;
  #carriedNames: ReadonlyMap<string, string> | undefined;
  /** Events {@link mayMatch} found to match, without a message: {@link match} would say so again. */
  readonly #matched = new WeakSet<AuditEvent>();

  /** A selection with `options`' criteria and format (every event, ausearch's format, by default). */
  constructor(options: SelectionOptions = {}) {
    this.#format = options.format ?? "default";
    this.formatter = FORMATS[this.#format];
    this.#criteria = options.criteria ?? {};
    this.#csv = options.csv;
    this.#debug = options.debug;
    this.#warn = options.warn;
    this.#writer = this.formatter.open({
      escape: options.escape,
      csv: { ...options.csv, warn: options.warn },
    });
  }

  /** Whether `event` meets the criteria, as ausearch decides in this format. */
  match(event: AuditEvent): boolean {
    if (this.#matched.has(event)) return true;
    return matchEvent(event, this.#criteria, {
      interpreted: this.formatter.interprets,
      debug: this.#debug,
      warn: this.#warn,
      carriedNames: this.#carriedNames,
      // JSON has no ausearch output to match: it carries the events ausearch passes over too
      lenient: !this.formatter.ausearch,
    });
  }

  /**
   * Whether `event` can meet the criteria, decided on the event alone and
   * without a message: false only for events {@link match} turns down too,
   * whenever they come. Undefined when it cannot be decided so: a format
   * whose matching looks at names earlier events left (csv, text), or
   * `--debug` (its messages are about the events passed over).
   */
  mayMatch(event: AuditEvent): boolean | undefined {
    if (this.formatter.carriesNames || this.#debug !== undefined) return undefined;
    let warned = false;
    const matched = matchEvent(event, this.#criteria, {
      interpreted: this.formatter.interprets,
      warn: () => warned = true,
      lenient: !this.formatter.ausearch,
    });
    // its messages are written when it is matched in its turn
    if (warned) return true;
    if (matched) this.#matched.add(event);
    return matched;
  }

  /**
   * Writes a matched event: its text, or "" for a format that encodes to
   * bytes ({@link EventSelection.takeBytes}). Keeps the names libauparse
   * holds after it for the next events' matching.
   */
  write(event: AuditEvent): string {
    const text = this.#writer.write(event);
    if (this.formatter.carriesNames && !loadsOwnNames(event)) {
      this.#carriedNames = namesLeftAfter(event, this.#format as "csv" | "text", this.#csv);
    } else if (loadsOwnNames(event)) this.#carriedNames = undefined;
    return text;
  }

  /** An event read and not written: an event that loads its own names drops those held. */
  pass(event: AuditEvent): void {
    if (loadsOwnNames(event)) this.#carriedNames = undefined;
  }

  /** {@link EventSelection.match}, then {@link EventSelection.write} or {@link EventSelection.pass}: the text, or undefined. */
  take(event: AuditEvent): string | undefined {
    if (this.match(event)) return this.write(event);
    this.pass(event);
    return undefined;
  }

  /** A line the reader could not use, as the format writes one (ECS: an error document), or undefined. */
  badLine(bad: BadLine): string | undefined {
    return this.#writer.badLine?.(bad);
  }

  /** A byte-encoding format's (JSON) output so far, taken with `takeView()`; undefined for text formats. */
  get bytes(): FormatWriter["bytes"] {
    return this.#writer.bytes;
  }

  /** Bytes a byte-encoding format (JSON) has written since the last call; valid until the next write. */
  takeBytes(): Uint8Array {
    const bytes = this.#writer.bytes;
    return bytes && bytes.length > 0 ? bytes.takeView() : new Uint8Array(0);
  }
}
