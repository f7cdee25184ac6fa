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
  #held: Promise<unknown> | undefined;
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
   * `timeoutMs` (the request stays on its thread; later reads return
   * undefined until it is through). Throws when the status cannot be read.
   */
  read(timeoutMs: number): Promise<number | undefined> {
    if (this.#held !== undefined || this.#closed) return Promise.resolve(undefined);
    const fd = this.#t.fd;
    const request = (async () => {
      const rc = await audit().audit_request_status_off_thread(fd);
      if (rc < 0) throw this.#t.error(CTX, -rc);
      if (this.#closed) return undefined;
      const r = await this.#t.awaitReply(AUDIT_GET, CTX);
      return decodeAuditStatus(r.view, 0, r.payload.length).lost;
    })();
    const held = request.finally(() => {
      this.#held = undefined;
      if (this.#closed) this.#t.close();
    });
    this.#held = held;
    held.catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((resolve) =>
      timer = setTimeout(() => resolve(undefined), timeoutMs)
    );
    return Promise.race([request, late]).finally(() => clearTimeout(timer));
  }

  /** Closes the socket, once a request the kernel still holds is through (its fd stays its own). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#held === undefined) this.#t.close();
  }
}
