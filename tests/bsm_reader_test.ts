import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  AuRecordTable,
  auToText,
  BsmError,
  type BsmRecord,
  parseBsmRecords,
  parsePrauditRecords,
  type PrauditRecord,
  type ReadBsmOptions,
  readBsmRecords,
  readPrauditRecords,
} from "../mod.ts";
import { fromHex, vectors } from "./_bsm_vectors.ts";
import { bodyArb, recordOf, trailArb } from "./_bsm_arbitrary.ts";

/** `bytes` as a stream of chunks of the given sizes (cycled). */
function streamOf(bytes: Uint8Array, sizes: number[] = [7]): ReadableStream<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]);
    parts.push(bytes.slice(at, at + n));
    at += n;
  }
  return ReadableStream.from(parts);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Records read until the reader throws, and what it threw. */
async function readUntilError(
  source: Uint8Array | ReadableStream<Uint8Array>,
  options?: ReadBsmOptions,
): Promise<{ records: BsmRecord[]; error?: unknown }> {
  const records: BsmRecord[] = [];
  try {
    for await (const r of readBsmRecords(source, options)) records.push(r);
    return { records };
  } catch (error) {
    return { records, error };
  }
}

Deno.test("praudit rules: tokens delivered match the lines praudit printed for every stored input", () => {
  const all = { ...vectors.records, ...vectors.trails, ...vectors.openbsm_reference };
  for (const [name, v] of Object.entries(all)) {
    if (!v.praudit) continue;
    const records = [...parsePrauditRecords(fromHex(v.hex))];
    const tokens = records.reduce((n, r) => n + r.tokens.length, 0);
    const lines = v.praudit.n.stdout.split("\n").length - 1;
    assert.equal(tokens, lines, name);
  }
});

Deno.test("praudit rules: the malformed trails stop or skip where praudit does", () => {
  const run = (name: keyof typeof vectors.trails) => {
    let stop: BsmError | undefined;
    const records = [
      ...parsePrauditRecords(fromHex(vectors.trails[name].hex), { onStop: (e) => (stop = e) }),
    ];
    return { records, stop };
  };
  const overrun = run("bad_text_length_overrun");
  assert.equal(overrun.records.length, 1);
  assert.equal(overrun.records[0].complete, false);
  assert.deepEqual(overrun.records[0].tokens.map((t) => t.type), ["header32"]);
  assert.equal(overrun.stop, undefined);
  const garbage = run("bad_trailing_garbage");
  assert.equal(garbage.records.length, 1);
  assert.equal(garbage.stop?.kind, "not_a_record");
  assert.equal(garbage.stop?.offset, 41);
  const cut = run("bad_truncated");
  assert.equal(cut.records.length, 0);
  assert.equal(cut.stop?.kind, "truncated");
  const magic = run("bad_trailer_magic");
  assert.deepEqual(magic.records[0].tokens.at(-1), { type: "trailer", magic: 0xdead, count: 41 });
});

Deno.test("strict rules: each malformed trail gives its BsmError after the good records", () => {
  const expect: Record<string, [string, number, number]> = {
    bad_text_length_overrun: ["malformed_token", 18, 0],
    bad_trailer_magic: ["bad_trailer", 34, 0],
    bad_trailing_garbage: ["not_a_record", 41, 1],
    bad_truncated: ["truncated", 0, 0],
    bad_unknown_token: ["", 0, 1],
  };
  for (const [name, [kind, offset, good]] of Object.entries(expect)) {
    const bytes = fromHex(vectors.trails[name].hex);
    let got = 0;
    try {
      for (const _ of parseBsmRecords(bytes)) got++;
      assert.equal(kind, "", `${name} read without error`);
    } catch (e) {
      assert.ok(e instanceof BsmError, name);
      assert.deepEqual([e.kind, e.offset], [kind, offset], name);
    }
    assert.equal(got, good, name);
  }
});

Deno.test("strict rules: a wrong record length, a bare token and an empty input", () => {
  const rec = recordOf([auToText("hello")]);
  const longer = rec.slice();
  longer[4] += 2; // the header claims two bytes more than there are tokens for
  assert.throws(
    () => [...parseBsmRecords(new Uint8Array([...rec, ...longer, 0, 0, ...rec]))],
    (e) => e instanceof BsmError && e.kind === "malformed_token" && e.offset === 2 * rec.length,
  );
  const count = rec.slice();
  count[count.length - 1] ^= 1; // the trailer disagrees with the header
  assert.throws(
    () => [...parseBsmRecords(count)],
    (e) => e instanceof BsmError && e.kind === "bad_trailer" && e.offset === rec.length - 7,
  );
  assert.throws(
    () => [...parseBsmRecords(fromHex(vectors.tokens.text.hex))],
    (e) => e instanceof BsmError && e.kind === "not_a_record" && e.offset === 0,
  );
  assert.deepEqual([...parseBsmRecords(new Uint8Array(0))], []);
});

Deno.test("a trail file with file tokens: the records and both file tokens", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, fromHex(vectors.trails.trail_with_file_tokens.hex));
    const records = await collect(readBsmRecords(path));
    assert.deepEqual(records.map((r) => r.tokens[0].type), [
      "file",
      "header32",
      "header32",
      "header32",
      "file",
    ]);
    assert.deepEqual(records.map((r) => r.offset), [
      0,
      30,
      30 + 119,
      30 + 119 + 41,
      30 + 119 + 41 + 35,
    ]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("resync: a stream picked up mid-record finds the next record, faults reported", async () => {
  const a = recordOf([auToText("first")]), b = recordOf([auToText("second")]);
  const bytes = new Uint8Array([...a.subarray(9), ...b, ...b]);
  const errors: BsmError[] = [];
  const records = await collect(
    readBsmRecords(streamOf(bytes, [3, 5]), { resync: true, onError: (e) => errors.push(e) }),
  );
  assert.deepEqual(records.map((r) => r.offset), [a.length - 9, a.length - 9 + b.length]);
  assert.ok(errors.length >= 1 && errors[0].offset === 0);
  const p = [...parsePrauditRecords(new Uint8Array([1, 2, 3, ...b]), { partial: true })];
  assert.equal(p.length, 1);
  assert.equal(p[0].offset, 3);
});

Deno.test("property: any token sequence written as a record reads back the same", () => {
  fc.assert(
    fc.property(bodyArb, (body) => {
      const [record] = [...parseBsmRecords(recordOf(body))];
      assert.deepEqual(record.tokens.slice(1, -1), body);
    }),
    { numRuns: 400 },
  );
});

Deno.test("property: streamed in any chunking, a trail reads as in memory", async () => {
  await fc.assert(
    fc.asyncProperty(
      trailArb,
      fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }),
      async (t, sizes) => {
        const streamed = await collect(readBsmRecords(streamOf(t.bytes, sizes)));
        assert.deepEqual(streamed.map((r) => r.bytes), t.records);
        assert.deepEqual(
          streamed,
          [...parseBsmRecords(t.bytes)].map((r) => ({ ...r, bytes: r.bytes.slice() })),
        );
      },
    ),
    { numRuns: 100 },
  );
});

const damageArb = fc.record({
  kind: fc.constantFrom("truncate", "flip", "insert"),
  at: fc.nat(),
  flip: fc.integer({ min: 1, max: 255 }),
  garbage: fc.uint8Array({ minLength: 1, maxLength: 30 }),
});

Deno.test("property: damage never throws anything but BsmError and never loses a good record before it", async () => {
  await fc.assert(
    fc.asyncProperty(trailArb, damageArb, fc.boolean(), async (t, d, resync) => {
      const at = d.at % (t.bytes.length + 1);
      const b = d.kind === "truncate"
        ? t.bytes.slice(0, at)
        : d.kind === "flip"
        ? t.bytes.map((x, i) => (i === at ? x ^ d.flip : x))
        : new Uint8Array([...t.bytes.subarray(0, at), ...d.garbage, ...t.bytes.subarray(at)]);
      const { records, error } = await readUntilError(streamOf(b, [13]), { resync });
      if (error !== undefined) assert.ok(error instanceof BsmError, String(error));
      if (resync) assert.equal(error, undefined);
      let end = 0;
      t.records.forEach((r, i) => {
        end += r.length;
        if (end <= at) assert.deepEqual(records[i]?.bytes, r);
      });
      const p: PrauditRecord[] = [];
      for await (const r of readPrauditRecords(b)) p.push(r);
      end = 0;
      t.records.forEach((r, i) => {
        end += r.length;
        if (end <= at) assert.deepEqual(p[i]?.bytes, r);
      });
    }),
    { numRuns: 300 },
  );
});

Deno.test("reading stops with the signal", async () => {
  const t = new AuRecordTable();
  const d = t.open();
  const rec = t.closeBuffer(d, 0);
  const controller = new AbortController();
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (
      const r of readBsmRecords(streamOf(new Uint8Array([...rec, ...rec, ...rec])), {
        signal: controller.signal,
      })
    ) {
      seen.push(r.offset);
      controller.abort(new Error("stop"));
    }
  }, /stop/);
  assert.deepEqual(seen, [0]);
});
