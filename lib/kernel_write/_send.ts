/**
 * One user message sent as is: an AUDIT_USER-range netlink request on the
 * client's socket, and its ACK awaited without blocking the event loop.
 *
 * libaudit's audit_send is private API and waits for the ACK synchronously
 * (up to 40 s); sending the request here keeps the payload exactly what the
 * caller built and the wait asynchronous.
 *
 * @module
 */

import {
  decodeNlmsghdr,
  encodeNlmsghdr,
  encodePollfd,
  encodeSockaddrNl,
  NLMSG_HDRLEN,
} from "../../ffi/structs.ts";
import { c, errno } from "../_native.ts";
import { type AuditClient, transportOf } from "../client.ts";
import { AuditError } from "../errors.ts";
import { REPLY_TIMEOUT_MS } from "../_transport.ts";

const NLMSG_ERROR = 2;
const NLM_F_REQUEST = 1;
const NLM_F_ACK = 4;
const MSG_DONTWAIT = 64;
const POLLIN = 1;
const EAGAIN = 11;
const EINTR = 4;
const ETIMEDOUT = 110;
const RECV_SIZE = 16384;

const CAP_AUDIT_WRITE = 29;

/** Whether this thread has CAP_AUDIT_WRITE in its effective set, which user messages need. */
export function canWriteAudit(): boolean {
  const line = Deno.readTextFileSync("/proc/thread-self/status").match(/^CapEff:\s*([0-9a-f]+)$/m);
  return line ? ((BigInt(`0x${line[1]}`) >> BigInt(CAP_AUDIT_WRITE)) & 1n) === 1n : false;
}

let sequence = Math.floor(Math.random() * 0x7fff_0000) + 1;

/** What a failed send was doing, for its error. */
export interface SendContext {
  call: string;
  action: string;
}

/**
 * Sends `text` (NUL-terminated) as a user message of `type` and resolves
 * once the kernel acknowledged it; a refusal throws the kernel's errno.
 */
export async function sendUserMessage(
  client: AuditClient,
  type: number,
  text: Uint8Array,
  ctx: SendContext,
): Promise<void> {
  const fd = transportOf(client).openFd();
  const libc = c();
  const seq = sequence;
  sequence = sequence >= 0x7fff_ffff ? 1 : sequence + 1;
  const len = NLMSG_HDRLEN + text.length + 1;
  const msg = new Uint8Array((len + 3) & ~3);
  encodeNlmsghdr(new DataView(msg.buffer), 0, {
    len,
    type,
    flags: NLM_F_REQUEST | NLM_F_ACK,
    seq,
    pid: 0,
  });
  msg.set(text, NLMSG_HDRLEN);
  const to = encodeSockaddrNl(0, 0);
  errno();
  for (;;) {
    const sent = libc.sendto(fd, msg, BigInt(msg.length), 0, to, to.length);
    if (sent >= 0n) break;
    const e = errno();
    if (e !== EINTR) throw new AuditError({ call: ctx.call, errno: e, action: ctx.action });
  }
  await awaitAck(fd, seq, ctx);
}

async function awaitAck(fd: number, seq: number, ctx: SendContext): Promise<void> {
  const libc = c();
  const buf = new Uint8Array(RECV_SIZE);
  const view = new DataView(buf.buffer);
  const pfd = encodePollfd(fd, POLLIN);
  const deadline = Date.now() + REPLY_TIMEOUT_MS;
  for (;;) {
    const n = libc.recvfrom(fd, buf, BigInt(buf.length), MSG_DONTWAIT, null, null);
    if (n < 0n) {
      const e = errno();
      if (e === EINTR) continue;
      if (e !== EAGAIN) throw new AuditError({ call: ctx.call, errno: e, action: ctx.action });
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new AuditError({
          call: ctx.call,
          errno: ETIMEDOUT,
          action: ctx.action,
          reason: `the kernel sent no acknowledgement within ${REPLY_TIMEOUT_MS} ms`,
        });
      }
      await libc.poll_wait(pfd, 1n, Math.min(left, 250));
      continue;
    }
    // an ACK is an nlmsgerr: the error, then the header of our request
    if (Number(n) < NLMSG_HDRLEN + 4 + NLMSG_HDRLEN) continue;
    const h = decodeNlmsghdr(view, 0);
    if (h.type !== NLMSG_ERROR) continue;
    const echoed = decodeNlmsghdr(view, NLMSG_HDRLEN + 4);
    if (echoed.seq !== seq) continue;
    const error = view.getInt32(NLMSG_HDRLEN, true);
    if (error < 0) {
      throw new AuditError({
        call: ctx.call,
        errno: -error,
        action: ctx.action,
        capability: "CAP_AUDIT_WRITE",
      });
    }
    return;
  }
}
