/**
 * Field values of user-space records, encoded so that no value can forge a
 * field: libaudit's rule (audit_value_needs_encoding and
 * audit_encode_nv_string) extended to `'` and `=`.
 *
 * @module
 */

const encoder = new TextEncoder();
const HEX = "0123456789ABCDEF";

/** The bytes of a value: strings as UTF-8. */
export function valueBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === "string" ? encoder.encode(value) : value;
}

/**
 * libaudit's own test (audit_value_needs_encoding): a double quote, a byte
 * below 0x21 (space and controls), DEL, or a byte of 0x80 or more (the C code
 * tests a signed char).
 */
export function libauditNeedsEncoding(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 0x22 || b < 0x21 || b >= 0x7f) return true;
  }
  return false;
}

/**
 * Whether auditkit hex-encodes a value: libaudit's test, plus `'` (it would
 * end the kernel's `msg='...'` wrapper) and `=` (it starts a field).
 *
 * @example
 * ```ts
 * import { needsEncoding } from "../../mod.ts";
 * needsEncoding("alice"); // false
 * needsEncoding("x res=success"); // true
 * ```
 */
export function needsEncoding(value: string | Uint8Array): boolean {
  const bytes = valueBytes(value);
  if (libauditNeedsEncoding(bytes)) return true;
  return bytes.includes(0x27) || bytes.includes(0x3d);
}

/** Uppercase hex of `bytes`, as audit_encode_value writes it. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += HEX[b >> 4] + HEX[b & 15];
  return out;
}

/**
 * A record field value as auditkit writes it: `"value"` when it is plain,
 * otherwise uppercase hex without quotes (see {@link needsEncoding}). Log
 * readers (ausearch -i, auparse) decode the hex form.
 *
 * @example
 * ```ts
 * import { encodeValue } from "../../mod.ts";
 * encodeValue("alice"); // '"alice"'
 * encodeValue("a b"); // "612062"
 * ```
 */
export function encodeValue(value: string | Uint8Array): string {
  const bytes = valueBytes(value);
  return needsEncoding(bytes) ? toHex(bytes) : `"${new TextDecoder().decode(bytes)}"`;
}

/**
 * The kernel's rule for an untrusted string (audit_log_n_untrustedstring):
 * hex when a byte is `"`, below 0x21 or above 0x7e, quoted otherwise.
 */
export function kernelEncode(bytes: Uint8Array): string {
  for (const b of bytes) {
    if (b === 0x22 || b < 0x21 || b > 0x7e) return toHex(bytes);
  }
  return `"${new TextDecoder().decode(bytes)}"`;
}

const FIELD_NAME = /^[a-z][a-z0-9_-]*$/i;

/** Checks a field name: a letter, then letters, digits, `_` or `-`. */
export function isFieldName(name: string): boolean {
  return FIELD_NAME.test(name);
}
