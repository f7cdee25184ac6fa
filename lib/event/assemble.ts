/**
 * Event assembly as libauparse 3.0.9 (and ausearch/aureport) do it: records
 * with the same time stamp, serial and node form one event; an event is
 * complete when a record that ends events arrives, when the newest record
 * seen is `eoeTimeout` seconds later (log time), or at the end of input.
 *
 * Live sources add two bounds the log reader does not use: a wall-clock
 * timeout ({@link EventAssembler.expire}: an event whose last record never
 * comes is released) and a bound on events in flight (`maxInFlight`).
 *
 * @module
 */

import type { AuditRecord } from "./record.ts";
import {
  ChunkRecycler,
  type LogInput,
  type ReadOptions,
  recordBatches,
  type RecyclingReadOptions,
} from "../source/file.ts";
import { endsEvent, RecordType } from "./types.ts";

/** Set by {@link AuditEvent}'s static block: the private cache of an event. */
let cacheOf: (event: AuditEvent) => EventCache;

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
  /** What other modules compute once per event ({@link eventCache}). */
  #cache: EventCache | undefined = undefined;

  static {
    cacheOf = (event) => event.#cache ??= {};
  }

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
  /**
   * The event's SYSCALL context (`eventContext`, an `InterpretContext`):
   * untyped here, as the event layer imports nothing of the layers above.
   */
  context?: unknown;
}

/** The per-event cache of `event`. */
export function eventCache(event: AuditEvent): EventCache {
  return cacheOf(event);
}

/**
 * An event as the assembler builds it: its bookkeeping stays off the public
 * {@link AuditEvent} type (the objects handed out are these).
 */
class OpenEvent extends AuditEvent {
  /** Set when the assembler decided the event is complete. */
  complete = false;
  /**
   * With `order: "ausearch"`: set when ausearch would take the event as
   * complete (it may go out only then, even when {@link complete} is set).
   */
  ready = false;
  /** The slot of the event array (libauparse's or ausearch's) it takes. */
  slot = -1;
  /** The next open event with the same serial (the assembler's chain). */
  nextOpen: OpenEvent | undefined = undefined;
  /** The read chunk its first record came from (see {@link EventAssembler.epoch}). */
  epoch = 0;
  /** The read chunk its last record came from. */
  lastEpoch = 0;
  /** The read chunks of its records after the first, when not all from one. */
  epochs: number[] | undefined = undefined;
  /** {@link EventAssembler.clock} when its last record came (live sources). */
  arrived = 0;
  /** `keep` turned it down: its records are gone, it keeps its place in the order only. */
  dropped = false;
  /** The type of its first record (what ausearch's order looks at; kept when it is dropped). */
  readonly firstType: number = this.records[0].type;
}

/**
 * Whose completion rules the assembler follows:
 * - `"libauparse"` (default): libauparse 3.0.9. A record that ends events
 *   (PROCTITLE, EOE, types below 1300 or from 2100, ...) completes its event
 *   when it arrives; every record moves the clock for the timeout. Complete
 *   events are handed out when a new event starts (and at the end of
 *   input), lowest time stamp first, an older open event holding back the
 *   newer ones; equal time stamps go in the order of their array slots.
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
  /**
   * With libauparse's rules: records come one at a time, as `auparse_feed`
   * takes them (ausearch feeds each event's records so for its csv and text
   * formats). libauparse then hands out complete events before it reads each
   * record, not only after one starts a new event, which changes their order
   * when several share a time stamp.
   */
  feed?: boolean;
  /**
   * With libauparse's rules: hand the events out in the order ausearch and
   * aureport 3.0.9 print them (`"ausearch"`), not libauparse's (default).
   * Records are grouped as libauparse groups them either way; but ausearch
   * (its `check_events` and `get_ready_event`) takes an event as complete
   * only when its *first* record is of a one-record type, or when an event
   * starts `eoeTimeout` seconds after it (or at the end of input), and hands
   * out only the event with the lowest time stamp, when complete: an event
   * starting with a SYSCALL holds back every later-stamped event for that
   * long, even after its PROCTITLE, and an event stamped before those but
   * written after them (auditd writes a syscall's records when it ends)
   * still goes first. Events are then held about `eoeTimeout` seconds of
   * log time, as ausearch holds them.
   */
  order?: "libauparse" | "ausearch";
  /**
   * At most this many events in flight (open; with `order: "ausearch"`,
   * also complete ones ausearch would not yet take as complete): when a new
   * event would exceed it, the oldest is completed and handed out as it is.
   * Complete events held back only to go out in time order, behind an older
   * open one, are not counted: records of a task preempted while the kernel
   * writes them come after many complete events of other tasks, and a
   * bound on those released the event before its end. They wait until the
   * older event completes (its end, `eoeTimeout` seconds of log time, a live
   * source's timeout, or this bound). Unbounded by default (the log reader's
   * behaviour).
   */
  maxInFlight?: number;
  /**
   * Called once with each event when it is complete (its records are then
   * final), before it may go out: an event it returns false for is never
   * handed out, and its records are let go at once rather than held until
   * its turn. What only picks events (a search's criteria) keeps held
   * memory to the events it picks, most of all with `order: "ausearch"`,
   * which holds complete events about `eoeTimeout` seconds of log time.
   */
  keep?: (event: AuditEvent) => boolean;
  /**
   * Called with each event `keep` turned down, when its turn to go out
   * comes: its records are gone, its time stamp, serial and node remain.
   * The events handed out before it are those {@link EventAssembler.drain}
   * has given or gives next ({@link EventAssembler.undrained} of them not
   * yet); {@link eventBatches} calls it between its batches, in order.
   * What `keep` took from the event can be used in order here.
   */
  onTurn?: (event: AuditEvent) => void;
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
 * import { readRecords } from "../source/file.ts";
 * const asm = new EventAssembler({ eoeTimeout: 2 });
 * for await (const r of readRecords("/var/log/audit/audit.log")) {
 *   asm.push(r);
 *   for (const ev of asm.drain()) console.log(ev.id);
 * }
 * asm.flush();
 * ```
 */
export class EventAssembler {
  // both rules keep an array of events (libauparse's au_lol, ausearch's lol), modelled here
  /**
   * Open (building) events by serial, except {@link #last}: the first, the
   * others chained by `nextOpen`.
   */
  #bySerial = new Map<number, OpenEvent>();
  /**
   * The event started last. It enters the map only when another starts
   * while it is still open: most events end (PROCTITLE, EOE) before the
   * next starts and never do, and most records join the newest event.
   */
  #last: OpenEvent | undefined;
  /** Events in the array, open or complete, lowest (time, slot) first (a heap). */
  #live: OpenEvent[] = [];
  /**
   * Open events by second, for the timeout (a heap; complete ones are
   * skipped); as for the map, {@link #last} enters it only when another
   * event starts while it is open.
   */
  #timeouts: OpenEvent[] = [];
  /**
   * With `order: "ausearch"`: the events ausearch would not yet take as
   * complete (their first record not of a one-record type), by second (a heap).
   */
  #unready: OpenEvent[] = [];
  /** Free array slots (a heap) and the next never used one: a new event takes the lowest. */
  #freeSlots: number[] = [];
  #nextSlot = 0;
  /** Events counted against `maxInFlight`: open (with `order: "ausearch"`, or not yet ready). */
  #inFlight = 0;
  /** Events handed out (in the order the rules hand them out), waiting for {@link drain}. */
  #out: OpenEvent[] = [];
  /**
   * The read chunk the records pushed next come from, when the caller reuses
   * its read buffers: {@link holds} tells which chunks the events not yet
   * handed out still read.
   */
  epoch = 0;
  /**
   * By read chunk: how many events not yet handed out have records from it
   * (an array that grows in place: replacing it would make V8 recompile the
   * methods that read it).
   */
  #holding: number[] = [0];

  /**
   * The wall-clock time (milliseconds) to stamp the events that the next
   * records start or join with, for {@link expire}; live sources set it
   * before they push.
   */
  clock = 0;

  /**
   * Called with each event completed before a record ended it: by the bound
   * on events in flight, by `eoeTimeout` or by {@link expire} (not at
   * {@link flush}). A live source marks its later records as late at once:
   * the rest of the event may follow in the same batch of records, before
   * the event is even handed out.
   */
  onCutShort: ((event: AuditEvent) => void) | undefined = undefined;

  readonly #timeout: number;
  readonly #ausearch: boolean;
  readonly #feed: boolean;
  readonly #ausearchOrder: boolean;
  readonly #maxInFlight: number;
  readonly #keep: ((event: AuditEvent) => boolean) | undefined;
  readonly #onTurn: ((event: AuditEvent) => void) | undefined;

  /** Creates an assembler. */
  constructor(options: AssembleOptions = {}) {
    this.#timeout = options.eoeTimeout ?? 2;
    this.#ausearch = options.rules === "ausearch";
    this.#feed = options.feed === true && !this.#ausearch;
    // ausearch's rules hand events out in ausearch's order already
    this.#ausearchOrder = options.order === "ausearch" && !this.#ausearch;
    const max = options.maxInFlight ?? Infinity;
    if (!(max >= 1) || (max !== Infinity && !Number.isInteger(max))) {
      throw new RangeError(`Cannot bound events in flight to "${max}": must be an integer from 1`);
    }
    this.#maxInFlight = max;
    this.#keep = options.keep;
    this.#onTurn = options.onTurn;
  }

  /**
   * Adds a record. It joins the open event with its time stamp, serial and
   * node, or starts one in the lowest free slot of the array (a lone EOE
   * starts none). The clock then moves to the record's second: open events
   * `eoeTimeout` seconds older are complete. Then, by the rules:
   * - libauparse: a record of a type that ends events completes its event,
   *   and every record moves the clock; events are handed out after a new
   *   one started: while the lowest (time stamp, then slot) is complete, it
   *   goes and frees its slot (with `feed`, also before each record is read);
   * - ausearch: joining an event completes nothing and moves no clock; a new
   *   event of a one-record type is complete at once.
   *
   * With `order: "ausearch"`, an event goes out only when ausearch's rules
   * would also have completed it.
   */
  push(r: AuditRecord): void {
    const ausearch = this.#ausearch;
    // fed records: what is complete goes before the record is read
    if (this.#feed) this.#release();
    const e = this.#openEvent(r);
    if (e !== undefined) {
      e.records.push(r);
      e.arrived = this.clock;
      if (e.lastEpoch !== this.epoch) this.#hold(e);
      if (!ausearch) {
        this.#timeOut(r.sec);
        if (endsEvent(r.type)) this.#complete(e);
      }
      return;
    }
    if (r.type === RecordType.EOE) return;
    const event = this.#start(r);
    this.#timeOut(r.sec);
    if (ausearch ? singleRecordType(r.type) : endsEvent(r.type)) this.#complete(event);
    if (this.#ausearchOrder) this.#ready(event, r.sec);
    this.#release();
    const live = this.#live;
    // after a release the lowest event is one counted in flight
    while (this.#inFlight > this.#maxInFlight) {
      this.#force(live[0]);
      this.#release();
    }
  }

  /**
   * ausearch's `check_events` when new event `e` starts at second `sec`: it
   * is complete at once when its first record is of a one-record type; the
   * events started `eoeTimeout` or more seconds before `sec` are complete.
   */
  #ready(e: OpenEvent, sec: number): void {
    const unready = this.#unready;
    if (singleRecordType(e.firstType)) this.#setReady(e);
    else heapPush(unready, e, secondOrder);
    while (unready.length > 0 && unready[0].sec + this.#timeout <= sec) {
      this.#setReady(heapPop(unready, secondOrder)!);
    }
  }

  /** Marks `e` complete by ausearch's rules too (see {@link #ready}). */
  #setReady(e: OpenEvent): void {
    if (e.ready) return;
    e.ready = true;
    if (this.#ausearchOrder && e.complete) this.#inFlight--;
  }

  /** Completes `e` under every rule (live sources' bounds). */
  #force(e: OpenEvent): void {
    if (!e.complete) this.onCutShort?.(e);
    this.#complete(e);
    this.#setReady(e);
  }

  /** Completes `e`, open when an event `eoeTimeout` seconds newer came. */
  #timedOut(e: OpenEvent): void {
    this.onCutShort?.(e);
    this.#complete(e);
  }

  /**
   * Completes the open events whose last record came `timeoutMs` or more
   * before `now` (wall clock, as {@link clock} stamped them), then hands out
   * what is complete, lowest time stamp first (an event completed by a
   * record that joined it waits for this or for the next event to start).
   * `onExpired` is called with each event so completed (it may still wait
   * behind an older open one before it is handed out).
   *
   * @example
   * ```ts
   * import { EventAssembler } from "./assemble.ts";
   * import { AuditRecord } from "./record.ts";
   * const asm = new EventAssembler();
   * asm.clock = 1000;
   * asm.push(new AuditRecord(new TextEncoder().encode("type=SYSCALL msg=audit(1.000:1): x=1")));
   * asm.expire(4000, 2000);
   * asm.drain().length; // 1
   * ```
   */
  expire(now: number, timeoutMs: number, onExpired?: (event: AuditEvent) => void): void {
    const live = this.#live;
    for (let i = 0; i < live.length; i++) {
      const e = live[i];
      if (!(e.complete && (e.ready || !this.#ausearchOrder)) && e.arrived + timeoutMs <= now) {
        this.#force(e);
        onExpired?.(e);
      }
    }
    this.#release();
  }

  /** Completes the open events started `eoeTimeout` or more seconds before `sec`. */
  #timeOut(sec: number): void {
    const last = this.#last;
    if (last !== undefined && !last.complete && last.sec + this.#timeout <= sec) {
      this.#timedOut(last);
    }
    const timeouts = this.#timeouts;
    while (timeouts.length > 0) {
      const top = timeouts[0];
      if (top.complete) heapPop(timeouts, secondOrder);
      else if (top.sec + this.#timeout <= sec) {
        this.#timedOut(heapPop(timeouts, secondOrder)!);
      } else break;
    }
  }

  /** The open event `r` belongs to (its time stamp, serial and node), if any. */
  #openEvent(r: AuditRecord): OpenEvent | undefined {
    const last = this.#last;
    if (last !== undefined && !last.complete && sameEvent(last, r)) return last;
    for (let e = this.#bySerial.get(r.serial); e !== undefined; e = e.nextOpen) {
      if (sameEvent(e, r)) return e;
    }
    return undefined;
  }

  /** A new open event for `r` in the lowest free slot. */
  #start(r: AuditRecord): OpenEvent {
    const event = new OpenEvent(r);
    event.arrived = this.clock;
    const last = this.#last;
    if (last !== undefined && !last.complete) {
      this.#index(last);
      heapPush(this.#timeouts, last, secondOrder);
    }
    event.epoch = event.lastEpoch = this.epoch;
    this.#count(this.epoch);
    event.slot = this.#freeSlots.length > 0
      ? heapPop(this.#freeSlots, numberOrder)!
      : this.#nextSlot++;
    this.#last = event;
    this.#inFlight++;
    heapPush(this.#live, event, liveOrder);
    return event;
  }

  /** Puts open event `e` in the map, chained after the open events of its serial. */
  #index(e: OpenEvent): void {
    const first = this.#bySerial.get(e.serial);
    if (first === undefined) this.#bySerial.set(e.serial, e);
    else {
      let p = first;
      while (p.nextOpen !== undefined) p = p.nextOpen;
      p.nextOpen = e;
    }
  }

  #complete(e: OpenEvent): void {
    if (e.complete) return;
    e.complete = true;
    if (!this.#ausearchOrder || e.ready) this.#inFlight--;
    if (this.#keep !== undefined && !this.#keep(e)) this.#drop(e);
    // the newest event is not in the map
    if (e === this.#last) return;
    // out of its serial's chain
    const first = this.#bySerial.get(e.serial)!;
    if (first === e) {
      if (e.nextOpen === undefined) this.#bySerial.delete(e.serial);
      else this.#bySerial.set(e.serial, e.nextOpen);
    } else {
      let p = first;
      while (p.nextOpen !== e) p = p.nextOpen!;
      p.nextOpen = e.nextOpen;
    }
    e.nextOpen = undefined;
  }

  /**
   * Hands out events while the lowest in the array is complete (ausearch's
   * `get_ready_event`; with `order: "ausearch"`, complete by both rules).
   */
  #release(): void {
    const live = this.#live;
    const ausearchOrder = this.#ausearchOrder;
    while (live.length > 0 && live[0].complete && (!ausearchOrder || live[0].ready)) {
      const e = heapPop(live, liveOrder)!;
      heapPush(this.#freeSlots, e.slot, numberOrder);
      if (e.dropped) {
        this.#onTurn?.(e);
        continue;
      }
      this.#out.push(e);
      this.#leave(e);
    }
  }

  /** `keep` turned `e` down: its records and read chunks go now; it waits for its turn empty. */
  #drop(e: OpenEvent): void {
    e.dropped = true;
    e.records.length = 0;
    this.#leave(e);
  }

  /** `e`, which read chunks before, now also reads chunk {@link epoch}. */
  #hold(e: OpenEvent): void {
    e.lastEpoch = this.epoch;
    (e.epochs ??= []).push(this.epoch);
    this.#count(this.epoch);
  }

  /** One more event not yet handed out has records from read chunk `epoch`. */
  #count(epoch: number): void {
    const holding = this.#holding;
    while (holding.length <= epoch) holding.push(0);
    holding[epoch]++;
  }

  /** `e` is handed out: it holds its chunks no more. */
  #leave(e: OpenEvent): void {
    const holding = this.#holding;
    holding[e.epoch]--;
    const more = e.epochs;
    if (more !== undefined) { for (let i = 0; i < more.length; i++) holding[more[i]]--; }
  }

  /** Whether events not yet handed out have records from read chunk `epoch`. */
  holds(epoch: number): boolean {
    return epoch < this.#holding.length && this.#holding[epoch] > 0;
  }

  /** Completes every open event (end of input). */
  flush(): void {
    const last = this.#last;
    if (last !== undefined) this.#complete(last);
    for (const first of [...this.#bySerial.values()]) {
      for (let e: OpenEvent | undefined = first; e !== undefined;) {
        const next: OpenEvent | undefined = e.nextOpen;
        this.#complete(e);
        e = next;
      }
    }
    this.#timeouts = [];
    for (const e of this.#unready) this.#setReady(e);
    this.#unready = [];
    this.#release();
  }

  /** Takes the events handed out so far, in the order the rules hand them out. */
  drain(): AuditEvent[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  /** How many events are handed out and not yet taken by {@link drain}. */
  get undrained(): number {
    return this.#out.length;
  }

  /** How many events are still open. */
  get pending(): number {
    return this.#live.length;
  }
}

/** Orders events as ausearch picks them: time, then array slot. */
function liveOrder(a: OpenEvent, b: OpenEvent): number {
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
  // events `keep` turned down have their turn between the batches, in order: where each goes
  const onTurn = options.onTurn;
  const turns: { at: number; event: AuditEvent }[] = [];
  let drained = 0;
  const asm: EventAssembler = new EventAssembler(
    onTurn === undefined
      ? options
      : { ...options, onTurn: (event) => turns.push({ at: drained + asm.undrained, event }) },
  );
  /** `ready` (the next events drained) in batches, the turns between them in their places. */
  function* deliver(ready: AuditEvent[]): Generator<AuditEvent[]> {
    let from = 0;
    for (const t of turns) {
      const cut = t.at - drained;
      if (cut > from) {
        yield ready.slice(from, cut);
        from = cut;
      }
      onTurn!(t.event);
    }
    turns.length = 0;
    if (from < ready.length) yield from === 0 ? ready : ready.slice(from);
    drained += ready.length;
  }
  const onRecord = options.onRecord;
  // reused buffers: a chunk is free once no event still to be handed out has records from
  // it, and the consumer has asked for more after those handed out (the newest chunk may
  // also hold the start of a line, and is kept)
  const recycler = options.reuseBuffers === true ? new ChunkRecycler() : undefined;
  const read: RecyclingReadOptions = recycler ? { ...options, recycler } : options;
  for await (const batch of recordBatches(input, read)) {
    if (recycler) asm.epoch = recycler.next - 1;
    if (onRecord === undefined) {
      for (let i = 0; i < batch.length; i++) asm.push(batch[i]);
    } else {
      for (let i = 0; i < batch.length; i++) if (onRecord(batch[i]) !== false) asm.push(batch[i]);
    }
    const ready = asm.drain();
    if (turns.length > 0) yield* deliver(ready);
    else if (ready.length) {
      drained += ready.length;
      yield ready;
    }
    if (recycler) recycler.release(asm.epoch, asm);
  }
  if (options.flushAtEnd === false) return;
  asm.flush();
  yield* deliver(asm.drain());
}

/**
 * The events libauparse makes of the records of `event` when they are fed
 * to it on their own, as ausearch does for its csv and text formats: an
 * event grouped by ausearch's rules may hold records after a PROCTITLE or
 * EOE, which libauparse starts a new event with (a lone EOE is dropped),
 * handing out what is complete before it reads each record (`feed`).
 * An event grouped by libauparse's rules comes back as it is.
 *
 * @example
 * ```ts
 * import { readEvents, regroupAsLibauparse } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log", { rules: "ausearch" })) {
 *   for (const part of regroupAsLibauparse(ev)) console.log(part.records.length);
 * }
 * ```
 */
export function regroupAsLibauparse(event: AuditEvent): AuditEvent[] {
  const asm = new EventAssembler({ feed: true });
  // a line libauparse does not take as a record is skipped
  for (const r of event.records) if (!r.shortStamp) asm.push(r);
  asm.flush();
  return asm.drain();
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
  // the stream reads ahead of its reader: records must outlive the batch they came in
  const it = readEvents(input, { ...options, reuseBuffers: false });
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
