/**
 * Rule files of 10k, 100k and 1M lines through `rules load --check`: time
 * and peak RSS, to show the cost grows linearly with the file and memory stays
 * bounded; then what a load keeps a rule until it sends the file. Run alone
 * with `deno run -A bench/rule_files.ts`; `deno task bench` runs it at the end.
 *
 * @module
 */

import { measure } from "./_measure.ts";
import { checkRuleFile, keepRuleFile } from "../lib/rules/load.ts";

const root = new URL("..", import.meta.url).pathname;

/** Line `i` of a rule file of distinct lines: watches and keyed syscall rules in turn. */
function ruleLine(i: number): string {
  if (i % 3 === 0) return `-w /etc/f${i} -p wa -k k${i}`;
  if (i % 3 === 1) return `-a always,exit -F arch=b64 -S openat -F auid=${i} -k k${i}`;
  return `-a always,exit -F arch=b64 -S open,openat -F exit=-EACCES -F uid=${i} -k k${i}`;
}

/** Writes a rule file of `n` distinct lines, a block of lines at a time. */
async function writeRuleFile(path: string, n: number): Promise<void> {
  using f = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  for (let i = 0; i < n; i += 10_000) {
    const block = [];
    for (let j = i; j < Math.min(n, i + 10_000); j++) block.push(ruleLine(j) + "\n");
    const bytes = encoder.encode(block.join(""));
    for (let off = 0; off < bytes.length;) off += await f.write(bytes.subarray(off));
  }
}

/**
 * In a child with `--expose-gc`: the heap and external bytes a load keeps a
 * rule, as the full checked lines (`checkRuleFile`, what loads kept before)
 * or as the kernel's bytes only (`keepRuleFile`, what loads keep now).
 */
function retainedPerRule(n: number, how: string): void {
  const gc = (globalThis as unknown as { gc: () => void }).gc;
  const text = Array.from({ length: n }, (_, i) => ruleLine(i)).join("\n");
  const used = () => {
    gc();
    const m = Deno.memoryUsage();
    return m.heapUsed + m.external;
  };
  const keep = how === "checked" ? checkRuleFile : keepRuleFile;
  const before = used();
  const kept = keep(text, { isDirectory: () => false });
  const after = used();
  const name = how === "checked" ? "checked lines (before)" : "kernel bytes (now)";
  console.log(
    `rules kept for a load as ${name}: ${((after - before) / n).toFixed(0)} bytes a rule`,
  );
  if (!kept) throw new Error("unreachable");
}

/** Prints one row per size: seconds, microseconds per line and peak RSS; then a load's cost a rule. */
export async function benchRuleFiles(work: string): Promise<void> {
  for (const n of [10_000, 100_000, 1_000_000]) {
    const file = `${work}/r${n}.rules`;
    await writeRuleFile(file, n);
    const m = await measure([
      Deno.execPath(),
      "run",
      "-A",
      `${root}cli/main.ts`,
      "rules",
      "load",
      "--check",
      file,
    ]);
    console.log(
      `rules load --check, ${n} lines: ${m.seconds.toFixed(2)} s (${
        (m.seconds * 1e6 / n).toFixed(0)
      } us a line), peak RSS ${m.maxRssMb.toFixed(0)} MB`,
    );
    await Deno.remove(file);
  }
  for (const how of ["checked", "kept"]) {
    const child = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        new URL(import.meta.url).pathname,
        "--retained",
        how,
      ],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (!child.success) throw new Error("the retained-memory child failed");
  }
}

if (import.meta.main) {
  if (Deno.args[0] === "--retained") retainedPerRule(20_000, Deno.args[1]);
  else {
    const work = await Deno.makeTempDir({ prefix: "auditkit-bench-rules-" });
    try {
      await benchRuleFiles(work);
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  }
}
