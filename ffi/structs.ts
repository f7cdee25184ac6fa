/**
 * C struct layouts (Linux x86_64, little-endian) and their DataView codecs.
 *
 * Offsets come from linux/audit.h, linux/netlink.h and libaudit.h; the tests
 * check them against a C `offsetof` program where a compiler is available.
 *
 * @module
 */

/** sizeof(struct nlmsghdr) */
export const NLMSG_HDRLEN = 16;

/** Offsets inside libaudit's `struct audit_reply` (size 9016). */
export const AUDIT_REPLY = {
  size: 9016,
  type: 0,
  len: 4,
  /** start of the embedded `struct nlmsghdr` */
  nlh: 16,
  /** start of the payload (`msg.data`) */
  data: 32,
  /** MAX_AUDIT_MESSAGE_LENGTH: capacity of `msg.data` */
  dataMax: 8970,
} as const;

/** `struct audit_status`, 44 bytes; older kernels send fewer. */
export interface RawAuditStatus {
  mask: number;
  enabled: number;
  failure: number;
  pid: number;
  rate_limit: number;
  backlog_limit: number;
  lost: number;
  backlog: number;
  /** union with `version` */
  feature_bitmap: number;
  backlog_wait_time: number | undefined;
  backlog_wait_time_actual: number | undefined;
}

/** sizeof(struct audit_status) on current kernels */
export const AUDIT_STATUS_SIZE = 44;

/** Decodes a `struct audit_status` payload of `length` bytes. */
export function decodeAuditStatus(view: DataView, offset: number, length: number): RawAuditStatus {
  const u32 = (at: number) => (at + 4 <= length ? view.getUint32(offset + at, true) : undefined);
  return {
    mask: u32(0) ?? 0,
    enabled: u32(4) ?? 0,
    failure: u32(8) ?? 0,
    pid: u32(12) ?? 0,
    rate_limit: u32(16) ?? 0,
    backlog_limit: u32(20) ?? 0,
    lost: u32(24) ?? 0,
    backlog: u32(28) ?? 0,
    feature_bitmap: u32(32) ?? 0,
    backlog_wait_time: u32(36),
    backlog_wait_time_actual: u32(40),
  };
}

/** `struct audit_features`, 16 bytes. */
export interface RawAuditFeatures {
  vers: number;
  mask: number;
  features: number;
  lock: number;
}

/** sizeof(struct audit_features) */
export const AUDIT_FEATURES_SIZE = 16;

/** Decodes a `struct audit_features` payload. */
export function decodeAuditFeatures(view: DataView, offset: number): RawAuditFeatures {
  return {
    vers: view.getUint32(offset, true),
    mask: view.getUint32(offset + 4, true),
    features: view.getUint32(offset + 8, true),
    lock: view.getUint32(offset + 12, true),
  };
}

/** `struct audit_sig_info`: uid, pid, then a security context to the end. */
export interface RawSignalInfo {
  uid: number;
  pid: number;
  ctx: Uint8Array;
}

/** Decodes a `struct audit_sig_info` payload of `length` bytes. */
export function decodeSignalInfo(bytes: Uint8Array, offset: number, length: number): RawSignalInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return {
    uid: view.getUint32(offset, true),
    pid: view.getInt32(offset + 4, true),
    ctx: bytes.slice(offset + 8, offset + Math.max(8, length)),
  };
}

/** `struct nlmsgerr`: the error code at the start of an NLMSG_ERROR payload. */
export function decodeNlmsgErr(view: DataView, offset: number): number {
  return view.getInt32(offset, true);
}

/** Writes a `struct nlmsghdr` at `offset`. */
export function encodeNlmsghdr(
  view: DataView,
  offset: number,
  h: { len: number; type: number; flags: number; seq: number; pid: number },
): void {
  view.setUint32(offset, h.len, true);
  view.setUint16(offset + 4, h.type, true);
  view.setUint16(offset + 6, h.flags, true);
  view.setUint32(offset + 8, h.seq, true);
  view.setUint32(offset + 12, h.pid, true);
}

/** A decoded `struct nlmsghdr`. */
export interface Nlmsghdr {
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
}

/** Reads a `struct nlmsghdr` at `offset`. */
export function decodeNlmsghdr(view: DataView, offset: number): Nlmsghdr {
  return {
    len: view.getUint32(offset, true),
    type: view.getUint16(offset + 4, true),
    flags: view.getUint16(offset + 6, true),
    seq: view.getUint32(offset + 8, true),
    pid: view.getUint32(offset + 12, true),
  };
}

/** A `struct sockaddr_nl` (12 bytes) for the kernel (pid 0) and `groups`. */
export function encodeSockaddrNl(pid: number, groups: number): Uint8Array {
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  v.setUint16(0, 16, true); // AF_NETLINK
  v.setUint32(4, pid, true);
  v.setUint32(8, groups, true);
  return b;
}

/** A one-entry `struct pollfd` array (8 bytes) for `fd` and `events`. */
export function encodePollfd(fd: number, events: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setInt32(0, fd, true);
  v.setInt16(4, events, true);
  return b;
}

/** `sizeof(struct iovec)` on 64-bit Linux: `void *iov_base; size_t iov_len;`. */
export const IOVEC_SIZE = 16;
/**
 * `sizeof(struct mmsghdr)` on 64-bit Linux: a `struct msghdr` (56 bytes:
 * name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48)
 * and `unsigned int msg_len` at {@link MMSGHDR_LEN}, padded to 8.
 */
export const MMSGHDR_SIZE = 64;
/** Offset of `msg_len` in `struct mmsghdr`: the bytes `recvmmsg` received into that entry. */
export const MMSGHDR_LEN = 56;

/** Writes a `struct iovec` at `offset`: `len` bytes at address `base`. */
export function encodeIovec(view: DataView, offset: number, base: bigint, len: number): void {
  view.setBigUint64(offset, base, true);
  view.setBigUint64(offset + 8, BigInt(len), true);
}

/**
 * Writes a `struct mmsghdr` at `offset` that receives into `iovlen` iovecs at
 * address `iov`: no source address, no control data, `msg_len` 0.
 */
export function encodeMmsghdr(view: DataView, offset: number, iov: bigint, iovlen: number): void {
  for (let i = 0; i < MMSGHDR_SIZE; i += 8) view.setBigUint64(offset + i, 0n, true);
  view.setBigUint64(offset + 16, iov, true);
  view.setBigUint64(offset + 24, BigInt(iovlen), true);
}
