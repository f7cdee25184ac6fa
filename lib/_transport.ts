/**
 * Request/reply over a libaudit socket, shared by every `lib/` module that
 * talks to the kernel (status, rules, records). Not part of the public API.
 *
 * @module
 */

import { AUDIT_REPLY, decodeNlmsgErr, encodePollfd, NLMSG_HDRLEN } from "../ffi/structs.ts";
import { audit, c } from "./_native.ts";
import { type AuditCapability, AuditError } from "./errors.ts";

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const GET_REPLY_NONBLOCKING = 1;
const EAGAIN = 11;
const ETIMEDOUT = 110;
const EBADF = 9;
const POLLIN = 1;

/** How long auditkit waits for a reply the kernel owes, in milliseconds. */
export const REPLY_TIMEOUT_MS = 5000;

/** What a failing request was doing, for its error. */
export interface RequestContext {
  /** The libaudit function, such as `"audit_add_rule_data"`. */
  call: string;
  /** What was being done, in words: `"add rule \"-w /etc\""`. */
  action: string;
  /** The capability the request needs (default CAP_AUDIT_CONTROL). */
  capability?: AuditCapability;
}

/** A reply payload: a view into the shared reply buffer, valid until the next read. */
export interface Reply {
  /** The netlink message type. */
  type: number;
  /** The payload bytes (a view: copy what you keep). */
  payload: Uint8Array;
  /** A DataView on the payload. */
  view: DataView;
}

/** One audit socket with its reply buffer. */
export class AuditTransport {
  #fd: number;
  readonly #reply = new Uint8Array(AUDIT_REPLY.size);
  readonly #view = new DataView(this.#reply.buffer);

  /** Takes ownership of an open audit socket. */
  constructor(fd: number) {
    this.#fd = fd;
  }

  /** The descriptor, -1 once closed. */
  get fd(): number {
    return this.#fd;
  }

  /** Closes the socket once. */
  close(): void {
    if (this.#fd < 0) return;
    audit().audit_close(this.#fd);
    this.#fd = -1;
  }

  /** The open descriptor; throws EBADF once closed. */
  openFd(): number {
    if (this.#fd < 0) {
      throw new AuditError({
        call: "audit_get_reply",
        errno: EBADF,
        reason: "the audit client is closed",
      });
    }
    return this.#fd;
  }

  /**
   * Runs a libaudit call that returns a sequence number (> 0) or -errno, and
   * throws the errno as an {@link AuditError}.
   */
  request(ctx: RequestContext, fn: (fd: number) => number): number {
    const rc = fn(this.openFd());
    if (rc < 0) throw this.error(ctx, -rc);
    return rc;
  }

  /** The error for `errno` in `ctx`. */
  error(ctx: RequestContext, errno: number): AuditError {
    return new AuditError({
      call: ctx.call,
      errno,
      action: ctx.action,
      capability: ctx.capability,
    });
  }

  /**
   * Reads the next message; undefined when none arrives before the timeout.
   * ACKs are skipped; an NLMSG_ERROR with an error throws it.
   */
  async next(ctx: RequestContext, timeoutMs = REPLY_TIMEOUT_MS): Promise<Reply | undefined> {
    const a = audit();
    const deadline = Date.now() + timeoutMs;
    const pfd = encodePollfd(this.openFd(), POLLIN);
    for (;;) {
      const rc = a.audit_get_reply(this.openFd(), this.#reply, GET_REPLY_NONBLOCKING, 0);
      if (rc === -EAGAIN) {
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        await c().poll_wait(pfd, 1n, Math.min(left, 250));
        continue;
      }
      if (rc < 0) throw new AuditError({ call: "audit_get_reply", errno: -rc, action: ctx.action });
      const type = this.#view.getInt32(AUDIT_REPLY.type, true);
      const len = this.#view.getUint32(AUDIT_REPLY.len, true);
      const length = Math.max(0, Math.min(len, rc) - NLMSG_HDRLEN);
      if (type === NLMSG_ERROR) {
        const err = decodeNlmsgErr(this.#view, AUDIT_REPLY.data);
        if (err < 0) throw this.error(ctx, -err);
        continue; // an ACK
      }
      const payload = this.#reply.subarray(AUDIT_REPLY.data, AUDIT_REPLY.data + length);
      return {
        type,
        payload,
        view: new DataView(payload.buffer, payload.byteOffset, payload.byteLength),
      };
    }
  }

  /** Waits for the one reply of `type` the kernel owes for the request just sent. */
  async awaitReply(type: number, ctx: RequestContext): Promise<Reply> {
    for (;;) {
      const r = await this.next(ctx);
      if (!r) {
        throw new AuditError({
          call: ctx.call,
          errno: ETIMEDOUT,
          action: ctx.action,
          reason: `the kernel sent no reply within ${REPLY_TIMEOUT_MS} ms`,
        });
      }
      if (r.type === type || r.type === NLMSG_DONE) return r;
    }
  }

  /**
   * Collects every reply of `type` up to NLMSG_DONE (a multi-part answer
   * such as AUDIT_LIST_RULES); each payload is copied.
   */
  async collect(type: number, ctx: RequestContext): Promise<Uint8Array[]> {
    const parts: Uint8Array[] = [];
    for (;;) {
      const r = await this.next(ctx);
      if (!r) {
        throw new AuditError({
          call: ctx.call,
          errno: ETIMEDOUT,
          action: ctx.action,
          reason: `the kernel did not finish its answer within ${REPLY_TIMEOUT_MS} ms`,
        });
      }
      if (r.type === NLMSG_DONE) return parts;
      if (r.type === type) parts.push(r.payload.slice());
    }
  }
}
