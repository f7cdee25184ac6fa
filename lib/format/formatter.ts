/**
 * What an output format is to a search: each format module exports one
 * {@link EventFormatter}, and formats.ts lists them by name.
 *
 * @module
 */

import type { AuditEvent } from "../event/assemble.ts";
import type { BadLine } from "../source/file.ts";
import type { EscapeMode } from "../interpret/interpret.ts";

/** The optional csv columns of ausearch (`--extra-keys` and friends). */
export interface CsvOptions {
  /** Add a KEY column (`--extra-keys`). */
  keys?: boolean;
  /** Add SUBJ_LABEL and OBJ_LABEL columns (`--extra-labels`). */
  labels?: boolean;
  /** Add an OBJ2 column (`--extra-obj2`). */
  obj2?: boolean;
  /** Add YEAR, MONTH, DAY, WEEKDAY, HOUR, MILLI and GMT_OFFSET columns (`--extra-time`). */
  time?: boolean;
  /**
   * Called with ausearch's message (`error normalizing TYPE`) for an event
   * libauparse cannot normalise (several records, none a SYSCALL); its row
   * then has empty columns after the serial, as ausearch prints it.
   */
  warn?: (message: string) => void;
}

/** What a formatter is given for a whole search. */
export interface FormatOptions {
  /** How control characters in values are escaped (ausearch `--escape`; default tty). */
  escape?: EscapeMode;
  /** ausearch's optional csv columns and its normalising messages (csv only). */
  csv?: CsvOptions;
}

/** One search's output in one format: the events in turn. */
export interface FormatWriter {
  /** The text of the next event ("" for a format that encodes to {@link bytes}). */
  write(event: AuditEvent): string;
  /** A format that encodes straight to bytes: what is encoded so far, taken with `takeView()`. */
  readonly bytes?: { readonly length: number; takeView(): Uint8Array };
  /**
   * The text for a line that is no audit record, for a format that reports
   * them in its output (ECS); others leave them to the caller's counting.
   */
  badLine?(bad: BadLine): string;
}

/** An output format: how a search writes its events, and how it reads for them. */
export interface EventFormatter {
  /** ausearch reads SYSCALL `arch=` values for this format (its interpreting formats). */
  readonly interprets: boolean;
  /**
   * ausearch hands each event to libauparse for this format (csv, text): the
   * user names libauparse holds afterwards carry to the next events' matching.
   */
  readonly carriesNames: boolean;
  /**
   * A format ausearch has: lines are read as ausearch reads them (a long line
   * is cut) and events matched as it matches them. Without (JSON), lines are
   * read whole and events ausearch passes over are kept.
   */
  readonly ausearch: boolean;
  /** Starts a search's output. */
  open(options: FormatOptions): FormatWriter;
}
