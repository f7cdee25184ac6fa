/**
 * The reader thread of the kernel sources (a Worker): it does nothing but
 * take what the kernel queued on an audit netlink socket and put it into the
 * ring the main thread reads (`_record_ring.ts`), so the socket is drained
 * while the main thread is busy (parsing, output, garbage collection, or
 * synchronous code of the caller). It waits in `poll` on its own thread (at
 * most {@link POLL_SLICE_MS} at a time, to see a stop), reads with
 * `recvmmsg` in batches, and when the ring is full either drops the record
 * and counts it (never stops reading: the registered daemon must not stall
 * the kernel) or, with `block`, waits for room (the kernel then drops for the
 * socket). The descriptor it reads is its own duplicate, closed when it
 * stops.
 *
 * Not part of the public API; started by `live.ts`.
 *
 * @module
 */

import { NLMSG_HDRLEN } from "../../ffi/structs.ts";
import { c } from "../_native.ts";
import { AuditError } from "../errors.ts";
import {
  CTRL_EXIT_LOSS,
  CTRL_MAIN_WAITING,
  CTRL_READ,
  CTRL_STATE,
  CTRL_WRITE,
  entrySize,
  HEADER,
  KIND_LOSS,
  KIND_RECORD,
  KIND_WRAP,
  LOSS_BYTES,
  type RingMemory,
  STATE_DONE,
  STATE_STOP,
} from "./_record_ring.ts";
import { BatchReceiver, POLL_SLICE_MS } from "./_netlink.ts";

/** What the main thread sends to start the reader. */
export interface ReaderStart {
  fd: number;
  unicast: boolean;
  block: boolean;
  memory: RingMemory;
}

/** What the reader sends once it runs. */
export interface ReaderStarted {
  started: true;
}

/** What the reader sends back once it stopped. */
export interface ReaderDone {
  done: true;
  /** Why it stopped on its own: a read failed (with its errno), or it threw. */
  error?: { message: string; errno?: number };
}

const COLON = 0x3a;
const CLOSE_PAREN = 0x29;

/** The serial of a record's `audit(SEC.MSEC:SERIAL)` stamp, or 0. */
function serialOf(p: Uint8Array): number {
  const end = Math.min(p.length, 64);
  let i = 6;
  while (i < end && p[i] !== COLON) i++;
  let s = 0;
  for (i++; i < end && p[i] !== CLOSE_PAREN; i++) s = s * 10 + p[i] - 48;
  return s >>> 0;
}

/** The ring's writing side (the reader thread); exported for its tests. */
export class RingWriter {
  readonly #bytes: Uint8Array<SharedArrayBuffer>;
  readonly #view: DataView<SharedArrayBuffer>;
  readonly #ctrl: Int32Array<SharedArrayBuffer>;
  readonly #size: number;
  readonly #span: number;
  readonly #block: boolean;
  #w: number;
  /** Loss not yet in the ring. */
  #overruns = 0;
  #dropped = 0;
  #first = 0;
  #last = 0;
  /** The serial of the last record dropped: the rest of its event is dropped too. */
  #dropSerial = -1;

  constructor(memory: RingMemory, block: boolean) {
    this.#bytes = new Uint8Array(memory.data);
    this.#view = new DataView(memory.data);
    this.#ctrl = new Int32Array(memory.ctrl);
    this.#size = memory.data.byteLength;
    this.#span = this.#size * 2;
    this.#block = block;
    this.#w = Atomics.load(this.#ctrl, CTRL_WRITE);
  }

  /** Whether the main thread asked the reader to stop. */
  get stopped(): boolean {
    return (Atomics.load(this.#ctrl, CTRL_STATE) & STATE_STOP) !== 0;
  }

  /** Counts an overrun of the socket (ENOBUFS), reported with the next loss entry. */
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

  /** Puts one record into the ring, or drops it (or, with `block`, waits for room). */
  record(type: number, payload: Uint8Array): void {
    const len = payload.length;
    const bytes = entrySize(len);
    if (this.#dropSerial >= 0) {
      if (serialOf(payload) === this.#dropSerial) return this.#drop(payload);
      this.#dropSerial = -1;
    }
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
          return;
        }
      }
      if (!this.#block || this.stopped) return this.#drop(payload);
      this.publish();
      const r = Atomics.load(this.#ctrl, CTRL_READ);
      Atomics.wait(this.#ctrl, CTRL_READ, r, POLL_SLICE_MS);
    }
  }

  #drop(payload: Uint8Array): void {
    const serial = serialOf(payload);
    if (this.#dropped === 0) this.#first = serial;
    this.#last = serial;
    this.#dropped++;
    this.#dropSerial = serial;
  }

  /** Makes what was written visible to the main thread, and wakes it if it waits. */
  publish(): void {
    this.#flushLoss();
    const ctrl = this.#ctrl;
    if (Atomics.load(ctrl, CTRL_WRITE) === this.#w) return;
    Atomics.store(ctrl, CTRL_WRITE, this.#w);
    if (Atomics.load(ctrl, CTRL_MAIN_WAITING) !== 0) Atomics.notify(ctrl, CTRL_WRITE);
  }

  /** Leaves what could not be put into the ring in the control block, and says it is done. */
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

/** Reads until asked to stop; throws on a read error other than an overrun. */
function drain(start: ReaderStart, ring: RingWriter): void {
  const rx = new BatchReceiver(start.fd);
  while (!ring.stopped) {
    let got = 0;
    for (let i = 0; i < 64; i++) {
      const n = rx.receive();
      if (n === 0) break;
      if (n < 0) {
        // unicast (the daemon): the kernel keeps what did not fit and sends it again
        if (!start.unicast) ring.overrun();
        got++;
        continue;
      }
      got += n;
      for (let k = 0; k < n; k++) {
        const msg = rx.message(k);
        if (msg.length < NLMSG_HDRLEN) continue;
        const h = new DataView(msg.buffer, msg.byteOffset, NLMSG_HDRLEN);
        const type = h.getUint16(4, true);
        const len = start.unicast
          ? msg.length
          : Math.min(Math.max(h.getUint32(0, true), NLMSG_HDRLEN), msg.length);
        ring.record(type, msg.subarray(NLMSG_HDRLEN, len));
      }
      if (ring.stopped) break;
    }
    ring.publish();
    if (got === 0) rx.poll(POLL_SLICE_MS);
  }
}

/** Starts reading on the first message; closes the descriptor and this worker when stopped. */
function main(): void {
  const scope = globalThis as unknown as {
    onmessage: ((e: MessageEvent<ReaderStart>) => void) | null;
    postMessage(m: ReaderStarted | ReaderDone): void;
    close(): void;
  };
  scope.onmessage = (e) => {
    scope.onmessage = null;
    const start = e.data;
    const ring = new RingWriter(start.memory, start.block);
    let error: ReaderDone["error"];
    try {
      scope.postMessage({ started: true });
      drain(start, ring);
    } catch (err) {
      error = err instanceof AuditError
        ? { message: err.message, errno: err.errno }
        : { message: err instanceof Error ? err.message : String(err) };
    } finally {
      c().close(start.fd);
      ring.finish();
    }
    scope.postMessage(error === undefined ? { done: true } : { done: true, error });
    scope.close();
  };
}

// only as a worker (importing this module elsewhere, e.g. for documentation, does nothing)
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  main();
}
