/**
 * `deno task bench:bsm`: `auditkit bsm print -l` and `auditkit bsm json`
 * over a BSM trail of at least 100 MB, MB/s and peak RSS.
 *
 * The trail is written with auditkit's encoder (au_open/au_write/
 * au_close_buffer) and looks like a busy host's: mostly execve records
 * (subject32_ex, exec_args of 1-9 arguments, the executable's path, attr32,
 * return32), file opens (path, arg32 flags, a share of ENOENT/EACCES
 * failures), and some logins (subject, text, return).
 *
 * OpenBSM's praudit is not packaged on Debian, so there is no reference
 * tool to run side by side; the figures are auditkit's alone.
 *
 * Options: `--mb N` (trail size, default 100), `--trail FILE` (use an
 * existing trail instead of generating one), `--out FILE` (generate the
 * trail there and keep it), `--repeat N` (runs of each command, median
 * reported; default 3).
 *
 * Before timing, each command's output over the trail is checked once
 * (a line per record for `print -l` and `json`, exit 0), so a failing run
 * cannot pass for a fast one.
 *
 * @module
 */

import {
  AuRecordTable,
  auToArg32,
  auToAttr32,
  auToExecArgs,
  auToPath,
  auToReturn32,
  auToSubject32Ex,
  auToText,
  type BsmToken,
} from "../mod.ts";
import { type Measure, measure } from "./_measure.ts";

const args = Deno.args;
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = new URL("..", import.meta.url).pathname;

/** A small deterministic generator, so every run writes the same trail. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const PROGRAMS = [
  ["/usr/bin/ls", "-la", "/var/log"],
  ["/usr/bin/grep", "-r", "--include=*.conf", "Listen", "/etc/apache2"],
  ["/usr/bin/python3", "/opt/app/worker.py", "--queue", "high", "--concurrency", "8"],
  ["/bin/sh", "-c", "cd /srv/build && make -j4 all"],
  ["/usr/bin/git", "fetch", "--prune", "origin"],
  ["/usr/sbin/sshd", "-D", "-R"],
  ["/usr/bin/curl", "-fsSL", "https://example.com/health", "-o", "/dev/null"],
  ["/usr/bin/cc", "-O2", "-c", "src/parse.c", "-o", "build/parse.o", "-Iinclude", "-Wall"],
  ["/usr/bin/find", "/home", "-name", "*.tmp", "-mtime", "+7", "-delete"],
  ["/usr/bin/tar", "czf", "/backup/etc.tgz", "/etc"],
];
const FILES = [
  "/etc/passwd",
  "/etc/ld.so.cache",
  "/usr/lib/x86_64-linux-gnu/libc.so.6",
  "/var/log/syslog",
  "/home/alice/.bashrc",
  "/srv/www/index.html",
  "/tmp/build-4821/obj/parse.o",
  "/proc/self/status",
];

/** Writes a busy-host-like trail of at least `bytes` bytes to `path`; returns the record count. */
async function generate(path: string, bytes: number): Promise<number> {
  const next = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const table = new AuRecordTable();
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const chunk = new Uint8Array(1 << 20);
  let used = 0, total = 0, count = 0;
  let ms = Date.UTC(2024, 0, 15, 8, 0, 0);
  while (total < bytes) {
    const uid = pick([0, 0, 1000, 1001, 33, 104]);
    const pid = 1000 + Math.floor(next() * 60000);
    const subject = auToSubject32Ex({
      auid: uid === 0 ? 1000 : uid,
      euid: uid,
      egid: uid,
      ruid: uid,
      rgid: uid,
      pid,
      sid: 1 + Math.floor(next() * 500),
      port: Math.floor(next() * 65536),
      addr: Uint8Array.of(10, 0, Math.floor(next() * 256), Math.floor(next() * 256)),
    });
    const kind = next();
    let event: number;
    const body: BsmToken[] = [];
    if (kind < 0.6) {
      event = 23; // AUE_EXECVE
      const prog = pick(PROGRAMS);
      const argc = 1 + Math.floor(next() * prog.length);
      body.push(subject, auToExecArgs(prog.slice(0, argc)), auToPath(prog[0]));
      body.push(auToAttr32({
        mode: 0o100755,
        uid: 0,
        gid: 0,
        fsid: 2049,
        nodeid: BigInt(100000 + Math.floor(next() * 900000)),
        dev: 0,
      }));
      body.push(auToReturn32(0, 0));
    } else if (kind < 0.95) {
      event = 72; // AUE_OPEN_R
      const fail = next() < 0.2;
      body.push(auToArg32(2, "flags", 0x80000), auToPath(pick(FILES)), subject);
      body.push(fail ? auToReturn32(pick([2, 13]), 0xffffffff) : auToReturn32(0, 3));
    } else {
      event = 6152; // AUE_login
      body.push(subject, auToText(`successful login ${pick(["alice", "bob", "deploy"])}`));
      body.push(auToReturn32(0, 0));
    }
    const d = table.open();
    for (const t of body) table.write(d, t);
    ms += Math.floor(next() * 5);
    const record = table.closeBuffer(d, event, { time: new Date(ms) });
    if (used + record.length > chunk.length) {
      for (let at = 0; at < used;) at += await file.write(chunk.subarray(at, used));
      used = 0;
    }
    chunk.set(record, used);
    used += record.length;
    total += record.length;
    count++;
  }
  for (let at = 0; at < used;) at += await file.write(chunk.subarray(at, used));
  return count;
}

/** Runs `cmd` and counts the lines of its output; a failure throws. */
async function countLines(cmd: string[]): Promise<number> {
  const child = new Deno.Command(cmd[0], { args: cmd.slice(1), stdout: "piped", stderr: "inherit" })
    .spawn();
  let lines = 0;
  for await (const chunk of child.stdout) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
  }
  const status = await child.status;
  if (!status.success) throw new Error(`${cmd.join(" ")} failed with status ${status.code}`);
  return lines;
}

const work = await Deno.makeTempDir({ prefix: "auditkit-bench-bsm-" });
try {
  let trail = opt("--trail");
  let records: number | undefined;
  if (!trail) {
    trail = opt("--out") ?? `${work}/busy.bsm`;
    const mb = Number(opt("--mb") ?? 100);
    const t0 = performance.now();
    const n = records = await generate(trail, mb * 1e6);
    console.log(
      `generated ${n} records with the encoder in ${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s`,
    );
  }
  const size = (await Deno.stat(trail)).size;
  console.log(`trail: ${trail}, ${(size / 1e6).toFixed(1)} MB`);
  console.log("praudit (OpenBSM) is not packaged on Debian: no side-by-side reference here");
  const cli = [Deno.execPath(), "run", "-A", `${root}cli/main.ts`, "bsm"];
  const repeat = Number(opt("--repeat") ?? 3);
  for (const [name, cmd] of [["bsm print -l", ["print", "-l"]], ["bsm json", ["json"]]] as const) {
    const lines = await countLines([...cli, ...cmd, trail]);
    if (records !== undefined && lines !== records) {
      throw new Error(`${name} printed ${lines} lines for ${records} records`);
    }
    const runs: Measure[] = [];
    for (let i = 0; i < repeat; i++) runs.push(await measure([...cli, ...cmd, trail]));
    runs.sort((a, b) => a.seconds - b.seconds);
    const m = runs[runs.length >> 1];
    const times = runs.map((r) => r.seconds.toFixed(2)).join(", ");
    console.log(
      `${name.padEnd(14)} ${m.seconds.toFixed(2).padStart(6)} s  ${
        (size / 1e6 / m.seconds).toFixed(1).padStart(6)
      } MB/s  peak RSS ${m.maxRssMb.toFixed(0).padStart(4)} MB  (median of ${repeat}: ${times} s)`,
    );
  }
} finally {
  await Deno.remove(work, { recursive: true });
}
