/**
 * Rule files of 10k, 50k and 100k lines through `rules load --check`: time
 * and peak RSS, to show the cost grows linearly with the file. Run alone with
 * `deno run -A bench/rule_files.ts`; `deno task bench` runs it at the end.
 *
 * @module
 */

import { measure } from "./_measure.ts";

const root = new URL("..", import.meta.url).pathname;

/** A rule file of `n` distinct lines: watches and keyed syscall rules in turn. */
function ruleFile(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 3 === 0) lines.push(`-w /etc/f${i} -p wa -k k${i}`);
    else if (i % 3 === 1) lines.push(`-a always,exit -F arch=b64 -S openat -F auid=${i} -k k${i}`);
    else {
      lines.push(`-a always,exit -F arch=b64 -S open,openat -F exit=-EACCES -F uid=${i} -k k${i}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** Prints one row per size: seconds, microseconds per line and peak RSS. */
export async function benchRuleFiles(work: string): Promise<void> {
  for (const n of [10_000, 50_000, 100_000]) {
    const file = `${work}/r${n}.rules`;
    await Deno.writeTextFile(file, ruleFile(n));
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
}

if (import.meta.main) {
  const work = await Deno.makeTempDir({ prefix: "auditkit-bench-rules-" });
  try {
    await benchRuleFiles(work);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}
