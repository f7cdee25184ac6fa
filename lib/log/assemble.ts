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
  /** @internal the slot of ausearch's event array it would take (ausearch rules) */
  slot = -1;

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
}

/** The per-event cache of `event`. */
export function eventCache(event: AuditEvent): EventCache {
  return event.cache ??= {};
}

/**
 * Whose completion rules the assembler follows:
 * - `"libauparse"` (default): libauparse 3.0.9. A record that ends events
 *   (PROCTITLE, EOE, types below 1300 or from 2100, ...) completes its event
 *   when it arrives; every record moves the clock for the timeout.
 * - `"ausearch"`: ausearch and aureport 3.0.9 (their own `ausearch-lol.c`).
 *   An event is complete at once only when its *first* record is of such a
 *   type; otherwise when a new event starts `eoeTimeout` seconds later, or
 *   at the end of input. Records arriving after a PROCTITLE still join their
 *   event.
 */
export type AssemblyRules = "libauparse" | "ausearch";

/** Options of the assembler. */
export interface AssembleOptions {
  /** Seconds of log time after which an open event is complete (default 2). */
  eoeTimeout?: number;
  /** The completion rules (default `"libauparse"`). */
  rules?: AssemblyRules;
}

/** ausearch's "known to be one record" types: an event starting with one is complete at once. */
function singleRecordType(type: number): boolean {
  return type === RecordType.PROCTITLE || type < 1300 || type >= 2100 ||
    type === RecordType.KERNEL || (type >= 1406 && type <= 1419);
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
  readonly #ausearch: boolean;

  /** Creates an assembler. */
  constructor(options: AssembleOptions = {}) {
    this.#timeout = options.eoeTimeout ?? 2;
    this.#ausearch = options.rules === "ausearch";
  }

  /** Adds a record. */
  push(r: AuditRecord): void {
    if (this.#ausearch) {
      this.#pushAusearch(r);
      return;
    }
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

  // --- ausearch rules: a model of ausearch-lol.c's array of events ---------
  /** Open (building) events by serial. */
  #bySerial = new Map<number, AuditEvent[]>();
  /** Events in the array, open or complete, lowest (time, slot) first (a heap). */
  #live: AuditEvent[] = [];
  /** Open events by second, for the timeout (a heap; complete ones are skipped). */
  #timeouts: AuditEvent[] = [];
  /** Free array slots (a heap) and the next never used one: a new event takes the lowest. */
  #freeSlots: number[] = [];
  #nextSlot = 0;
  /** Events handed out as ausearch hands them out, waiting for {@link drain}. */
  #out: AuditEvent[] = [];

  /** {@link push} with ausearch's rules (see {@link AssemblyRules}). */
  #pushAusearch(r: AuditRecord): void {
    const same = this.#bySerial.get(r.serial);
    if (same !== undefined) {
      for (const e of same) {
        if (sameEvent(e, r)) {
          // joining an event completes nothing
          e.records.push(r);
          return;
        }
      }
    }
    // a stray EOE does not start an event
    if (r.type === RecordType.EOE) return;
    const event = new AuditEvent(r);
    event.slot = this.#freeSlots.length > 0
      ? heapPop(this.#freeSlots, numberOrder)!
      : this.#nextSlot++;
    if (same !== undefined) same.push(event);
    else this.#bySerial.set(r.serial, [event]);
    heapPush(this.#live, event, liveOrder);
    heapPush(this.#timeouts, event, secondOrder);
    // a new event moves the clock: open events eoeTimeout seconds older are
    // done; the new one is done at once when its type is a one-record type
    const timeouts = this.#timeouts;
    while (timeouts.length > 0) {
      const top = timeouts[0];
      if (top.complete) heapPop(timeouts, secondOrder);
      else if (top.sec + this.#timeout <= r.sec) {
        this.#completeAusearch(heapPop(timeouts, secondOrder)!);
      } else break;
    }
    if (singleRecordType(event.type)) this.#completeAusearch(event);
    this.#release();
  }

  #completeAusearch(e: AuditEvent): void {
    if (e.complete) return;
    e.complete = true;
    const same = this.#bySerial.get(e.serial)!;
    if (same.length === 1) this.#bySerial.delete(e.serial);
    else same.splice(same.indexOf(e), 1);
  }

  /** Hands out events while the lowest in the array is complete (ausearch's `get_ready_event`). */
  #release(): void {
    const live = this.#live;
    while (live.length > 0 && live[0].complete) {
      const e = heapPop(live, liveOrder)!;
      heapPush(this.#freeSlots, e.slot, numberOrder);
      this.#out.push(e);
    }
  }

  /** The earliest open event (libauparse rules). */
  #oldestOpen(): AuditEvent | undefined {
    let oldest: AuditEvent | undefined;
    for (const e of this.#open) if (!oldest || earlier(e, oldest) < 0) oldest = e;
    return oldest;
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
    if (this.#ausearch) {
      for (const same of [...this.#bySerial.values()]) {
        for (const e of [...same]) this.#completeAusearch(e);
      }
      this.#timeouts = [];
      this.#release();
      return;
    }
    for (const e of [...this.#open]) this.#finish(e);
  }

  /**
   * Takes the complete events, lowest time stamp first. As in ausearch, a
   * complete event waits while an older event is still open, so events come
   * out in time order.
   */
  drain(): AuditEvent[] {
    if (this.#ausearch) {
      const out = this.#out;
      this.#out = [];
      return out;
    }
    const ready = this.#ready;
    if (ready.length === 0) return ready;
    if (ready.length > 1) ready.sort(earlier);
    const oldest = this.#oldestOpen();
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
    return this.#ausearch ? this.#live.length : this.#open.length;
  }
}

/** Orders events as ausearch picks them: time, then array slot. */
function liveOrder(a: AuditEvent, b: AuditEvent): number {
  return earlier(a, b) || a.slot - b.slot;
}

function secondOrder(a: AuditEvent, b: AuditEvent): number {
  return a.sec - b.sec;
}

function numberOrder(a: number, b: number): number {
  return a - b;
}

function heapPush<T>(heap: T[], item: T, order: (a: T, b: T) => number): void {
  let i = heap.length;
  heap.push(item);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (order(heap[parent], item) <= 0) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = item;
}

function heapPop<T>(heap: T[], order: (a: T, b: T) => number): T | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length === 0 || last === undefined) return top;
  let i = 0;
  const n = heap.length;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && order(heap[r], heap[l]) < 0 ? r : l;
    if (order(heap[c], last) >= 0) break;
    heap[i] = heap[c];
    i = c;
  }
  heap[i] = last;
  return top;
}

/** Options of {@link readEvents}. */
export interface ReadEventsOptions extends ReadOptions, AssembleOptions {
  /**
   * Called with each record before it is grouped; returning `false` leaves
   * the record out (as ausearch and aureport leave out records outside
   * `-ts`/`-te` before they group events).
   */
  onRecord?: (record: AuditRecord) => boolean | void;
  /**
   * Whether the events still open at the end of input are completed and
   * yielded (default true). ausearch `--checkpoint` leaves them for the next
   * run.
   */
  flushAtEnd?: boolean;
}

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
  const onRecord = options.onRecord;
  for await (const batch of recordBatches(input, options)) {
    if (onRecord === undefined) {
      for (let i = 0; i < batch.length; i++) asm.push(batch[i]);
    } else {
      for (let i = 0; i < batch.length; i++) if (onRecord(batch[i]) !== false) asm.push(batch[i]);
    }
    const ready = asm.drain();
    if (ready.length) yield ready;
  }
  if (options.flushAtEnd === false) return;
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
