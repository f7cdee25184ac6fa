import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  READER_CONSTANTS,
  readerProgram,
  readerSource,
  readerStart,
} from "../lib/source/_netlink_worker.ts";
import {
  allocateRing,
  entrySize,
  MAX_RING,
  MIN_RING,
  RingReader,
} from "../lib/source/_record_ring.ts";
import { duplicate, receiveArea } from "../lib/source/_netlink.ts";
import { c, errno } from "../lib/_native.ts";

/**
 * The reader thread's program made from its source text alone, as the thread
 * gets it: a reference to anything outside the function (an import, this
 * module's scope) fails here as it would there.
 */
const program: typeof readerProgram = new Function(`return (${readerProgram.toString()});`)();
const { RingWriter } = program(READER_CONSTANTS);

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
        const writer = new RingWriter(memory, 0);
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
        // the loss the writer still had goes into the ring if it now fits, else to the control block
        while (take(1000) > 0);
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
    {
      numRuns: 300,
      examples: [[[2177, 2305, 6125, 5713, 0].map((write) => ({ write, same: false }))]],
    },
  );
});

Deno.test("the reader thread's program and the ring's reader agree on entry sizes", () => {
  const worker = program(READER_CONSTANTS);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: MAX_RING }), (len) => {
      assert.equal(worker.entrySize(len), entrySize(len));
    }),
    { examples: [[0], [1], [3], [4], [5], [8969], [8970]] },
  );
});

const F_GETFD = 1;

Deno.test({
  name:
    "the reader thread from its source text alone: a failed read is reported with its errno, its descriptor closed",
  permissions: { ffi: true, env: true, read: false, import: false },
  fn: async () => {
    // recvmmsg on a duplicate of stderr (not a socket) fails with ENOTSOCK
    const own = duplicate(2);
    const memory = allocateRing(MIN_RING);
    const url = URL.createObjectURL(new Blob([readerSource()], { type: "text/javascript" }));
    const worker = new Worker(url, { type: "module" });
    URL.revokeObjectURL(url);
    const messages: unknown[] = [];
    const { promise: done, resolve } = Promise.withResolvers<void>();
    worker.onmessage = (e) => {
      messages.push(e.data);
      if (e.data.done) resolve();
    };
    worker.postMessage(readerStart(own, false, 0, memory, receiveArea(own)));
    await done;
    worker.terminate();
    assert.deepEqual(messages, [
      { started: true },
      { done: true, closed: true, error: { message: "recvmmsg: errno 88", errno: 88 } },
    ]);
    assert.ok(new RingReader(memory).done);
    assert.equal(c().fcntl(own, F_GETFD), -1, "its descriptor is closed");
    assert.equal(errno(), 9);
  },
});
