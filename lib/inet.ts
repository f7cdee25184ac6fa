/**
 * Addresses as glibc's `inet_ntoa`/`inet_ntop` write them, for every module
 * that prints one (ausearch's interpretation, praudit).
 *
 * @example
 * ```ts
 * import { ipv4Text, ipv6Text } from "./inet.ts";
 * ipv4Text(Uint8Array.of(192, 0, 2, 1)); // "192.0.2.1"
 * ipv6Text(Uint8Array.of(0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)); // "2001:db8::1"
 * ```
 *
 * @module
 */

/**
 * An IPv4 address (the first 4 bytes of `b`, network order) as dotted quad.
 *
 * @example
 * ```ts
 * import { ipv4Text } from "./inet.ts";
 * ipv4Text(Uint8Array.of(127, 0, 0, 1)); // "127.0.0.1"
 * ```
 */
export function ipv4Text(b: Uint8Array, offset = 0): string {
  return `${b[offset]}.${b[offset + 1]}.${b[offset + 2]}.${b[offset + 3]}`;
}

/**
 * An IPv6 address (16 bytes) as glibc's `inet_ntop` writes it: the longest
 * run of two or more zero groups (the first of equal runs) as `::`, and the
 * IPv4 forms `::a.b.c.d` (first six groups zero, the seventh not) and
 * `::ffff:a.b.c.d`.
 *
 * @example
 * ```ts
 * import { ipv6Text } from "./inet.ts";
 * ipv6Text(new Uint8Array(16)); // "::"
 * ```
 */
export function ipv6Text(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i] << 8) | b[i + 1]);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
    return `::${bestLen === 5 ? "ffff:" : ""}${ipv4Text(b, 12)}`;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(":");
  const left = hex.slice(0, bestStart).join(":");
  const right = hex.slice(bestStart + bestLen).join(":");
  return `${left}::${right}`;
}

/**
 * The bytes of an address written as text: a dotted quad (4 bytes) or an
 * IPv6 address in any `inet_pton` form, `::` and a trailing dotted quad
 * included (16 bytes). Anything else is a `TypeError`.
 *
 * @example
 * ```ts
 * import { parseInetAddress } from "./inet.ts";
 * parseInetAddress("192.0.2.1"); // Uint8Array [192, 0, 2, 1]
 * parseInetAddress("::ffff:192.0.2.1").length; // 16
 * ```
 */
export function parseInetAddress(s: string): Uint8Array {
  const invalid = () => new TypeError(`Invalid address "${s}"`);
  const quad = (q: string) => {
    const parts = q.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
      throw invalid();
    }
    return parts.map(Number);
  };
  if (!s.includes(":")) return Uint8Array.from(quad(s));
  const v4 = s.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
  const tail4 = v4 ? quad(v4[2]) : [];
  const text = v4 ? v4[1] + "0:0" : s;
  const halves = text.split("::");
  if (halves.length > 2) throw invalid();
  const [head, rest] = halves;
  const words = (p: string | undefined) =>
    p ? p.split(":").map((w) => (/^[0-9a-f]{1,4}$/i.test(w) ? parseInt(w, 16) : -1)) : [];
  const h = words(head), t = words(rest);
  const fill = 8 - h.length - t.length;
  if (rest !== undefined && fill < 1) throw invalid();
  const all = rest === undefined ? h : [...h, ...new Array(fill).fill(0), ...t];
  if (all.length !== 8 || all.some((w) => w < 0)) throw invalid();
  const out = Uint8Array.from(all.flatMap((w) => [w >> 8, w & 0xff]));
  if (v4) out.set(tail4, 12);
  return out;
}
