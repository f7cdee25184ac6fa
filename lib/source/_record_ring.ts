/**
 * The bounded buffer between the netlink reader thread
 * (`_netlink_worker.ts`) and the main thread: a ring of bytes in a
 * SharedArrayBuffer, one writer (the reader thread) and one reader (the main
 * thread), and a small control block of 32-bit words used with `Atomics`.
 *
 * Entries are 4-byte aligned: an 8-byte header (`u32` payload length, `u16`
 * netlink message type, `u16` kind) and the payload. Kinds: a record (the
 * payload the kernel sent after its `nlmsghdr`), a wrap (the rest of the
 * ring up to its end is unused), and a loss (four `u32`: socket overruns,
 * records dropped because the ring was full, the serials of the first and
 * last dropped record). Positions are byte counts modulo twice the ring's
 * size, so a full ring (`W - R = size`) differs from an empty one (`W = R`).
 *
 * Not part of the public API.
 *
 * @module
 */

/** Control words (indexes into the Int32Array over the control block). */
export const CTRL_WRITE = 0;
export const CTRL_READ = 1;
export const CTRL_STATE = 2;
/** 1 while the main thread waits on CTRL_WRITE (the writer then notifies). */
export const CTRL_MAIN_WAITING = 3;
/** Loss the writer could not put into the ring before it stopped (the loss entry's four words). */
export const CTRL_EXIT_LOSS = 4;
export const CTRL_WORDS = 8;

/** CTRL_STATE bits. */
export const STATE_STOP = 1;
export const STATE_DONE = 2;

export const KIND_RECORD = 0;
export const KIND_WRAP = 1;
export const KIND_LOSS = 2;
export const HEADER = 8;
export const LOSS_BYTES = 16;
/** Entries start at multiples of 4: a payload is padded up to the next. */
export const ALIGN_MASK = 3;

/** Smallest ring: one record of the largest size the kernel sends (and its header), rounded up. */
export const MIN_RING = 16384;
/** Largest ring (positions, modulo twice the size, fit in an Int32Array word). */
export const MAX_RING = 1 << 30;

/** Bytes an entry of `len` payload bytes takes. */
export function entrySize(len: number): number {
  return HEADER + ((len + ALIGN_MASK) & ~ALIGN_MASK);
}

/** What the writer reports as lost: socket overruns and records the full ring dropped. */
export interface RingLoss {
  overruns: number;
  dropped: number;
  first: number;
  last: number;
}

/** The shared memory of one ring. */
export interface RingMemory {
  data: SharedArrayBuffer;
  ctrl: SharedArrayBuffer;
}

/** Allocates a ring of `bytes` (rounded down to a multiple of 4). */
export function allocateRing(bytes: number): RingMemory {
  return {
    data: new SharedArrayBuffer(bytes & ~3),
    ctrl: new SharedArrayBuffer(CTRL_WORDS * 4),
  };
}

/**
 * The ring's reading side (main thread): takes entries in order and frees
 * their space.
 */
export class RingReader {
  readonly #bytes: Uint8Array<SharedArrayBuffer>;
  readonly #view: DataView<SharedArrayBuffer>;
  readonly #ctrl: Int32Array<SharedArrayBuffer>;
  readonly #size: number;

  constructor(memory: RingMemory) {
    this.#bytes = new Uint8Array(memory.data);
    this.#view = new DataView(memory.data);
    this.#ctrl = new Int32Array(memory.ctrl);
    this.#size = memory.data.byteLength;
  }

  /** Whether the writer has stopped (nothing more will come after what is in the ring). */
  get done(): boolean {
    return (Atomics.load(this.#ctrl, CTRL_STATE) & STATE_DONE) !== 0;
  }

  /**
   * Hands at most `max` entries to `record` / `loss` (a record's payload is a
   * view into the ring, valid during the call), frees their space, and
   * returns how many it took.
   */
  take(
    max: number,
    record: (type: number, payload: Uint8Array) => void,
    loss: (l: RingLoss) => void,
  ): number {
    const ctrl = this.#ctrl;
    const w = Atomics.load(ctrl, CTRL_WRITE) >>> 0;
    let r = Atomics.load(ctrl, CTRL_READ) >>> 0;
    const size = this.#size;
    const span = size * 2;
    const view = this.#view;
    let n = 0;
    try {
      while (r !== w && n < max) {
        const at = r % size;
        if (size - at < HEADER) {
          r = (r + size - at) % span;
          continue;
        }
        const len = view.getUint32(at, true);
        const kind = view.getUint16(at + 6, true);
        if (kind === KIND_WRAP) {
          r = (r + size - at) % span;
          continue;
        }
        if (kind === KIND_LOSS) {
          loss({
            overruns: view.getUint32(at + HEADER, true),
            dropped: view.getUint32(at + HEADER + 4, true),
            first: view.getUint32(at + HEADER + 8, true),
            last: view.getUint32(at + HEADER + 12, true),
          });
        } else {
          record(
            view.getUint16(at + 4, true),
            this.#bytes.subarray(at + HEADER, at + HEADER + len),
          );
        }
        r = (r + entrySize(len)) % span;
        n++;
      }
    } finally {
      Atomics.store(ctrl, CTRL_READ, r | 0);
      // a writer waiting for room (the "block" policy) goes on
      Atomics.notify(ctrl, CTRL_READ);
    }
    return n;
  }

  /** Whether entries are waiting. */
  get pending(): boolean {
    return Atomics.load(this.#ctrl, CTRL_WRITE) !== Atomics.load(this.#ctrl, CTRL_READ);
  }

  /** Resolves once the writer adds entries or stops, or after `ms`; never keeps the process alive. */
  async wait(ms: number): Promise<void> {
    const ctrl = this.#ctrl;
    Atomics.store(ctrl, CTRL_MAIN_WAITING, 1);
    try {
      const w = Atomics.load(ctrl, CTRL_WRITE);
      if (w !== Atomics.load(ctrl, CTRL_READ) || this.done) return;
      const r = Atomics.waitAsync(ctrl, CTRL_WRITE, w, ms);
      if (r.async) await r.value;
    } finally {
      Atomics.store(ctrl, CTRL_MAIN_WAITING, 0);
    }
  }

  /** Asks the writer to stop, and wakes every wait. */
  stop(): void {
    Atomics.or(this.#ctrl, CTRL_STATE, STATE_STOP);
    Atomics.notify(this.#ctrl, CTRL_READ);
    Atomics.notify(this.#ctrl, CTRL_WRITE);
  }

  /** What the writer lost after its last entry (read once it is done). */
  exitLoss(): RingLoss {
    const c = this.#ctrl;
    const u = (i: number) => Atomics.load(c, CTRL_EXIT_LOSS + i) >>> 0;
    return { overruns: u(0), dropped: u(1), first: u(2), last: u(3) };
  }
}
