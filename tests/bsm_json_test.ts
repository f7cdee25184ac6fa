import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  auToPath,
  auToText,
  type BsmRecordJson,
  parseBsmRecords,
  recordFromJson,
  recordToJson,
  tokenFromJson,
} from "../mod.ts";
import { bodyArb, recordOf } from "./_bsm_arbitrary.ts";
import { fromHex, toHex, vectors } from "./_bsm_vectors.ts";

const roundTrip = (bytes: Uint8Array) =>
  [...parseBsmRecords(bytes)].map((r) =>
    toHex(recordFromJson(JSON.parse(JSON.stringify(recordToJson(r))) as BsmRecordJson))
  ).join("");

Deno.test("JSON of a record: event, lookup, ISO time, typed fields", () => {
  const [record] = parseBsmRecords(fromHex(vectors.records.multi_execve.hex));
  const json = recordToJson(record, {
    lookupEvent: (e) =>
      e === 23
        ? { name: "AUE_EXECVE", description: "execve(2)", classes: ["pc", "ex"] }
        : undefined,
  });
  assert.equal(json.event, 23);
  assert.equal(json.event_name, "AUE_EXECVE");
  assert.deepEqual(json.classes, ["pc", "ex"]);
  assert.equal(json.time, "2023-11-14T22:13:20.123Z");
  assert.deepEqual(json.tokens[1], {
    type: "subject32_ex",
    auid: 1000,
    euid: 0,
    egid: 0,
    ruid: 1000,
    rgid: 1000,
    pid: 4242,
    sid: 7,
    port: 4660,
    addrType: 4,
    addr: "192.0.2.10",
  });
  assert.deepEqual(json.tokens[2], { type: "path", path: "/etc/passwd" });
  assert.deepEqual(json.tokens[4], { type: "exec_args", strings: ["/bin/ls", "-l", "/tmp"] });
});

Deno.test("JSON keeps bytes that are not text as hex", () => {
  const [r] = parseBsmRecords(recordOf([auToText(Uint8Array.of(0xff, 0xfe)), auToPath("ok")]));
  const json = recordToJson(r);
  assert.deepEqual(json.tokens[1], { type: "text", text: { hex: "fffe00" } });
  assert.throws(() => tokenFromJson({ type: "iport", port: 70000 }), RangeError);
  assert.throws(() => tokenFromJson({ type: "text", text: 3 }), TypeError);
});

Deno.test("JSON -> tokens -> bytes gives back every stored record and trail", () => {
  const all = { ...vectors.records, ...vectors.openbsm_reference, ...vectors.trails };
  for (const [name, v] of Object.entries(all)) {
    if (!v.praudit || name.startsWith("bad_")) continue;
    assert.equal(roundTrip(fromHex(v.hex)), v.hex, name);
  }
});

Deno.test("property: JSON round trip of any generated record gives identical bytes", () => {
  fc.assert(
    fc.property(bodyArb, (body) => {
      const bytes = recordOf(body);
      assert.equal(roundTrip(bytes), toHex(bytes));
    }),
    { numRuns: 400 },
  );
});
