/**
 * The writer side of the tailing test, run as its own process: `PATH COUNT MAX_BYTES KEEP SEED`
 * writes COUNT numbered lines through a rotating line file, in batches of 1 to 8 lines.
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
using out = openLineFile(path, { rotate: { maxBytes: Number(maxBytes), keep: Number(keep) } });
const total = Number(count);
for (let seq = 0; seq < total;) {
  const batch = 1 + next(8);
  for (let i = 0; i < batch && seq < total; i++, seq++) out.write(numberedLine(seq, next(120)));
  out.flush();
}
console.log(out.rotations);
