/**
 * C's number parsers as the audit tools call them: `strtoul`/`strtoull`
 * and `strtol`/`strtoll` on 64 bits, from a position in a string. Leading
 * white space (C's isspace), an optional sign, in base 16 an optional `0x`
 * (only when a hex digit follows), in base 0 the base from the prefix
 * (`0x` hex, `0` octal, else decimal); no digit reads 0. Every reader of
 * the log, the checkpoint and the interpretation uses these (each had its
 * own copy before).
 *
 * @module
 */

/** A base C's parsers take here: 0 (from the prefix), 8, 10 or 16. */
export type CBase = number;

const U64_MAX = 0xffffffffffffffffn;
const LONG_MAX = 0x7fffffffffffffffn;

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function digitOf(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return 99;
}

/**
 * Whether `s` is only digits of `base` (8, 10 or 16): a loop, for the
 * callers that read every field.
 *
 * @example
 * ```ts
 * import { onlyDigits } from "./c_number.ts";
 * onlyDigits("7f", 16); // true
 * onlyDigits("7f", 10); // false
 * ```
 */
export function onlyDigits(s: string, base: number): boolean {
  for (let i = 0; i < s.length; i++) if (digitOf(s.charCodeAt(i)) >= base) return false;
  return true;
}

/** Sign, magnitude and whether any digit was read, of the number at `from`. */
function scan(s: string, base: CBase, from: number): [negative: boolean, magnitude: bigint] {
  let p = from;
  while (isSpace(s.charCodeAt(p))) p++;
  let negative = false;
  const sign = s.charCodeAt(p);
  if (sign === 0x2b || sign === 0x2d) {
    negative = sign === 0x2d;
    p++;
  }
  let radix: number = base;
  const x = s.charCodeAt(p + 1);
  const prefixed = s.charCodeAt(p) === 0x30 && (x === 0x78 || x === 0x58) &&
    digitOf(s.charCodeAt(p + 2)) < 16;
  if ((base === 16 || base === 0) && prefixed) {
    radix = 16;
    p += 2;
  } else if (base === 0) radix = s.charCodeAt(p) === 0x30 ? 8 : 10;
  let end = p;
  while (end < s.length && digitOf(s.charCodeAt(end)) < radix) end++;
  if (end === p) return [false, 0n];
  const digits = s.slice(p, end);
  const magnitude = radix === 10 ? BigInt(digits) : BigInt((radix === 16 ? "0x" : "0o") + digits);
  return [negative, magnitude];
}

/**
 * C's strtoul/strtoull (64 bits) on `s` from `from`: a negative number is
 * its two's complement, as in C; `undefined` on overflow (ERANGE).
 *
 * @example
 * ```ts
 * import { strtoul } from "./c_number.ts";
 * strtoul(" 0x1fz", 16); // 31n
 * strtoul("-1", 10); // 18446744073709551615n
 * strtoul("18446744073709551616", 10); // undefined
 * ```
 */
export function strtoul(s: string, base: CBase, from = 0): bigint | undefined {
  // the common case, a plain number that fits a double exactly, without a scan: a loop, as this
  // runs for every argument interpreted
  if (from === 0 && base !== 0 && s.length > 0 && s.length <= (base === 16 ? 13 : 15)) {
    if (onlyDigits(s, base)) return BigInt(parseInt(s, base));
  }
  const [negative, n] = scan(s, base, from);
  if (n > U64_MAX) return undefined;
  return negative ? (-n) & U64_MAX : n;
}

/**
 * C's strtol/strtoll (64 bits) on `s` from `from`: the value, clamped to
 * LONG_MIN..LONG_MAX on overflow as C clamps it, and whether it overflowed
 * (ERANGE).
 *
 * @example
 * ```ts
 * import { strtol } from "./c_number.ts";
 * strtol("-013", 0); // { value: -11n, overflow: false }
 * strtol("99999999999999999999", 10).overflow; // true
 * ```
 */
export function strtol(s: string, base: CBase, from = 0): { value: bigint; overflow: boolean } {
  const [negative, n] = scan(s, base, from);
  if (n > (negative ? LONG_MAX + 1n : LONG_MAX)) {
    return { value: negative ? -LONG_MAX - 1n : LONG_MAX, overflow: true };
  }
  return { value: negative ? -n : n, overflow: false };
}

/**
 * C's `(int)strtol(s, NULL, 10)`: the long, clamped on overflow, cut to 32
 * bits as a C int return value is.
 *
 * @example
 * ```ts
 * import { strtolInt } from "./c_number.ts";
 * strtolInt("1300abc"); // 1300
 * strtolInt("4294967297"); // 1
 * ```
 */
export function strtolInt(s: string): number {
  return Number(BigInt.asIntN(32, strtol(s, 10).value));
}
