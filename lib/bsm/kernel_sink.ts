/**
 * The Linux audit log as the place `auClose` writes to, as the manual's
 * audit(2) does on Solaris: each BSM record goes to the kernel as one
 * user-space record, which auditd then logs.
 *
 * The record's text is its praudit `-l -n` line (times in UTC, uids as
 * numbers), so the log holds what `praudit -l` would show. That line is
 * made of strings from the record's tokens (text, path, exec arguments,
 * zone names...), which whoever built the record controls: written as
 * they are, a text token could add ` type=USER_LOGIN`, close the kernel's
 * `msg='...'` with a quote, or start a new log line with a newline. So the
 * line is written as one field value, encoded by auditd's rule for
 * untrusted values (libaudit's `audit_encode_nv_string`, extended to `'`
 * and `=`): quoted when every byte is printable ASCII other than `"`, `'`
 * and `=`, otherwise (in practice almost always: the line has spaces)
 * uppercase hex of its bytes. The user text is
 *
 * ```
 * bsm_event=<header event number> bsm=<"line" or HEX of the line>
 * ```
 *
 * and the kernel logs it as `type=TRUSTED_APP msg=audit(...): pid=...
 * uid=... auid=... ses=... msg='bsm_event=23 bsm=6865616465722C...'`.
 * `xxd -r -p` (or `encodeValue`'s inverse) gives the line back.
 *
 * As audit(2), a record that is not one BSM record starting with a header
 * is refused with EINVAL, and one longer than 32767 bytes (or whose encoded
 * text passes the 8560 bytes the kernel keeps) with E2BIG; the kernel
 * refuses a writer without CAP_AUDIT_WRITE with EPERM. Errors are
 * {@link AuditError}s whose `call` is `"audit"`; nothing is sent when the
 * record is refused.
 *
 * @module
 */

import type { AuditClient } from "../client.ts";
import { AuditError } from "../errors.ts";
import { encodeValue } from "../kernel_write/encode.ts";
import { AUDIT_MESSAGE_TEXT_MAX, type UserMessageType } from "../kernel_write/types.ts";
import { type UserTextResult, writeUserText } from "../kernel_write/user_text.ts";
import type { BsmSink } from "./au.ts";
import { BsmError } from "./error.ts";
import type { AuditEventTable } from "./event_table.ts";
import { PrauditFormatter } from "./praudit.ts";
import { isHeaderId, parseBsmRecords } from "./reader.ts";
import { BSM_LIMITS, type BsmToken } from "./types.ts";

const EINVAL = 22;
const E2BIG = 7;

/** Options of {@link BsmKernelSink} and {@link bsmKernelText}. */
export interface BsmKernelTextOptions {
  /** Event names in the praudit line (default OpenBSM's table as auditkit carries it). */
  events?: AuditEventTable;
}

/** Options of {@link BsmKernelSink}. */
export interface BsmKernelSinkOptions extends BsmKernelTextOptions {
  /** A client to use; by default one is opened and closed for each record. */
  client?: AuditClient;
  /** The record type (default `"TRUSTED_APP"`, 1121: a trusted application's free text). */
  type?: UserMessageType;
  /**
   * Read each record back to learn whether the kernel logged it
   * (`generated` of {@link BsmKernelSink.send}); needs CAP_AUDIT_READ.
   */
  verify?: boolean;
  /** How long to wait for the record when verifying, in ms (default 2000). */
  timeoutMs?: number;
}

function refuse(errno: number, reason: string): AuditError {
  return new AuditError({ call: "audit", errno, action: "write the BSM record", reason });
}

/** The tokens of `record` when it is exactly one BSM record that starts with a header. */
function recordTokens(record: Uint8Array): BsmToken[] {
  if (record.length > BSM_LIMITS.MAX_AUDIT_RECORD_SIZE) {
    throw refuse(E2BIG, `the record is ${record.length} bytes, at most 32767`);
  }
  let records;
  try {
    records = [...parseBsmRecords(record)];
  } catch (e) {
    if (e instanceof BsmError) throw refuse(EINVAL, `not a BSM record: ${e.message}`);
    throw e;
  }
  if (records.length !== 1 || !isHeaderId(record[0])) {
    throw refuse(EINVAL, `not one BSM record starting with a header (${records.length} records)`);
  }
  return records[0].tokens;
}

const formatters = new WeakMap<AuditEventTable, PrauditFormatter>();
let builtinFormatter: PrauditFormatter | undefined;

function formatterFor(events: AuditEventTable | undefined): PrauditFormatter {
  const options = { oneLine: true, noResolve: true, timeZone: "UTC" };
  if (!events) return builtinFormatter ??= new PrauditFormatter(options);
  let f = formatters.get(events);
  if (!f) formatters.set(events, f = new PrauditFormatter({ ...options, events }));
  return f;
}

/**
 * The user text the kernel sink sends for `record` (see the module doc):
 * `bsm_event=N bsm=<the encoded praudit -l -n line>`. Throws the
 * sink's EINVAL/E2BIG {@link AuditError} for what it would refuse.
 *
 * @example
 * ```ts
 * import { bsmKernelText } from "./kernel_sink.ts";
 * import { auCloseBuffer, auOpen, auWrite } from "./au.ts";
 * import { auToText } from "./encode.ts";
 * const d = auOpen();
 * auWrite(d, auToText("x' type=USER_LOGIN msg='forged"));
 * bsmKernelText(auCloseBuffer(d, 0)); // "bsm_event=0 bsm=6865616465722C..." (one hex value)
 * ```
 */
export function bsmKernelText(record: Uint8Array, options: BsmKernelTextOptions = {}): string {
  const tokens = recordTokens(record);
  const line = formatterFor(options.events).formatRecord(tokens);
  const event = (tokens[0] as { event: number }).event;
  const text = `bsm_event=${event} bsm=${encodeValue(line.subarray(0, line.length - 1))}`;
  if (text.length > AUDIT_MESSAGE_TEXT_MAX) {
    throw refuse(
      E2BIG,
      `its encoded praudit text is ${text.length} bytes, the kernel keeps at most ${AUDIT_MESSAGE_TEXT_MAX}`,
    );
  }
  return text;
}

/**
 * A {@link BsmSink} that writes each record to the Linux audit log (see
 * the module doc). Needs CAP_AUDIT_WRITE.
 *
 * @example
 * ```ts ignore
 * import { AU_TO_WRITE, auClose, auOpen, auWrite } from "./au.ts";
 * import { auToText } from "./encode.ts";
 * import { BsmKernelSink } from "./kernel_sink.ts";
 * const d = auOpen();
 * auWrite(d, auToText("backup started"));
 * await auClose(d, AU_TO_WRITE, 32800, { sink: new BsmKernelSink() });
 * ```
 */
export class BsmKernelSink implements BsmSink {
  readonly #options: BsmKernelSinkOptions;

  /** A sink with `options` (record type, client, event table, verification). */
  constructor(options: BsmKernelSinkOptions = {}) {
    this.#options = { ...options };
  }

  /**
   * Sends one record and says what was sent; with `verify`, `generated`
   * tells whether the kernel logged it.
   */
  send(record: Uint8Array): Promise<UserTextResult> {
    return Promise.try(() => {
      const o = this.#options;
      const text = bsmKernelText(record, o);
      return writeUserText(o.type ?? "TRUSTED_APP", text, {
        client: o.client,
        verify: o.verify,
        timeoutMs: o.timeoutMs,
        call: "audit",
      });
    });
  }

  /** Sends one record ({@link BsmKernelSink.send} without the result). */
  async writeRecord(record: Uint8Array): Promise<void> {
    await this.send(record);
  }
}
