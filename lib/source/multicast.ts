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

import { c } from "../_native.ts";
import { AuditError } from "../errors.ts";
import type { AuditRecord } from "../event/record.ts";
import {
  AUDIT_NLGRP_READLOG,
  checkReceiveBuffer,
  EINTR,
  kernelRecord,
  NetlinkReader,
  openAuditSocket,
} from "./_netlink.ts";

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
  /**
   * The record in the log reader's model (as `auditkit search` reads it from
   * auditd's log line), built on first use; undefined when the payload has
   * no stamp. Not enumerable, so that the message compares as its fields.
   */
  readonly record?: AuditRecord;
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
  const bytes = payload.slice(0, end);
  const text = decoder.decode(bytes);
  const m = STAMP.exec(text);
  const message: AuditMessage = m
    ? {
      type,
      timestamp: Number(m[1]) * 1000 + Number(m[2]),
      serial: Number(m[3]),
      body: text.slice(m[0].length),
      text,
    }
    : { type, timestamp: 0, serial: 0, body: text, text };
  let record: AuditRecord | undefined;
  Object.defineProperty(message, "record", {
    enumerable: false,
    get: () => m ? record ??= kernelRecord(type, bytes) : undefined,
  });
  return message;
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
  #reader: NetlinkReader | undefined;
  #lost = 0;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.close();

  /** Takes ownership of a socket already joined to the group; use {@link openMulticast}. */
  constructor(fd: number, signal?: AbortSignal) {
    this.#reader = new NetlinkReader(fd, false);
    this.#signal = signal;
    signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** true once closed (by {@link AuditMulticastSource.close} or the abort signal). */
  get closed(): boolean {
    return this.#reader === undefined;
  }

  /** Records the kernel dropped because this listener fell behind (ENOBUFS overruns). */
  get lost(): number {
    return this.#lost;
  }

  /** Leaves the group and closes the socket. Calling it again does nothing. */
  close(): void {
    if (this.#reader === undefined) return;
    c().close(this.#reader.fd);
    this.#reader = undefined;
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }

  /** Closes the socket (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** The next message already received, without waiting; undefined when none is queued. */
  #tryRead(): AuditMessage | undefined {
    for (;;) {
      const r = this.#reader?.read();
      if (r === undefined) return undefined;
      if (r.kind === "overrun") this.#lost++;
      else return parseAuditMessage(r.type, r.payload);
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
      if (this.#reader === undefined || left <= 0) return undefined;
      await this.#reader.wait(left);
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
  checkReceiveBuffer(options.receiveBufferBytes);
  if (options.signal?.aborted) {
    throw new AuditError({
      call: "socket",
      errno: EINTR,
      action: "join the audit multicast group",
      reason: "the signal was already aborted",
    });
  }
  const fd = openAuditSocket({
    group: AUDIT_NLGRP_READLOG,
    receiveBufferBytes: options.receiveBufferBytes,
  });
  return new AuditMulticastSource(fd, options.signal);
}
