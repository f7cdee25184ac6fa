/**
 * The kernel's `lost` counter, read off the event loop.
 *
 * While the kernel's backlog is over its limit, the kernel makes the sender
 * of any audit netlink message (AUDIT_GET too, and auditd itself) sleep in
 * the send for up to backlog_wait_time. A reader that asked for the status on
 * its own thread would stop reading for that long: as auditd's plugin it
 * stops draining auditd, which stops draining the kernel (a deadlock until
 * the wait ends, every second), as the registered daemon it is the one the
 * kernel waits for. So the request is sent on a worker thread, the reader
 * never waits for it longer than a timeout, and no second request is sent
 * while one is held.
 *
 * @module
 */

import { decodeAuditStatus } from "../../ffi/structs.ts";
import { audit, errno } from "../_native.ts";
import { AuditTransport } from "../_transport.ts";
import { AuditError } from "../errors.ts";

const AUDIT_GET = 1000;
const CTX = { call: "audit_request_status", action: "read the kernel's lost counter" };

/** A socket of its own that reads the kernel's lost counter without blocking. */
export class LostCounter {
  readonly #t: AuditTransport;
  #held: Promise<void> | undefined;
  #closed = false;

  private constructor(fd: number) {
    this.#t = new AuditTransport(fd);
  }

  /** Opens the socket; throws AuditError when none can be opened. */
  static open(): LostCounter {
    errno();
    const fd = audit().audit_open();
    if (fd < 0) throw new AuditError({ call: "audit_open", errno: errno(), action: CTX.action });
    return new LostCounter(fd);
  }

  /**
   * The counter, or undefined when the kernel has not answered within
   * `timeoutMs` (a request it holds stays on its thread, and no other is
   * sent until it is through). Throws when the status cannot be read.
   */
  async read(timeoutMs: number): Promise<number | undefined> {
    const end = Date.now() + timeoutMs;
    if (this.#held !== undefined && !(await this.#within(this.#held, timeoutMs))) return undefined;
    if (this.#closed) return undefined;
    const fd = this.#t.fd;
    const request = (async () => {
      const rc = await audit().audit_request_status_off_thread(fd);
      if (rc < 0) throw this.#t.error(CTX, -rc);
      const r = await this.#t.awaitReply(AUDIT_GET, CTX);
      return decodeAuditStatus(r.view, 0, r.payload.length).lost;
    })();
    const held = request.then(() => {}, () => {}).finally(() => {
      this.#held = undefined;
      if (this.#closed) this.#t.close();
    });
    this.#held = held;
    if (!(await this.#within(held, Math.max(0, end - Date.now())))) return undefined;
    return await request;
  }

  /** Whether `p` settles within `ms`. */
  async #within(p: Promise<void>, ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), ms));
    try {
      return await Promise.race([p.then(() => true), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Closes the socket: at once, or once a request the kernel holds is
   * through (its descriptor stays its own until then); waits for that at
   * most `timeoutMs`.
   */
  async close(timeoutMs = 0): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const held = this.#held;
    if (held === undefined) this.#t.close();
    else if (timeoutMs > 0) await this.#within(held, timeoutMs);
  }
}
