/**
 * The log reader's memory is bounded by its line limit and the reads that
 * records still view, whatever the input: endless input without a newline
 * (/dev/zero), one line of hundreds of megabytes.
 */

import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import {
  AUSEARCH_LINE_LIMIT,
  ChunkRecycler,
  recordBatches,
  type RecyclingReadOptions,
} from "../lib/source/file.ts";

const encoder = new TextEncoder();

Deno.test("reading /dev/zero holds a bounded number of reads, with and without a line limit", async () => {
  for (const lineLimit of [undefined, AUSEARCH_LINE_LIMIT]) {
    const recycler = new ChunkRecycler();
    const stop = new AbortController();
    let peak = 0;
    let bad = 0;
    const options: RecyclingReadOptions = {
      recycler,
      reuseBuffers: true,
      lineLimit,
      signal: stop.signal,
      onBadLine: () => bad++,
      onProgress: (done) => {
        peak = Math.max(peak, recycler.heldBytes);
        if (done >= 24 << 20) stop.abort();
      },
    };
    const batches = recordBatches("/dev/zero", options);
    // the consumer frees what it was handed, as eventBatches does
    await rejects(async () => {
      for await (const _ of batches) recycler.release(recycler.next - 1);
    });
    ok(peak <= 4 << 16, `${lineLimit}: ${peak} bytes of reads held`);
    // with a limit the zeros are read as ausearch reads them, in pieces; without,
    // as one line longer than the longest kept (16 MiB), reported once
    if (lineLimit) ok(bad > (20 << 20) / lineLimit, `${bad} pieces`);
    else strictEqual(bad, 1);
  }
});

/** The chunks of `text` in pieces of `size` bytes, then `more` chunks of `x`. */
async function* chunked(
  text: Uint8Array,
  size: number,
  more = 0,
  counter = { chunks: 0 },
): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < text.length; i += size, counter.chunks++) yield text.slice(i, i + size);
  for (let i = 0; i < more; i++, counter.chunks++) yield new Uint8Array(size).fill(0x78);
}

Deno.test("a line longer than the longest kept is read in pieces as it comes", async () => {
  const head = encoder.encode('type=CWD msg=audit(1700000000.000:1): cwd="/');
  // 20 MiB without a newline: more than maxLineBytes, which a reader of whole lines skips
  const counter = { chunks: 0 };
  let pieces = 0;
  let records = 0;
  let firstAt = -1;
  for await (
    const batch of recordBatches(chunked(head, 65536, 320, counter), {
      lineLimit: AUSEARCH_LINE_LIMIT,
      onBadLine: () => pieces++,
    })
  ) {
    if (records === 0 && batch.length) firstAt = counter.chunks;
    records += batch.length;
  }
  // the record cut short comes out as soon as its piece is read, as ausearch reads it
  strictEqual(records, 1);
  ok(firstAt >= 0 && firstAt <= 2, `first record after ${firstAt} chunks`);
  strictEqual(pieces, Math.ceil((head.length + 320 * 65536) / (AUSEARCH_LINE_LIMIT - 1)) - 1);
});

Deno.test("a long line read in chunks of any size gives the pieces it gives whole", async () => {
  const line = 'type=CWD msg=audit(1700000000.000:1): cwd="/' + "x".repeat(100_000) +
    '"\ntype=CWD msg=audit(1700000001.000:2): cwd="/' + "y".repeat(AUSEARCH_LINE_LIMIT * 2 - 45) +
    '"\ntype=CWD msg=audit(1700000002.000:3): cwd="/z"\n';
  const bytes = encoder.encode(line);
  const read = async (input: Uint8Array | AsyncIterable<Uint8Array>) => {
    const out: string[] = [];
    for await (
      const batch of recordBatches(input, {
        lineLimit: AUSEARCH_LINE_LIMIT,
        onBadLine: (b) => out.push(`bad ${b.line} ${b.text.length}`),
      })
    ) for (const r of batch) out.push(`${r.typeName} ${r.raw.length}`);
    return out;
  };
  const whole = await read(bytes);
  strictEqual(whole.filter((x) => x.startsWith("CWD")).length, 3);
  for (const size of [1, 1000, AUSEARCH_LINE_LIMIT - 1, AUSEARCH_LINE_LIMIT, 65536, 100_001]) {
    deepStrictEqual(await read(chunked(bytes, size)), whole, `chunks of ${size}`);
  }
});
