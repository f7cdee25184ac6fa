/**
 * `deno task bench`: auditkit against libauparse, ausearch and aureport on
 * logs written by the real auditd, one per host-like corpus.
 *
 * 1. Compiles bench/walk.c (a C program walking every field with libauparse)
 *    with gcc.
 * 2. Takes the corpora of bench/corpora.ts (build, files, net, login and
 *    mixed hosts, each as a RAW and an ENRICHED log; generated with auditd
 *    on the first run, then cached), each repeated to at least `--min-mb`
 *    MB so that start-up is not what is measured: each copy with its serials
 *    and stamps moved past the copy before (bench/_repeat.ts), as one longer
 *    real log (plain copies repeat events, which libauparse joins).
 * 3. Runs each comparison on every corpus, prints times, ratios and peak
 *    memory per corpus, then each comparison's ratios side by side with the
 *    worst marked: a goal holds only when it holds on the worst corpus.
 *    Each run's output is checked against the reference's first: `search`
 *    and `report` byte for byte with ausearch and aureport (and the exit
 *    status), the walks by walk.c's counts (events, records, fields, bytes),
 *    the JSON by its events; a mismatch is printed loudly, that ratio is
 *    marked INVALID and left out of the goals, and the exit status is 1.
 *    Then reads a ~1 GB log (the mixed corpus repeated) to show memory
 *    stays flat, and times rule files (bench/rule_files.ts).
 *
 * Times are user+sys CPU seconds (the machine is shared: wall time measures
 * the neighbours too); peak RSS from /usr/bin/time.
 *
 * Options: `--log FILE` (one given log instead of the corpora),
 * `--min-mb N` (default 100), `--skip-reference-tools` (skip the slow
 * ausearch/aureport runs), `--no-big` (skip the 1 GB run), `--no-rule-files`
 * (skip bench/rule_files.ts), `--repeat N`
 * (runs of each of the libauparse pairs, alternating; medians compared;
 * default 5).
 *
 * @module
 */

import { type Measure, measure } from "./_measure.ts";
import { ensureCorpora } from "./corpora.ts";
import { repeatTo } from "./_repeat.ts";
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

/** A log the comparisons run on. */
interface Subject {
  /** `build RAW`, or the given file's name. */
  name: string;
  /** The log read (a corpus repeated to the minimum size). */
  log: string;
  /** The rule key of its events, for `-k`. */
  key: string;
  /** Its size in bytes. */
  size: number;
  /** How it was made, for the heading. */
  about: string;
}

/** The auditkit-test key of a log's rules (bench/auditd_log.ts), from its first MiB. */
async function keyOf(log: string): Promise<string> {
  using f = await Deno.open(log);
  const head = new Uint8Array(1 << 20);
  const n = (await f.read(head)) ?? 0;
  return /key="?(auditkit-test-[0-9a-f]+)/.exec(decoder.decode(head.subarray(0, n)))?.[1] ??
    "auditkit-test";
}

/** The subjects: the given log, or every corpus repeated to `minBytes`. */
async function subjects(work: string, minBytes: number): Promise<Subject[]> {
  const given = opt("--log");
  if (given) {
    const size = (await Deno.stat(given)).size;
    return [{
      name: given.slice(given.lastIndexOf("/") + 1),
      log: given,
      key: await keyOf(given),
      size,
      about: given,
    }];
  }
  const corpora = await ensureCorpora({ log: (l) => console.log(`  generated ${l}`) });
  const out: Subject[] = [];
  for (const c of corpora) {
    const name = `${c.profile} ${c.format}`;
    const log = `${work}/${c.profile}-${c.format}.log`;
    const one = (await Deno.stat(c.log)).size;
    const copies = await repeatTo(c.log, log, minBytes);
    out.push({
      name,
      log,
      key: await keyOf(c.log),
      size: one * copies,
      about: `${c.log}, ${(one / 1e6).toFixed(1)} MB x ${copies}`,
    });
  }
  return out;
}

const median = (xs: Measure[]): Measure => {
  const sorted = [...xs].sort((p, q) => p.cpu - q.cpu);
  return sorted[sorted.length >> 1];
};
const spread = (xs: Measure[]) => {
  const t = xs.map((m) => m.cpu);
  return xs.length > 1
    ? ` (${Math.min(...t).toFixed(2)}-${Math.max(...t).toFixed(2)})`.padEnd(12)
    : "".padEnd(12);
};

/** One comparison: auditkit's command and the reference's for a subject. */
interface Comparison {
  name: string;
  ours: (s: Subject) => string[];
  theirs: (s: Subject) => string[];
  /** The goal for the ratio (auditkit / reference); undefined: for information. */
  goal: number | undefined;
  /** Runs of each, alternating (medians compared). */
  times: number;
  /**
   * How the outputs must agree: `bytes`, the same standard output and exit
   * status; `counts`, the same count line (walk.ts and walk.c); `events`,
   * one JSON line for each event walk.c counts.
   */
  agree: "bytes" | "counts" | "events";
}

/** Lines (newlines) in a file, read in pieces. */
async function lineCount(path: string): Promise<number> {
  using f = await Deno.open(path);
  const buf = new Uint8Array(1 << 20);
  let n = 0;
  for (let got = await f.read(buf); got !== null; got = await f.read(buf)) {
    for (let i = buf.indexOf(10); i >= 0 && i < got; i = buf.indexOf(10, i + 1)) n++;
  }
  return n;
}

/** How auditkit's output (`ours`) and the reference's (`theirs`) differ; undefined: they agree. */
async function disagreement(
  c: Comparison,
  ours: { out: string; m: Measure },
  theirs: { out: string; m: Measure },
): Promise<string | undefined> {
  if (c.agree === "bytes") {
    if (ours.m.code !== theirs.m.code) {
      return `exit status ${ours.m.code}, the reference's ${theirs.m.code}`;
    }
    const r = await new Deno.Command("cmp", { args: [ours.out, theirs.out] }).output();
    if (r.code === 0) return undefined;
    const sizes = `${(await Deno.stat(ours.out)).size} bytes vs ${
      (await Deno.stat(theirs.out)).size
    }`;
    const said = decoder.decode(r.stdout) + decoder.decode(r.stderr);
    const eof = /EOF on (\S+) after (.*)/.exec(said);
    const where = eof
      ? `${eof[1] === ours.out ? "auditkit's" : "the reference's"} ends after ${eof[2]}`
      : /differ: (.*)/.exec(said)?.[1] ?? said.trim();
    return `standard output differs (${where}; ${sizes})`;
  }
  const want = (await Deno.readTextFile(theirs.out)).trim();
  if (c.agree === "counts") {
    const got = (await Deno.readTextFile(ours.out)).trim();
    return got === want ? undefined : `counted "${got}", walk.c "${want}"`;
  }
  const events = Number(/^(\d+) events/.exec(want)?.[1]);
  const got = await lineCount(ours.out);
  return got === events ? undefined : `${got} JSON events, walk.c ${events} events`;
}

const work = await Deno.makeTempDir({ prefix: "auditkit-bench-" });
try {
  await gcc(`${here}walk.c`, `${work}/walk`, ["-lauparse", "-laudit"]);
  const minBytes = Number(opt("--min-mb") ?? 100) * 1e6;
  const all = await subjects(work, minBytes);
  const deno = [Deno.execPath(), "run", "-A"];
  const ak = [...deno, `${root}cli/main.ts`];
  const walk = `${work}/walk`;
  // the fast pairs run several times, alternating, and the medians are compared (one run of each
  // is at the mercy of whatever else the machine does); the slow reference tools run once
  const rounds = Number(opt("--repeat") ?? 5);
  // walk.ts reads as a script that only walks a log would: events.ts and reuseBuffers (records
  // valid until the next batch, as libauparse's fields until its next event)
  const comparisons: Comparison[] = [
    {
      name: "parse+assemble+touch every field vs libauparse",
      ours: (s) => [...deno, `${here}walk.ts`, "walk", s.log],
      theirs: (s) => [walk, "walk", s.log],
      goal: 1,
      times: rounds,
      agree: "counts",
    },
    {
      name: "the same, each read into fresh memory",
      ours: (s) => [...deno, `${here}walk.ts`, "walk", s.log, "--fresh"],
      theirs: (s) => [walk, "walk", s.log],
      goal: undefined,
      times: rounds,
      agree: "counts",
    },
    {
      name: "interpreted JSON vs libauparse interpret",
      ours: (s) => [...ak, "search", "-if", s.log, "--format", "json"],
      theirs: (s) => [walk, "interpret", s.log],
      goal: 1,
      times: rounds,
      agree: "events",
    },
  ];
  if (!has("--skip-reference-tools")) {
    comparisons.push(
      {
        name: "search -k KEY vs ausearch -k KEY",
        ours: (s) => [...ak, "search", "-if", s.log, "-k", s.key],
        theirs: (s) => ["ausearch", "-if", s.log, "-k", s.key],
        goal: 0.05,
        times: 1,
        agree: "bytes",
      },
      {
        name: "search -i vs ausearch -i",
        ours: (s) => [...ak, "search", "-if", s.log, "-i"],
        theirs: (s) => ["ausearch", "-if", s.log, "-i"],
        goal: 0.05,
        times: 1,
        agree: "bytes",
      },
      {
        name: "report --summary vs aureport --summary",
        ours: (s) => [...ak, "report", "-if", s.log, "--summary"],
        theirs: (s) => ["aureport", "-if", s.log, "--summary"],
        goal: 0.05,
        times: 1,
        agree: "bytes",
      },
    );
  }
  // ratios[comparison][subject]; invalid[comparison][subject]: the outputs differed
  const ratios = comparisons.map(() => [] as number[]);
  const invalid = comparisons.map(() => [] as boolean[]);
  const mismatches: string[] = [];
  const oursOut = `${work}/ours.out`, theirsOut = `${work}/theirs.out`;
  for (const s of all) {
    console.log(`\n== ${s.name}: ${(s.size / 1e6).toFixed(1)} MB (${s.about}), key ${s.key}`);
    for (const [i, c] of comparisons.entries()) {
      const as: Measure[] = [], bs: Measure[] = [];
      let differs: string | undefined;
      for (let r = 0; r < c.times; r++) {
        const a = await measure(c.ours(s), oursOut);
        const b = await measure(c.theirs(s), theirsOut);
        as.push(a);
        bs.push(b);
        differs ??= await disagreement(c, { out: oursOut, m: a }, { out: theirsOut, m: b });
      }
      await Deno.remove(oursOut);
      await Deno.remove(theirsOut);
      const a = median(as), b = median(bs);
      ratios[i].push(a.cpu / b.cpu);
      invalid[i].push(differs !== undefined);
      if (differs) {
        mismatches.push(`${s.name}: ${c.name}`);
        console.error(
          `!!! MISMATCH on ${s.name}, ${c.name}: ${differs}; the ratio below is INVALID`,
        );
      }
      console.log(
        `${c.name.padEnd(47)} auditkit ${a.cpu.toFixed(2).padStart(7)} s${spread(as)} ${
          a.maxRssMb.toFixed(0).padStart(5)
        } MB | reference ${b.cpu.toFixed(2).padStart(7)} s${spread(bs)} ${
          b.maxRssMb.toFixed(0).padStart(5)
        } MB | ratio ${(a.cpu / b.cpu).toFixed(3)}${differs ? " INVALID (outputs differ)" : ""}${
          c.times > 1 ? `, medians of ${c.times}` : ""
        }`,
      );
    }
  }
  console.log(
    `\nratios (auditkit / reference, user+sys CPU) per corpus, outputs checked equal; * the worst ` +
      `of the valid ones; INVALID: the outputs differed`,
  );
  const missed: string[] = [];
  for (const [i, c] of comparisons.entries()) {
    const valid = ratios[i].filter((_, j) => !invalid[i][j]);
    const worst = valid.length ? ratios[i].indexOf(Math.max(...valid)) : -1;
    const cells = all.map((s, j) =>
      `${s.name} ${ratios[i][j].toFixed(3)}${invalid[i][j] ? " INVALID" : j === worst ? "*" : ""}`
    );
    const bad = invalid[i].filter((x) => x).length;
    const verdict = c.goal === undefined
      ? "for information"
      : worst < 0
      ? "no valid ratio"
      : `goal <= ${c.goal} on the worst: ${ratios[i][worst] <= c.goal ? "met" : "MISSED"}`;
    if (c.goal !== undefined && (worst < 0 || ratios[i][worst] > c.goal)) missed.push(c.name);
    console.log(
      `${c.name}: ${verdict}${bad ? ` (INVALID on ${bad} of ${all.length} corpora)` : ""}\n  ${
        cells.join(", ")
      }`,
    );
  }
  if (!has("--no-big")) {
    const base = all.find((s) => s.name === "mixed ENRICHED") ?? all[0];
    const big = `${work}/big.log`;
    const copies = await repeatTo(base.log, big, 1e9);
    const small = await measure([...ak, "report", "-if", base.log, "--summary"]);
    const m = await measure([...ak, "report", "-if", big, "--summary"]);
    console.log(
      `\nmemory: report --summary peak RSS ${small.maxRssMb.toFixed(0)} MB on ${base.name} ${
        (base.size / 1e6).toFixed(0)
      } MB, ${m.maxRssMb.toFixed(0)} MB on ${
        ((base.size * copies) / 1e9).toFixed(2)
      } GB (goal < 256 MB) in ${m.cpu.toFixed(1)} s CPU`,
    );
    await Deno.remove(big);
  }
  if (!has("--no-rule-files")) await benchRuleFiles(work);
  console.log(missed.length ? `goals missed: ${missed.join("; ")}` : "all goals met");
  if (mismatches.length) {
    console.error(`!!! OUTPUTS DIFFERED, those ratios are invalid: ${mismatches.join("; ")}`);
    Deno.exitCode = 1;
  } else console.log("every output agreed with the reference's");
} finally {
  await Deno.remove(work, { recursive: true });
}
