/**
 * Interpretations libauparse 3.0.9 has beyond the common ones: keystrokes
 * of TTY records and seccomp return codes.
 *
 * @module
 */

import { TTY_NAMED_KEYS } from "./_tty_keys.ts";

/** libauparse's named keys by their first byte, each list in libauparse's order (first match wins). */
const NAMED_KEYS = new Map<number, (readonly [string, string])[]>();
for (const entry of TTY_NAMED_KEYS) {
  const first = entry[0].charCodeAt(0);
  const list = NAMED_KEYS.get(first);
  if (list) list.push(entry);
  else NAMED_KEYS.set(first, [entry]);
}

const HEX = /^[0-9A-Fa-f]*$/;

/**
 * Keystrokes of a TTY/USER_TTY `data` field: printable runs quoted, named
 * keys in angle brackets, other bytes in octal (`"ls",<ret>`).
 *
 * @example
 * ```ts
 * import { printTtyData } from "./interpret_extra.ts";
 * printTtyData("6C730D"); // '"ls",<ret>'
 * ```
 */
export function printTtyData(val: string): string {
  if (!HEX.test(val)) return val;
  // libauparse gets NULL for fewer than two digits, which its callers print as "(null)"
  if (val.length < 2) return "(null)";
  const n = val.length >> 1;
  let data = "";
  for (let i = 0; i < n; i++) {
    data += String.fromCharCode(parseInt(val.slice(2 * i, 2 * i + 2), 16));
  }
  let out = "";
  let printable = false;
  let pos = 0;
  while (pos < data.length) {
    const c = data.charCodeAt(pos);
    let name: string | undefined;
    if (!(c >= 0x20 && (c < 0x7f || c >= 0xa0))) {
      for (const [seq, key] of NAMED_KEYS.get(c) ?? []) {
        if (data.startsWith(seq, pos)) {
          name = key;
          pos += seq.length;
          break;
        }
      }
    }
    if (name !== undefined) {
      if (printable) {
        out += '"';
        printable = false;
      }
      if (out) out += ",";
      out += `<${name}>`;
      continue;
    }
    if (!printable) {
      if (out) out += ",";
      out += '"';
      printable = true;
    }
    if (c < 0x20 || c > 0x7e) out += "\\" + c.toString(8).padStart(3, "0");
    else out += (c === 0x5c || c === 0x22 ? "\\" : "") + data[pos];
    pos++;
  }
  return printable ? out + '"' : out;
}

const SECCOMP_ACTIONS = new Map<number, string>([
  [0x00000000, "kill"],
  [0x00030000, "trap"],
  [0x00050000, "errno"],
  [0x7fc00000, "user-notify"],
  [0x7ff00000, "trace"],
  [0x7ffc0000, "log"],
  [0x7fff0000, "allow"],
]);

/**
 * The action of a seccomp return `code` (hex); the kill-process bit is
 * masked off, so it reads as kill, as libauparse prints it.
 *
 * @example
 * ```ts
 * import { printSeccompCode } from "./interpret_extra.ts";
 * printSeccompCode("0x7ffc0000"); // "log"
 * ```
 */
export function printSeccompCode(val: string): string {
  // read as C's strtoul (a sign wraps around), masked with SECCOMP_RET_ACTION
  const m = /^\s*([+-]?)(?:0[xX])?([0-9a-fA-F]*)/.exec(val)!;
  let code = m[2] ? BigInt("0x" + m[2]) : 0n;
  if (code > 0xffffffffffffffffn) return `conversion error(${val})`;
  if (m[1] === "-") code = BigInt.asUintN(64, -code);
  return SECCOMP_ACTIONS.get(Number(code & 0x7fff0000n)) ?? `unknown-seccomp-code(${val})`;
}
