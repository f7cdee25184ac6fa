/**
 * The writer side of the tailing test, run as its own process: `PATH COUNT MAX_BYTES KEEP SEED`
 * writes COUNT numbered lines through a rotating line file, in batches of 1 to 8 lines, and
 * prints its rotation count at the end.
 *
 * A file is dropped KEEP + 1 rotations after it was made, so a shipper that falls further behind
 * loses files (the documented limit). The writer runs free while the shipper is surely within
 * that: before a batch that could take it past KEEP + 1 rotations since the shipper's last scan
 * it asks for a scan (`scan` on stdout) and waits for the answer (a line on stdin). Everything
 * else, the shipper's scans and the writer's rotations, races freely.
 *
 * @module
 */
import { openLineFile } from "../lib/sink/line_file.ts";
import { numberedLine } from "./_inode_tailer.ts";

const [path, count, maxBytes, keep, seed] = Deno.args;
let state = Number(seed) >>> 0 || 1;
const next = (n: number) => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) % n;
};
const encoder = new TextEncoder();
const answer = new Uint8Array(16);
using out = openLineFile(path, { rotate: { maxBytes: Number(maxBytes), keep: Number(keep) } });
const total = Number(count);
let scanned = 0; // the rotation count when the shipper's last requested scan began
for (let seq = 0; seq < total;) {
  const batch = 1 + next(8);
  // a flush of k lines rotates at most k times
  if (out.rotations - scanned + batch > Number(keep) + 1) {
    const at = out.rotations;
    Deno.stdout.writeSync(encoder.encode("scan\n"));
    if (!Deno.stdin.readSync(answer)) throw new Error("the shipper went away");
    scanned = at;
  }
  for (let i = 0; i < batch && seq < total; i++, seq++) out.write(numberedLine(seq, next(120)));
  out.flush();
}
Deno.stdout.writeSync(encoder.encode(`rotations ${out.rotations}\n`));
