import { deepEqual, equal } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { KernelLines, kernelRecordLine } from "../lib/source/_netlink.ts";
import { AuditRecord, BadLineError } from "../lib/event/record.ts";
import { recordTypeName } from "../lib/event/types.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** auditd's line for a record, from its definition (format_raw): the model the builders must match. */
function modelLine(type: number, payload: Uint8Array): string {
  let end = payload.indexOf(0);
  if (end < 0) end = payload.length;
  const head = `type=${recordTypeName(type)} msg=`;
  let line = head + dec.decode(payload.subarray(0, end)).replaceAll("\n", " ");
  line = line.slice(0, 8970 - 32 - 1);
  return line.endsWith(" ") ? line.slice(0, -1) : line;
}

/** What the pipeline sees of a record, or why the line is none. */
function describe(r: AuditRecord): unknown {
  return [r.type, r.serial, r.sec, r.msec, r.node, r.raw, r.fields(), [...r.enrichment]];
}

function single(type: number, payload: Uint8Array): unknown {
  const line = enc.encode(modelLine(type, payload));
  try {
    return describe(new AuditRecord(line, 0, line.length));
  } catch (e) {
    if (!(e instanceof BadLineError)) throw e;
    return `bad ${type}: ${e.message}`;
  }
}

const text = fc.array(fc.constantFrom(..." abz09=':\n\0"), { maxLength: 60 }).map((c) =>
  c.join("")
);
const payload = fc.oneof(
  fc.tuple(fc.nat(99999), fc.nat(999), fc.nat(1 << 20), text).map(([s, ms, serial, rest]) =>
    `audit(17000${s}.${ms}:${serial}): ${rest}`
  ),
  text,
  fc.constant("audit(1700000000.1:9): " + "x=1 ".repeat(3000)),
).map((s) => enc.encode(s));
const record = fc.tuple(fc.constantFrom(1300, 1302, 1307, 1112, 1327, 2999), payload);

Deno.test("kernelRecordLine: auditd's line for a record the kernel sent", () => {
  fc.assert(fc.property(record, ([type, p]) => {
    equal(dec.decode(kernelRecordLine(type, p)), modelLine(type, p));
  }));
});

Deno.test("KernelLines: a batch gives each line's record, in order, and bad lines with their type", () => {
  const lines = new KernelLines();
  fc.assert(fc.property(fc.array(record, { maxLength: 40 }), (batch) => {
    for (const [type, p] of batch) lines.add(type, p);
    const out: AuditRecord[] = [];
    const bad: string[] = [];
    lines.take(out, (type, why) => bad.push(`bad ${type}: ${why}`));
    const want = batch.map(([type, p]) => single(type, p));
    const got: unknown[] = [];
    let r = 0, b = 0;
    for (const w of want) got.push(typeof w === "string" ? bad[b++] : describe(out[r++]));
    equal(r, out.length);
    equal(b, bad.length);
    deepEqual(got, want);
    // taken: the next batch starts empty
    lines.take(out, () => bad.push("again"));
    equal(out.length, r);
    equal(bad.length, b);
  }));
});
