/**
 * Interpretations libauparse 3.0.9 has beyond the common ones: keystrokes
 * of TTY records and seccomp return codes.
 *
 * @module
 */

/** Named key sequences, first match wins (auparse's tty_named_keys). */
const NAMED_KEYS: readonly (readonly [string, string])[] = [
  ...Array.from(
    { length: 8 },
    (_, i) => [String.fromCharCode(i + 1), `^${String.fromCharCode(65 + i)}`] as const,
  ),
  ["\t", "tab"],
  ["\n", "nl"],
  ["\x0b", "^K"],
  ["\x0c", "^L"],
  ["\r", "ret"],
  ...Array.from(
    { length: 13 },
    (_, i) => [String.fromCharCode(i + 14), `^${String.fromCharCode(78 + i)}`] as const,
  ),
  ["\x7f", "backspace"],
  ["\x1b[A", "up"],
  ["\x1b[B", "down"],
  ["\x1b[C", "right"],
  ["\x1b[D", "left"],
  ["\x1bOP", "F1"],
  ["\x1bOQ", "F2"],
  ["\x1bOR", "F3"],
  ["\x1bOS", "F4"],
  ["\x1b[15~", "F5"],
  ["\x1b[17~", "F6"],
  ["\x1b[18~", "F7"],
  ["\x1b[19~", "F8"],
  ["\x1b[20~", "F9"],
  ["\x1b[21~", "F10"],
  ["\x1b[23~", "F11"],
  ["\x1b[24~", "F12"],
  ["\x1b", "esc"],
];

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
      for (const [seq, key] of NAMED_KEYS) {
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
