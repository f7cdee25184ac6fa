/**
 * The record construction API of au_open(3BSM): `auOpen`, `auWrite`,
 * `auClose`, `auCloseBuffer` and `auCloseToken`, with OpenBSM's observed
 * semantics (`libbsm/bsm_audit.c`; shared/docs/REFERENCE.md 8.5).
 *
 * - 20 descriptors (`MAX_AUDIT_RECORDS`); the 21st concurrent `auOpen`
 *   fails with ENOMEM. Freed descriptors are reused newest first.
 * - `auWrite` on a descriptor that is not open (closed, never opened, out
 *   of range) fails with EINVAL; a token that would take the record past
 *   32767 bytes (counting the trailer) fails with ENOMEM. On failure the
 *   record is unchanged and the caller keeps the token.
 * - `auClose`/`auCloseBuffer` free the descriptor on every path, success or
 *   failure.
 *
 * Failures throw an {@link AuditError} whose `code` is the errno name
 * (`"EINVAL"`, `"ENOMEM"`), where the C API returns -1 and sets errno.
 *
 * The manual says MT-Safe. Here the table is plain synchronous state: each
 * call runs to completion before any other JavaScript runs, so concurrent
 * async tasks cannot interleave inside an open, a write or the start of a
 * close. `auClose` takes the record off the table before it awaits the
 * sink, so a descriptor is never shared between two records.
 *
 * @module
 */

import { AuditError } from "../errors.ts";
import {
  auToHeader32,
  auToHeader32Ex,
  auToHeader64,
  auToHeader64Ex,
  auToSeq,
  auToTrailer,
  auToZonename,
  type BsmString,
  encodeToken,
} from "./encode.ts";
import { AUDIT_HEADER_VERSION, AUDIT_POLICY, BSM_LIMITS, type BsmToken } from "./types.ts";

const EINVAL = 22;
const ENOMEM = 12;

/**
 * `au_close`'s `keep` values: discard the record, or write it.
 *
 * @example
 * ```ts
 * import { AU_TO_NO_WRITE, AU_TO_WRITE } from "./au.ts";
 * [AU_TO_NO_WRITE, AU_TO_WRITE]; // [0, 1]
 * ```
 */
export const AU_TO_WRITE = 1;
/** `keep` value that discards the record. See {@link AU_TO_WRITE}. */
export const AU_TO_NO_WRITE = 0;

/**
 * The number of descriptors (`MAX_AUDIT_RECORDS`).
 *
 * @example
 * ```ts
 * import { MAX_AUDIT_RECORDS } from "./au.ts";
 * MAX_AUDIT_RECORDS; // 20
 * ```
 */
export const MAX_AUDIT_RECORDS = 20;

/**
 * Where `auClose` writes a finished record: a trail file
 * (`BsmTrailWriter`), the Linux kernel, or anything else that takes whole
 * records.
 *
 * @example
 * ```ts
 * import type { BsmSink } from "./au.ts";
 * const records: Uint8Array[] = [];
 * const memory: BsmSink = { writeRecord: (r) => { records.push(r); return Promise.resolve(); } };
 * ```
 */
export interface BsmSink {
  /** Writes one whole record. */
  writeRecord(record: Uint8Array): Promise<void>;
}

/** The unit of the header's second time field. */
export type BsmTimeUnit = "ms" | "us" | "ns";

/**
 * How `auClose` and `auCloseBuffer` build the record around the body.
 *
 * Defaults give OpenBSM's record: header32 version 11, time in ms, body,
 * trailer.
 */
export interface AuCloseOptions {
  /** 32-bit (default) or 64-bit time fields in the header. */
  header?: 32 | 64;
  /** Host address (4 or 16 bytes): use header32_ex / header64_ex. */
  host?: Uint8Array;
  /** Header version: 11 (OpenBSM, default) or 2 (Solaris/illumos). */
  version?: number;
  /** Event modifier (default 0, as both implementations write). */
  modifier?: number;
  /** Unit of the header's second time field: "ms" (OpenBSM, default), "us", "ns" (illumos kernel). */
  timeUnit?: BsmTimeUnit;
  /** The record's time (default now). */
  time?: Date;
  /**
   * Audit policy bits ({@link AUDIT_POLICY}): `TRAIL` adds the trailer,
   * `ZONENAME` a zonename token, `SEQ` a sequence token, in the illumos
   * kernel's order (body, zonename, seq, trailer). Default `TRAIL`.
   */
  policy?: number;
  /** Zone name for the `ZONENAME` policy (default "global"). */
  zonename?: BsmString;
  /** Sequence number for the `SEQ` policy (default: the table's counter, from 1). */
  sequence?: number;
}

/** Options of {@link auClose}: where the record goes besides {@link AuCloseOptions}. */
export interface AuCloseSinkOptions extends AuCloseOptions {
  /** Where the record is written (needed when `keep` writes). */
  sink?: BsmSink;
}

/** Options of {@link auCloseBuffer}. */
export interface AuCloseBufferOptions extends AuCloseOptions {
  /**
   * The caller's buffer size (`*buflen`). As OpenBSM does, the call fails
   * with ENOMEM unless it has room for the body, the largest header (38)
   * and the trailer, 20 bytes more than a record with header32 needs.
   */
  bufferLength?: number;
}

interface OpenRecord {
  body: Uint8Array[];
  length: number;
}

function fail(call: string, errno: number, reason: string): AuditError {
  return new AuditError({ call, errno, reason });
}

function timeFields(time: Date, unit: BsmTimeUnit): { sec: number; frac: number } {
  const ms = time.getTime();
  const sec = Math.floor(ms / 1000);
  const rem = ms - sec * 1000;
  return { sec, frac: unit === "ms" ? rem : unit === "us" ? rem * 1000 : rem * 1_000_000 };
}

/**
 * A table of record descriptors. The `au*` functions use one shared table;
 * make your own to keep a library's records apart from the program's.
 *
 * @example
 * ```ts
 * import { AuRecordTable } from "./au.ts";
 * import { auToText } from "./encode.ts";
 * const table = new AuRecordTable();
 * const d = table.open();
 * table.write(d, auToText("hello"));
 * const record = table.closeBuffer(d, 0); // header32 + text + trailer
 * ```
 */
export class AuRecordTable {
  #slots: (OpenRecord | undefined)[] = [];
  #free: number[] = [];
  #sequence = 0;

  /** `au_open`: a free descriptor, or ENOMEM when all 20 are in use. */
  open(): number {
    let d = this.#free.pop();
    if (d === undefined) {
      if (this.#slots.length >= MAX_AUDIT_RECORDS) {
        throw fail("au_open", ENOMEM, `all ${MAX_AUDIT_RECORDS} record descriptors are in use`);
      }
      d = this.#slots.length;
      this.#slots.push(undefined);
    }
    this.#slots[d] = { body: [], length: 0 };
    return d;
  }

  #record(call: string, d: number): OpenRecord {
    const r = Number.isInteger(d) ? this.#slots[d] : undefined;
    if (r === undefined) throw fail(call, EINVAL, `descriptor ${d} is not open`);
    return r;
  }

  #release(d: number): void {
    this.#slots[d] = undefined;
    this.#free.push(d);
  }

  /**
   * `au_write`: appends the token to record `d`. EINVAL for a descriptor
   * that is not open or a missing token, ENOMEM when the record would pass
   * 32767 bytes; the record is then unchanged. A token whose values do not
   * fit its fields throws the encoder's RangeError.
   */
  write(d: number, token: BsmToken): void {
    const r = this.#record("au_write", d);
    if (token === null || token === undefined) throw fail("au_write", EINVAL, "no token");
    const bytes = encodeToken(token);
    const max = BSM_LIMITS.MAX_AUDIT_RECORD_SIZE;
    if (r.length + bytes.length + BSM_LIMITS.AUDIT_TRAILER_SIZE > max) {
      throw fail(
        "au_write",
        ENOMEM,
        `a ${bytes.length}-byte token does not fit record ${d} (${r.length} bytes, at most ${max})`,
      );
    }
    r.body.push(bytes);
    r.length += bytes.length;
  }

  /** Takes record `d` off the table and builds its bytes (or throws, torn down either way). */
  #finish(call: string, d: number, event: number, options: AuCloseBufferOptions): Uint8Array {
    const r = this.#record(call, d);
    this.#release(d);
    const limit = r.length + BSM_LIMITS.MAX_AUDIT_HEADER_SIZE + BSM_LIMITS.AUDIT_TRAILER_SIZE;
    if (limit > BSM_LIMITS.MAX_AUDIT_RECORD_SIZE) {
      throw fail(call, ENOMEM, `record ${d} is too large (${r.length}-byte body)`);
    }
    if (options.bufferLength !== undefined && limit > options.bufferLength) {
      throw fail(
        call,
        ENOMEM,
        `a ${options.bufferLength}-byte buffer is too small: ${limit} bytes are reserved`,
      );
    }
    return this.#assemble(r, event, options);
  }

  #assemble(r: OpenRecord, event: number, options: AuCloseOptions): Uint8Array {
    const policy = options.policy ?? AUDIT_POLICY.TRAIL;
    const extra: Uint8Array[] = [];
    if (policy & AUDIT_POLICY.ZONENAME) {
      extra.push(encodeToken(auToZonename(options.zonename ?? "global")));
    }
    if (policy & AUDIT_POLICY.SEQ) {
      extra.push(encodeToken(auToSeq(options.sequence ?? ++this.#sequence)));
    }
    const trailer = (policy & AUDIT_POLICY.TRAIL) !== 0;
    const { sec, frac } = timeFields(options.time ?? new Date(), options.timeUnit ?? "ms");
    const headerOptions = {
      version: options.version ?? AUDIT_HEADER_VERSION.OPENBSM,
      modifier: options.modifier ?? 0,
      time: { sec, msec: frac },
    };
    const make = (size: number): BsmToken =>
      options.host
        ? (options.header === 64 ? auToHeader64Ex : auToHeader32Ex)(size, event, {
          ...headerOptions,
          host: options.host,
        })
        : (options.header === 64 ? auToHeader64 : auToHeader32)(size, event, headerOptions);
    const headerLength = encodeToken(make(0)).length;
    const size = headerLength + r.length + extra.reduce((n, b) => n + b.length, 0) +
      (trailer ? BSM_LIMITS.AUDIT_TRAILER_SIZE : 0);
    if (size > BSM_LIMITS.MAX_AUDIT_RECORD_SIZE) {
      throw fail("au_close", ENOMEM, `the record would be ${size} bytes (at most 32767)`);
    }
    const parts = [encodeToken(make(size)), ...r.body, ...extra];
    if (trailer) parts.push(encodeToken(auToTrailer(size)));
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /**
   * `au_close`: ends record `d`. `keep` {@link AU_TO_NO_WRITE} discards it;
   * any other value builds it (header, body, policy tokens) and writes it
   * to `options.sink`. EINVAL for a descriptor that is not open, ENOMEM for
   * a record over 32767 bytes; the descriptor is freed on every path.
   */
  async close(
    d: number,
    keep: number,
    event: number,
    options: AuCloseSinkOptions = {},
  ): Promise<void> {
    if (keep === AU_TO_NO_WRITE) {
      this.#record("au_close", d);
      this.#release(d);
      return;
    }
    const record = this.#finish("au_close", d, event, options);
    if (!options.sink) throw new TypeError("Cannot write the record: auClose needs options.sink");
    await options.sink.writeRecord(record);
  }

  /** `au_close_buffer`: ends record `d` and returns its bytes. Errors as {@link AuRecordTable.close}. */
  closeBuffer(d: number, event: number, options: AuCloseBufferOptions = {}): Uint8Array {
    return this.#finish("au_close_buffer", d, event, options);
  }
}

const shared = new AuRecordTable();

/**
 * `au_open`: a record descriptor from the shared table. Throws an
 * {@link AuditError} with code `"ENOMEM"` when all 20 are in use.
 *
 * @example
 * ```ts
 * import { auClose, auOpen, AU_TO_NO_WRITE } from "./au.ts";
 * const d = auOpen();
 * await auClose(d, AU_TO_NO_WRITE, 0);
 * ```
 */
export function auOpen(): number {
  return shared.open();
}

/**
 * `au_write`: appends `token` to record `d`; see {@link AuRecordTable.write}.
 *
 * @example
 * ```ts
 * import { auCloseBuffer, auOpen, auWrite } from "./au.ts";
 * import { auToText } from "./encode.ts";
 * const d = auOpen();
 * auWrite(d, auToText("hello"));
 * auCloseBuffer(d, 0);
 * ```
 */
export function auWrite(d: number, token: BsmToken): void {
  shared.write(d, token);
}

/**
 * `au_close`: ends record `d` and writes it to `options.sink` (or discards
 * it with {@link AU_TO_NO_WRITE}); see {@link AuRecordTable.close}.
 *
 * @example
 * ```ts
 * import { auClose, auOpen, auWrite, AU_TO_WRITE, type BsmSink } from "./au.ts";
 * import { auToText } from "./encode.ts";
 * const kept: Uint8Array[] = [];
 * const sink: BsmSink = { writeRecord: (r) => { kept.push(r); return Promise.resolve(); } };
 * const d = auOpen();
 * auWrite(d, auToText("hello"));
 * await auClose(d, AU_TO_WRITE, 6152, { sink });
 * ```
 */
export function auClose(
  d: number,
  keep: number,
  event: number,
  options?: AuCloseSinkOptions,
): Promise<void> {
  return shared.close(d, keep, event, options);
}

/**
 * `au_close_buffer`: ends record `d` and returns its bytes; see
 * {@link AuRecordTable.closeBuffer}.
 *
 * @example
 * ```ts
 * import { auCloseBuffer, auOpen } from "./au.ts";
 * auCloseBuffer(auOpen(), 0).length; // 25: an empty record
 * ```
 */
export function auCloseBuffer(
  d: number,
  event: number,
  options?: AuCloseBufferOptions,
): Uint8Array {
  return shared.closeBuffer(d, event, options);
}

/**
 * `au_close_token`: the bytes of one token, refused with ENOMEM when they
 * exceed `bufferLength` (OpenBSM then returns +22 rather than -1; here the
 * error's code is `"ENOMEM"`).
 *
 * @example
 * ```ts
 * import { auCloseToken } from "./au.ts";
 * import { auToIport } from "./encode.ts";
 * auCloseToken(auToIport(8080)); // Uint8Array [0x2c, 0x1f, 0x90]
 * ```
 */
export function auCloseToken(token: BsmToken, bufferLength?: number): Uint8Array {
  const bytes = encodeToken(token);
  if (bufferLength !== undefined && bytes.length > bufferLength) {
    throw fail(
      "au_close_token",
      ENOMEM,
      `a ${bytes.length}-byte token does not fit ${bufferLength} bytes`,
    );
  }
  return bytes;
}
