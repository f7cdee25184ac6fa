/**
 * The kernel's audit multicast group (AUDIT_NLGRP_READLOG): a read-only copy
 * of every record, next to auditd.
 *
 * A listener on this group cannot stall the machine: the kernel gives
 * listeners no backpressure and drops what a slow listener does not read
 * (counted in {@link AuditMulticastSource.lost}). Joining needs
 * CAP_AUDIT_READ; the kernel logs an EVENT_LISTENER record on join and on
 * leave.
 *
 * @module
 */

import { decodeNlmsghdr, encodePollfd, encodeSockaddrNl, NLMSG_HDRLEN } from "../../ffi/structs.ts";
import { c, errno } from "../_native.ts";
import { AuditError } from "../errors.ts";

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0x80000;
const NETLINK_AUDIT = 9;
const AUDIT_NLGRP_READLOG = 1;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const MSG_DONTWAIT = 64;
const POLLIN = 1;
const EAGAIN = 11;
const EINTR = 4;
const ENOBUFS = 105;
/** Large enough for any record: the kernel caps one at MAX_AUDIT_MESSAGE_LENGTH (8970). */
const RECV_SIZE = 16384;
/** Longest single wait on the worker thread, so an abort or close is seen quickly. */
const POLL_SLICE_MS = 100;

/** One record as the kernel sends it: `audit(SEC.MSEC:SERIAL): BODY`. */
export interface AuditMessage {
  /** The record type (`nlmsg_type`), such as 1005 for USER. */
  type: number;
  /** Milliseconds since the epoch, from the `audit(...)` stamp. */
  timestamp: number;
  /** The event serial; records of one event share it and the timestamp. */
  serial: number;
  /** The text after `audit(...): `. */
  body: string;
  /** The whole payload text, stamp included. */
  text: string;
}

/** Options of {@link openMulticast}. */
export interface MulticastOptions {
  /** Ends the iteration and closes the socket when aborted. */
  signal?: AbortSignal;
  /** Receive buffer to ask for, in bytes (the kernel caps it at `net.core.rmem_max`). */
  receiveBufferBytes?: number;
}

const STAMP = /^audit\((\d+)\.(\d{3}):(\d+)\): ?/;
const decoder = new TextDecoder();

/**
 * Parses one record payload; records without a stamp keep timestamp and
 * serial 0.
 *
 * @example
 * ```ts
 * import { parseAuditMessage } from "../../mod.ts";
 * const m = parseAuditMessage(1005, new TextEncoder().encode("audit(1700000000.001:7): pid=1"));
 * m.serial; // 7
 * ```
 */
export function parseAuditMessage(type: number, payload: Uint8Array): AuditMessage {
  let end = payload.length;
  while (end > 0 && payload[end - 1] === 0) end--;
  const text = decoder.decode(payload.subarray(0, end));
  const m = STAMP.exec(text);
  if (!m) return { type, timestamp: 0, serial: 0, body: text, text };
  return {
    type,
    timestamp: Number(m[1]) * 1000 + Number(m[2]),
    serial: Number(m[3]),
    body: text.slice(m[0].length),
    text,
  };
}

/**
 * A socket joined to the audit multicast group. Read it with
 * {@link AuditMulticastSource.next} or `for await`; close it with `using`,
 * {@link AuditMulticastSource.close} or the `signal` given to
 * {@link openMulticast}.
 *
 * @example
 * ```ts ignore
 * import { openMulticast } from "../../mod.ts";
 * using source = openMulticast({ signal: AbortSignal.timeout(5000) });
 * for await (const m of source) console.log(m.type, m.body);
 * ```
 */
export class AuditMulticastSource implements Disposable, AsyncIterable<AuditMessage> {
  #fd: number;
  #lost = 0;
  readonly #buf = new Uint8Array(RECV_SIZE);
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.close();

  /** Takes ownership of a socket already joined to the group; use {@link openMulticast}. */
  constructor(fd: number, signal?: AbortSignal) {
    this.#fd = fd;
    this.#signal = signal;
    signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** true once closed (by {@link AuditMulticastSource.close} or the abort signal). */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** Records the kernel dropped because this listener fell behind (ENOBUFS overruns). */
  get lost(): number {
    return this.#lost;
  }

  /** Leaves the group and closes the socket. Calling it again does nothing. */
  close(): void {
    if (this.#fd < 0) return;
    c().close(this.#fd);
    this.#fd = -1;
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }

  /** Closes the socket (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** The next message already received, without waiting; undefined when none is queued. */
  #tryRead(): AuditMessage | undefined {
    const libc = c();
    for (;;) {
      if (this.#fd < 0) return undefined;
      const n = libc.recvfrom(this.#fd, this.#buf, BigInt(RECV_SIZE), MSG_DONTWAIT, null, null);
      if (n < 0n) {
        const e = errno();
        if (e === EAGAIN) return undefined;
        if (e === EINTR) continue;
        if (e === ENOBUFS) {
          this.#lost++;
          continue;
        }
        throw new AuditError({ call: "recvfrom", errno: e, action: "read the audit multicast" });
      }
      const size = Number(n);
      if (size < NLMSG_HDRLEN) continue;
      const view = new DataView(this.#buf.buffer, 0, size);
      const h = decodeNlmsghdr(view, 0);
      const len = Math.min(Math.max(h.len, NLMSG_HDRLEN), size);
      return parseAuditMessage(h.type, this.#buf.subarray(NLMSG_HDRLEN, len));
    }
  }

  /**
   * The next record; undefined when none arrives within `timeoutMs`, or once
   * the source is closed or aborted.
   */
  async next(timeoutMs: number = Infinity): Promise<AuditMessage | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.#tryRead();
      if (m) return m;
      const left = deadline - Date.now();
      if (this.#fd < 0 || left <= 0) return undefined;
      const pfd = encodePollfd(this.#fd, POLLIN);
      await c().poll_wait(pfd, 1n, Math.min(left, POLL_SLICE_MS));
    }
  }

  /** Every record until the source is closed or its signal aborts. */
  async *[Symbol.asyncIterator](): AsyncIterator<AuditMessage> {
    for (;;) {
      const m = await this.next();
      if (!m) return;
      yield m;
    }
  }
}

/**
 * Joins the kernel's audit multicast group (needs CAP_AUDIT_READ, kernel
 * 3.16 or later). Records arrive from the moment this returns.
 *
 * @example
 * ```ts ignore
 * import { openMulticast } from "../../mod.ts";
 * using source = openMulticast();
 * const m = await source.next(1000);
 * if (m) console.log(m.serial, m.body);
 * ```
 */
export function openMulticast(options: MulticastOptions = {}): AuditMulticastSource {
  const rcvbuf = options.receiveBufferBytes;
  if (rcvbuf !== undefined && (!Number.isInteger(rcvbuf) || rcvbuf <= 0 || rcvbuf > 0x7fffffff)) {
    throw new RangeError(
      `Cannot set the receive buffer to "${rcvbuf}": must be a positive 32-bit integer`,
    );
  }
  if (options.signal?.aborted) {
    throw new AuditError({
      call: "socket",
      errno: EINTR,
      action: "join the audit multicast group",
      reason: "the signal was already aborted",
    });
  }
  const libc = c();
  errno();
  const fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) {
    throw new AuditError({ call: "socket", errno: errno(), action: "open an audit socket" });
  }
  try {
    if (rcvbuf !== undefined) {
      const v = new Uint8Array(4);
      new DataView(v.buffer).setInt32(0, rcvbuf, true);
      if (libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, v, 4) < 0) {
        throw new AuditError({ call: "setsockopt", errno: errno(), action: "set SO_RCVBUF" });
      }
    }
    const addr = encodeSockaddrNl(0, AUDIT_NLGRP_READLOG);
    if (libc.bind(fd, addr, addr.length) < 0) {
      throw new AuditError({
        call: "bind",
        errno: errno(),
        action: "join the audit multicast group",
        capability: "CAP_AUDIT_READ",
      });
    }
  } catch (e) {
    libc.close(fd);
    throw e;
  }
  return new AuditMulticastSource(fd, options.signal);
}
