/**
 * `deno task bench`: auditkit against libauparse, ausearch and aureport on
 * a log written by the real auditd.
 *
 * 1. Compiles bench/load.c (the syscall load) and bench/walk.c (a C program
 *    walking every field with libauparse) with gcc.
 * 2. Generates a log of at least 90 MB with the Debian auditd under that load
 *    (bench/auditd_log.ts: own config in a temp dir, keyed rules scoped to the
 *    load's pid, everything restored), holding the kernel-test lock.
 * 3. Runs each pair side by side and prints times, ratios and peak memory;
 *    then reads a ~1 GB log (the same log repeated) to show memory stays flat.
 *
 * Options: `--rounds N` (load size, default 30000), `--log FILE` (reuse a
 * log instead of generating one), `--skip-reference-tools` (skip the slow
 * ausearch/aureport runs), `--no-big` (skip the 1 GB run), `--repeat N`
 * (runs of each of the two libauparse pairs, alternating; medians compared;
 * default 5).
 *
 * @module
 */

import { generateAuditdLog } from "./auditd_log.ts";
import { type Measure, measure } from "./_measure.ts";
import { benchRuleFiles } from "./rule_files.ts";

const args = Deno.args;
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const has = (name: string) => args.includes(name);
const here = new URL(".", import.meta.url).pathname;
const root = new URL("..", import.meta.url).pathname;
const decoder = new TextDecoder();

async function gcc(src: string, out: string, libs: string[]): Promise<void> {
  const r = await new Deno.Command("gcc", { args: ["-O2", "-o", out, src, ...libs] }).output();
  if (!r.success) throw new Error(`gcc ${src} failed: ${decoder.decode(r.stderr)}`);
}

async function withKernelLock<T>(fn: () => Promise<T>): Promise<T> {
  using file = await Deno.open("/tmp/auditkit-kernel-tests.lock", { create: true, write: true });
  await file.lock(true);
  try {
    return await fn();
  } finally {
    await file.unlock();
  }
}

const work = await Deno.makeTempDir({ prefix: "auditkit-bench-" });
try {
  await gcc(`${here}walk.c`, `${work}/walk`, ["-lauparse", "-laudit"]);
  await gcc(`${here}load.c`, `${work}/load`, []);
  let log = opt("--log");
  let key = "auditkit-test";
  if (!log) {
    const rounds = Number(opt("--rounds") ?? 30000);
    console.log(`generating a log with auditd: ${rounds} rounds of openat/execve load ...`);
    const t0 = performance.now();
    const r = await withKernelLock(() =>
      generateAuditdLog({
        dir: `${work}/log`,
        script: `exec ${work}/load ${rounds}`,
        syscalls: ["openat", "execve"],
      })
    );
    log = r.path;
    key = r.key;
    console.log(`  ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    const m = /key="?(auditkit-test-[0-9a-f]+)/.exec(
      decoder.decode((await Deno.readFile(log)).subarray(0, 1 << 20)),
    );
    if (m) key = m[1];
  }
  const size = (await Deno.stat(log)).size;
  console.log(`log: ${log}, ${(size / 1e6).toFixed(1)} MB${size < 90e6 ? " (below 90 MB!)" : ""}`);

  const deno = [Deno.execPath(), "run", "-A"];
  const ak = [...deno, `${root}cli/main.ts`];
  const rows: [string, Measure, Measure, number][] = [];
  // the two fast pairs run several times, alternating, and the medians are compared (one run of
  // each is at the mercy of whatever else the machine does); the slow reference tools run once
  const rounds = Number(opt("--repeat") ?? 5);
  const median = (xs: Measure[]): Measure => {
    const sorted = [...xs].sort((p, q) => p.seconds - q.seconds);
    return sorted[sorted.length >> 1];
  };
  const spread = (xs: Measure[]) => {
    const t = xs.map((m) => m.seconds);
    return xs.length > 1
      ? ` (${Math.min(...t).toFixed(2)}-${Math.max(...t).toFixed(2)})`.padEnd(12)
      : "".padEnd(12);
  };
  const pair = async (
    name: string,
    ours: string[],
    theirs: string[],
    limit: number | undefined,
    times = 1,
  ) => {
    const as: Measure[] = [], bs: Measure[] = [];
    for (let i = 0; i < times; i++) {
      as.push(await measure(ours));
      bs.push(await measure(theirs));
    }
    const a = median(as), b = median(bs);
    if (limit !== undefined) rows.push([name, a, b, limit]);
    console.log(
      `${name.padEnd(44)} auditkit ${a.seconds.toFixed(2).padStart(7)} s${spread(as)} ${
        a.maxRssMb.toFixed(0).padStart(5)
      } MB | reference ${b.seconds.toFixed(2).padStart(7)} s${spread(bs)} ${
        b.maxRssMb.toFixed(0).padStart(5)
      } MB | ratio ${(a.seconds / b.seconds).toFixed(3)} (${
        limit === undefined ? "for information" : `goal <= ${limit}`
      })${times > 1 ? `, medians of ${times}` : ""}`,
    );
  };
  // walk.ts reads as a script that only walks a log would: events.ts and reuseBuffers (records
  // valid until the next batch, as libauparse's fields until its next event)
  await pair(
    "parse+assemble+touch every field vs libauparse",
    [...deno, `${here}walk.ts`, "walk", log],
    [`${work}/walk`, "walk", log],
    1,
    rounds,
  );
  await pair(
    "the same, each read into fresh memory",
    [...deno, `${here}walk.ts`, "walk", log, "--fresh"],
    [`${work}/walk`, "walk", log],
    undefined,
    rounds,
  );
  await pair(
    "interpreted JSON vs libauparse interpret",
    [...ak, "search", "-if", log, "--format", "json"],
    [`${work}/walk`, "interpret", log],
    1,
    rounds,
  );
  if (!has("--skip-reference-tools")) {
    await pair("search -k KEY vs ausearch -k KEY", [...ak, "search", "-if", log, "-k", key], [
      "ausearch",
      "-if",
      log,
      "-k",
      key,
    ], 0.05);
    await pair("search -i vs ausearch -i", [...ak, "search", "-if", log, "-i"], [
      "ausearch",
      "-if",
      log,
      "-i",
    ], 0.05);
    await pair(
      "report --summary vs aureport --summary",
      [
        ...ak,
        "report",
        "-if",
        log,
        "--summary",
      ],
      ["aureport", "-if", log, "--summary"],
      0.05,
    );
  }
  if (!has("--no-big")) {
    const big = `${work}/big.log`;
    const copies = Math.max(1, Math.ceil(1e9 / size));
    {
      using f = await Deno.open(big, { create: true, write: true, truncate: true });
      const data = await Deno.readFile(log);
      for (let i = 0; i < copies; i++) await f.write(data);
    }
    const small = await measure([...ak, "report", "-if", log, "--summary"]);
    const m = await measure([...ak, "report", "-if", big, "--summary"]);
    console.log(
      `memory: report --summary peak RSS ${small.maxRssMb.toFixed(0)} MB on ${
        (size / 1e6).toFixed(0)
      } MB, ${m.maxRssMb.toFixed(0)} MB on ${
        ((size * copies) / 1e9).toFixed(2)
      } GB (goal < 256 MB) in ${m.seconds.toFixed(1)} s`,
    );
    await Deno.remove(big);
  }
  await benchRuleFiles(work);
  const failed = rows.filter(([, a, b, limit]) => a.seconds / b.seconds > limit);
  console.log(
    failed.length ? `goals missed: ${failed.map((r) => r[0]).join("; ")}` : "all goals met",
  );
} finally {
  await Deno.remove(work, { recursive: true });
}
