/**
 * `deno task bench:live`: does `auditkit watch` keep up with the kernel?
 *
 * The load (bench/load.c: openat calls and an exec every tenth round) runs as
 * 1, 2 and 4 processes at once: one process is auditd's sustained rate on
 * this machine (the load is as fast as the kernel and auditd let it be), two
 * and four try twice and four times that. At each level three runs, each
 * with rules on the load processes' pids only (keyed, deleted after):
 * - auditd writing a RAW log, with laurel and `auditkit watch --plugin` as its
 *   plugins and `auditkit watch` (multicast) beside it;
 * - the same with auditd writing ENRICHED;
 * - `auditkit watch --daemon` alone (no auditd).
 * Every auditkit watcher writes `--format json --output FILE`. Printed per
 * reader: events received, loss by cause (auditd: the kernel's lost counter;
 * watch: its loss lines), CPU seconds per 10,000 events (utime + stime from
 * /proc while the load runs, start-up excluded).
 *
 * BENCH_LIVE_LEVELS (default 1,2,4) picks the levels, BENCH_LIVE_ROUNDS the
 * rounds per load process (default 20000). Each watcher's status and
 * standard error (its loss summary) go to standard error.
 *
 * Kernel safety: auditd runs with its own config in a temporary directory
 * (bench/auditd_log.ts), only while a run lasts, and is stopped with SIGTERM;
 * the registered pid is checked to be back to 0 after each run; enabled and
 * the backlog limit are put back.
 *
 * @module
 */

import { openAudit } from "../mod.ts";
import { auditdConfig, spawnAuditd, stopAuditd, waitFor } from "./auditd_log.ts";

const here = new URL(".", import.meta.url).pathname;
const root = new URL("..", import.meta.url).pathname;
const decoder = new TextDecoder();
const ROUNDS = Number(Deno.env.get("BENCH_LIVE_ROUNDS") ?? 20000);
const TICK = 100; // getconf CLK_TCK

async function sh(cmd: string, args: string[], check = true): Promise<string> {
  const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (check && !r.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${decoder.decode(r.stderr).trim()}`);
  }
  return decoder.decode(r.stdout);
}

/** utime + stime of a process, in seconds. */
function cpu(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / TICK;
  } catch {
    return NaN;
  }
}

function childrenOf(ppid: number): { pid: number; comm: string }[] {
  const out = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[1]) === ppid) out.push({ pid: Number(e.name), comm });
    } catch { /* gone */ }
  }
  return out;
}

interface Reader {
  name: string;
  pid: () => number | undefined;
  count: () => { events: number; loss: string };
  cpuStart?: number;
  cpuEnd?: number;
}

/**
 * Calls `fn` with each line of `path`, read a MiB at a time (at 4x the files
 * are larger than the longest string V8 makes); false when there is no file.
 */
function eachLine(path: string, fn: (line: string) => void): boolean {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path);
  } catch {
    return false;
  }
  using _ = file;
  const chunk = new Uint8Array(1 << 20);
  const utf8 = new TextDecoder();
  let rest = "";
  for (let n = file.readSync(chunk); n !== null; n = file.readSync(chunk)) {
    const lines = (rest + utf8.decode(chunk.subarray(0, n), { stream: true })).split("\n");
    rest = lines.pop()!;
    for (const l of lines) if (l) fn(l);
  }
  if (rest) fn(rest);
  return true;
}

/** Events and loss lines of a watcher's JSON output. */
function watchFileCount(path: string): { events: number; loss: string } {
  let events = 0;
  const loss: Record<string, number> = {};
  const found = eachLine(path, (line) => {
    if (line.startsWith('{"loss"')) {
      const l = JSON.parse(line).loss;
      loss[l.cause] = (loss[l.cause] ?? 0) + l.count;
    } else events++;
  });
  const causes = Object.entries(loss).map(([k, v]) => `${k} ${v}`).join(", ");
  return { events, loss: found ? causes || "none" : "(no output file)" };
}

function auditdLogCount(path: string): number {
  const serials = new Set<string>();
  eachLine(path, (line) => {
    if (line.startsWith("type=DAEMON_")) return;
    const m = /msg=audit\(([\d.]+:\d+)\)/.exec(line);
    if (m) serials.add(m[1]);
  });
  return serials.size;
}

function lineCount(path: string): number {
  let n = 0;
  eachLine(path, () => n++);
  return n;
}

function spawnWatch(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}cli/main.ts`, "watch", ...args],
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

interface Row {
  level: string;
  run: string;
  reader: string;
  events: number;
  loss: string;
  cpuPer10k: number;
  seconds: number;
}

async function oneRun(
  work: string,
  loadBin: string,
  level: number,
  kind: "RAW" | "ENRICHED" | "daemon",
): Promise<Row[]> {
  const dir = await Deno.makeTempDir({ dir: work });
  await Deno.mkdir(`${dir}/plugins.d`);
  await Deno.mkdir(`${dir}/laurel`);
  await sh("chown", ["_laurel", `${dir}/laurel`]);
  await Deno.chmod(dir, 0o755);
  const key = `auditkit-bench-${crypto.randomUUID().slice(0, 8)}`;
  using audit = openAudit();
  const before = await audit.status();
  if (before.pid !== 0) throw new Error(`An audit daemon (pid ${before.pid}) is already running`);
  const readers: Reader[] = [];
  let auditd: Deno.ChildProcess | undefined;
  const watchers: Deno.ChildProcess[] = [];
  if (kind !== "daemon") {
    await Deno.writeTextFile(
      `${dir}/auditd.conf`,
      auditdConfig({ logFile: `${dir}/audit.log`, format: kind, flush: "NONE", maxLogFileMb: 0 })
        .replace("q_depth = 2000", "q_depth = 20000"),
    );
    await Deno.writeTextFile(
      `${dir}/laurel.toml`,
      `directory = "${dir}/laurel"\nuser = "_laurel"\nstatusreport-period = 0\n` +
        `[auditlog]\nfile = "audit.log"\nsize = 1000000000\ngenerations = 2\n`,
    );
    await Deno.writeTextFile(
      `${dir}/plugins.d/laurel.conf`,
      `active = yes\ndirection = out\ntype = always\nformat = string\npath = /usr/sbin/laurel\n` +
        `args = --config ${dir}/laurel.toml\n`,
    );
    // auditd passes at most 2 args to a plugin: a wrapper holds the command line
    await Deno.writeTextFile(
      `${dir}/auditkit-plugin`,
      `#!/bin/sh\nexec ${Deno.execPath()} run -A ${root}cli/main.ts watch --plugin --format json ` +
        `--output ${dir}/plugin.json 2>${dir}/plugin.err\n`,
    );
    await Deno.chmod(`${dir}/auditkit-plugin`, 0o755);
    await Deno.writeTextFile(
      `${dir}/plugins.d/auditkit.conf`,
      `active = yes\ndirection = out\ntype = always\nformat = string\npath = ${dir}/auditkit-plugin\n`,
    );
    auditd = spawnAuditd(dir);
    const a = auditd;
    await waitFor("auditd to register", async () => (await audit.status()).pid === a.pid);
    readers.push({
      name: `auditd ${kind}`,
      pid: () => a.pid,
      count: () => ({ events: auditdLogCount(`${dir}/audit.log`), loss: "" }),
    });
    const child = (comm: string) => () => childrenOf(a.pid).find((c) => c.comm === comm)?.pid;
    readers.push({
      name: "laurel (plugin)",
      pid: child("laurel"),
      count: () => ({ events: lineCount(`${dir}/laurel/audit.log`), loss: "" }),
    });
    readers.push({
      name: "watch --plugin",
      pid: child("deno"),
      count: () => watchFileCount(`${dir}/plugin.json`),
    });
    const mc = spawnWatch(["--format", "json", "--output", `${dir}/multicast.json`]);
    watchers.push(mc);
    readers.push({
      name: "watch (multicast)",
      pid: () => mc.pid,
      count: () => watchFileCount(`${dir}/multicast.json`),
    });
  } else {
    const d = spawnWatch(["--daemon", "--format", "json", "--output", `${dir}/daemon.json`]);
    watchers.push(d);
    await waitFor("watch --daemon to register", async () => (await audit.status()).pid === d.pid);
    readers.push({
      name: "watch --daemon",
      pid: () => d.pid,
      count: () => watchFileCount(`${dir}/daemon.json`),
    });
  }
  // the watchers have started (deno's start-up is left out of their CPU)
  await new Promise((r) => setTimeout(r, 2500));
  const loads = Array.from({ length: level }, () =>
    new Deno.Command("/bin/sh", {
      args: ["-c", `read go; exec ${loadBin} ${ROUNDS}`],
      stdin: "piped",
      stdout: "null",
      stderr: "null",
    }).spawn());
  const rules: string[][] = [];
  let seconds = 0;
  const lostBefore = (await audit.status()).lost;
  try {
    if (before.enabled === 0) await audit.setEnabled(1);
    if (before.backlog_limit < 8192) await audit.setBacklogLimit(8192);
    for (const load of loads) {
      for (const field of ["pid", "ppid"]) {
        const rule = ["-a", "always,exit", "-F", "arch=b64", "-S", "openat", "-S", "execve"];
        rule.push("-F", `${field}=${load.pid}`, "-k", key);
        await sh("auditctl", rule);
        rules.push(rule);
      }
    }
    for (const r of readers) r.cpuStart = cpu(r.pid() ?? -1);
    const start = performance.now();
    for (const load of loads) {
      const w = load.stdin.getWriter();
      await w.write(new TextEncoder().encode("go\n"));
      await w.close();
    }
    await Promise.all(loads.map((l) => l.status));
    seconds = (performance.now() - start) / 1000;
  } finally {
    for (const rule of rules) await sh("auditctl", ["-d", ...rule.slice(1)], false);
    for (const load of loads) {
      try {
        load.kill("SIGKILL");
      } catch { /* ended */ }
      await load.status;
    }
    // the readers drain what the kernel and auditd still hold
    await new Promise((r) => setTimeout(r, 3000));
    for (const r of readers) r.cpuEnd = cpu(r.pid() ?? -1);
    for (const w of watchers) {
      try {
        w.kill("SIGINT");
      } catch { /* ended on its own */ }
      const [st, err] = await Promise.all([w.status, new Response(w.stderr).text()]);
      console.error(`${level}x ${kind} watch pid ${w.pid}: status ${st.code}: ${err.trim()}`);
    }
    if (auditd) {
      const failure = await stopAuditd(auditd, audit, 0);
      if (failure) console.error(failure.message);
      // auditd does not wait for its plugins: the plugin writes its summary when it has read all
      let err = "(no stderr file)";
      await waitFor("watch --plugin's summary", async () => {
        err = await Deno.readTextFile(`${dir}/plugin.err`).catch(() => "(no stderr file)");
        return /auditkit watch: \d+ events/.test(err);
      }).catch((e) => console.error(e.message));
      console.error(`${level}x ${kind} watch --plugin: ${err.trim()}`);
    } else await waitFor("the daemon pid released", async () => (await audit.status()).pid === 0);
    const now = await audit.status();
    if (now.backlog_limit !== before.backlog_limit) {
      await audit.setBacklogLimit(before.backlog_limit);
    }
    if (now.enabled !== before.enabled && before.enabled !== 2) {
      await audit.setEnabled(before.enabled as 0 | 1);
    }
  }
  const kernelLost = (await audit.status()).lost - lostBefore;
  const rows = readers.map((r) => {
    const { events, loss } = r.count();
    const used = (r.cpuEnd ?? NaN) - (r.cpuStart ?? NaN);
    return {
      level: `${level}x`,
      run: kind === "daemon" ? "no auditd" : `auditd ${kind}`,
      reader: r.name,
      events,
      loss: loss || `kernel ${kernelLost}`,
      cpuPer10k: events ? (used / events) * 10000 : NaN,
      seconds,
    };
  });
  await Deno.remove(dir, { recursive: true });
  return rows;
}

if (import.meta.main) {
  if (Deno.uid() !== 0) {
    console.error("bench:live needs root (auditd, rules, the audit daemon registration)");
    Deno.exit(1);
  }
  const work = await Deno.makeTempDir({ prefix: "auditkit-bench-live-" });
  await Deno.chmod(work, 0o755);
  const loadBin = `${work}/load`;
  await sh("gcc", ["-O2", "-o", loadBin, `${here}load.c`]);
  const rows: Row[] = [];
  // the kernel tests' lock: no test changes the audit state while a run lasts
  using lock = await Deno.open("/tmp/auditkit-kernel-tests.lock", { create: true, write: true });
  try {
    const levels = (Deno.env.get("BENCH_LIVE_LEVELS") ?? "1,2,4").split(",").map(Number);
    for (const level of levels) {
      for (const kind of ["RAW", "ENRICHED", "daemon"] as const) {
        await lock.lock(true);
        try {
          rows.push(...await oneRun(work, loadBin, level, kind));
        } finally {
          await lock.unlock();
        }
      }
    }
  } finally {
    await Deno.remove(work, { recursive: true });
    using audit = openAudit();
    const s = await audit.status();
    console.log(`after the benchmark: daemon pid ${s.pid}, enabled ${s.enabled}`);
  }
  const head = ["load", "run", "reader", "events", "events/s", "loss", "CPU s / 10k events"];
  const table = rows.map((r) => [
    r.level,
    r.run,
    r.reader,
    String(r.events),
    (r.events / r.seconds).toFixed(0),
    r.loss,
    r.cpuPer10k.toFixed(3),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  for (const line of [head, ...table]) {
    console.log(line.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
  }
}
