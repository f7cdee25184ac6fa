/**
 * Live audit events: the kernel's stream (multicast or as the audit daemon)
 * or auditd's plugin stream, through the log reader's pipeline. Every
 * source makes {@link AuditRecord} objects from the line auditd would write
 * (`[node=N ]type=NAME msg=audit(...): ...`) with the log reader's
 * tokenizer, groups them with its {@link EventAssembler} (plus a wall-clock
 * timeout and a bound on events in flight), and hands out
 * {@link AuditEvent} objects that the interpretation, selection and format
 * modules take as they take events read from a log.
 *
 * Modes:
 * - `"multicast"` (default): joins AUDIT_NLGRP_READLOG (CAP_AUDIT_READ).
 *   Read-only, runs next to auditd, cannot stall the machine: the kernel
 *   drops what a slow listener does not read (ENOBUFS, counted).
 * - `"daemon"`: registers this process as the audit daemon (AUDIT_SET pid,
 *   unicast). Refused when another daemon with a live pid is registered.
 *   Unregistered on close, on abort, on SIGINT and SIGTERM (which then end
 *   the stream instead of the process: the loop over it ends as after
 *   close()), on an uncaught error or unhandled rejection and at unload. A
 *   process killed by SIGKILL cannot unregister, but its socket dies with
 *   it: the kernel's next send to it fails (ECONNREFUSED) and the kernel
 *   drops the registration then (checked on this kernel, see the tests). What
 *   no exit path covers is a process that stays alive and does not run (a
 *   stopped process: SIGSTOP stops every thread): once `backlog_limit`
 *   records are queued, every audited task waits up to `backlog_wait_time`
 *   per record. The reader thread (below) gives the kernel a daemon's
 *   backpressure, bounded: when its buffer is full it stops reading for up
 *   to `daemonWaitMs` (default 2 s) while the main thread takes records, so
 *   the backlog fills and audited tasks wait for a consumer that is slow
 *   but taking (the reader drops nothing, as with auditd). While the socket
 *   is full the kernel can fail a send: it then keeps the records in its
 *   retry queue (at most `backlog_limit`; beyond that it drops them, counted
 *   as `kernel`) and sends them again only with the next record it queues,
 *   so on a quiet machine they can come late (after their event's timeout:
 *   reported as late records, cause `input`). An event loop that takes
 *   nothing for that long (synchronous code, a consumer that stopped) makes
 *   them wait about that long, not `backlog_wait_time`: the reader then
 *   drops (`buffer`) until room is freed. The `"block"` queue policy (an
 *   unbounded stop) is refused in this mode.
 * - `"plugin"`: reads what auditd 3.0.9 hands a plugin with
 *   `format = string`: one line per record, `type=NAME msg=audit(...): ...`
 *   (RAW; auditd turns newlines into spaces) or, with `log_format =
 *   ENRICHED` or a `name_format`, the line as auditd logs it (`node=`, the
 *   0x1D enrichment), EOE records included. From standard input (an
 *   `/etc/audit/plugins.d/*.conf` with `type = always`), from a stream, or
 *   from auditd's builtin af_unix socket (`path = builtin_af_unix`, a
 *   socket path). Lines that are not records, longer than 64 KiB or cut by
 *   the end of the input are reported as `input` loss and skipped.
 *
 * Loss is never silent: each cause has a counter ({@link LossCounters}) and
 * comes in-band as a `loss` item. The causes are separate observations of
 * one stream, not parts of a sum: a record dropped by the kernel's rate
 * limit raises `kernel` and leaves a `gap`; a socket overrun raises
 * `socket` once per ENOBUFS and leaves gaps for the events it took.
 * - `kernel`: the increase of the kernel's `lost` counter (AUDIT_GET, read
 *   every second and at close, when this process may read the status) while
 *   the stream is open: records the kernel dropped for any reader (backlog
 *   full, rate limit, no memory), ours or auditd's.
 * - `socket`: ENOBUFS reports of the multicast socket: the kernel dropped
 *   records that did not fit in its receive buffer (at least one each). (The
 *   daemon's unicast socket reports ENOBUFS too, but there the kernel keeps
 *   the record and sends it again: not a loss, not counted.)
 * - `buffer`: records the reader thread dropped because its buffer
 *   (`bufferBytes`) was full: the main thread fell that far behind (in
 *   daemon mode: and took nothing for `daemonWaitMs`).
 *   `first`/`last` are the serials of the first and last dropped record; a
 *   record of the same event as the one dropped before it is dropped too,
 *   so most such events are dropped whole (and show as gaps).
 * - `gap`: serial numbers never seen, as exact ranges (`first`..`last`),
 *   counted once the source was caught up (below) `eventTimeoutMs` after a
 *   later serial came (records of concurrent events can come out of order); a
 *   missing serial is known only once a later one has arrived. The
 *   kernel takes a serial for an event when it starts its first record:
 *   syscalls no rule selects, records dropped by an exclude rule or by a
 *   full backlog take none, so every serial the kernel took belongs to a
 *   record it queued for its readers, and a missing one is an event of which
 *   no record reached this stream. Serials are counted per node; auditd's
 *   own DAEMON_* records (their own numbering) are left out.
 * - `queue`: events dropped because the consumer fell more than
 *   `queue.size` events behind, by `queue.policy`: `"drop-oldest"`
 *   (default), `"drop-newest"`, or `"block"` (stop reading: the kernel then
 *   drops for the multicast socket, auditd's queue fills for a plugin;
 *   refused in daemon mode). `first`/`last` are the serials of the first
 *   and last dropped events. The kernel sources rarely drop here: their
 *   records wait in the reader thread's buffer while the queue is full (so
 *   a slow consumer fills that buffer, and `buffer` counts what it drops;
 *   with `"block"` the reader stops reading instead, in daemon mode it
 *   waits up to `daemonWaitMs` first); only events the
 *   wall-clock timeout releases can still overflow the queue.
 * - `input` (an addition to the four causes of the issue): plugin lines
 *   that are not records, and late records; `reason` says why. A record
 *   that comes after its event was released before its end (by the
 *   wall-clock timeout or the bound on events in flight) is late: it is
 *   reported, not made into a second event with the same serial (as
 *   laurel's set of done events does); events so released are remembered
 *   for a minute.
 *
 * The wall-clock timeout (`eventTimeoutMs`) measures the producer's
 * silence, not this process's backlog: it counts only up to the latest
 * moment the source was caught up (had nothing unread). An event is
 * released once the source was caught up `eventTimeoutMs` after the event's
 * last record came, so records that waited unread in a pipe, a socket or
 * the reader thread's buffer while the main thread was busy or starved
 * still join their event. A kernel source is caught up when a take finds
 * the reader thread's buffer empty (it takes at least every 100 ms); the
 * plugin stream when a read of standard input or the socket returns less
 * than a full buffer (it took all there was), and when a read stays pending
 * across two of the stream's 100 ms ticks with the event loop on time
 * (after a stall, the late tick's timer runs before the input that came
 * meanwhile is read, so a late tick proves nothing; a stall of up to about
 * 200 ms may go unnoticed; a stream of the caller's is caught up only so).
 * The bound on events in flight and the end of the input release events
 * whatever the timeout.
 *
 * The kernel sources are drained by a reader thread (a Worker started from
 * the source text of a self-contained function, `_netlink_worker.ts`, so it
 * loads no module file and needs no permission but FFI): it waits in
 * `poll`, receives up to 32 records per `recvmmsg` and copies them into a
 * ring in a SharedArrayBuffer
 * (`bufferBytes`, default {@link LIVE_READ_BUFFER}); the main thread takes
 * them in batches (woken with `Atomics.waitAsync`) and runs the pipeline.
 * The reader has its own duplicate of the socket; it stops and closes it
 * before `close()` resolves. The plugin stream is read with the runtime's
 * nonblocking reads. Nothing keeps the process alive once the stream is
 * closed (its timer is unref'd and cleared, the reader thread ended).
 *
 * @module
 */

import { audit, c } from "../_native.ts";
import { openAudit } from "../client.ts";
import { AuditError } from "../errors.ts";
import { LostCounter } from "./_lost_counter.ts";
import { type AuditEvent, EventAssembler } from "../event/assemble.ts";
import { endsEvent } from "../event/types.ts";
import { type AuditRecord, FieldPool, scanLines } from "../event/record.ts";
import {
  AUDIT_NLGRP_READLOG,
  checkReceiveBuffer,
  duplicate,
  KernelLines,
  openAuditSocket,
  receiveArea,
  sendUnregister,
} from "./_netlink.ts";
import {
  type ReaderDone,
  readerSource,
  readerStart,
  type ReaderStarted,
} from "./_netlink_worker.ts";
import { allocateRing, MAX_RING, MIN_RING, type RingLoss, RingReader } from "./_record_ring.ts";

/** Where the events come from (see the module documentation). */
export type LiveMode = "multicast" | "daemon" | "plugin";

/** What to do with events when the consumer falls behind. */
export type QueuePolicy = "drop-oldest" | "drop-newest" | "block";

/** Options of {@link openLive}. */
export interface LiveOptions {
  /** The source (default `"multicast"`). */
  mode?: LiveMode;
  /** Ends the stream promptly and releases everything (sockets, registration, timer). */
  signal?: AbortSignal;
  /**
   * The plugin stream: standard input (default), a byte stream, or the path
   * of auditd's builtin af_unix socket.
   */
  plugin?: { input?: ReadableStream<Uint8Array> | string };
  /**
   * Milliseconds (wall clock) the source must have been silent after an
   * event's last record before the event, its end never come, is released
   * as it is (the time counts only up to the latest moment the source had
   * nothing unread: see the module documentation); also how long a missing
   * serial may be late before it counts as a gap. Default 2000.
   */
  eventTimeoutMs?: number;
  /**
   * At most this many events being assembled; the oldest is released beyond
   * it (complete events waiting behind an older open one to go out in time
   * order do not count). Default 256.
   */
  maxInFlight?: number;
  /**
   * The queue of events the consumer has not taken yet: `size` events
   * (default 8192), then `policy` (default `"drop-oldest"`, which never
   * stalls anything). The kernel sources take records from their reader
   * thread's buffer only while the queue has room: there the records wait,
   * and the policy applies when that buffer is full (drop, or with
   * `"block"` stop reading).
   */
  queue?: { size?: number; policy?: QueuePolicy };
  /**
   * The netlink socket's receive buffer in bytes (default
   * {@link LIVE_RECEIVE_BUFFER}): what absorbs a burst while the consumer is
   * busy. Set with SO_RCVBUFFORCE, so a privileged reader may pass
   * `net.core.rmem_max`; without CAP_NET_ADMIN the kernel caps it there.
   */
  receiveBufferBytes?: number;
  /**
   * The kernel sources' reader thread buffer in bytes (default
   * {@link LIVE_READ_BUFFER}, at least 16384, at most 2^30): records the
   * reader thread took off the socket and the main thread has not taken yet.
   * When it is full the reader thread drops records (`buffer` loss), or with
   * the `"block"` queue policy stops reading until there is room; in daemon
   * mode it waits for room up to `daemonWaitMs` first.
   */
  bufferBytes?: number;
  /**
   * Daemon mode: how long (ms, default 2000) the reader thread waits for
   * room in its full buffer before it drops records (`buffer` loss). While
   * it waits it does not read, so the kernel's backlog fills and audited
   * tasks wait (auditd's backpressure): a consumer that keeps taking, however
   * slowly, loses nothing. A main thread that takes nothing for this long
   * (synchronous code, a consumer that stopped) makes them wait about this
   * long, not `backlog_wait_time`: the reader then drops without waiting
   * until room is freed again.
   */
  daemonWaitMs?: number;
}

/**
 * The default receive buffer of the kernel sources: 8 MiB, about 20,000
 * records of a busy host (the kernel's default, `net.core.rmem_default`, is
 * about 200 KiB: a fraction of a second of a burst).
 *
 * @example
 * ```ts
 * import { LIVE_RECEIVE_BUFFER } from "../../mod.ts";
 * LIVE_RECEIVE_BUFFER; // 8388608
 * ```
 */
export const LIVE_RECEIVE_BUFFER = 8 << 20;

/**
 * The default buffer of the kernel sources' reader thread: 32 MiB, about
 * 100,000 records (several seconds of a busy host, tens of seconds of a
 * quiet one) that the main thread may fall behind before records are
 * dropped.
 *
 * @example
 * ```ts
 * import { LIVE_READ_BUFFER } from "../../mod.ts";
 * LIVE_READ_BUFFER; // 33554432
 * ```
 */
export const LIVE_READ_BUFFER = 32 << 20;

/** Why events were lost (see the module documentation). */
export type LossCause = "kernel" | "socket" | "buffer" | "gap" | "queue" | "input";

/** A loss, in-band. */
export interface LossItem {
  /** Its cause. */
  cause: LossCause;
  /**
   * How many: records (kernel, buffer), overruns (socket), serials (gap),
   * events (queue), lines or late records (input).
   */
  count: number;
  /**
   * gap: the first missing serial; queue: the serial of the first dropped
   * event; buffer: the serial of the first dropped record.
   */
  first?: number;
  /**
   * gap: the last missing serial; queue: the serial of the last dropped
   * event; buffer: the serial of the last dropped record.
   */
  last?: number;
  /** input: why the line or record was skipped. */
  reason?: string;
  /** When it was noticed (milliseconds since the epoch). */
  time: number;
}

/** Losses so far, by cause. */
export interface LossCounters {
  /** The kernel's `lost` counter's increase while the stream is open. */
  kernel: number;
  /** ENOBUFS overruns of the socket. */
  socket: number;
  /** Records the reader thread dropped because its buffer was full. */
  buffer: number;
  /** Serials never seen. */
  gap: number;
  /** Events dropped by the queue policy. */
  queue: number;
  /** Plugin lines skipped as not records, and late records of released events. */
  input: number;
}

/** One item of a live stream: an event, or a loss. */
export type LiveItem = { kind: "event"; event: AuditEvent } | { kind: "loss"; loss: LossItem };

/**
 * A live stream of events and losses. Iterate it once with `for await`;
 * close it with `using`/`await using`, {@link LiveStream.close} or the
 * signal. Errors opening the source (no permission, another daemon) are
 * thrown by the iteration.
 */
export interface LiveStream extends AsyncIterable<LiveItem>, Disposable, AsyncDisposable {
  /** Losses so far, by cause. */
  readonly counters: LossCounters;
  /**
   * Resolves once the source reads (the socket joined, the daemon
   * registered, the plugin socket connected); rejects as the iteration
   * would when it cannot be opened.
   */
  readonly ready: Promise<void>;
  /**
   * The same items as the iteration, in the same order, as arrays: each
   * holds every item there is when it is taken (losses first, as the
   * iteration gives them), so a consumer handles a burst without an await
   * per item and takes events out of the queue as fast as they come. Use
   * it or the iteration, once.
   *
   * @example
   * ```ts ignore
   * import { openLive } from "../../mod.ts";
   * await using live = openLive({ signal: AbortSignal.timeout(10_000) });
   * for await (const items of live.batches()) console.log(items.length, "items");
   * ```
   */
  batches(): AsyncGenerator<LiveItem[]>;
  /** Ends the stream and releases everything; resolves once the reading stopped. */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_IN_FLIGHT = 256;
const DEFAULT_QUEUE = 8192;
/** Default {@link LiveOptions.daemonWaitMs}. */
const DAEMON_WAIT_MS = 2000;
const TICK_MS = 100;
/** A tick at most this long after the one before is on time (see {@link Live}'s `#tick`). */
const ON_TIME_MS = 2 * TICK_MS;
/** Room a waiting source is given before it goes on: a batch of events. */
const ROOM_BATCH = 1024;
const LOST_POLL_MS = 1000;
/** Longest plugin line taken: auditd's are below 9 KiB, ENRICHED adds the names. */
const MAX_PLUGIN_LINE = 65536;
const EEXIST = 17;
const WAIT_NO = 0;
const AUDIT_REPLACE = 1329;
const AUDIT_EOE = 1320;
// auditd's own records (DAEMON_START ...): numbered by auditd, not in the kernel's serials
const AUDIT_FIRST_DAEMON = 1200;
const AUDIT_LAST_DAEMON = 1299;
const TWO32 = 2 ** 32;
/** A step forward bigger than this is a restart of the numbering, not a gap. */
const SERIAL_WINDOW = 2 ** 24;
const MAX_MISSING_RANGES = 4096;
/** How long an event released before its end is remembered, to know its late records. */
const RELEASED_MS = 60_000;
/** At most this many such events remembered (the oldest are forgotten first). */
const MAX_RELEASED = 65536;

/** An event completed before its last record came (see {@link Live}'s `#released`). */
interface Released {
  event: AuditEvent;
  at: number;
}

/** A missing range of serials, unwrapped (see {@link SerialGaps}). */
interface Missing {
  from: number;
  to: number;
  since: number;
}

/**
 * Serials seen on one node: forward steps leave missing ranges, late
 * records fill them, and ranges older than the timeout are gaps.
 * Arithmetic is modulo 2^32 (values are unwrapped onto a line).
 *
 * @example
 * ```ts
 * import { SerialGaps } from "./live.ts";
 * const g = new SerialGaps();
 * for (const s of [7, 10, 8]) g.see(s, 0);
 * g.due(5000, 2000); // [{ first: 9, last: 9, count: 1 }]
 * ```
 */
export class SerialGaps {
  #last: number | undefined;
  #missing: Missing[] = [];

  /** Takes the serial of a record seen at `now`. */
  see(serial: number, now: number): void {
    const last = this.#last;
    if (last === undefined) {
      this.#last = serial;
      return;
    }
    const d = (serial - (last % TWO32) + TWO32) % TWO32;
    if (d === 0) return;
    if (d < SERIAL_WINDOW) {
      const u = last + d;
      if (d > 1) this.#missing.push({ from: last + 1, to: u - 1, since: now });
      this.#last = u;
      return;
    }
    const back = TWO32 - d;
    if (back >= SERIAL_WINDOW) {
      // a new numbering (a reboot behind a plugin stream): start over
      this.#last = serial;
      return;
    }
    this.#fill(last - back);
  }

  #fill(u: number): void {
    const m = this.#missing;
    for (let i = 0; i < m.length; i++) {
      const r = m[i];
      if (u < r.from || u > r.to) continue;
      if (r.from === r.to) m.splice(i, 1);
      else if (u === r.from) r.from++;
      else if (u === r.to) r.to--;
      else m.splice(i + 1, 0, { from: u + 1, to: r.to, since: r.since }), r.to = u - 1;
      return;
    }
  }

  /** Takes the ranges missing since `timeoutMs` before `now` (all with `all`), as serials. */
  due(
    now: number,
    timeoutMs: number,
    all = false,
  ): { first: number; last: number; count: number }[] {
    const out: { first: number; last: number; count: number }[] = [];
    const keep: Missing[] = [];
    const m = this.#missing;
    const excess = m.length - MAX_MISSING_RANGES;
    for (let i = 0; i < m.length; i++) {
      const r = m[i];
      if (all || i < excess || r.since + timeoutMs <= now) {
        out.push({ first: r.from % TWO32, last: r.to % TWO32, count: r.to - r.from + 1 });
      } else keep.push(r);
    }
    this.#missing = keep;
    return out;
  }
}

/**
 * What a source gives the live stream: the kernel and plugin readers use
 * it, and {@link openLiveFrom} hands it to a reader of the caller's.
 */
export interface LiveSink {
  /** Whether the stream was closed (the source then stops). */
  readonly closed: boolean;
  /** The source reads: {@link LiveStream.ready} resolves. */
  opened(): void;
  /** Records taken from the source, in its order (the array may be reused once this returns). */
  records(batch: AuditRecord[]): void;
  /** A loss the source saw. */
  loss(cause: LossCause, count: number, extra?: Partial<LossItem>): void;
  /**
   * The source had nothing unread at `at` (milliseconds since the epoch):
   * everything it was sent before then has gone to {@link records}.
   */
  caughtUp(at: number): void;
  /**
   * `read`, a read of the source made with nothing at hand, while it is
   * pending: the stream takes the source as caught up at each of its ticks
   * that the read outlives with the event loop on time.
   */
  waiting<T>(read: Promise<T>): Promise<T>;
  /** Resolves once the queue has room (always: whatever the policy). */
  room(always?: boolean): Promise<void>;
  /** Events the queue takes before it is full. */
  space(): number;
  /** Runs `fn` when the stream is closed (at once if it is). */
  onClose(fn: () => void): void;
  /** Closes the stream. */
  close(): Promise<void>;
}

function positiveInteger(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
    throw new RangeError(`Cannot set ${name} to "${v}": must be a positive integer`);
  }
}

class Live implements LiveStream, LiveSink {
  readonly counters: LossCounters = {
    kernel: 0,
    socket: 0,
    buffer: 0,
    gap: 0,
    queue: 0,
    input: 0,
  };
  readonly #asm: EventAssembler;
  readonly #timeoutMs: number;
  readonly #size: number;
  readonly #policy: QueuePolicy;
  readonly #signal: AbortSignal | undefined;
  #events: AuditEvent[] = [];
  #head = 0;
  #losses: LossItem[] = [];
  #gaps = new Map<string, SerialGaps>();
  /**
   * The latest time the source had nothing unread ({@link caughtUp}): the
   * wall-clock timeout and the gaps count up to it, not up to now, so that
   * input waiting unread (the consumer behind, the thread starved) is never
   * taken for the producer's silence.
   */
  #caughtUp = 0;
  /** The source's pending read ({@link waiting}) and the tick that last saw it pending. */
  #wait: { seen: number } | undefined;
  /**
   * Events completed before their end (by the wall-clock timeout, or handed
   * out without a record that ends events), by serial, and the same in the
   * order they were remembered: a record of one of them is late, not the
   * start of another event.
   */
  #released = new Map<number, Released[]>();
  #releasedOrder: Released[] = [];
  #releasedHead = 0;
  #wake: (() => void) | undefined;
  #space: (() => void) | undefined;
  /** {@link room} resolves once the queue holds this many events or fewer. */
  #spaceAt = 0;
  #closed = false;
  #ended = false;
  #error: unknown = undefined;
  #closers: (() => void)[] = [];
  #producer: Promise<void>;
  #timer: ReturnType<typeof setInterval>;
  #status: LostCounter | undefined;
  #lostBase: number | undefined;
  #lostPolled = 0;
  #polling = false;
  #lostStart: Promise<void> = Promise.resolve();
  #closing: Promise<void> | undefined;
  #iterated = false;
  readonly #onAbort = () => void this.close();
  readonly ready: Promise<void>;
  #opened!: () => void;

  constructor(options: LiveOptions, read?: (sink: LiveSink) => Promise<void>) {
    const mode = options.mode ?? "multicast";
    if (mode !== "multicast" && mode !== "daemon" && mode !== "plugin") {
      throw new RangeError(
        `Cannot read live events in mode "${mode}": multicast, daemon or plugin`,
      );
    }
    positiveInteger("eventTimeoutMs", options.eventTimeoutMs);
    positiveInteger("maxInFlight", options.maxInFlight);
    positiveInteger("queue.size", options.queue?.size);
    positiveInteger("daemonWaitMs", options.daemonWaitMs);
    const daemonWait = options.daemonWaitMs ?? DAEMON_WAIT_MS;
    checkReceiveBuffer(options.receiveBufferBytes);
    const ring = options.bufferBytes ?? LIVE_READ_BUFFER;
    if (!Number.isInteger(ring) || ring < MIN_RING || ring > MAX_RING) {
      throw new RangeError(
        `Cannot set bufferBytes to "${ring}": must be an integer from ${MIN_RING} to ${MAX_RING}`,
      );
    }
    this.#policy = options.queue?.policy ?? "drop-oldest";
    if (!["drop-oldest", "drop-newest", "block"].includes(this.#policy)) {
      throw new RangeError(
        `Cannot use queue policy "${this.#policy}": drop-oldest, drop-newest or block`,
      );
    }
    if (mode === "daemon" && this.#policy === "block") {
      throw new RangeError(
        'Cannot use queue policy "block" in daemon mode: a daemon that stops reading stalls every audited process',
      );
    }
    this.#timeoutMs = options.eventTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#size = options.queue?.size ?? DEFAULT_QUEUE;
    this.#asm = new EventAssembler({ maxInFlight: options.maxInFlight ?? DEFAULT_IN_FLIGHT });
    // an event cut short may have the rest of its records in the same batch: late from now on
    this.#asm.onCutShort = (e) => this.#remember(e, Date.now());
    this.#signal = options.signal;
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    // ready also waits for the kernel's lost counter as it was at the start
    this.ready = promise.then(() => this.#lostStart);
    this.#opened = resolve;
    // an unobserved failure to open is the iteration's to report
    this.ready.catch(() => {});
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    Deno.unrefTimer(Number(this.#timer));
    if (this.#signal?.aborted) {
      resolve();
      this.#closed = true;
      clearInterval(this.#timer);
      this.#producer = Promise.resolve();
      return;
    }
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#lostStart = this.#startLostWatch();
    const kernel = {
      receiveBufferBytes: options.receiveBufferBytes ?? LIVE_RECEIVE_BUFFER,
      bufferBytes: ring,
      // block: until there is room; daemon: a bounded wait, the kernel waits meanwhile
      waitMs: this.#policy === "block" ? Infinity : mode === "daemon" ? daemonWait : 0,
    };
    const run = read !== undefined
      ? read(this)
      : mode === "plugin"
      ? readPlugin(this, options.plugin?.input)
      : mode === "daemon"
      ? readDaemon(this, kernel)
      : readMulticast(this, kernel);
    this.#producer = run.then(
      () => this.#end(),
      (e) => {
        this.#error = e;
        reject(e);
        this.#end();
        // sockets and the registration go at once, not when the caller gets to the error
        this[Symbol.dispose]();
      },
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  opened(): void {
    this.#opened();
  }

  onClose(fn: () => void): void {
    if (this.#closed) fn();
    else this.#closers.push(fn);
  }

  /** The source has no more input: what is still open is released, then the stream ends. */
  #end(): void {
    this.#opened();
    if (!this.#closed) {
      this.#asm.flush();
      this.#take();
      this.#reportGaps(true);
    }
    this.#ended = true;
    this.#release();
  }

  records(batch: AuditRecord[]): void {
    const now = Date.now();
    const asm = this.#asm;
    asm.clock = now;
    for (const r of batch) {
      if (r.type < AUDIT_FIRST_DAEMON || r.type > AUDIT_LAST_DAEMON) {
        const node = r.node ?? "";
        let g = this.#gaps.get(node);
        if (g === undefined) this.#gaps.set(node, g = new SerialGaps());
        g.see(r.serial, now);
      }
      if (this.#released.size > 0 && this.#late(r)) continue;
      asm.push(r);
    }
    asm.expire(this.#caughtUp, this.#timeoutMs, this.#onExpired);
    this.#take();
  }

  /** Whether `r` belongs to an event already handed out; if so it is reported as late. */
  #late(r: AuditRecord): boolean {
    const list = this.#released.get(r.serial);
    if (list === undefined) return false;
    for (const { event: e } of list) {
      if (e.sec !== r.sec || e.msec !== r.msec || e.node !== r.node) continue;
      // a late EOE only confirms the end: nothing of the event is missing
      if (r.type === AUDIT_EOE) return true;
      const reason = `late records of event ${e.id}${
        e.node === undefined ? "" : ` on ${e.node}`
      }: they came after it was released`;
      const last = this.#losses.at(-1);
      if (last?.cause === "input" && last.reason === reason) {
        last.count++;
        this.counters.input++;
      } else this.loss("input", 1, { reason });
      return true;
    }
    return false;
  }

  /** Events the wall-clock timeout completed: their later records are late from now on. */
  readonly #onExpired = (e: AuditEvent) => this.#remember(e, Date.now());

  /** Remembers `e`, complete at `now` before its end, for {@link #late} (once). */
  #remember(e: AuditEvent, now: number): void {
    const entry = { event: e, at: now };
    const list = this.#released.get(e.serial);
    if (list === undefined) this.#released.set(e.serial, [entry]);
    else if (list.some((x) => x.event === e)) return;
    else list.push(entry);
    this.#releasedOrder.push(entry);
    if (this.#releasedOrder.length - this.#releasedHead > MAX_RELEASED) this.#forget();
  }

  /** Forgets the oldest remembered event. */
  #forget(): void {
    const entry = this.#releasedOrder[this.#releasedHead++];
    const list = this.#released.get(entry.event.serial)!;
    list.splice(list.indexOf(entry), 1);
    if (list.length === 0) this.#released.delete(entry.event.serial);
    if (this.#releasedHead > 1024 && this.#releasedHead * 2 > this.#releasedOrder.length) {
      this.#releasedOrder = this.#releasedOrder.slice(this.#releasedHead);
      this.#releasedHead = 0;
    }
  }

  /** Moves the events the assembler handed out into the queue, by the policy. */
  #take(): void {
    const ready = this.#asm.drain();
    if (ready.length === 0) return;
    let now = 0;
    for (const e of ready) {
      // EOE ends an event; auditd does not log it, nor is it kept here
      const rs = e.records;
      if (!endsEvent(rs[rs.length - 1].type)) this.#remember(e, now ||= Date.now());
      if (rs.length > 1 && rs[rs.length - 1].type === AUDIT_EOE) rs.pop();
      if (this.#queued() >= this.#size && this.#policy !== "block") {
        const dropped = this.#policy === "drop-oldest" ? this.#events[this.#head++] : e;
        this.#dropped(dropped);
        if (this.#policy === "drop-newest") continue;
      }
      this.#events.push(e);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#head = 0;
    }
    this.#wake?.();
  }

  #queued(): number {
    return this.#events.length - this.#head;
  }

  #dropped(e: AuditEvent): void {
    this.counters.queue++;
    const last = this.#losses.at(-1);
    if (last?.cause === "queue") {
      last.count++;
      last.last = e.serial;
    } else {
      this.#losses.push({
        cause: "queue",
        count: 1,
        first: e.serial,
        last: e.serial,
        time: Date.now(),
      });
    }
  }

  loss(cause: LossCause, count: number, extra: Partial<LossItem> = {}): void {
    if (count <= 0) return;
    this.counters[cause] += count;
    this.#losses.push({ ...extra, cause, count, time: Date.now() });
    this.#wake?.();
  }

  caughtUp(at: number): void {
    if (at > this.#caughtUp) this.#caughtUp = at;
  }

  async waiting<T>(read: Promise<T>): Promise<T> {
    const wait = { seen: 0 };
    this.#wait = wait;
    try {
      return await read;
    } finally {
      if (this.#wait === wait) this.#wait = undefined;
    }
  }

  room(always = false): Promise<void> {
    if ((this.#policy !== "block" && !always) || this.#queued() < this.#size || this.#closed) {
      return Promise.resolve();
    }
    // wait for room for a batch, not for one event: one at a time would take a turn per record
    this.#spaceAt = Math.max(0, this.#size - Math.max(1, Math.min(ROOM_BATCH, this.#size >> 1)));
    return new Promise((resolve) => this.#space = resolve);
  }

  space(): number {
    return Math.max(0, this.#size - this.#queued());
  }

  #release(): void {
    this.#wake?.();
    this.#space?.();
  }

  #tick(): void {
    const now = Date.now();
    const wait = this.#wait;
    if (wait !== undefined) {
      // pending at the last tick too, and this one on time: the event loop polled the source
      // between them and found nothing. A late tick (the thread was blocked or starved) proves
      // nothing: its timer fires before the input that waited meanwhile is read.
      if (wait.seen !== 0 && now - wait.seen <= ON_TIME_MS) this.caughtUp(wait.seen);
      wait.seen = now;
    }
    this.#asm.expire(this.#caughtUp, this.#timeoutMs, this.#onExpired);
    this.#take();
    const order = this.#releasedOrder;
    while (order.length > this.#releasedHead && order[this.#releasedHead].at + RELEASED_MS <= now) {
      this.#forget();
    }
    this.#reportGaps(false);
    if (now - this.#lostPolled >= LOST_POLL_MS) void this.#pollLost();
  }

  #reportGaps(all: boolean): void {
    for (const g of this.#gaps.values()) {
      for (const r of g.due(this.#caughtUp, this.#timeoutMs, all)) {
        this.loss("gap", r.count, { first: r.first, last: r.last });
      }
    }
  }

  #startLostWatch(): Promise<void> {
    try {
      this.#status = LostCounter.open();
    } catch {
      return Promise.resolve(); // no status to read: the kernel cause stays 0
    }
    return this.#pollLost();
  }

  async #pollLost(): Promise<void> {
    const client = this.#status;
    if (client === undefined || this.#polling) return;
    this.#polling = true;
    this.#lostPolled = Date.now();
    try {
      // off the event loop: under backlog pressure the kernel holds the request (_lost_counter.ts)
      const lost = await client.read(LOST_POLL_MS);
      // once closed, the last count is close()'s to take from the same base
      if (lost === undefined || this.#closed) return;
      const base = this.#lostBase;
      this.#lostBase = lost;
      if (base !== undefined && lost > base) this.loss("kernel", lost - base);
    } catch {
      // not allowed to read the status (a plugin without CAP_AUDIT_CONTROL): no kernel count
      if (this.#status === client) this.#status = undefined;
      void client.close();
    } finally {
      this.#polling = false;
    }
  }

  /**
   * Nothing at hand: throws the source's error, false at the end, else
   * true once something came.
   */
  async #more(): Promise<boolean> {
    if (this.#error !== undefined) {
      const e = this.#error;
      this.#error = undefined;
      throw e;
    }
    if (this.#closed || this.#ended) return false;
    await new Promise<void>((resolve) => this.#wake = resolve);
    this.#wake = undefined;
    return true;
  }

  async *batches(): AsyncGenerator<LiveItem[]> {
    if (this.#iterated) throw new TypeError("A live stream can be iterated once");
    this.#iterated = true;
    try {
      for (;;) {
        const items: LiveItem[] = [];
        for (const loss of this.#losses.splice(0)) items.push({ kind: "loss", loss });
        const events = this.#events;
        for (let i = this.#head; i < events.length; i++) {
          items.push({ kind: "event", event: events[i] });
        }
        if (this.#head < events.length) {
          this.#events = [];
          this.#head = 0;
          this.#space?.();
        }
        if (items.length > 0) {
          yield items;
          continue;
        }
        if (!(await this.#more())) return;
      }
    } finally {
      await this.close();
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<LiveItem> {
    if (this.#iterated) throw new TypeError("A live stream can be iterated once");
    this.#iterated = true;
    try {
      for (;;) {
        const loss = this.#losses.shift();
        if (loss !== undefined) {
          yield { kind: "loss", loss };
          continue;
        }
        if (this.#queued() > 0) {
          const event = this.#events[this.#head];
          this.#events[this.#head++] = undefined as unknown as AuditEvent;
          if (this.#space !== undefined && this.#queued() <= this.#spaceAt) this.#space();
          yield { kind: "event", event };
          continue;
        }
        if (!(await this.#more())) return;
      }
    } finally {
      await this.close();
    }
  }

  /** Releases the sockets and the registration at once (what dispose and signals need). */
  #shut(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#signal?.removeEventListener("abort", this.#onAbort);
    for (const fn of this.#closers.splice(0).reverse()) {
      try {
        fn();
      } catch { /* the others still run */ }
    }
    this.#release();
  }

  /** Ends the stream; every call waits for the same end (the last kernel count, the sockets). */
  close(): Promise<void> {
    return this.#closing ??= this.#closeOnce();
  }

  async #closeOnce(): Promise<void> {
    const open = !this.#closed;
    this.#shut();
    await this.#producer;
    const client = this.#status;
    this.#status = undefined;
    if (open && client !== undefined) {
      // the last kernel count, then the socket goes
      try {
        const lost = await client.read(LOST_POLL_MS);
        const base = this.#lostBase;
        if (lost !== undefined && base !== undefined && lost > base) {
          this.counters.kernel += lost - base;
          this.#losses.push({ cause: "kernel", count: lost - base, time: Date.now() });
        }
      } catch { /* no status: nothing to count */ }
    }
    await client?.close(LOST_POLL_MS);
  }

  [Symbol.dispose](): void {
    this.#shut();
    void this.#status?.close();
    this.#status = undefined;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Opens a live stream of audit events (see the module documentation for
 * the modes and the loss causes). Reading starts at once; the stream keeps
 * what comes (bounded by `queue`) until it is iterated.
 *
 * @example
 * ```ts ignore
 * import { openLive } from "../../mod.ts";
 * await using live = openLive({ signal: AbortSignal.timeout(10_000) });
 * for await (const item of live) {
 *   if (item.kind === "event") console.log(item.event.id, item.event.records.length);
 *   else console.error("lost", item.loss.cause, item.loss.count);
 * }
 * console.error(live.counters);
 * ```
 */
export function openLive(options: LiveOptions = {}): LiveStream {
  return new Live(options);
}

/**
 * A live stream fed by `read` instead of one of the modes' sources (for
 * tests of the stream's rules, and for sources of the caller's): `read`
 * gives the sink records, losses and when it is caught up, and resolves at
 * the end of its input. `mode`, `plugin` and the kernel options are unused.
 *
 * @example
 * ```ts
 * import { AuditRecord } from "../event/record.ts";
 * import { openLiveFrom } from "./live.ts";
 * const line = "type=USER msg=audit(1700000000.000:5): pid=1 msg='op=x'";
 * await using live = openLiveFrom(async (sink) => {
 *   sink.opened();
 *   sink.records([new AuditRecord(new TextEncoder().encode(line))]);
 * });
 * for await (const item of live) if (item.kind === "event") item.event.serial; // 5
 * ```
 */
export function openLiveFrom(
  read: (sink: LiveSink) => Promise<void>,
  options: LiveOptions = {},
): LiveStream {
  return new Live(options, read);
}

/** How a kernel source reads (see {@link LiveOptions}). */
interface KernelOptions {
  receiveBufferBytes: number;
  bufferBytes: number;
  /** How long the reader waits for room in its full buffer before it drops (see `_netlink_worker.ts`). */
  waitMs: number;
}

/** Records taken from the reader thread's buffer before the event loop gets a turn. */
const TAKE_BATCH = 1024;
/**
 * Longest wait for the reader thread before the stream takes again: it checks
 * whether it was closed, and an empty take tells the stream that the source
 * is caught up (the wall-clock timeout counts up to then).
 */
const RING_WAIT_MS = TICK_MS;

/**
 * Resolves once the queue has room for a batch, or after `ms`: a consumer
 * that iterates slowly frees room an event at a time, and what it frees is
 * filled from the ring at least that often (a reader waiting for room in
 * daemon mode goes on, the kernel waits rather than loses).
 */
async function roomWithin(sink: LiveSink, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      sink.room(true),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
        Deno.unrefTimer(Number(timer));
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Records in, until the source is closed, from a netlink socket that a
 * reader thread (`_netlink_worker.ts`) drains into a ring
 * (`_record_ring.ts`): the socket stays drained while this thread is busy.
 * The reader has its own duplicate of `fd`; it is stopped and gone before
 * this resolves.
 */
async function readKernel(
  sink: LiveSink,
  fd: number,
  unicast: boolean,
  options: KernelOptions,
): Promise<void> {
  const memory = allocateRing(options.bufferBytes);
  const ring = new RingReader(memory);
  const own = duplicate(fd);
  let worker: Worker;
  // the thread's code is a function's source (no module file to load: nothing to read or fetch)
  const url = URL.createObjectURL(new Blob([readerSource()], { type: "text/javascript" }));
  try {
    worker = new Worker(url, { type: "module" });
  } catch (e) {
    c().close(own);
    throw e;
  } finally {
    URL.revokeObjectURL(url);
  }
  const { promise: stopped, resolve: onStopped } = Promise.withResolvers<ReaderDone["error"]>();
  const { promise: started, resolve: onStarted } = Promise.withResolvers<void>();
  let ended = false;
  void stopped.then(() => ended = true);
  worker.onmessage = (e: MessageEvent<ReaderStarted | ReaderDone>) => {
    if ("started" in e.data) return onStarted();
    // it could not bind libc: its descriptor is still open
    if (!e.data.closed) c().close(own);
    onStopped(e.data.error);
  };
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    // it died before it was done: its descriptor is still open
    if (!ring.done) c().close(own);
    onStopped({ message: `Cannot run the audit socket's reader thread: ${e.message}` });
  };
  worker.postMessage(readerStart(own, unicast, options.waitMs, memory, receiveArea(own)));
  sink.onClose(() => ring.stop());
  // ready once the reader runs: a reader that cannot start fails the stream, never leaves it unread
  if (await Promise.race([started.then(() => true), stopped.then(() => false)])) sink.opened();
  const batch: AuditRecord[] = [];
  const lines = new KernelLines();
  const record = (type: number, payload: Uint8Array) => {
    // replies and the kernel's probe of the daemon are not records
    if (type < 1000 || type === AUDIT_REPLACE) return;
    lines.add(type, payload);
  };
  const bad = (type: number, reason: string) =>
    sink.loss("input", 1, { reason: `record type ${type}: ${reason}` });
  const loss = (l: RingLoss) => {
    sink.loss("socket", l.overruns);
    if (l.dropped > 0) sink.loss("buffer", l.dropped, { first: l.first, last: l.last });
  };
  let error: ReaderDone["error"];
  try {
    for (;;) {
      // records wait in the ring, not as events in the queue, while the consumer is behind
      if (sink.space() === 0) await roomWithin(sink, RING_WAIT_MS);
      if (sink.closed) break;
      const done = ring.done;
      // each record makes at most one event: the queue never overflows by what is taken here
      const max = Math.min(TAKE_BATCH, sink.space());
      const at = Date.now();
      const n = ring.take(max, record, loss);
      lines.take(batch, bad);
      if (batch.length > 0) {
        sink.records(batch);
        batch.length = 0;
      }
      // fewer than asked: the ring was empty, all the reader thread had by `at` is taken
      if (n < max) sink.caughtUp(at);
      if (sink.closed) break;
      // done: all it wrote is in the ring; ended without done: it never ran, or died
      if ((done || ended) && !ring.pending) {
        error = await stopped;
        break;
      }
      if (n === TAKE_BATCH) await new Promise((r) => setTimeout(r, 0)); // the event loop's turn
      else if (n === max) continue; // the queue is full: wait for room above
      else await Promise.race([ring.wait(RING_WAIT_MS), stopped]);
    }
  } finally {
    ring.stop();
    error ??= await stopped;
    worker.terminate();
  }
  if (!sink.closed) loss(ring.exitLoss());
  if (error !== undefined && !sink.closed) {
    if (error.errno === undefined) throw new Error(error.message);
    throw new AuditError({ call: "recvmmsg", errno: error.errno, action: "read the audit socket" });
  }
}

async function readMulticast(sink: LiveSink, options: KernelOptions): Promise<void> {
  const fd = openAuditSocket({
    group: AUDIT_NLGRP_READLOG,
    receiveBufferBytes: options.receiveBufferBytes,
  });
  sink.onClose(() => c().close(fd));
  await readKernel(sink, fd, false, options);
}

function pidAlive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

function daemonTaken(pid: number): AuditError {
  let name = "";
  try {
    name = ` (${Deno.readTextFileSync(`/proc/${pid}/comm`).trim()})`;
  } catch { /* gone or hidden */ }
  return new AuditError({
    call: "audit_set_pid",
    errno: EEXIST,
    action: "register as the audit daemon",
    reason:
      `pid ${pid}${name} is the registered audit daemon; stop it, or read with the multicast or plugin mode`,
  });
}

async function readDaemon(sink: LiveSink, options: KernelOptions): Promise<void> {
  {
    using client = openAudit();
    const pid = (await client.status()).pid;
    if (pid !== 0 && pidAlive(pid)) throw daemonTaken(pid);
  }
  if (sink.closed) return;
  const fd = openAuditSocket({ receiveBufferBytes: options.receiveBufferBytes });
  let registered = false;
  const unregister = () => {
    if (!registered) return;
    registered = false;
    // the kernel handles AUDIT_SET in this send: the pid is 0 when it returns
    sendUnregister(fd);
  };
  const onSignal = () => {
    unregister();
    void sink.close();
  };
  const onExit = () => unregister();
  sink.onClose(() => {
    unregister();
    c().close(fd);
    for (const s of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(s, onSignal);
    for (const t of ["unload", "error", "unhandledrejection"]) {
      globalThis.removeEventListener(t, onExit);
    }
  });
  for (const t of ["unload", "error", "unhandledrejection"]) globalThis.addEventListener(t, onExit);
  for (const s of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(s, onSignal);
  registered = true;
  // libaudit's send reads the kernel's ACK itself: an error comes back as -errno
  const rc = audit().audit_set_pid(fd, Deno.pid, WAIT_NO);
  if (rc < 0) {
    registered = false;
    if (-rc === EEXIST) {
      using client = openAudit();
      throw daemonTaken((await client.status()).pid);
    }
    throw new AuditError({
      call: "audit_set_pid",
      errno: -rc,
      action: "register as the audit daemon",
    });
  }
  await readKernel(sink, fd, true, options);
}

const NL = 0x0a;
/** Smaller than any buffer the runtime reads a stream into (Deno's: 64 KiB). */
const MIN_READ = 4096;

/** Bytes of standard input asked for at a time (a pipe hands out at most what it holds). */
const STDIN_READ = 1 << 20;

/**
 * Reads of standard input into one buffer, reused: each piece is valid until
 * the next call (readPlugin copies the whole lines it keeps). Cheaper than
 * `Deno.stdin.readable`, which allocates a buffer per read. A read still
 * waiting when the sink closes resolves null at once.
 */
function stdinReader(sink: LiveSink): () => Promise<Uint8Array | null> {
  const buf = new Uint8Array(STDIN_READ);
  const closed = Promise.withResolvers<null>();
  sink.onClose(() => closed.resolve(null));
  return async () => {
    const n = await Promise.race([Deno.stdin.read(buf), closed.promise]);
    return n === null ? null : buf.subarray(0, n);
  };
}

async function readPlugin(
  sink: LiveSink,
  input: ReadableStream<Uint8Array> | string | undefined,
): Promise<void> {
  let stream: ReadableStream<Uint8Array> | undefined;
  if (typeof input === "string") {
    const conn = await Deno.connect({ transport: "unix", path: input });
    if (sink.closed) {
      conn.close();
      return;
    }
    sink.onClose(() => {
      try {
        conn.close();
      } catch { /* already closed by the reader's cancel */ }
    });
    stream = conn.readable;
  } else if (input !== undefined) stream = input;
  else stream = undefined;
  /** The next piece of input, or null at its end (or when the sink closed). */
  let next: () => Promise<Uint8Array | null>;
  if (stream !== undefined) {
    const reader = stream.getReader();
    sink.onClose(() => void reader.cancel().catch(() => {}));
    next = async () => {
      const chunk = await reader.read();
      return chunk.done ? null : chunk.value;
    };
  } else next = stdinReader(sink);
  sink.opened();
  let carry: Uint8Array = new Uint8Array(0);
  /** Skipping the rest of a line that was too long. */
  let skipping = false;
  const batch: AuditRecord[] = [];
  const bad = (_s: number, _e: number, why: string) =>
    sink.loss("input", 1, { reason: `not an audit record: ${why}` });
  /** Records of the whole lines of `buf[from, to)` (ending in a newline), sharing `pool`. */
  const scan = (buf: Uint8Array, from: number, to: number, pool: FieldPool) => {
    if (to - from <= MAX_PLUGIN_LINE) {
      scanLines(buf, from, to, pool, batch, bad);
      return;
    }
    // a line may be too long: each on its own
    for (let pos = from; pos < to;) {
      const nl = buf.indexOf(NL, pos);
      if (nl - pos > MAX_PLUGIN_LINE) tooLong();
      else scanLines(buf, pos, nl + 1, pool, batch, bad);
      pos = nl + 1;
    }
  };
  /**
   * Standard input and the socket hand out one read of the input per chunk
   * (no read-ahead): one shorter than the longest so far, or than any read
   * buffer ({@link MIN_READ}), took all there was. A caller's stream hands
   * out what was written to it: that tells nothing.
   */
  const own = typeof input !== "object";
  let longest = 0;
  for (;;) {
    let bytes: Uint8Array | null;
    const asked = Date.now();
    try {
      bytes = await sink.waiting(next());
    } catch (e) {
      if (sink.closed) return;
      throw e;
    }
    if (sink.closed) return;
    if (bytes === null) break;
    if (own) {
      if (bytes.length < longest || bytes.length < MIN_READ) sink.caughtUp(asked);
      if (bytes.length > longest) longest = bytes.length;
    }
    let pos = 0;
    const last = bytes.lastIndexOf(NL);
    if (last >= 0) {
      // the records of a chunk share one copy of its whole lines (a read's bytes may sit in a
      // much larger buffer, which events kept for long would hold) and one array of fields
      const pool = new FieldPool(((last + 1) >> 4) + 16);
      const nl = bytes.indexOf(NL);
      if (skipping || carry.length > 0) {
        if (skipping) skipping = false;
        else if (carry.length + nl > MAX_PLUGIN_LINE) tooLong();
        else {
          const line = new Uint8Array(carry.length + nl + 1);
          line.set(carry, 0);
          line.set(bytes.subarray(0, nl + 1), carry.length);
          scan(line, 0, line.length, pool);
        }
        carry = new Uint8Array(0);
        pos = nl + 1;
      }
      if (last >= pos) {
        const lines = bytes.slice(pos, last + 1);
        scan(lines, 0, lines.length, pool);
        pos = last + 1;
      }
    }
    if (!skipping && pos < bytes.length) {
      if (carry.length + bytes.length - pos > MAX_PLUGIN_LINE) {
        tooLong();
        skipping = true;
        carry = new Uint8Array(0);
      } else {
        const next = new Uint8Array(carry.length + bytes.length - pos);
        next.set(carry, 0);
        next.set(bytes.subarray(pos), carry.length);
        carry = next;
      }
    }
    if (batch.length > 0) {
      sink.records(batch);
      batch.length = 0;
    }
    await sink.room();
  }
  if (carry.length > 0) {
    sink.loss("input", 1, { reason: "a line cut by the end of the input (no newline)" });
  }
  function tooLong() {
    sink.loss("input", 1, { reason: `a line longer than ${MAX_PLUGIN_LINE} bytes` });
  }
}
