/**
 * `deno task bench:plugin`: CPU per event of `auditkit watch --plugin
 * --format json` against laurel, on the plugin streams of bench/corpora.ts
 * (host-like corpora captured from the real auditd; generated once, needs
 * root then, cached after).
 *
 * For each corpus (profile x RAW/ENRICHED) the captured stream goes on
 * standard input to laurel (its own config in a temporary directory) and to
 * `deno run -A cli/main.ts watch --plugin --format json --output FILE`.
 * Each process' user+sys CPU (/usr/bin/time) is the median of N runs minus
 * the median of the same tool on an empty input (its start-up). Printed per
 * corpus: events, each tool's CPU seconds per 10,000 events, and the ratio
 * watch/laurel; the worst ratio is marked: a goal holds only on the worst
 * corpus. laurel's event count must equal watch's (a difference is printed).
 *
 * Two tables: one pass of each stream (start-up subtracted), and the steady
 * state: the stream `K` times in a row (the serials of the k-th copy moved
 * up by k * 100,000,000 and its stamps past the copy before, by
 * bench/_repeat.ts, so that every copy is new events for both tools) minus
 * one pass, per event of passes 2 to K. A plugin runs for as long as auditd
 * does: the steady state is its cost per event; the first pass also holds
 * start-up and, for watch, V8's JIT warm-up (some 0.3 s once per process).
 *
 * Options: `--runs N` (default 3), `--profiles a,b`, `--formats RAW,ENRICHED`,
 * `--repeat K` (default 10; 1 for one pass only), `--force` (generate the
 * corpora again). No kernel is needed once the corpora exist.
 *
 * @module
 */

import { type Corpus, ensureCorpora, FORMATS, PROFILES } from "./corpora.ts";
import { repeatLog } from "./_repeat.ts";

const root = new URL("..", import.meta.url).pathname;

function option(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i < 0 ? undefined : Deno.args[i + 1];
}

/** user+sys CPU seconds of `cmd` with standard input from `input`. */
async function cpuOf(cmd: string[], input: string): Promise<number> {
  const timeFile = await Deno.makeTempFile();
  try {
    const r = await new Deno.Command("/usr/bin/time", {
      args: ["-f", "%U %S", "-o", timeFile, ...cmd],
      stdin: "piped",
      stdout: "null",
      stderr: "null",
    }).spawn();
    using file = await Deno.open(input);
    await file.readable.pipeTo(r.stdin);
    await r.status;
    const [u, s] = (await Deno.readTextFile(timeFile)).trim().split("\n").pop()!.split(" ");
    return Number(u) + Number(s);
  } finally {
    await Deno.remove(timeFile);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Lines of `path`, but those that start with `skip` (watch's loss lines). */
function lines(path: string, skip = ""): number {
  let n = 0;
  try {
    const b = Deno.readFileSync(path);
    const s = new TextEncoder().encode(skip);
    let start = 0;
    for (let i = b.indexOf(10); i >= 0; start = i + 1, i = b.indexOf(10, start)) {
      if (s.length === 0 || !s.every((c, k) => b[start + k] === c)) n++;
    }
  } catch { /* no file */ }
  return n;
}

interface Tool {
  name: string;
  /** The command; `out` is a fresh temporary directory for its output. */
  cmd: (out: string) => string[];
  /** Events it wrote into `out`. */
  events: (out: string) => number;
}

const laurel: Tool = {
  name: "laurel",
  cmd: (out) => {
    Deno.writeTextFileSync(
      `${out}/laurel.toml`,
      `directory = "${out}"\nstatusreport-period = 0\n` +
        `[auditlog]\nfile = "audit.log"\nsize = 1000000000\ngenerations = 2\n`,
    );
    return ["/usr/sbin/laurel", "--config", `${out}/laurel.toml`];
  },
  events: (out) => lines(`${out}/audit.log`),
};

const watch: Tool = {
  name: "watch",
  cmd: (out) => [
    Deno.execPath(),
    "run",
    "-A",
    `${root}cli/main.ts`,
    "watch",
    "--plugin",
    "--format",
    "json",
    "--output",
    `${out}/events.json`,
  ],
  events: (out) => lines(`${out}/events.json`, '{"loss"'),
};

/** Median CPU of `runs` runs of `tool` on `input`, and the fewest and most events a run wrote. */
async function measureTool(
  tool: Tool,
  input: string,
  runs: number,
): Promise<{ cpu: number; events: number; most: number }> {
  const cpus: number[] = [];
  const events: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = await Deno.makeTempDir({ prefix: "auditkit-bench-plugin-" });
    try {
      cpus.push(await cpuOf(tool.cmd(out), input));
      events.push(tool.events(out));
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  }
  return { cpu: median(cpus), events: Math.min(...events), most: Math.max(...events) };
}

/** `stream` `k` times in a row as one longer stream (bench/_repeat.ts), in a temp file. */
async function repeated(stream: string, k: number): Promise<string> {
  const out = await Deno.makeTempFile({ prefix: "auditkit-bench-plugin-" });
  await repeatLog(stream, out, k);
  return out;
}

interface Measured {
  laurel: { cpu: number; events: number; most: number };
  watch: { cpu: number; events: number; most: number };
}

/** Both tools on `corpus`'s stream `k` times in a row; a run that lost events is printed. */
async function measureCorpus(corpus: Corpus, k: number, runs: number): Promise<Measured> {
  const input = k > 1 ? await repeated(corpus.stream, k) : corpus.stream;
  try {
    const l = await measureTool(laurel, input, runs);
    const w = await measureTool(watch, input, runs);
    if (l.events !== w.events || w.most !== w.events || l.most !== l.events) {
      // a run that lost events did less work: its CPU is not comparable
      console.error(
        `${corpus.profile} ${corpus.format} x${k}: laurel wrote ${l.events}..${l.most} events, ` +
          `watch ${w.events}..${w.most} (fewest..most of the runs)`,
      );
    }
    return { laurel: l, watch: w };
  } finally {
    if (input !== corpus.stream) await Deno.remove(input);
  }
}

/** CPU seconds per 10,000 events, as text. */
const per10k = (cpu: number, events: number) => (cpu / events * 10000).toFixed(3);

/** Prints `rows` (the last column is the ratio) as a table, the worst ratio marked. */
function printTable(head: string[], rows: string[][]): void {
  const ratios = rows.map((r) => Number(r[r.length - 1]));
  const worst = ratios.indexOf(Math.max(...ratios));
  const table = rows.map((r, i) => [...r, i === worst ? "<- worst" : ""]);
  const widths = [...head, ""].map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  for (const line of [[...head, ""], ...table]) {
    console.log(line.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
  }
}

if (import.meta.main) {
  const runs = Number(option("--runs") ?? 3);
  const repeat = Number(option("--repeat") ?? 10);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error("--repeat: a whole number from 1");
  const profiles = (option("--profiles") ?? PROFILES.join(",")).split(",");
  const formats = (option("--formats") ?? FORMATS.join(",")).split(",");
  const corpora = (await ensureCorpora({
    force: Deno.args.includes("--force"),
    log: (l) => console.error(`generated ${l}`),
  })).filter((c) => profiles.includes(c.profile) && formats.includes(c.format));
  const empty = await Deno.makeTempFile();
  const base = {
    laurel: (await measureTool(laurel, empty, runs)).cpu,
    watch: (await measureTool(watch, empty, runs)).cpu,
  };
  await Deno.remove(empty);
  console.log(
    `start-up (empty input, median of ${runs}, subtracted from one pass): laurel ${
      base.laurel.toFixed(2)
    } s, watch ${base.watch.toFixed(2)} s`,
  );
  const once: string[][] = [];
  const steady: string[][] = [];
  for (const corpus of corpora) {
    const one = await measureCorpus(corpus, 1, runs);
    const l1 = one.laurel.cpu - base.laurel, w1 = one.watch.cpu - base.watch;
    once.push([
      corpus.profile,
      corpus.format,
      String(one.watch.events),
      per10k(l1, one.watch.events),
      per10k(w1, one.watch.events),
      (w1 / l1).toFixed(2),
    ]);
    if (repeat === 1) continue;
    // the passes after the first: what a plugin that has run a while spends per event (the
    // first pass also holds the start-up and, for watch, the JIT's warm-up of some 0.3 s)
    const k = await measureCorpus(corpus, repeat, runs);
    const events = k.watch.events - one.watch.events;
    const l = k.laurel.cpu - one.laurel.cpu, w = k.watch.cpu - one.watch.cpu;
    steady.push([
      corpus.profile,
      corpus.format,
      String(events),
      per10k(l, events),
      per10k(w, events),
      (w / l).toFixed(2),
    ]);
  }
  const head = ["corpus", "format", "events", "laurel s/10k", "watch s/10k", "watch/laurel"];
  console.log(
    `\none pass of each stream: user+sys CPU, median of ${runs} runs, start-up subtracted`,
  );
  printTable(head, once);
  if (repeat > 1) {
    console.log(
      `\nsteady state: passes 2 to ${repeat} of each stream (${repeat} passes in a row minus one ` +
        `pass; median of ${runs} runs each)`,
    );
    printTable(head, steady);
  }
}
