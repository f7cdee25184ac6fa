/**
 * Logs cut, shuffled and damaged the way real logs get damaged (a full disk,
 * a crash mid-write, records from several hosts interleaved, hand edits):
 * windows of the sample logs with mutations applied, for property tests that
 * compare auditkit with the C tools on them.
 */

import fc from "npm:fast-check@4.10.2";

const NAMES = ["log_samples", "log_realistic", "log_realistic2", "log_contexts"];

/** The lines of the sample logs in tests/data. */
export const SAMPLE_LINES: readonly (readonly string[])[] = NAMES.map((n) =>
  Deno.readTextFileSync(new URL(`./data/${n}.log`, import.meta.url)).split("\n").filter((l) =>
    l !== ""
  )
);

/** One change to a log's lines; `i` and `j` pick lines, `k` a place in one. */
type Mutation = { op: number; i: number; j: number; k: number };

const STAMP = /audit\(([^)]*)\)/;

function mutate(lines: string[], { op, i, j, k }: Mutation): void {
  if (lines.length === 0) return;
  i %= lines.length;
  j %= lines.length;
  const words = lines[i].split(" ");
  const w = 2 + (k % Math.max(1, words.length - 2));
  switch (op) {
    case 0: // two neighbours swapped
      if (i + 1 < lines.length) [lines[i], lines[i + 1]] = [lines[i + 1], lines[i]];
      break;
    case 1: // a line lost
      lines.splice(i, 1);
      break;
    case 2: // a line twice
      lines.splice(i, 0, lines[i]);
      break;
    case 3: // a line cut anywhere
      lines[i] = lines[i].slice(0, k % (lines[i].length + 1));
      break;
    case 4: // the time moved by up to two seconds
      lines[i] = lines[i].replace(
        /audit\((\d+)\.(\d+):(\d+)\)/,
        (_m, s, ms, ser) => `audit(${Number(s) + (k % 5) - 2}.${ms}:${ser})`,
      );
      break;
    case 5: { // another line's stamp
      const m = STAMP.exec(lines[j]);
      if (m) lines[i] = lines[i].replace(STAMP, m[0]);
      break;
    }
    case 6: { // an EOE after the line
      const m = STAMP.exec(lines[i]);
      if (m) lines.splice(i + 1, 0, `type=EOE msg=audit(${m[1]}): `);
      break;
    }
    case 7: // a word lost
      if (words.length > 3) {
        words.splice(w, 1);
        lines[i] = words.join(" ");
      }
      break;
    default: // a word twice, elsewhere
      if (words.length > 3) {
        words.splice(w, 0, words[2 + (j % (words.length - 2))]);
        lines[i] = words.join(" ");
      }
  }
}

/** Damaged logs: a window of a sample log (sometimes with the start of another), then mutations. */
export const damagedLog: fc.Arbitrary<string[]> = fc.record({
  log: fc.nat(NAMES.length - 1),
  start: fc.nat(200),
  size: fc.integer({ min: 3, max: 40 }),
  more: fc.option(
    fc.record({ log: fc.nat(NAMES.length - 1), size: fc.integer({ min: 1, max: 12 }) }),
  ),
  mutations: fc.array(
    fc.record({ op: fc.nat(8), i: fc.nat(1000), j: fc.nat(1000), k: fc.nat(100000) }),
    { maxLength: 6 },
  ),
}).map(({ log, start, size, more, mutations }) => {
  const src = SAMPLE_LINES[log];
  const from = start % src.length;
  let lines = src.slice(from, from + size);
  if (more) lines = lines.concat(SAMPLE_LINES[more.log].slice(0, more.size));
  for (const m of mutations) mutate(lines, m);
  return lines;
}).filter((lines) => lines.length > 0);
