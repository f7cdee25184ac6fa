/**
 * The audit netlink socket as the live sources read it: opening it (joined
 * to the multicast group or not), nonblocking reads, waits on a worker
 * thread, and the line auditd writes for a record the kernel sends. Not
 * part of the public API.
 *
 * @module
 */

import {
  AUDIT_STATUS_SIZE,
  decodeNlmsghdr,
  encodeIovec,
  encodeMmsghdr,
  encodeNlmsghdr,
  encodePollfd,
  encodeSockaddrNl,
  IOVEC_SIZE,
  MMSGHDR_LEN,
  MMSGHDR_SIZE,
  NLMSG_HDRLEN,
} from "../../ffi/structs.ts";
import { c, errno } from "../_native.ts";
import { AuditError } from "../errors.ts";
import { AuditRecord, FieldPool, scanLines } from "../event/record.ts";
import { recordTypeName } from "../event/types.ts";

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0x80000;
const NETLINK_AUDIT = 9;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33;
const EPERM = 1;
const MSG_DONTWAIT = 64;
const POLLIN = 1;
const EAGAIN = 11;
export const EINTR = 4;
const ENOBUFS = 105;
/** Large enough for any record: the kernel caps one at MAX_AUDIT_MESSAGE_LENGTH (8970). */
const RECV_SIZE = 16384;
/** Longest single wait on the worker thread, so an abort or close is seen quickly. */
export const POLL_SLICE_MS = 100;
/** The kernel's multicast group for readers of the log. */
export const AUDIT_NLGRP_READLOG = 1;

/** Refuses a receive buffer size that is not a positive 32-bit integer. */
export function checkReceiveBuffer(rcvbuf: number | undefined): void {
  if (rcvbuf !== undefined && (!Number.isInteger(rcvbuf) || rcvbuf <= 0 || rcvbuf > 0x7fffffff)) {
    throw new RangeError(
      `Cannot set the receive buffer to "${rcvbuf}": must be a positive 32-bit integer`,
    );
  }
}

/**
 * The receive buffer the kernel gave socket `fd`, in bytes (SO_RCVBUF: twice
 * what was asked, for the kernel's bookkeeping).
 */
export function receiveBufferSize(fd: number): number {
  const v = new Uint8Array(4);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, 4, true);
  if (c().getsockopt(fd, SOL_SOCKET, SO_RCVBUF, v, len) < 0) {
    throw new AuditError({ call: "getsockopt", errno: errno(), action: "read SO_RCVBUF" });
  }
  return new DataView(v.buffer).getInt32(0, true);
}

/**
 * Opens a NETLINK_AUDIT socket (close-on-exec), sets its receive buffer and,
 * with `group`, joins that multicast group (needs CAP_AUDIT_READ).
 */
export function openAuditSocket(options: { group?: number; receiveBufferBytes?: number }): number {
  const libc = c();
  errno();
  const fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) {
    throw new AuditError({ call: "socket", errno: errno(), action: "open an audit socket" });
  }
  try {
    const rcvbuf = options.receiveBufferBytes;
    if (rcvbuf !== undefined) {
      const v = new Uint8Array(4);
      new DataView(v.buffer).setInt32(0, rcvbuf, true);
      // past net.core.rmem_max with CAP_NET_ADMIN (as root); without it, capped at rmem_max
      if (libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, v, 4) < 0) {
        const e = errno();
        if (e !== EPERM || libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, v, 4) < 0) {
          throw new AuditError({ call: "setsockopt", errno: errno(), action: "set SO_RCVBUF" });
        }
      }
    }
    if (options.group !== undefined) {
      const addr = encodeSockaddrNl(0, options.group);
      if (libc.bind(fd, addr, addr.length) < 0) {
        throw new AuditError({
          call: "bind",
          errno: errno(),
          action: "join the audit multicast group",
          capability: "CAP_AUDIT_READ",
        });
      }
    }
  } catch (e) {
    libc.close(fd);
    throw e;
  }
  return fd;
}

/** What one nonblocking read gave: a message, an overrun, or nothing queued. */
export type NetlinkRead =
  | { kind: "message"; type: number; payload: Uint8Array }
  | { kind: "overrun" }
  | undefined;

/** Nonblocking reads of one audit socket into one reused buffer. */
export class NetlinkReader {
  readonly #buf = new Uint8Array(RECV_SIZE);
  readonly #pollfd: Uint8Array<ArrayBuffer>;
  readonly fd: number;
  /**
   * Whether the payload length comes from the read count rather than
   * `nlmsg_len`: the kernel's unicast copies to the registered daemon carry
   * a length without the header (REFERENCE 4.8).
   */
  readonly unicast: boolean;

  constructor(fd: number, unicast: boolean) {
    this.fd = fd;
    this.unicast = unicast;
    this.#pollfd = encodePollfd(fd, POLLIN) as Uint8Array<ArrayBuffer>;
  }

  /**
   * The next queued message (its payload a view into the reused buffer,
   * valid until the next read), an overrun (ENOBUFS: the kernel dropped
   * what did not fit), or undefined when nothing is queued.
   */
  read(): NetlinkRead {
    const libc = c();
    for (;;) {
      const n = libc.recvfrom(this.fd, this.#buf, BigInt(RECV_SIZE), MSG_DONTWAIT, null, null);
      if (n < 0n) {
        const e = errno();
        if (e === EAGAIN) return undefined;
        if (e === EINTR) continue;
        if (e === ENOBUFS) return { kind: "overrun" };
        throw new AuditError({ call: "recvfrom", errno: e, action: "read the audit socket" });
      }
      const size = Number(n);
      if (size < NLMSG_HDRLEN) continue;
      const h = decodeNlmsghdr(new DataView(this.#buf.buffer, 0, size), 0);
      const len = this.unicast ? size : Math.min(Math.max(h.len, NLMSG_HDRLEN), size);
      return { kind: "message", type: h.type, payload: this.#buf.subarray(NLMSG_HDRLEN, len) };
    }
  }

  /** Waits on a worker thread until a message is queued or `ms` pass. */
  async wait(ms: number): Promise<void> {
    await c().poll_wait(this.#pollfd, 1n, Math.max(0, Math.min(ms, POLL_SLICE_MS)));
  }
}

/** Messages one `recvmmsg` call takes at most. */
const BATCH = 32;

/** The flags of the reader thread's receives (nonblocking). */
export const RECEIVE_FLAGS = { MSG_DONTWAIT } as const;
/** The errno values the reader thread's receives tell apart. */
export const RECEIVE_ERRNO = { EAGAIN, EINTR, ENOBUFS } as const;

/**
 * The memory one reader thread receives into, in shared memory so it can be
 * handed to the thread: `batch` buffers of `recvSize` bytes, the `struct
 * iovec` and `struct mmsghdr` vectors of one `recvmmsg` call over them (the
 * vectors hold the buffers' addresses, which are the same on every thread),
 * and a `struct pollfd` waiting for `fd` to be readable.
 */
export interface ReceiveArea {
  batch: number;
  recvSize: number;
  mmsghdrSize: number;
  mmsghdrLen: number;
  bufs: SharedArrayBuffer;
  iov: SharedArrayBuffer;
  vec: SharedArrayBuffer;
  pollfd: SharedArrayBuffer;
}

/** A {@link ReceiveArea} for batched nonblocking reads of `fd` (up to {@link BATCH} a call). */
export function receiveArea(fd: number, batch = BATCH): ReceiveArea {
  const bufs = new SharedArrayBuffer(batch * RECV_SIZE);
  const iov = new SharedArrayBuffer(batch * IOVEC_SIZE);
  const vec = new SharedArrayBuffer(batch * MMSGHDR_SIZE);
  const pollfd = new SharedArrayBuffer(8);
  const iovView = new DataView(iov);
  const vecView = new DataView(vec);
  const base = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(new Uint8Array(bufs))));
  const iovAt = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(new Uint8Array(iov))));
  for (let i = 0; i < batch; i++) {
    encodeIovec(iovView, i * IOVEC_SIZE, base + BigInt(i * RECV_SIZE), RECV_SIZE);
    encodeMmsghdr(vecView, i * MMSGHDR_SIZE, iovAt + BigInt(i * IOVEC_SIZE), 1);
  }
  new Uint8Array(pollfd).set(encodePollfd(fd, POLLIN));
  return {
    batch,
    recvSize: RECV_SIZE,
    mmsghdrSize: MMSGHDR_SIZE,
    mmsghdrLen: MMSGHDR_LEN,
    bufs,
    iov,
    vec,
    pollfd,
  };
}

const F_DUPFD_CLOEXEC = 1030;

/** A close-on-exec duplicate of `fd` (the reader thread's own descriptor of the socket). */
export function duplicate(fd: number): number {
  const d = c().fcntl_int(fd, F_DUPFD_CLOEXEC, 0);
  if (d < 0) {
    throw new AuditError({ call: "fcntl", errno: errno(), action: "duplicate the audit socket" });
  }
  return d;
}

const AUDIT_SET = 1001;
const AUDIT_STATUS_PID = 4;
const NLM_F_REQUEST = 1;

/**
 * Unregisters this process as the audit daemon on `fd` (AUDIT_SET, pid 0)
 * without waiting for an answer: the kernel handles the request inside the
 * send, so the pid is 0 when this returns; an error answer, if any, is read
 * by the socket's reader and skipped. (libaudit's `audit_set_pid` waits for
 * the kernel's ACK on the socket, which the reader thread may take first.)
 */
export function sendUnregister(fd: number): void {
  const msg = new Uint8Array(NLMSG_HDRLEN + AUDIT_STATUS_SIZE);
  const v = new DataView(msg.buffer);
  encodeNlmsghdr(v, 0, { len: msg.length, type: AUDIT_SET, flags: NLM_F_REQUEST, seq: 0, pid: 0 });
  v.setUint32(NLMSG_HDRLEN, AUDIT_STATUS_PID, true); // mask; pid (offset 12) stays 0
  const to = encodeSockaddrNl(0, 0);
  const libc = c();
  while (libc.sendto(fd, msg, BigInt(msg.length), 0, to, to.length) < 0 && errno() === EINTR);
}

const NL = 0x0a;
const SP = 0x20;
const TYPE_EQ = new TextEncoder().encode("type=");
const MSG_EQ = new TextEncoder().encode(" msg=");
/** auditd 3.0.9 formats a RAW line into MAX_AUDIT_MESSAGE_LENGTH - 32 bytes (`format_raw`). */
const RAW_LINE_MAX = 8970 - 32 - 1;

/** The bytes of each record type's name, by type (the kernel's types fit in 16 bits). */
const typeNames: (Uint8Array | undefined)[] = [];

function typeNameBytes(type: number): Uint8Array {
  return typeNames[type] ??= new TextEncoder().encode(recordTypeName(type));
}

/**
 * Writes the line auditd (3.0.9, `format_raw`) writes for a record the
 * kernel sent into `out` at `at`, which has room for
 * {@link kernelLineRoom} bytes: `type=NAME msg=PAYLOAD`, the payload up to
 * its first NUL, newlines made spaces, one trailing space trimmed, cut at
 * auditd's buffer size. Returns where the line ends (no newline written).
 */
function writeKernelLine(type: number, payload: Uint8Array, out: Uint8Array, at: number): number {
  const name = typeNameBytes(type);
  out.set(TYPE_EQ, at);
  out.set(name, at + TYPE_EQ.length);
  const head = TYPE_EQ.length + name.length + MSG_EQ.length;
  out.set(MSG_EQ, at + head - MSG_EQ.length);
  const from = at + head;
  const n = Math.min(payload.length, RAW_LINE_MAX - head);
  // one copy out of the ring, then one pass over the copy (a loop over the shared ring is slow)
  out.set(payload.subarray(0, n), from);
  let end = from + n;
  for (let i = from; i < end; i++) {
    const b = out[i];
    if (b === NL) out[i] = SP;
    else if (b === 0) {
      end = i;
      break;
    }
  }
  if (out[end - 1] === SP) end--;
  return end;
}

/** Bytes {@link writeKernelLine} may write for a payload of `length` bytes (and a newline). */
function kernelLineRoom(type: number, length: number): number {
  return TYPE_EQ.length + typeNameBytes(type).length + MSG_EQ.length + length + 1;
}

/**
 * The line auditd (3.0.9, `format_raw`) writes for a record the kernel
 * sent: `type=NAME msg=PAYLOAD`, the payload up to its first NUL, newlines
 * made spaces, one trailing space trimmed, cut at auditd's buffer size.
 */
export function kernelRecordLine(type: number, payload: Uint8Array): Uint8Array {
  const line = new Uint8Array(kernelLineRoom(type, payload.length));
  return line.subarray(0, writeKernelLine(type, payload, line, 0));
}

/**
 * The lines of a batch of records the kernel sent, built in one buffer and
 * tokenized in one pass into records that share one copy of it and one
 * {@link FieldPool} (as a read of auditd's plugin output is).
 */
export class KernelLines {
  #buf = new Uint8Array(1 << 16);
  #used = 0;
  #types: number[] = [];

  /** Adds the line of a record (`payload` may be a view into the ring: it is copied). */
  add(type: number, payload: Uint8Array): void {
    const room = this.#used + kernelLineRoom(type, payload.length);
    if (room > this.#buf.length) {
      const bigger = new Uint8Array(Math.max(room, this.#buf.length * 2));
      bigger.set(this.#buf.subarray(0, this.#used));
      this.#buf = bigger;
    }
    const end = writeKernelLine(type, payload, this.#buf, this.#used);
    this.#buf[end] = NL;
    this.#used = end + 1;
    this.#types.push(type);
  }

  /**
   * Appends the records of the lines added since the last call to `out`,
   * in order; a line that is no record goes to `bad` with its type and why.
   */
  take(out: AuditRecord[], bad: (type: number, reason: string) => void): void {
    if (this.#used === 0) return;
    const lines = this.#buf.slice(0, this.#used);
    const types = this.#types;
    this.#used = 0;
    this.#types = [];
    const pool = new FieldPool((lines.length >> 4) + 16);
    scanLines(lines, 0, lines.length, pool, out, (_s, _e, why, line) => bad(types[line - 1], why));
  }
}

/**
 * The record of the log reader's model for a record the kernel sent,
 * tokenized from {@link kernelRecordLine}; throws BadLineError when the
 * payload has no `audit(...)` stamp.
 */
export function kernelRecord(type: number, payload: Uint8Array): AuditRecord {
  const line = kernelRecordLine(type, payload);
  return new AuditRecord(line, 0, line.length);
}
