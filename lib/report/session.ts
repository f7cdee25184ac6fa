/**
 * aureport's reading loop: the logs read into a {@link Report} as aureport
 * reads them (each file on its own for the log report, lines cut as
 * aureport cuts them, records outside `-ts`/`-te` left out before grouping),
 * with aureport's `--debug` messages handed to the caller as they come.
 *
 * @module
 */

import { type AuditEvent, eventBatches } from "../event/assemble.ts";
import { AUSEARCH_LINE_LIMIT } from "../source/file.ts";
import { stampError } from "../select/session.ts";
import { Report, type ReportOptions, type ReportPart } from "./report.ts";

/** Options of {@link readReport}: the report's, and how the logs are read. */
export interface ReportReadOptions extends Omit<ReportOptions, "debug" | "warn"> {
  /** aureport's `--debug`: messages about the records a report skips. */
  debug?: boolean;
  /** Seconds after which an event without its end is complete (aureport's `--eoe-timeout`). */
  eoeTimeout?: number;
  /** Groups records as ausearch's `--exact-grouping` does instead of as libauparse. */
  exactGrouping?: boolean;
  /** Called with the bytes read so far and the total, for a progress line. */
  onProgress?: (done: number, total: number | undefined) => void;
  /**
   * aureport's messages (skipped lines, and with `debug` skipped records),
   * whole lines in reading order, handed out after each batch of events.
   */
  onMessages?: (text: string) => void | Promise<void>;
  /** Stops reading. */
  signal?: AbortSignal;
}

/** What {@link readReport} read. */
export interface ReportReadResult {
  /** The report: its text is `report.text()`. */
  report: Report;
  /** Events added to the report. */
  events: number;
  /** Lines that were not audit records. */
  badLines: number;
}

/**
 * Reads `files` into a report as aureport reads its logs: for the log
 * report (`kind: "log"`) each file on its own, with its first and last
 * event; otherwise all files as one stream; lines cut as aureport cuts them;
 * records outside `start`/`end` left out before grouping. When reading
 * fails, aureport has printed the report's heading
 * (`new Report(options).heading()`) and nothing more.
 *
 * @example
 * ```ts
 * import { readReport } from "../../mod.ts";
 * const { report, events } = await readReport(["/var/log/audit/audit.log"], { kind: "summary" });
 * console.log(events, report.text());
 * ```
 */
export async function readReport(
  files: string[],
  options: ReportReadOptions,
): Promise<ReportReadResult> {
  const messages: string[] = [];
  const push = (m: string) => void messages.push(m);
  const flush = async () => {
    if (messages.length === 0) return;
    const text = messages.splice(0).join("");
    if (options.onMessages) await options.onMessages(text);
  };
  const report = new Report({ ...options, debug: options.debug ? push : undefined, warn: push });
  let events = 0;
  let badLines = 0;
  const perFile = options.kind === "log" ? files.map((f) => [f]) : [files];
  // what each event adds is taken as soon as it is complete, and added in its turn: the events
  // need not be held meanwhile (ausearch's order holds them eoeTimeout seconds of log time)
  const parts = new Map<AuditEvent, ReportPart>();
  const early = options.kind !== "log" && !options.debug;
  for (const input of perFile) {
    let first: AuditEvent | undefined, last: AuditEvent | undefined;
    for await (
      const batch of eventBatches(input, {
        eoeTimeout: options.eoeTimeout,
        rules: options.exactGrouping ? "ausearch" : "libauparse",
        // aureport reads the events in ausearch's order (the same ausearch-lol.c)
        order: "ausearch",
        onRecord: (r) => report.record(r),
        keep: early
          ? (ev) => {
            const part = report.prepare(ev);
            if (part === undefined) return true;
            parts.set(ev, part);
            return false;
          }
          : undefined,
        onTurn: (ev) => {
          events++;
          report.commit(parts.get(ev)!, ev);
          parts.delete(ev);
        },
        onProgress: options.onProgress,
        lineLimit: AUSEARCH_LINE_LIMIT,
        signal: options.signal,
        onBadLine: (b) => {
          badLines++;
          if (b.timeStamp !== undefined) push(stampError(b.timeStamp));
        },
      })
    ) {
      events += batch.length;
      for (const ev of batch) {
        first ??= ev;
        last = ev;
        report.add(ev);
      }
      await flush();
    }
    if (options.kind === "log") report.addFileRange(input[0], first, last);
    // messages of lines read after the last event
    await flush();
  }
  return { report, events, badLines };
}
