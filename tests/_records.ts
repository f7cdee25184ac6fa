/**
 * Reading user records back in tests: libauparse's tokenization of a record
 * body, and hex/quote decoding of values.
 *
 * @module
 */

/**
 * The `name=value` fields of a record body as libauparse sees them: split on
 * single spaces, words without `=` dropped, `msg='` opened so the user text's
 * fields become fields of the record, the closing `'` stripped.
 */
export function recordFields(body: string): [string, string][] {
  const out: [string, string][] = [];
  for (let word of body.split(" ")) {
    if (word.startsWith("msg='")) word = word.slice(5);
    const eq = word.indexOf("=");
    if (eq <= 0) continue;
    out.push([word.slice(0, eq), word.slice(eq + 1)]);
  }
  const last = out.at(-1);
  if (last && body.endsWith("'")) last[1] = last[1].replace(/'$/, "");
  return out;
}

/** A value as written: `"text"` gives text, uppercase hex gives the decoded bytes as UTF-8. */
export function decodeValue(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1);
  if (/^([0-9A-F]{2})+$/.test(value)) {
    const bytes = new Uint8Array(value.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(value.slice(2 * i, 2 * i + 2), 16);
    return new TextDecoder().decode(bytes);
  }
  return value;
}

/** The fields the kernel itself puts before a user message's `msg='...'`. */
export const KERNEL_PREFIX = ["pid", "uid", "auid", "ses"];

import type { AuditMessage, AuditMulticastSource } from "../mod.ts";

/**
 * Reads `source` until the record of `type` whose user text is `text` arrives
 * from `pid` (this process by default), any pid when `pid` is 0.
 */
export async function awaitRecord(
  source: AuditMulticastSource,
  type: number,
  text: string,
  timeoutMs = 3000,
  pid = Deno.pid,
): Promise<AuditMessage | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    const m = await source.next(left);
    if (!m) return undefined;
    if (
      m.type === type && (pid === 0 || m.body.startsWith(`pid=${pid} `)) &&
      m.body.endsWith(`msg='${text}'`)
    ) {
      return m;
    }
  }
}
