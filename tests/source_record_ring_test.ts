import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { RingWriter } from "../lib/source/_netlink_worker.ts";
import { allocateRing, MIN_RING, RingReader } from "../lib/source/_record_ring.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A record payload as the kernel sends it, `size` bytes at least, with its stamp. */
function payload(serial: number, size: number, fill: number): Uint8Array {
  const head = `audit(1700000000.000:${serial}): `;
  const bytes = new Uint8Array(Math.max(size, head.length));
  bytes.set(enc.encode(head));
  bytes.fill(0x61 + (fill % 26), head.length);
  return bytes;
}

type Op = { write: number; same: boolean } | { take: number };

Deno.test("the reader thread's ring: records come out intact and in order, every drop counted before the next record, the rest of a dropped event dropped too", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.record({ write: fc.integer({ min: 0, max: 9000 }), same: fc.boolean() }),
          fc.record({ take: fc.integer({ min: 1, max: 40 }) }),
        ),
        { maxLength: 300 },
      ),
      (ops: Op[]) => {
        const memory = allocateRing(MIN_RING);
        const writer = new RingWriter(memory, false);
        const reader = new RingReader(memory);
        const written: { type: number; text: string; serial: number }[] = [];
        const out: ({ text: string; type: number } | { dropped: number })[] = [];
        const take = (k: number) =>
          reader.take(
            k,
            (type, p) => out.push({ type, text: dec.decode(p) }),
            (l) => {
              assert.equal(l.overruns, 0);
              out.push({ dropped: l.dropped });
            },
          );
        let serial = 1;
        for (const [i, op] of ops.entries()) {
          if ("write" in op) {
            if (!op.same) serial++;
            const p = payload(serial, op.write, i);
            written.push({ type: 1300 + (i % 20), text: dec.decode(p), serial });
            writer.record(1300 + (i % 20), p);
            writer.publish();
          } else take(op.take);
        }
        while (take(1000) > 0);
        writer.finish();
        assert.ok(reader.done);
        out.push({ dropped: reader.exitLoss().dropped });
        // walk the written records along what came out
        let w = 0;
        let skipped = 0;
        let reported = 0;
        const dropped = new Set<number>();
        for (const item of out) {
          if ("dropped" in item) {
            reported += item.dropped;
            continue;
          }
          while (w < written.length && written[w].text !== item.text) {
            dropped.add(w++);
            skipped++;
          }
          assert.ok(w < written.length, "a record came out that was not written");
          assert.equal(item.type, written[w].type);
          w++;
          // what was dropped before this record was reported before it
          assert.equal(reported, skipped);
        }
        while (w < written.length) dropped.add(w++), skipped++;
        assert.equal(reported, skipped, "every dropped record counted");
        for (const i of dropped) {
          if (i + 1 < written.length && written[i + 1].serial === written[i].serial) {
            assert.ok(dropped.has(i + 1), `record ${i + 1} of a dropped event came out`);
          }
        }
      },
    ),
    { numRuns: 300 },
  );
});
