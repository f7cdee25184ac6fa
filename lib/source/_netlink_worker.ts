/**
 * The reader thread of the kernel sources (a Worker): it does nothing but
 * take what the kernel queued on an audit netlink socket and put it into the
 * ring the main thread reads (`_record_ring.ts`), so the socket is drained
 * while the main thread is busy (parsing, output, garbage collection, or
 * synchronous code of the caller). It waits in `poll` on its own thread (at
 * most `POLL_SLICE_MS` at a time, to see a stop), reads with `recvmmsg` in
 * batches, and when the ring is full waits for room for at most its
 * `waitMs`, then drops the record and counts it. `waitMs` is 0 for the
 * multicast drop policies (never stop reading), unbounded for `block` (the
 * kernel then drops for the socket), and a bounded time in daemon mode: a
 * main thread that takes records gives room within it, so the kernel's
 * backlog fills and throttles the audited tasks to the reader's pace (as
 * with auditd: nothing lost), while a main thread that takes nothing for
 * that long (synchronous code, a dead consumer) makes them wait at most
 * about that long: once a wait ran out, records are dropped without waiting
 * until the main thread frees room again.
 * The descriptor it reads is its own duplicate, closed when it stops.
 *
 * The thread needs no module file: its code is {@link readerProgram}, one
 * self-contained function (no imports, nothing of this module's scope, only
 * the runtime's globals), started from a Blob URL of its source text
 * ({@link readerSource}). Everything it needs that has a source elsewhere
 * comes in its start message as data: the ring's layout
 * ({@link READER_CONSTANTS}, from `_record_ring.ts` and `_netlink.ts`), the
 * receive buffers with their `struct mmsghdr` vector (encoded by
 * `ffi/structs.ts` on the main thread, in shared memory), and the libc
 * symbols it binds with libc's path.
 *
 * Not part of the public API; started by `live.ts`.
 *
 * @module
 */

import {
  ALIGN_MASK,
  CTRL_EXIT_LOSS,
  CTRL_MAIN_WAITING,
  CTRL_READ,
  CTRL_STATE,
  CTRL_WRITE,
  HEADER,
  KIND_LOSS,
  KIND_RECORD,
  KIND_WRAP,
  LOSS_BYTES,
  type RingMemory,
  STATE_DONE,
  STATE_STOP,
} from "./_record_ring.ts";
import { POLL_SLICE_MS, RECEIVE_ERRNO, RECEIVE_FLAGS, type ReceiveArea } from "./_netlink.ts";
import { NLMSG_HDRLEN } from "../../ffi/structs.ts";
import { libc, libcSymbols } from "../../ffi/libc.ts";

/** The numbers the reader thread works with, each from its single source. */
export const READER_CONSTANTS = {
  ctrlWrite: CTRL_WRITE,
  ctrlRead: CTRL_READ,
  ctrlState: CTRL_STATE,
  ctrlMainWaiting: CTRL_MAIN_WAITING,
  ctrlExitLoss: CTRL_EXIT_LOSS,
  stateStop: STATE_STOP,
  stateDone: STATE_DONE,
  kindRecord: KIND_RECORD,
  kindWrap: KIND_WRAP,
  kindLoss: KIND_LOSS,
  header: HEADER,
  lossBytes: LOSS_BYTES,
  alignMask: ALIGN_MASK,
  nlmsgHdrlen: NLMSG_HDRLEN,
  pollSliceMs: POLL_SLICE_MS,
  msgDontwait: RECEIVE_FLAGS.MSG_DONTWAIT,
  eagain: RECEIVE_ERRNO.EAGAIN,
  eintr: RECEIVE_ERRNO.EINTR,
  enobufs: RECEIVE_ERRNO.ENOBUFS,
} as const;

/** The shape of {@link READER_CONSTANTS}. */
export type ReaderConstants = { readonly [K in keyof typeof READER_CONSTANTS]: number };

/** The libc symbols the reader thread binds (plain data, from `ffi/libc.ts`). */
export const READER_SYMBOLS = {
  recvmmsg: libcSymbols.recvmmsg,
  poll: libcSymbols.poll,
  close: libcSymbols.close,
  __errno_location: libcSymbols.__errno_location,
} as const;

/** What the main thread sends to start the reader. */
export interface ReaderStart {
  fd: number;
  unicast: boolean;
  /** Longest wait for room in a full ring before a record is dropped (0, ms, or Infinity). */
  waitMs: number;
  memory: RingMemory;
  area: ReceiveArea;
  constants: ReaderConstants;
  libc: { path: string; symbols: typeof READER_SYMBOLS };
}

/** The start message for a reader of `fd` (its own duplicate) into `memory`. */
export function readerStart(
  fd: number,
  unicast: boolean,
  waitMs: number,
  memory: RingMemory,
  area: ReceiveArea,
): ReaderStart {
  return {
    fd,
    unicast,
    waitMs,
    memory,
    area,
    constants: READER_CONSTANTS,
    libc: { path: libc.path(), symbols: READER_SYMBOLS },
  };
}

/** What the reader sends once it runs. */
export interface ReaderStarted {
  started: true;
}

/** What the reader sends back once it stopped. */
export interface ReaderDone {
  done: true;
  /** Whether it closed its descriptor (not when it could not bind libc). */
  closed: boolean;
  /** Why it stopped on its own: a read failed (with its errno), or it threw. */
  error?: { message: string; errno?: number };
}

/** The ring's writing side (the reader thread). */
export interface RingWriter {
  /** Whether the main thread asked the reader to stop. */
  readonly stopped: boolean;
  /** Counts an overrun of the socket (ENOBUFS), reported with the next loss entry. */
  overrun(): void;
  /** Puts one record into the ring, waiting for room up to `waitMs`, or drops it. */
  record(type: number, payload: Uint8Array): void;
  /** Makes what was written visible to the main thread, and wakes it if it waits. */
  publish(): void;
  /** Leaves what could not be put into the ring in the control block, and says it is done. */
  finish(): void;
}

/** What {@link readerProgram} gives: the thread's parts (the writer and sizes for tests). */
export interface ReaderProgram {
  /** The ring's writing side over `memory`. */
  RingWriter: new (memory: RingMemory, waitMs: number) => RingWriter;
  /** Bytes an entry of `len` payload bytes takes (as `_record_ring.ts` counts them). */
  entrySize(len: number): number;
  /** Reads until asked to stop, posting {@link ReaderStarted} then {@link ReaderDone}. */
  run(start: ReaderStart, post: (m: ReaderStarted | ReaderDone) => void): void;
}

/**
 * The reader thread's code. Self-contained: it is sent to the thread as its
 * source text, so it refers to nothing but its argument and the runtime's
 * globals (`Deno.dlopen`, `Atomics`, `DataView`, typed arrays).
 */
export function readerProgram(k: ReaderConstants): ReaderProgram {
  const {
    ctrlWrite: CTRL_WRITE,
    ctrlRead: CTRL_READ,
    ctrlState: CTRL_STATE,
    ctrlMainWaiting: CTRL_MAIN_WAITING,
    ctrlExitLoss: CTRL_EXIT_LOSS,
    stateStop: STATE_STOP,
    stateDone: STATE_DONE,
    kindRecord: KIND_RECORD,
    kindWrap: KIND_WRAP,
    kindLoss: KIND_LOSS,
    header: HEADER,
    lossBytes: LOSS_BYTES,
    alignMask: ALIGN_MASK,
    nlmsgHdrlen: NLMSG_HDRLEN,
    pollSliceMs: POLL_SLICE_MS,
  } = k;
  const COLON = 0x3a;
  const CLOSE_PAREN = 0x29;

  function entrySize(len: number): number {
    return HEADER + ((len + ALIGN_MASK) & ~ALIGN_MASK);
  }

  /** The serial of a record's `audit(SEC.MSEC:SERIAL)` stamp, or 0. */
  function serialOf(p: Uint8Array): number {
    const end = Math.min(p.length, 64);
    let i = 6;
    while (i < end && p[i] !== COLON) i++;
    let s = 0;
    for (i++; i < end && p[i] !== CLOSE_PAREN; i++) s = s * 10 + p[i] - 48;
    return s >>> 0;
  }

  class Writer implements RingWriter {
    readonly #bytes: Uint8Array<SharedArrayBuffer>;
    readonly #view: DataView<SharedArrayBuffer>;
    readonly #ctrl: Int32Array<SharedArrayBuffer>;
    readonly #size: number;
    readonly #span: number;
    readonly #waitMs: number;
    /** A wait for room ran out: drop without waiting until the main thread frees room. */
    #stalled = false;
    #w: number;
    /** Loss not yet in the ring. */
    #overruns = 0;
    #dropped = 0;
    #first = 0;
    #last = 0;
    /** The serial of the last record dropped: the rest of its event is dropped too. */
    #dropSerial = -1;

    constructor(memory: RingMemory, waitMs: number) {
      this.#bytes = new Uint8Array(memory.data);
      this.#view = new DataView(memory.data);
      this.#ctrl = new Int32Array(memory.ctrl);
      this.#size = memory.data.byteLength;
      this.#span = this.#size * 2;
      this.#waitMs = waitMs;
      this.#w = Atomics.load(this.#ctrl, CTRL_WRITE);
    }

    get stopped(): boolean {
      return (Atomics.load(this.#ctrl, CTRL_STATE) & STATE_STOP) !== 0;
    }

    overrun(): void {
      this.#overruns++;
    }

    /** Where an entry of `bytes` goes (after a wrap if need be), or -1 when there is no room. */
    #reserve(bytes: number): number {
      const size = this.#size;
      const used = (this.#w - Atomics.load(this.#ctrl, CTRL_READ) + this.#span) % this.#span;
      const at = this.#w % size;
      const toEnd = size - at;
      const skip = toEnd < bytes ? toEnd : 0;
      if (used + skip + bytes > size) return -1;
      if (skip > 0) {
        if (skip >= HEADER) {
          this.#view.setUint32(at, 0, true);
          this.#view.setUint32(at + 4, KIND_WRAP << 16, true);
        }
        this.#w = (this.#w + skip) % this.#span;
        return 0;
      }
      return at;
    }

    /** Puts the loss not yet reported into the ring, if it fits. */
    #flushLoss(): boolean {
      if (this.#overruns === 0 && this.#dropped === 0) return true;
      const at = this.#reserve(HEADER + LOSS_BYTES);
      if (at < 0) return false;
      const v = this.#view;
      v.setUint32(at, LOSS_BYTES, true);
      v.setUint16(at + 4, 0, true);
      v.setUint16(at + 6, KIND_LOSS, true);
      v.setUint32(at + HEADER, this.#overruns, true);
      v.setUint32(at + HEADER + 4, this.#dropped, true);
      v.setUint32(at + HEADER + 8, this.#first, true);
      v.setUint32(at + HEADER + 12, this.#last, true);
      this.#w = (this.#w + HEADER + LOSS_BYTES) % this.#span;
      this.#overruns = this.#dropped = 0;
      return true;
    }

    record(type: number, payload: Uint8Array): void {
      const len = payload.length;
      const bytes = entrySize(len);
      if (this.#dropSerial >= 0) {
        if (serialOf(payload) === this.#dropSerial) return this.#drop(payload);
        this.#dropSerial = -1;
      }
      let deadline = -1;
      for (;;) {
        if (this.#flushLoss()) {
          const at = this.#reserve(bytes);
          if (at >= 0) {
            const v = this.#view;
            v.setUint32(at, len, true);
            v.setUint16(at + 4, type, true);
            v.setUint16(at + 6, KIND_RECORD, true);
            this.#bytes.set(payload, at + HEADER);
            this.#w = (this.#w + bytes) % this.#span;
            this.#stalled = false;
            return;
          }
        }
        if (this.#waitMs <= 0 || this.#stalled || this.stopped) return this.#drop(payload);
        const now = performance.now();
        if (deadline < 0) deadline = now + this.#waitMs;
        else if (now >= deadline) {
          this.#stalled = true;
          return this.#drop(payload);
        }
        this.publish();
        const r = Atomics.load(this.#ctrl, CTRL_READ);
        Atomics.wait(this.#ctrl, CTRL_READ, r, Math.min(POLL_SLICE_MS, deadline - now));
      }
    }

    #drop(payload: Uint8Array): void {
      const serial = serialOf(payload);
      if (this.#dropped === 0) this.#first = serial;
      this.#last = serial;
      this.#dropped++;
      this.#dropSerial = serial;
    }

    publish(): void {
      this.#flushLoss();
      const ctrl = this.#ctrl;
      if (Atomics.load(ctrl, CTRL_WRITE) === this.#w) return;
      Atomics.store(ctrl, CTRL_WRITE, this.#w);
      if (Atomics.load(ctrl, CTRL_MAIN_WAITING) !== 0) Atomics.notify(ctrl, CTRL_WRITE);
    }

    finish(): void {
      this.publish();
      const ctrl = this.#ctrl;
      Atomics.store(ctrl, CTRL_EXIT_LOSS, this.#overruns);
      Atomics.store(ctrl, CTRL_EXIT_LOSS + 1, this.#dropped);
      Atomics.store(ctrl, CTRL_EXIT_LOSS + 2, this.#first | 0);
      Atomics.store(ctrl, CTRL_EXIT_LOSS + 3, this.#last | 0);
      Atomics.or(ctrl, CTRL_STATE, STATE_DONE);
      Atomics.notify(ctrl, CTRL_WRITE);
    }
  }

  type Symbols = {
    recvmmsg(fd: number, vec: Uint8Array, vlen: number, flags: number, timeout: null): number;
    poll(fds: Uint8Array, nfds: bigint, ms: number): number;
    close(fd: number): number;
    __errno_location(): Deno.PointerValue;
  };

  /** Reads until asked to stop; throws `{ errno }` on a read error other than an overrun. */
  function drain(start: ReaderStart, ring: RingWriter, libc: Symbols): void {
    const { fd, unicast, area } = start;
    const errno = new Deno.UnsafePointerView(libc.__errno_location()!);
    const bufs = new Uint8Array(area.bufs);
    const bufsView = new DataView(area.bufs);
    const vec = new Uint8Array(area.vec);
    const vecView = new DataView(area.vec);
    const pollfd = new Uint8Array(area.pollfd);
    const { batch, recvSize, mmsghdrSize, mmsghdrLen } = area;
    const flags = k.msgDontwait, EAGAIN = k.eagain, EINTR = k.eintr, ENOBUFS = k.enobufs;
    /** Messages queued (0 when none), or -1 for an overrun (ENOBUFS: the kernel dropped some). */
    const receive = (): number => {
      for (;;) {
        const n = libc.recvmmsg(fd, vec, batch, flags, null);
        if (n >= 0) return n;
        const e = errno.getInt32(0);
        if (e === EAGAIN) return 0;
        if (e === EINTR) continue;
        if (e === ENOBUFS) return -1;
        throw Object.assign(new Error(`recvmmsg: errno ${e}`), { errno: e });
      }
    };
    while (!ring.stopped) {
      let got = 0;
      for (let i = 0; i < 64; i++) {
        const n = receive();
        if (n === 0) break;
        if (n < 0) {
          // unicast (the daemon): the kernel keeps what did not fit and sends it again
          if (!unicast) ring.overrun();
          got++;
          continue;
        }
        got += n;
        for (let m = 0; m < n; m++) {
          const size = Math.min(vecView.getUint32(m * mmsghdrSize + mmsghdrLen, true), recvSize);
          if (size < NLMSG_HDRLEN) continue;
          const at = m * recvSize;
          const type = bufsView.getUint16(at + 4, true);
          const len = unicast
            ? size
            : Math.min(Math.max(bufsView.getUint32(at, true), NLMSG_HDRLEN), size);
          ring.record(type, bufs.subarray(at + NLMSG_HDRLEN, at + len));
        }
        if (ring.stopped) break;
      }
      ring.publish();
      if (got === 0) libc.poll(pollfd, 1n, POLL_SLICE_MS);
    }
  }

  function run(start: ReaderStart, post: (m: ReaderStarted | ReaderDone) => void): void {
    const ring = new Writer(start.memory, start.waitMs);
    let lib: { symbols: Symbols; close(): void } | undefined;
    let error: ReaderDone["error"];
    try {
      try {
        lib = Deno.dlopen(start.libc.path, start.libc.symbols) as unknown as typeof lib;
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new Error(`Cannot run the audit socket's reader thread: ${why}`);
      }
      post({ started: true });
      drain(start, ring, lib!.symbols);
    } catch (err) {
      const e = err as { message?: unknown; errno?: unknown };
      error = typeof e?.errno === "number"
        ? { message: String(e.message), errno: e.errno }
        : { message: err instanceof Error ? err.message : String(err) };
    } finally {
      lib?.symbols.close(start.fd);
      ring.finish();
    }
    const closed = lib !== undefined;
    lib?.close();
    post(error === undefined ? { done: true, closed } : { done: true, closed, error });
  }

  return { RingWriter: Writer, entrySize, run };
}

let source: string | undefined;

/**
 * The reader thread's module text: {@link readerProgram}'s source and a
 * start on the first message (the thread ends when the reader is done).
 */
export function readerSource(): string {
  source ??= `const readerProgram = (${readerProgram.toString()});
self.onmessage = (e) => {
  self.onmessage = null;
  readerProgram(e.data.constants).run(e.data, (m) => self.postMessage(m));
  self.close();
};
`;
  return source;
}
