/**
 * Symbol table of the libc calls auditkit makes itself.
 *
 * `poll_wait` is the only `nonblocking` symbol: it runs on a worker thread so
 * waiting for the kernel never blocks the event loop. Its result is a count,
 * so the worker's separate errno does not matter. Every other call is
 * synchronous and its errno is read immediately afterwards.
 *
 * @module
 */

import { lazyLibrary } from "./_load.ts";

const int = "i32" as const;
const size_t = "usize" as const;
const ssize_t = "isize" as const;
const socklen_t = "u32" as const;
const buf = "buffer" as const;
const ptr = "pointer" as const;

/** The libc symbols auditkit binds. */
export const libcSymbols = {
  /** int socket(int domain, int type, int protocol); */
  socket: { parameters: [int, int, int], result: int },
  /** int bind(int fd, const struct sockaddr *addr, socklen_t len); */
  bind: { parameters: [int, buf, socklen_t], result: int },
  /** ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen); */
  sendto: { parameters: [int, buf, size_t, int, buf, socklen_t], result: ssize_t },
  /** ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen); */
  recvfrom: { parameters: [int, buf, size_t, int, buf, buf], result: ssize_t },
  /** int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout); */
  recvmmsg: { parameters: [int, buf, "u32", int, ptr], result: int },
  /** int setsockopt(int fd, int level, int name, const void *val, socklen_t len); */
  setsockopt: { parameters: [int, int, int, buf, socklen_t], result: int },
  /** int getsockopt(int fd, int level, int name, void *val, socklen_t *len); */
  getsockopt: { parameters: [int, int, int, buf, buf], result: int },
  /** int close(int fd); */
  close: { parameters: [int], result: int },
  /** pid_t getpid(void); */
  getpid: { parameters: [], result: int },
  /** int poll(struct pollfd *fds, nfds_t nfds, int timeout); */
  poll: { parameters: [buf, "u64", int], result: int },
  /** int poll(struct pollfd *fds, nfds_t nfds, int timeout); on a worker thread */
  poll_wait: { name: "poll", parameters: [buf, "u64", int], result: int, nonblocking: true },
  /** int *__errno_location(void); */
  __errno_location: { parameters: [], result: ptr },
  /** int strerror_r(int errnum, char *buf, size_t len); (XSI variant in glibc: __xpg_strerror_r) */
  __xpg_strerror_r: { parameters: [int, buf, size_t], result: int },
  /** void free(void *p); */
  free: { parameters: [ptr], result: "void" },
  /** int fcntl(int fd, int cmd); (fixed-int use only: F_GETFD) */
  fcntl: { parameters: [int, int], result: int },
  /** int fcntl(int fd, int cmd, int arg); (F_DUPFD_CLOEXEC) */
  fcntl_int: { name: "fcntl", parameters: [int, int, int], result: int },
} as const;

/** The opened libc type. */
export type Libc = Deno.DynamicLibrary<typeof libcSymbols>;

/** libc, opened on first use from `AUDITKIT_LIBC` or `libc.so.6`. */
export const libc = lazyLibrary("libc.so.6", "AUDITKIT_LIBC", libcSymbols);
