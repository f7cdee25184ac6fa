/**
 * Typed wrappers of libaudit's audit_log_user_* family: the records login
 * daemons, account tools and object managers write.
 *
 * libaudit builds the text itself and writes `hostname`, `addr` and
 * `terminal` (and the account tool's `op` and program name) without
 * encoding them, so these wrappers refuse values that would need encoding
 * instead of letting them forge fields. They never let libaudit look
 * anything up behind the caller's back: a missing address is sent as `?`
 * (libaudit would resolve the hostname with getaddrinfo, a DNS query) and a
 * missing terminal as `?` (libaudit would probe the caller's fds 0-2 with
 * ttyname).
 *
 * A 0 from libaudit means the record was dropped (the kernel refused the
 * connection, or CAP_AUDIT_WRITE is missing): it is thrown as an
 * {@link AuditError}, never returned as success.
 *
 * libaudit waits for the kernel's acknowledgement synchronously (it comes at
 * once from a working kernel; libaudit gives up after 40 s), so each call
 * holds the event loop for that long. audgen sends its record itself and
 * waits asynchronously.
 *
 * @module
 */

import { audit, cstr } from "../_native.ts";
import { type AuditClient, openAudit } from "../client.ts";
import { AuditError } from "../errors.ts";
import { encodeValue, libauditNeedsEncoding, needsEncoding, toHex, valueBytes } from "./encode.ts";
import {
  AUDIT_MESSAGE_TEXT_MAX,
  type Generation,
  resolveUserMessageType,
  type UserMessageType,
  userMessageTypeName,
  type VerifyOptions,
  verifyTimeout,
} from "./types.ts";
import { RecordWatch } from "./_confirm.ts";
import { canWriteAudit } from "./_send.ts";

const EPERM = 1;
const ECONNREFUSED = 111;
/** libaudit copies at most INET6_ADDRSTRLEN - 1 bytes of an address. */
const ADDR_MAX = 45;
/** libaudit cuts an account name to UT_NAMESIZE bytes. */
const ACCT_MAX = 32;
/** libaudit's buffers for the command and comm are sized from PATH_MAX. */
const PATH_MAX = 4096;

/** The outcome a record reports in its `res=` field. */
export type RecordOutcome = "success" | "failed";

/** Where the user is, as libaudit writes it. Every value must be plain (no encoding needed). */
export interface UserOrigin {
  /** The remote host name (`hostname=`); `?` when absent. */
  hostname?: string;
  /** The remote address (`addr=`), at most 45 bytes; `?` when absent (never resolved). */
  addr?: string;
  /** The user's terminal (`terminal=`) such as `pts/1`; `?` when absent (never probed). */
  tty?: string;
}

/** Options shared by the wrappers that write `res=`; `verify` defaults to false. */
export interface UserRecordOptions extends UserOrigin, VerifyOptions {
  /** A client to use; by default one is opened and closed for the call. */
  client?: AuditClient;
  /** `res=` of the record (default `"success"`). */
  result?: RecordOutcome;
}

/**
 * A record the kernel accepted. `generated` is undefined unless `verify`
 * was set: then true when the record was read back, false (with `reason`)
 * when the kernel accepted it but generated nothing.
 */
export interface WrittenRecord extends Generation {
  /** The record type number. */
  type: number;
  /** The record type's name, such as `"USER_LOGIN"`. */
  typeName: string;
  /** The netlink sequence number of the request. */
  sequence: number;
  /** The text libaudit sent (what the record's `msg='...'` holds). */
  text: string;
}

/**
 * A message body: text used as is (the caller vouches for its fields, as
 * with `auditctl -m`), or fields whose values are encoded so that none can
 * forge another field.
 */
export type UserMessage = string | Readonly<Record<string, string | number | bigint>>;

function plain(what: string, value: string, call: string, max?: number): string {
  if (value === "" || value.includes("\0") || needsEncoding(value)) {
    throw new RangeError(
      `Cannot write ${what} "${value}" with ${call}: it must be non-empty and free of spaces, quotes, '=', control and non-ASCII characters (libaudit writes it unencoded)`,
    );
  }
  if (max !== undefined && valueBytes(value).length > max) {
    throw new RangeError(
      `Cannot write ${what} "${value}" with ${call}: longer than ${max} bytes (libaudit would cut it)`,
    );
  }
  return value;
}

function origin(o: UserOrigin, call: string): { hostname: string; addr: string; tty: string } {
  return {
    hostname: o.hostname === undefined ? "?" : plain("hostname", o.hostname, call),
    addr: o.addr === undefined ? "?" : plain("addr", o.addr, call, ADDR_MAX),
    tty: o.tty === undefined ? "?" : plain("tty", o.tty, call),
  };
}

/**
 * Renders a {@link UserMessage}: a string as is, fields with encoded values.
 *
 * @example
 * ```ts
 * import { formatUserMessage } from "../../mod.ts";
 * formatUserMessage({ op: "login", acct: "a b", id: 7 }); // 'op="login" acct=612062 id=7'
 * ```
 */
export function formatUserMessage(message: UserMessage): string {
  if (typeof message === "string") return message;
  return Object.entries(message).map(([name, value]) => {
    if (!/^[a-z][a-z0-9_-]*$/i.test(name)) {
      throw new RangeError(
        `Cannot write field "${name}": a name is a letter, then letters, digits, '_' or '-'`,
      );
    }
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new RangeError(`Cannot write field "${name}" = "${value}": not a finite number`);
    }
    return `${name}=${typeof value === "string" ? encodeValue(value) : String(value)}`;
  }).join(" ");
}

/** libaudit's own quoting of the exe, comm, acct and cmd values. */
function libauditQuote(value: string): string {
  const bytes = valueBytes(value);
  return libauditNeedsEncoding(bytes) ? toHex(bytes) : `"${value}"`;
}

function exe(): string {
  return libauditQuote(Deno.realPathSync("/proc/self/exe"));
}

function outcome(result: RecordOutcome | undefined, call: string): 0 | 1 {
  if (result === undefined || result === "success") return 1;
  if (result === "failed") return 0;
  throw new RangeError(`Cannot write result "${result}" with ${call}: use "success" or "failed"`);
}

function checkLength(text: string, call: string): void {
  const size = valueBytes(text).length;
  if (size > AUDIT_MESSAGE_TEXT_MAX) {
    throw new RangeError(
      `Cannot write the record with ${call}: its text is ${size} bytes, the kernel keeps at most ${AUDIT_MESSAGE_TEXT_MAX}`,
    );
  }
}

async function write(
  call: string,
  type: number,
  text: string,
  options: { client?: AuditClient } & VerifyOptions,
  send: (fd: number) => number,
): Promise<WrittenRecord> {
  checkLength(text, call);
  const timeoutMs = verifyTimeout(options);
  const own = options.client ? undefined : openAudit();
  const client = options.client ?? own!;
  try {
    using watch = options.verify ? await RecordWatch.start(client, type) : undefined;
    const rc = send(client.fd);
    const action = `write the ${userMessageTypeName(type)} record`;
    if (rc < 0) {
      throw new AuditError({ call, errno: -rc, action, capability: "CAP_AUDIT_WRITE" });
    }
    if (rc === 0) {
      // libaudit hides these two refusals as 0
      const canWrite = canWriteAudit();
      throw new AuditError({
        call,
        errno: canWrite ? ECONNREFUSED : EPERM,
        action,
        capability: "CAP_AUDIT_WRITE",
        reason: canWrite
          ? "kernel audit is not available here (ECONNREFUSED), no record was written"
          : "needs root or CAP_AUDIT_WRITE, no record was written",
      });
    }
    const written = { type, typeName: userMessageTypeName(type), sequence: rc, text };
    if (!watch) return { ...written, generated: undefined };
    return { ...written, ...(await watch.result(valueBytes(text), timeoutMs)) };
  } finally {
    own?.close();
  }
}

function tail(o: { hostname: string; addr: string; tty: string }, result: 0 | 1): string {
  return `hostname=${o.hostname} addr=${o.addr} terminal=${o.tty} res=${
    result ? "success" : "failed"
  }`;
}

/**
 * audit_log_user_message(3): `MESSAGE exe=... hostname=... addr=...
 * terminal=... res=...`, for programs that do not change accounts.
 *
 * @example
 * ```ts ignore
 * import { logUserMessage } from "../../mod.ts";
 * await logUserMessage("USER_START", { op: "session-open", acct: "alice" }, { tty: "pts/1" });
 * ```
 */
export function logUserMessage(
  type: UserMessageType,
  message: UserMessage,
  options: UserRecordOptions = {},
): Promise<WrittenRecord> {
  return Promise.try(() => {
    const call = "audit_log_user_message";
    const t = resolveUserMessageType(type, call);
    const o = origin(options, call);
    const result = outcome(options.result, call);
    const body = formatUserMessage(message);
    const text = `${body} exe=${exe()} ${tail(o, result)}`;
    return write(call, t, text, options, (fd) =>
      audit().audit_log_user_message(
        fd,
        t,
        cstr(body),
        cstr(o.hostname),
        cstr(o.addr),
        cstr(o.tty),
        result,
      ));
  });
}

/** Options of {@link logUserCommMessage}. */
export interface UserCommMessageOptions extends UserRecordOptions {
  /** The program's command name (`comm=`); libaudit encodes it. Default: this process's comm. */
  comm?: string;
}

function selfComm(): string {
  return Deno.readTextFileSync("/proc/self/comm").replace(/\n$/, "");
}

/**
 * audit_log_user_comm_message(3): like {@link logUserMessage} with the
 * program's command name, for interpreters and schedulers that say what
 * they run.
 *
 * @example
 * ```ts ignore
 * import { logUserCommMessage } from "../../mod.ts";
 * await logUserCommMessage("USER_CMD", "op=run", { comm: "backup.sh" });
 * ```
 */
export function logUserCommMessage(
  type: UserMessageType,
  message: UserMessage,
  options: UserCommMessageOptions = {},
): Promise<WrittenRecord> {
  return Promise.try(() => {
    const call = "audit_log_user_comm_message";
    const t = resolveUserMessageType(type, call);
    const o = origin(options, call);
    const result = outcome(options.result, call);
    const body = formatUserMessage(message);
    const comm = options.comm ?? selfComm();
    // libaudit hex-encodes comm into a PATH_MAX * 2 buffer without a bound
    if (comm === "" || valueBytes(comm).length > PATH_MAX - 1) {
      throw new RangeError(
        `Cannot write comm with ${call}: it must have 1 to ${PATH_MAX - 1} bytes`,
      );
    }
    const text = `${body} comm=${libauditQuote(comm)} exe=${exe()} ${tail(o, result)}`;
    return write(call, t, text, options, (fd) =>
      audit().audit_log_user_comm_message(
        fd,
        t,
        cstr(body),
        cstr(comm),
        cstr(o.hostname),
        cstr(o.addr),
        cstr(o.tty),
        result,
      ));
  });
}

/** Whether a program name other than this executable's was ever given to libaudit. */
let customPgnameSent = false;

/**
 * The `exe=` value to hand audit_log_acct_message as its pgname, already
 * quoted (libaudit then copies it as is); undefined to let libaudit find
 * the executable itself. libaudit 3.0.9 keeps the last pgname in a static
 * buffer and writes it for every later call without one, so a pgname is
 * always given while that buffer may hold another program's name.
 */
function acctExe(pgname: string | undefined, call: string): string | undefined {
  if (pgname !== undefined) {
    customPgnameSent = true;
    return `"${plain("pgname", pgname, call)}"`;
  }
  const own = exe();
  if (own.startsWith('"')) return own;
  if (!customPgnameSent) return undefined;
  throw new RangeError(
    `Cannot write the account record with ${call}: this executable's path needs hex encoding, which libaudit cannot take as a pgname once another pgname was given; pass pgname`,
  );
}

/** Options of {@link logAcctMessage}: the account by `name` or by `id`. */
export interface AcctMessageOptions extends UserRecordOptions {
  /** The account or group name (`acct=`), at most 32 bytes; libaudit encodes it. */
  name?: string;
  /** The uid or gid (`id=`) when there is no name. */
  id?: number;
  /** The program name written as `exe=`; default: this executable's path. */
  pgname?: string;
}

/**
 * audit_log_acct_message(3): `op=OP acct=NAME|id=ID exe=... hostname=...
 * addr=... terminal=... res=...`, for tools that change accounts and groups.
 * `op` and `pgname` must be plain (libaudit writes them unencoded).
 *
 * @example
 * ```ts ignore
 * import { logAcctMessage } from "../../mod.ts";
 * await logAcctMessage("ADD_USER", "add-user", { name: "alice", result: "success" });
 * ```
 */
export function logAcctMessage(
  type: UserMessageType,
  op: string,
  options: AcctMessageOptions = {},
): Promise<WrittenRecord> {
  return Promise.try(() => {
    const call = "audit_log_acct_message";
    const t = resolveUserMessageType(type, call);
    plain("op", op, call);
    const o = origin(options, call);
    const result = outcome(options.result, call);
    const { name, id } = options;
    if ((name === undefined) === (id === undefined)) {
      throw new RangeError(`Cannot write an account record with ${call}: give a name or an id`);
    }
    if (name !== undefined && (name === "" || valueBytes(name).length > ACCT_MAX)) {
      throw new RangeError(
        `Cannot write account "${name}" with ${call}: a name has 1 to ${ACCT_MAX} bytes`,
      );
    }
    if (id !== undefined && (!Number.isInteger(id) || id < 0 || id >= 0xffffffff)) {
      throw new RangeError(
        `Cannot write account id "${id}" with ${call}: must be an integer from 0 to 4294967294`,
      );
    }
    const exeField = acctExe(options.pgname, call);
    const who = name !== undefined ? `acct=${libauditQuote(name)}` : `id=${id}`;
    const text = `op=${op} ${who} exe=${exeField ?? exe()} ${tail(o, result)}`;
    return write(call, t, text, options, (fd) =>
      audit().audit_log_acct_message(
        fd,
        t,
        exeField === undefined ? null : cstr(exeField),
        cstr(op),
        name === undefined ? null : cstr(name),
        name === undefined ? id! : 0xffffffff,
        cstr(o.hostname),
        cstr(o.addr),
        cstr(o.tty),
        result,
      ));
  });
}

/** Options of {@link logUserAvcMessage}; `verify` defaults to false. */
export interface UserAvcMessageOptions extends UserOrigin, VerifyOptions {
  /** A client to use; by default one is opened and closed for the call. */
  client?: AuditClient;
  /** The login uid of the user the decision concerns (`sauid=`). */
  uid: number;
}

/**
 * audit_log_user_avc_message(3): `MESSAGE exe=... sauid=UID hostname=...
 * addr=... terminal=...` (no `res=`), for SELinux object managers. The
 * kernel logs USER_AVC even while auditing is disabled.
 *
 * @example
 * ```ts ignore
 * import { logUserAvcMessage } from "../../mod.ts";
 * await logUserAvcMessage("USER_AVC", "avc:  denied  { send_msg }", { uid: 1000 });
 * ```
 */
export function logUserAvcMessage(
  type: UserMessageType,
  message: UserMessage,
  options: UserAvcMessageOptions,
): Promise<WrittenRecord> {
  return Promise.try(() => {
    const call = "audit_log_user_avc_message";
    const t = resolveUserMessageType(type, call);
    const o = origin(options, call);
    const uid = options?.uid;
    if (!Number.isInteger(uid) || uid < 0 || uid > 0xffffffff) {
      throw new RangeError(
        `Cannot write sauid "${uid}" with ${call}: must be an integer from 0 to 4294967295`,
      );
    }
    const body = formatUserMessage(message);
    // libaudit prints the uid with %d
    const sauid = uid | 0;
    const text =
      `${body} exe=${exe()} sauid=${sauid} hostname=${o.hostname} addr=${o.addr} terminal=${o.tty}`;
    return write(call, t, text, options, (fd) =>
      audit().audit_log_user_avc_message(
        fd,
        t,
        cstr(body),
        cstr(o.hostname),
        cstr(o.addr),
        cstr(o.tty),
        uid,
      ));
  });
}

/** Options of {@link logUserCommand}; `verify` defaults to false. */
export interface UserCommandOptions extends VerifyOptions {
  /** A client to use; by default one is opened and closed for the call. */
  client?: AuditClient;
  /** `res=` of the record (default `"success"`). */
  result?: RecordOutcome;
  /** The terminal (`terminal=`); `?` when absent (never probed). */
  tty?: string;
}

/**
 * audit_log_user_command(3): `cwd="..." cmd=... exe=... terminal=...
 * res=...`, for sudo-like tools; libaudit encodes the command and the
 * current directory, and drops leading spaces and trailing spaces and
 * newlines of the command (the returned `text` shows what was sent).
 *
 * @example
 * ```ts ignore
 * import { logUserCommand } from "../../mod.ts";
 * await logUserCommand("USER_CMD", "systemctl restart sshd", { tty: "pts/0" });
 * ```
 */
export function logUserCommand(
  type: UserMessageType,
  command: string,
  options: UserCommandOptions = {},
): Promise<WrittenRecord> {
  return Promise.try(() => {
    const call = "audit_log_user_command";
    const t = resolveUserMessageType(type, call);
    const tty = options.tty === undefined ? "?" : plain("tty", options.tty, call);
    const result = outcome(options.result, call);
    // libaudit trims leading spaces and trailing spaces and newlines itself
    const trimmed = command.replace(/^ +/, "").replace(/[ \n]+$/, "");
    if (trimmed === "") throw new RangeError(`Cannot write an empty command with ${call}`);
    if (valueBytes(trimmed).length > PATH_MAX - 1) {
      throw new RangeError(
        `Cannot write the command with ${call}: longer than ${
          PATH_MAX - 1
        } bytes (libaudit would cut it)`,
      );
    }
    const text = `cwd=${libauditQuote(Deno.cwd())} cmd=${
      libauditQuote(trimmed)
    } exe=${exe()} terminal=${tty} res=${result ? "success" : "failed"}`;
    return write(
      call,
      t,
      text,
      options,
      (fd) => audit().audit_log_user_command(fd, t, cstr(command), cstr(tty), result),
    );
  });
}
