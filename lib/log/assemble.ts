/**
 * Event assembly as libauparse 3.0.9 (and ausearch/aureport) do it: records
 * with the same time stamp, serial and node form one event; an event is
 * complete when a record that ends events arrives, when the newest record
 * seen is `eoeTimeout` seconds later (log time), or at the end of input.
 *
 * @module
 */

import type { InterpretContext } from "./interpret.ts";
import type { AuditRecord } from "./record.ts";
import { type LogInput, type ReadOptions, recordBatches } from "./source.ts";
import { endsEvent, RecordType } from "./types.ts";

/**
 * One audit event: the records that share a time stamp, serial and node.
 *
 * @example
 * ```ts
 * import { readEvents } from "./assemble.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(ev.id, ev.type);
 * ```
 */
export class AuditEvent {
  /** Seconds of the time stamp. */
  readonly sec: number;
  /** Milliseconds of the time stamp. */
  readonly msec: number;
  /** The serial number. */
  readonly serial: number;
  /** The node name, if the records carry one. */
  readonly node: string | undefined;
  /** The records, in the order they were read. */
  readonly records: AuditRecord[];
  /** @internal set when the assembler decided the event is complete */
  complete = false;
  /** @internal see {@link eventCache} */
  cache: EventCache | undefined = undefined;

  /** Starts an event with its first record. */
  constructor(first: AuditRecord) {
    this.sec = first.sec;
    this.msec = first.msec;
    this.serial = first.serial;
    this.node = first.node;
    this.records = [first];
  }

  /** The time stamp in milliseconds since the epoch. */
  get time(): number {
    return this.sec * 1000 + this.msec;
  }

  /** `sec.msec:serial`, as in `msg=audit(...)`. */
  get id(): string {
    return `${this.sec}.${String(this.msec).padStart(3, "0")}:${this.serial}`;
  }

  /** The type of the first record (the event's type for ausearch -m and aureport). */
  get type(): number {
    return this.records[0].type;
  }

  /** The first record of the given type. */
  record(type: number): AuditRecord | undefined {
    for (const r of this.records) if (r.type === type) return r;
    return undefined;
  }
}

/**
 * What other modules compute once per event (the interpretation contexts),
 * kept on the event itself: a WeakMap lookup per field cost more.
 */
export interface EventCache {
  /** The event's SYSCALL context (`eventContext`). */
  context?: InterpretContext;
  /** The same with an unknown machine taken as the host's. */
  hostContext?: InterpretContext;
}

/** The per-event cache of `event`. */
export function eventCache(event: AuditEvent): EventCache {
  return event.cache ??= {};
}

/** Options of the assembler. */
export interface AssembleOptions {
  /** Seconds of log time after which an open event is complete (default 2). */
  eoeTimeout?: number;
}

function sameEvent(e: AuditEvent, r: AuditRecord): boolean {
  return e.serial === r.serial && e.sec === r.sec && e.msec === r.msec && e.node === r.node;
}

function earlier(a: AuditEvent, b: AuditEvent): number {
  return a.sec - b.sec || a.msec - b.msec || a.serial - b.serial;
}

/**
 * Groups records into events. Feed it with {@link push}, collect complete
 * events with {@link drain}, and call {@link flush} at the end of input.
 *
 * @example
 * ```ts
 * import { EventAssembler } from "./assemble.ts";
 * import { readRecords } from "./source.ts";
 * const asm = new EventAssembler({ eoeTimeout: 2 });
 * for await (const r of readRecords("/var/log/audit/audit.log")) {
 *   asm.push(r);
 *   for (const ev of asm.drain()) console.log(ev.id);
 * }
 * asm.flush();
 * ```
 */
export class EventAssembler {
  #open: AuditEvent[] = [];
  #ready: AuditEvent[] = [];
  #newest = -1;
  readonly #timeout: number;

  /** Creates an assembler. */
  constructor(options: AssembleOptions = {}) {
    this.#timeout = options.eoeTimeout ?? 2;
  }

  /** Adds a record. */
  push(r: AuditRecord): void {
    const open = this.#open;
    let event: AuditEvent | undefined;
    for (let i = open.length - 1; i >= 0; i--) {
      if (sameEvent(open[i], r)) {
        event = open[i];
        break;
      }
    }
    if (event) {
      event.records.push(r);
      if (endsEvent(r.type)) this.#finish(event);
    } else if (r.type !== RecordType.EOE) {
      event = new AuditEvent(r);
      open.push(event);
      if (endsEvent(r.type)) this.#finish(event);
    }
    if (r.sec > this.#newest) {
      this.#newest = r.sec;
      for (let i = 0; i < open.length; i++) {
        const e = open[i];
        if (e.sec + this.#timeout <= r.sec) this.#finish(e);
      }
    }
  }

  #finish(e: AuditEvent): void {
    if (e.complete) return;
    e.complete = true;
    const i = this.#open.indexOf(e);
    if (i >= 0) this.#open.splice(i, 1);
    this.#ready.push(e);
  }

  /** Completes every open event (end of input). */
  flush(): void {
    for (const e of [...this.#open]) this.#finish(e);
  }

  /**
   * Takes the complete events, lowest time stamp first. As in ausearch, a
   * complete event waits while an older event is still open, so events come
   * out in time order.
   */
  drain(): AuditEvent[] {
    const ready = this.#ready;
    if (ready.length === 0) return ready;
    if (ready.length > 1) ready.sort(earlier);
    let oldest: AuditEvent | undefined;
    for (const e of this.#open) if (!oldest || earlier(e, oldest) < 0) oldest = e;
    if (!oldest) {
      this.#ready = [];
      return ready;
    }
    let n = 0;
    while (n < ready.length && earlier(ready[n], oldest) < 0) n++;
    if (n === 0) return [];
    this.#ready = ready.slice(n);
    return ready.slice(0, n);
  }

  /** How many events are still open. */
  get pending(): number {
    return this.#open.length;
  }
}

/** Options of {@link readEvents}. */
export interface ReadEventsOptions extends ReadOptions, AssembleOptions {}

/**
 * Reads a log and yields its events in batches (the fast path behind
 * {@link readEvents}).
 *
 * @example
 * ```ts
 * import { eventBatches } from "./assemble.ts";
 * let n = 0;
 * for await (const batch of eventBatches("/var/log/audit/audit.log")) n += batch.length;
 * ```
 */
export async function* eventBatches(
  input: LogInput,
  options: ReadEventsOptions = {},
): AsyncGenerator<AuditEvent[]> {
  const asm = new EventAssembler(options);
  for await (const batch of recordBatches(input, options)) {
    for (let i = 0; i < batch.length; i++) asm.push(batch[i]);
    const ready = asm.drain();
    if (ready.length) yield ready;
  }
  asm.flush();
  const rest = asm.drain();
  if (rest.length) yield rest;
}

/**
 * Reads a log (a path, several paths in order, `-` for stdin, bytes or a
 * stream) and yields its events as libauparse assembles them.
 *
 * @example
 * ```ts
 * import { readEvents } from "./assemble.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) {
 *   console.log(ev.id, ev.records.map((r) => r.typeName).join(","));
 * }
 * ```
 */
export async function* readEvents(
  input: LogInput,
  options: ReadEventsOptions = {},
): AsyncGenerator<AuditEvent> {
  for await (const batch of eventBatches(input, options)) yield* batch;
}

/**
 * The events of a log as a `ReadableStream` (pull-based: the file is read as
 * the stream is consumed; cancelling the stream stops the reading).
 *
 * @example
 * ```ts
 * import { eventStream } from "./assemble.ts";
 * for await (const ev of eventStream("/var/log/audit/audit.log")) console.log(ev.id);
 * ```
 */
export function eventStream(
  input: LogInput,
  options: ReadEventsOptions = {},
): ReadableStream<AuditEvent> {
  const it = readEvents(input, options);
  return new ReadableStream<AuditEvent>({
    async pull(controller) {
      const { done, value } = await it.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await it.return(undefined);
    },
  }, { highWaterMark: 64 });
}
