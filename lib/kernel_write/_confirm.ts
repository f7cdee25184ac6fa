/**
 * Whether the kernel really generated a user record: it accepts every user
 * message with a successful ACK, then drops it when auditing is off, when a
 * user or exclude filter rule excludes it, or when a rate or backlog limit
 * is hit.
 *
 * The check is a read-back: a multicast listener (CAP_AUDIT_READ) joins
 * before the send, and the record counts as generated once the listener
 * sees it (same type, this process's pid, the exact text). With auditing
 * off (enabled=0, known from AUDIT_GET) the answer is immediate; otherwise
 * a record that has not arrived within the timeout was not generated.
 *
 * @module
 */

import { type AuditClient } from "../client.ts";
import { AuditError } from "../errors.ts";
import { type AuditMulticastSource, openMulticast } from "../source/multicast.ts";
import { kernelEncode } from "./encode.ts";
import type { Generation } from "./types.ts";

const AUDIT_USER_AVC = 1107;
const AUDIT_USER_TTY = 1124;
/** Room for a burst of other records while the listener waits for ours. */
const RECEIVE_BUFFER = 1 << 20;

/** A watch for one record, started before the record is sent. */
export class RecordWatch implements Disposable {
  readonly #type: number;
  readonly #enabled: number | undefined;
  readonly #source: AuditMulticastSource | undefined;
  readonly #unreadable: string | undefined;

  private constructor(
    type: number,
    enabled: number | undefined,
    source: AuditMulticastSource | undefined,
    unreadable: string | undefined,
  ) {
    this.#type = type;
    this.#enabled = enabled;
    this.#source = source;
    this.#unreadable = unreadable;
  }

  /** Reads the audit status (when allowed) and joins the multicast group (when allowed). */
  static async start(client: AuditClient, type: number): Promise<RecordWatch> {
    let enabled: number | undefined;
    try {
      enabled = (await client.status()).enabled;
    } catch (e) {
      // the status only shortcuts the check; the send reports what is really wrong
      if (!(e instanceof AuditError)) throw e;
    }
    if (enabled === 0 && type !== AUDIT_USER_AVC) {
      return new RecordWatch(type, enabled, undefined, undefined);
    }
    try {
      const source = openMulticast({ receiveBufferBytes: RECEIVE_BUFFER });
      return new RecordWatch(type, enabled, source, undefined);
    } catch (e) {
      if (!(e instanceof AuditError)) throw e;
      return new RecordWatch(type, enabled, undefined, e.message);
    }
  }

  /** Leaves the multicast group. */
  [Symbol.dispose](): void {
    this.#source?.close();
  }

  /** Waits up to `timeoutMs` for the record this process sent with `text`. */
  async result(text: Uint8Array, timeoutMs: number): Promise<Generation> {
    if (this.#enabled === 0 && this.#type !== AUDIT_USER_AVC) {
      return {
        generated: false,
        reason: "auditing is disabled (enabled=0): the kernel drops user messages",
      };
    }
    if (!this.#source) {
      return { generated: undefined, reason: `cannot read the record back: ${this.#unreadable}` };
    }
    const decoded = new TextDecoder().decode(text);
    const endings = this.#type === AUDIT_USER_TTY
      ? [` data=${kernelEncode(text)}`]
      : [`msg='${decoded}'`];
    const prefix = `pid=${Deno.pid} `;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      const m = left > 0 ? await this.#source.next(left) : undefined;
      if (!m) {
        const lost = this.#source.lost
          ? ` (${this.#source.lost} records lost by the listener)`
          : "";
        return {
          generated: false,
          reason:
            `no record arrived within ${timeoutMs} ms${lost}: a user or exclude filter rule excluded it, or the kernel dropped it (rate or backlog limit)`,
        };
      }
      if (
        m.type === this.#type && m.body.startsWith(prefix) &&
        endings.some((e) => m.body.endsWith(e))
      ) {
        return { generated: true, record: m };
      }
    }
  }
}
