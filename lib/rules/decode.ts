/**
 * Decodes the kernel's `struct audit_rule_data` (linux/audit.h): 1040 fixed
 * bytes, then the string values back to back.
 *
 * @module
 */

import type { KernelRule, KernelRuleField } from "./types.ts";
import { type RuleHash, WordHasher } from "./rule_table.ts";

/** sizeof(struct audit_rule_data) without its string buffer. */
export const RULE_FIXED_SIZE = 1040;

const OFF_FIELDS = 268;
const OFF_VALUES = 524;
const OFF_FIELDFLAGS = 780;
const OFF_BUFLEN = 1036;
const AUDIT_MAX_FIELDS = 64;
/** The operator bits of `fieldflags` (AUDIT_OPERATORS). */
const AUDIT_OPERATORS = 0x78000000;

/** Whether the value of field `id` is a string in the rule's buffer. */
function isStringField(id: number): boolean {
  return (id >= 13 && id <= 23 && id !== 18) || id === 105 || id === 107 || id === 112 ||
    id === 210;
}

const decoder = new TextDecoder();
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Decodes a kernel rule from its wire bytes (an AUDIT_LIST_RULES payload or a
 * rule built for AUDIT_ADD_RULE). Throws RangeError when the bytes are short.
 *
 * @example
 * ```ts
 * import { buildRule, decodeRule, parseRule } from "../../mod.ts";
 * const cmd = parseRule("-w /etc/passwd -p wa -k passwd");
 * if (cmd.kind === "rule") {
 *   const again = decodeRule(buildRule(cmd.rule).rule.bytes);
 *   console.log(again.fields.map((f) => f.id)); // [105, 106, 210]
 * }
 * ```
 */
export function decodeRule(bytes: Uint8Array): KernelRule {
  return decodeRuleBytes(bytes, false);
}

/**
 * {@link decodeRule}; with `own`, the rule keeps `bytes` (exactly the rule,
 * handed over by a caller that made them) instead of a copy.
 */
export function decodeRuleBytes(bytes: Uint8Array, own: boolean): KernelRule {
  if (bytes.length < RULE_FIXED_SIZE) {
    throw new RangeError(
      `Cannot decode rule: ${bytes.length} bytes is less than the ${RULE_FIXED_SIZE} of struct audit_rule_data`,
    );
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = v.getUint32(8, true);
  const buflen = v.getUint32(OFF_BUFLEN, true);
  if (count > AUDIT_MAX_FIELDS || RULE_FIXED_SIZE + buflen > bytes.length) {
    throw new RangeError(
      `Cannot decode rule: field_count ${count} or buflen ${buflen} does not fit ${bytes.length} bytes`,
    );
  }
  const copy = own && bytes.length === RULE_FIXED_SIZE + buflen && bytes.byteOffset === 0 &&
      bytes.buffer.byteLength === bytes.length
    ? bytes
    : bytes.slice(0, RULE_FIXED_SIZE + buflen);
  // on a little-endian host the mask is a view of the rule's own bytes: no second buffer per rule
  const mask = LITTLE_ENDIAN ? new Uint32Array(copy.buffer, 12, 64) : new Uint32Array(64);
  if (!LITTLE_ENDIAN) { for (let i = 0; i < 64; i++) mask[i] = v.getUint32(12 + i * 4, true); }
  const fields: KernelRuleField[] = [];
  let off = RULE_FIXED_SIZE;
  for (let i = 0; i < count; i++) {
    const id = v.getUint32(OFF_FIELDS + i * 4, true) & ~AUDIT_OPERATORS;
    const value = v.getUint32(OFF_VALUES + i * 4, true);
    const op = v.getUint32(OFF_FIELDFLAGS + i * 4, true) & AUDIT_OPERATORS;
    const f: KernelRuleField = { id, op, value };
    if (isStringField(id)) {
      const end = Math.min(off + value, RULE_FIXED_SIZE + buflen);
      f.text = decoder.decode(bytes.subarray(off, end));
      off = end;
    }
    fields.push(f);
  }
  return {
    flags: v.getUint32(0, true),
    action: v.getUint32(4, true),
    mask,
    fields,
    bytes: copy,
  };
}

/**
 * A string that is equal for two rules exactly when the kernel would hold
 * them as the same rule (their bytes, without the prepend flag).
 *
 * @example
 * ```ts
 * import { buildRule, parseRule, ruleIdentity } from "../../mod.ts";
 * const a = parseRule("-a exit,always -S open -k k");
 * const b = parseRule("-A always,exit -S open -k k");
 * if (a.kind === "rule" && b.kind === "rule") {
 *   ruleIdentity(buildRule(a.rule).rule) === ruleIdentity(buildRule(b.rule, { op: "prepend" }).rule); // true
 * }
 * ```
 */
export function ruleIdentity(rule: KernelRule): string {
  const b = rule.bytes;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const count = Math.min(v.getUint32(8, true), AUDIT_MAX_FIELDS);
  // short and linear: the used field slots only, runs of equal mask words, the strings as text
  const parts: number[] = [v.getUint32(0, true) & ~0xf0, v.getUint32(4, true), count];
  let run = v.getUint32(12, true);
  let length = 0;
  for (let i = 0; i < 64; i++) {
    const word = v.getUint32(12 + i * 4, true);
    if (word === run) length++;
    else {
      parts.push(run, length);
      run = word;
      length = 1;
    }
  }
  parts.push(run, length);
  for (const off of [OFF_FIELDS, OFF_VALUES, OFF_FIELDFLAGS]) {
    for (let i = 0; i < count; i++) parts.push(v.getUint32(off + i * 4, true));
  }
  const buflen = v.getUint32(OFF_BUFLEN, true);
  const buf = b.subarray(RULE_FIXED_SIZE, RULE_FIXED_SIZE + buflen);
  let text = "";
  for (let i = 0; i < buf.length; i += 4096) {
    text += String.fromCharCode(...buf.subarray(i, i + 4096));
  }
  return `${parts.join(",")}|${text}`;
}

const hasher = new WordHasher();
const FIELD_ARRAYS = [OFF_FIELDS, OFF_VALUES, OFF_FIELDFLAGS];

/**
 * A 128-bit hash of what {@link ruleIdentity} compares, taken from the
 * rule's bytes without building a string: equal for two rules the kernel
 * would hold as the same rule. Written into `into`.
 */
export function ruleHash(rule: KernelRule, into: RuleHash): RuleHash {
  const b = rule.bytes;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const count = Math.min(v.getUint32(8, true), AUDIT_MAX_FIELDS);
  const h = hasher.reset();
  h.add(v.getUint32(0, true) & ~0xf0);
  h.add(v.getUint32(4, true));
  h.add(count);
  for (let i = 0; i < 64; i++) h.add(v.getUint32(12 + i * 4, true));
  for (const off of FIELD_ARRAYS) {
    for (let i = 0; i < count; i++) h.add(v.getUint32(off + i * 4, true));
  }
  const buflen = Math.min(v.getUint32(OFF_BUFLEN, true), b.length - RULE_FIXED_SIZE);
  h.add(buflen);
  for (let i = 0; i < buflen; i++) h.add(b[RULE_FIXED_SIZE + i]);
  return h.finish(into);
}
