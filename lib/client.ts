/**
 * The audit netlink control client: audit_open(3) and the status and
 * configuration of kernel auditing.
 *
 * @module
 */

import {
  AUDIT_FEATURES_SIZE,
  decodeAuditFeatures,
  decodeAuditStatus,
  decodeSignalInfo,
} from "../ffi/structs.ts";
import { audit, errno } from "./_native.ts";
import { AuditTransport } from "./_transport.ts";
import { AuditError } from "./errors.ts";

const AUDIT_GET = 1000;
const AUDIT_SIGNAL_INFO = 1010;
const AUDIT_GET_FEATURE = 1019;
const ENOSYS = 38;
const AUDIT_FEATURE_LOGINUID_IMMUTABLE = 1;

/** The state of the `loginuid_immutable` kernel feature. */
export interface LoginuidImmutable {
  /** 1 when set: a process's loginuid, once set, cannot change. */
  value: 0 | 1;
  /** true when the setting is locked until reboot. */
  locked: boolean;
}

/**
 * Every field of the kernel's `struct audit_status`, plus `loginuid_immutable`
 * from AUDIT_GET_FEATURE. Names follow the C struct and `auditctl -s`.
 */
export interface AuditStatus {
  /** 0 off, 1 on, 2 on and locked until reboot. */
  enabled: number;
  /** What the kernel does when it loses a record: 0 silent, 1 printk, 2 panic. */
  failure: number;
  /** The registered audit daemon's pid; 0 when none. */
  pid: number;
  /** Records per second before the kernel drops them; 0 is unlimited. */
  rate_limit: number;
  /** Records queued for the daemon before the kernel waits or drops; 0 is unlimited. */
  backlog_limit: number;
  /** Records lost since boot (or the last reset). */
  lost: number;
  /** Records queued now. */
  backlog: number;
  /** Kernel ticks a task waits when the backlog is full (absent on old kernels). */
  backlog_wait_time: number | undefined;
  /** Ticks tasks have spent waiting on a full backlog (absent on old kernels). */
  backlog_wait_time_actual: number | undefined;
  /** The kernel's audit feature bitmap (the `version` union member). */
  feature_bitmap: number;
  /** The loginuid_immutable feature; absent when the kernel does not report it. */
  loginuid_immutable: LoginuidImmutable | undefined;
}

/** The sender of the last signal to the audit daemon (AUDIT_SIGNAL_INFO). */
export interface SignalInfo {
  /** loginuid of the sender (4294967295 when unset). */
  uid: number;
  /** pid of the sender. */
  pid: number;
  /** security context of the sender, empty without an LSM. */
  context: string;
}

/** Options of {@link AuditClient.setEnabled}. */
export interface SetEnabledOptions {
  /** Required to set 2: it locks the audit configuration until the next reboot. */
  allowLock?: boolean;
}

/** Options of {@link AuditClient.setFailure}. */
export interface SetFailureOptions {
  /** Required to set 2: the kernel then panics whenever it loses a record. */
  allowPanic?: boolean;
}

const transports = new WeakMap<AuditClient, AuditTransport>();

/** The transport under a client, for the other `lib/` modules (not public API). */
export function transportOf(client: AuditClient): AuditTransport {
  return transports.get(client)!;
}

const registry = new FinalizationRegistry<number>((fd) => {
  try {
    audit().audit_close(fd);
  } catch {
    // the library is gone with the process; nothing left to release
  }
});

function checkU32(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(
      `Cannot set ${name} to "${value}": must be an integer from 0 to 4294967295`,
    );
  }
}

/**
 * An open NETLINK_AUDIT socket (audit_open(3)). Close it with `using` or
 * {@link AuditClient.close}.
 *
 * @example
 * ```ts
 * import { openAudit } from "../mod.ts";
 * using audit = openAudit();
 * const status = await audit.status();
 * console.log(status.enabled, status.backlog_limit);
 * ```
 */
export class AuditClient implements Disposable {
  #t: AuditTransport;
  #token = {};

  /** Wraps an already open audit socket; use {@link openAudit} instead. */
  constructor(fd: number) {
    this.#t = new AuditTransport(fd);
    transports.set(this, this.#t);
    registry.register(this, fd, this.#token);
  }

  /** The socket's file descriptor; -1 once closed. */
  get fd(): number {
    return this.#t.fd;
  }

  /** true once {@link AuditClient.close} has run. */
  get closed(): boolean {
    return this.#t.fd < 0;
  }

  /** Closes the socket. Calling it again does nothing. */
  close(): void {
    if (this.#t.fd < 0) return;
    this.#t.close();
    registry.unregister(this.#token);
  }

  /** Closes the socket (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  #request(call: string, action: string, fn: (fd: number) => number): number {
    return this.#t.request({ call, action }, fn);
  }

  #missing(call: string): AuditError {
    return new AuditError({ call, errno: ENOSYS, reason: `this libaudit has no ${call}` });
  }

  /**
   * The kernel's audit status (AUDIT_GET) with `loginuid_immutable` from
   * AUDIT_GET_FEATURE: what `auditctl -s` prints.
   *
   * @example
   * ```ts
   * import { openAudit } from "../mod.ts";
   * using audit = openAudit();
   * const { enabled, lost } = await audit.status();
   * ```
   */
  async status(): Promise<AuditStatus> {
    const ctx = { call: "audit_request_status", action: "get the audit status" };
    this.#t.request(ctx, (fd) => audit().audit_request_status(fd));
    const r = await this.#t.awaitReply(AUDIT_GET, ctx);
    const raw = decodeAuditStatus(r.view, 0, r.payload.length);
    return {
      enabled: raw.enabled,
      failure: raw.failure,
      pid: raw.pid,
      rate_limit: raw.rate_limit,
      backlog_limit: raw.backlog_limit,
      lost: raw.lost,
      backlog: raw.backlog,
      backlog_wait_time: raw.backlog_wait_time,
      backlog_wait_time_actual: raw.backlog_wait_time_actual,
      feature_bitmap: raw.feature_bitmap,
      loginuid_immutable: await this.#loginuidImmutable(),
    };
  }

  async #loginuidImmutable(): Promise<LoginuidImmutable | undefined> {
    const request = audit().audit_request_features;
    if (!request) return undefined;
    const ctx = { call: "audit_request_features", action: "get the audit features" };
    this.#t.request(ctx, (fd) => request(fd));
    const r = await this.#t.awaitReply(AUDIT_GET_FEATURE, ctx);
    if (r.payload.length < AUDIT_FEATURES_SIZE) return undefined;
    const f = decodeAuditFeatures(r.view, 0);
    const bit = 1 << AUDIT_FEATURE_LOGINUID_IMMUTABLE;
    if (!(f.mask & bit)) return undefined;
    return { value: f.features & bit ? 1 : 0, locked: (f.lock & bit) !== 0 };
  }

  /**
   * Turns kernel auditing off (0) or on (1). 2 turns it on and locks the
   * configuration until reboot; it is refused unless `allowLock` is set.
   *
   * @example
   * ```ts
   * import { openAudit } from "../mod.ts";
   * using audit = openAudit();
   * await audit.setEnabled(1);
   * ```
   */
  setEnabled(value: 0 | 1 | 2, options: SetEnabledOptions = {}): Promise<void> {
    return Promise.try(() => {
      if (value !== 0 && value !== 1 && value !== 2) {
        throw new RangeError(`Cannot set enabled to "${value}": must be 0, 1 or 2`);
      }
      if (value === 2 && !options.allowLock) {
        throw new RangeError(
          "Cannot set enabled to 2: it locks the audit configuration until reboot; pass allowLock to confirm",
        );
      }
      this.#request(
        "audit_set_enabled",
        `set enabled to ${value}`,
        (fd) => audit().audit_set_enabled(fd, value),
      );
    });
  }

  /**
   * Makes every process's loginuid unchangeable once set, and locks that
   * setting until reboot (`auditctl --loginuid-immutable`). It cannot be
   * undone, so it is refused unless `allowLock` is set.
   *
   * @example
   * ```ts ignore
   * import { openAudit } from "../mod.ts";
   * using audit = openAudit();
   * await audit.setLoginuidImmutable({ allowLock: true }); // until reboot
   * ```
   */
  setLoginuidImmutable(options: SetEnabledOptions = {}): Promise<void> {
    return Promise.try(() => {
      if (!options.allowLock) {
        throw new RangeError(
          "Cannot make loginuids immutable: it cannot be undone until reboot; pass allowLock to confirm",
        );
      }
      const set = audit().audit_set_loginuid_immutable;
      if (!set) throw this.#missing("audit_set_loginuid_immutable");
      this.#request("audit_set_loginuid_immutable", "make loginuids immutable", (fd) => set(fd));
    });
  }

  /**
   * Sets what the kernel does when it loses a record: 0 silent, 1 printk,
   * 2 panic. 2 is refused unless `allowPanic` is set.
   *
   * @example
   * ```ts
   * import { openAudit } from "../mod.ts";
   * using audit = openAudit();
   * await audit.setFailure(1);
   * ```
   */
  setFailure(value: 0 | 1 | 2, options: SetFailureOptions = {}): Promise<void> {
    return Promise.try(() => {
      if (value !== 0 && value !== 1 && value !== 2) {
        throw new RangeError(`Cannot set failure to "${value}": must be 0, 1 or 2`);
      }
      if (value === 2 && !options.allowPanic) {
        throw new RangeError(
          "Cannot set failure to 2: the kernel would panic on any lost record; pass allowPanic to confirm",
        );
      }
      this.#request(
        "audit_set_failure",
        `set failure to ${value}`,
        (fd) => audit().audit_set_failure(fd, value),
      );
    });
  }

  /**
   * Sets the record rate limit in records per second (0 = unlimited).
   *
   * @example
   * ```ts
   * import { openAudit } from "../mod.ts";
   * using audit = openAudit();
   * await audit.setRateLimit(0);
   * ```
   */
  setRateLimit(value: number): Promise<void> {
    return Promise.try(() => {
      checkU32("rate_limit", value);
      this.#request(
        "audit_set_rate_limit",
        `set rate_limit to ${value}`,
        (fd) => audit().audit_set_rate_limit(fd, value),
      );
    });
  }

  /**
   * Sets how many records may queue for the daemon (0 = unlimited).
   *
   * @example
   * ```ts
   * import { openAudit } from "../mod.ts";
   * using audit = openAudit();
   * await audit.setBacklogLimit(8192);
   * ```
   */
  setBacklogLimit(value: number): Promise<void> {
    return Promise.try(() => {
      checkU32("backlog_limit", value);
      this.#request(
        "audit_set_backlog_limit",
        `set backlog_limit to ${value}`,
        (fd) => audit().audit_set_backlog_limit(fd, value),
      );
    });
  }

  /**
   * Sets how long, in kernel ticks, a task waits when the backlog is full.
   * The kernel refuses more than ten minutes' worth (EINVAL).
   *
   * @example
   * ```ts
   * import { openAudit } from "../mod.ts";
   * using audit = openAudit();
   * await audit.setBacklogWaitTime(15000);
   * ```
   */
  setBacklogWaitTime(value: number): Promise<void> {
    return Promise.try(() => {
      checkU32("backlog_wait_time", value);
      const fn = audit().audit_set_backlog_wait_time;
      if (!fn) {
        throw this.#missing("audit_set_backlog_wait_time");
      }
      this.#request(
        "audit_set_backlog_wait_time",
        `set backlog_wait_time to ${value}`,
        (fd) => fn(fd, value),
      );
    });
  }

  /**
   * Registers `pid` as the audit daemon that receives records on this
   * socket; 0 unregisters. A registered process that does not read stalls
   * every audited task on the machine: unregister before you stop reading.
   *
   * @example
   * ```ts ignore
   * import { openAudit } from "../mod.ts";
   * using audit = openAudit();
   * await audit.setPid(Deno.pid);
   * // ... read records ...
   * await audit.setPid(0);
   * ```
   */
  setPid(pid: number): Promise<void> {
    return Promise.try(() => {
      checkU32("pid", pid);
      this.#request(
        "audit_set_pid",
        pid === 0 ? "unregister the audit daemon" : `register pid ${pid} as the audit daemon`,
        (fd) => audit().audit_set_pid(fd, pid, 0),
      );
    });
  }

  /**
   * Resets the kernel's lost-record counter; returns the count before.
   *
   * @example
   * ```ts
   * import { openAudit } from "../mod.ts";
   * using audit = openAudit();
   * const before = await audit.resetLost();
   * ```
   */
  resetLost(): Promise<number> {
    return Promise.try(() => {
      const fn = audit().audit_reset_lost;
      if (!fn) {
        throw this.#missing("audit_reset_lost");
      }
      const rc = fn(this.#t.openFd());
      if (rc < 0) {
        throw new AuditError({ call: "audit_reset_lost", errno: -rc, action: "reset lost" });
      }
      return rc;
    });
  }

  /**
   * Who last signalled the audit daemon (AUDIT_SIGNAL_INFO), as auditd logs
   * it on DAEMON_END.
   *
   * @example
   * ```ts
   * import { openAudit } from "../mod.ts";
   * using audit = openAudit();
   * const { uid, pid } = await audit.signalInfo();
   * ```
   */
  async signalInfo(): Promise<SignalInfo> {
    const fn = audit().audit_request_signal_info;
    if (!fn) {
      throw this.#missing("audit_request_signal_info");
    }
    const ctx = { call: "audit_request_signal_info", action: "get the audit signal info" };
    this.#t.request(ctx, (fd) => fn(fd));
    const r = await this.#t.awaitReply(AUDIT_SIGNAL_INFO, ctx);
    const raw = decodeSignalInfo(r.payload, 0, r.payload.length);
    const nul = raw.ctx.indexOf(0);
    return {
      uid: raw.uid,
      pid: raw.pid,
      context: new TextDecoder().decode(nul < 0 ? raw.ctx : raw.ctx.subarray(0, nul)),
    };
  }
}

/**
 * Opens a NETLINK_AUDIT socket through libaudit's audit_open(3).
 *
 * Needs `--allow-ffi`. Throws {@link AuditLibraryError} when libaudit is not
 * installed and {@link AuditError} when the socket cannot be created.
 *
 * @example
 * ```ts
 * import { openAudit } from "../mod.ts";
 * using audit = openAudit();
 * console.log((await audit.status()).enabled);
 * ```
 */
export function openAudit(): AuditClient {
  const a = audit();
  errno(); // prime the errno view so no load happens between a call and its errno
  const fd = a.audit_open();
  if (fd < 0) {
    throw new AuditError({ call: "audit_open", errno: errno(), action: "open the audit socket" });
  }
  return new AuditClient(fd);
}
