/**
 * The error of the BSM reader and decoder: what is wrong and at which byte.
 *
 * @module
 */

/**
 * What a {@link BsmError} reports:
 * - `truncated`: the input ends inside a token or a record;
 * - `malformed_token`: a token's fields do not parse inside the bytes it may
 *   use (a length past the record, an address type other than 4/16, a bad
 *   data unit, an unknown id with no room before the trailer);
 * - `not_a_record`: the byte where a record should start is not a header or
 *   file token id (a bare token, trailing garbage);
 * - `bad_size`: a header's record size is impossible (smaller than the
 *   header, larger than the input allows);
 * - `bad_trailer`: the record's last token is not a trailer that repeats
 *   the header's size with the BSM magic (strict reading only).
 */
export type BsmErrorKind =
  | "truncated"
  | "malformed_token"
  | "not_a_record"
  | "bad_size"
  | "bad_trailer";

/**
 * A BSM trail or token that cannot be read, with the byte offset of the
 * fault (from the start of the stream, or of the buffer given to the
 * decoder).
 *
 * @example
 * ```ts
 * import { BsmError } from "./error.ts";
 * const e = new BsmError("truncated", 38, "the record's 41 bytes end after 38");
 * console.log(e.kind, e.offset, e.message);
 * ```
 */
export class BsmError extends Error {
  /** What is wrong. */
  readonly kind: BsmErrorKind;
  /** Byte offset of the fault. */
  readonly offset: number;
  /** What is wrong, without the offset. */
  readonly reason: string;

  /** Builds the error; the message names the offset. */
  constructor(kind: BsmErrorKind, offset: number, reason: string) {
    super(`Cannot read BSM at byte ${offset}: ${reason}`);
    this.name = "BsmError";
    this.kind = kind;
    this.offset = offset;
    this.reason = reason;
  }
}
