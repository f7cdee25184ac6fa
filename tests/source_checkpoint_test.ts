/**
 * `search --checkpoint` against `ausearch --checkpoint`: the same runs on
 * twin logs (a file, a rotated directory) give the same output, messages,
 * exit statuses and checkpoint events; bad checkpoint files are refused
 * alike. Also the checkpoint format on its own.
 */

import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { CheckpointError, CheckpointFilter, formatCheckpoint, parseCheckpoint } from "../mod.ts";
import { runSearch } from "../cli/search.ts";
import { oracleTest, run } from "./_helpers.ts";

const SYSCALL = "arch=c000003e syscall=2 success=yes exit=3 a0=0 a1=0 a2=0 a3=0 items=0 ppid=1 " +
  'pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm="x" ' +
  'exe="/x" key=(null)';

/** A syscall event (SYSCALL + PROCTITLE) at `sec` (offset from 1700000000) with `serial`. */
const event = (sec: number, serial: number) =>
  `type=SYSCALL msg=audit(${1700000000 + sec}.000:${serial}): ${SYSCALL}\n` +
  `type=PROCTITLE msg=audit(${1700000000 + sec}.000:${serial}): proctitle=78\n`;
const user = (sec: number, serial: number) =>
  `type=USER_CMD msg=audit(${1700000000 + sec}.000:${serial}): pid=4 uid=0 auid=0 ses=1 ` +
  `msg='cwd="/" cmd=6C73 exe="/usr/bin/sudo" terminal=pts/0 res=success'\n`;

interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
  /** The checkpoint's output= line (device and inode differ between twin files). */
  event: string;
}

/** Twin directories `a` (ausearch) and `b` (auditkit) with the same files. */
class Twins {
  constructor(readonly root: string) {}

  async write(name: string, text: string, append = false): Promise<void> {
    for (const side of ["a", "b"]) {
      await Deno.mkdir(`${this.root}/${side}`, { recursive: true });
      await Deno.writeTextFile(`${this.root}/${side}/${name}`, text, { append });
    }
  }

  async rename(from: string, to: string): Promise<void> {
    for (const side of ["a", "b"]) {
      await Deno.rename(`${this.root}/${side}/${from}`, `${this.root}/${side}/${to}`);
    }
  }

  async checkpoint(side: string, text: string | undefined): Promise<void> {
    const path = `${this.root}/cp-${side}`;
    if (text === undefined) await Deno.remove(path).catch(() => {});
    else await Deno.writeTextFile(path, text);
  }

  /** Runs both tools on `input` (a file or "." for the directory) and compares. */
  async compare(input: string, args: string[] = []): Promise<Outcome> {
    const outcome = async (side: string, fn: (a: string[]) => Promise<Outcome>) => {
      const dir = `${this.root}/${side}`;
      const o = await fn([
        "-if",
        input === "." ? dir : `${dir}/${input}`,
        "--checkpoint",
        `${this.root}/cp-${side}`,
        ...args,
      ]);
      const cp = await Deno.readTextFile(`${this.root}/cp-${side}`).catch(() => "");
      // paths name the side: make them comparable
      o.stderr = o.stderr.replaceAll(`${this.root}/${side}`, "DIR").replaceAll(`cp-${side}`, "CP");
      return { ...o, event: cp.split("\n").find((l) => l.startsWith("output=")) ?? "" };
    };
    const want = await outcome("a", async (a) => {
      const r = await run("ausearch", a, { env: { TZ: "UTC" } });
      return { status: r.code, stdout: r.stdout, stderr: r.stderr, event: "" };
    });
    const got = await outcome("b", async (a) => {
      let stdout = "", stderr = "";
      const status = await runSearch(a, (s) => void (stdout += s), (s) => void (stderr += s));
      return { status, stdout, stderr, event: "" };
    });
    deepStrictEqual(got, want, `args ${args.join(" ")}`);
    return got;
  }
}

async function withTwins(fn: (t: Twins) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "auditkit-checkpoint-" });
  const tz = Deno.env.get("TZ");
  Deno.env.set("TZ", "UTC");
  try {
    await fn(new Twins(root));
  } finally {
    if (tz === undefined) Deno.env.delete("TZ");
    else Deno.env.set("TZ", tz);
    await Deno.remove(root, { recursive: true });
  }
}

oracleTest("a checkpointed search resumes after the last complete event, as ausearch", [
  "ausearch",
], () =>
  withTwins(async (t) => {
    await t.write("audit.log", event(0, 1) + event(1, 2) + user(5, 3) + event(6, 4));
    let o = await t.compare("audit.log");
    strictEqual(o.status, 0);
    // the last syscall event is still open at the end of the file: it waits for the next run
    strictEqual(o.event, `output=- 1700000005.000:3 0x463`);
    o = await t.compare("audit.log");
    strictEqual(o.status, 1);
    await t.write("audit.log", event(9, 5) + event(12, 6), true);
    o = await t.compare("audit.log", ["-k", "nothing"]);
    strictEqual(o.status, 1);
    await t.write("audit.log", user(20, 7), true);
    await t.compare("audit.log", ["--raw"]);
    await t.compare("audit.log");
    await t.compare("audit.log", ["-ts", "checkpoint"]);
    await t.compare("audit.log", ["--just-one"]);
  }));

oracleTest(
  "a checkpoint follows its file through log rotation, as ausearch",
  ["ausearch"],
  () =>
    withTwins(async (t) => {
      await t.write("audit.log.1", event(0, 1) + event(1, 2) + event(5, 3));
      await t.write("audit.log", event(10, 4) + event(11, 5) + event(15, 6));
      await t.compare(".");
      await t.compare(".");
      await t.rename("audit.log.1", "audit.log.2");
      await t.rename("audit.log", "audit.log.1");
      await t.write("audit.log", event(16, 7) + user(20, 8) + event(30, 9));
      const o = await t.compare(".");
      strictEqual(o.event, "output=- 1700000020.000:8 0x463");
      await t.compare(".", ["-i"]);
      // the checkpointed file is gone: ausearch stops with status 10, unless -ts checkpoint
      await t.write("audit.log", event(40, 10));
      for (const side of ["a", "b"]) {
        await Deno.remove(`${t.root}/${side}/audit.log.1`);
        await Deno.remove(`${t.root}/${side}/audit.log.2`);
      }
      await t.compare(".", ["-ts", "checkpoint"]);
    }),
);

oracleTest(
  "bad checkpoint files are refused as ausearch refuses them",
  ["ausearch"],
  () =>
    withTwins(async (t) => {
      await t.write("audit.log", event(0, 1) + user(5, 2) + event(10, 3) + user(15, 4));
      for (
        const text of [
          "garbage\n",
          "dev=0x1\ninode=5\nbad\n",
          "dev=zz\ninode=5\n",
          "",
          "\n",
          "dev=0x1\ninode=5\noutput=-\n",
          "dev=0x1\ninode=5\noutput=n1 1600000000.0\n",
          // a checkpoint event more than 2 s before the log's events: "corrupted" (12)
          "dev=0x1\ninode=5\noutput=- 1600000000.000:1 0x1\n",
          // found: the search resumes after it
          "dev=0x1\ninode=0x10\noutput=- 1700000005.000:2 0x463 trailing\n",
          "inode=0x10\ndev=1\noutput=- 1700000005.000:2 0x463\n\n",
        ]
      ) {
        await t.checkpoint("a", text);
        await t.checkpoint("b", text);
        await t.compare("audit.log");
      }
    }),
);

Deno.test("checkpoint text: parsed and written in ausearch's format", () => {
  const cp = parseCheckpoint(
    "dev=0xFE00\ninode=2154829\noutput=web1 1700000005.100:15 0x458\n",
    "f",
  );
  deepStrictEqual(cp, {
    dev: 0xfe00,
    inode: 2154829,
    event: { node: "web1", sec: 1700000005, msec: 100, serial: 15, type: 0x458 },
  });
  strictEqual(
    formatCheckpoint(cp),
    "dev=0xFE00\ninode=2154829\noutput=web1 1700000005.100:15 0x458\n",
  );
  deepStrictEqual(parseCheckpoint(formatCheckpoint(cp), "f"), cp);
  throws(() => parseCheckpoint("dev=0x1\n", "f"), CheckpointError);
  throws(() => parseCheckpoint("inode=1\ndev=99999999999999999999999\n", "f"), /Malformed dev/);
});

Deno.test("the checkpoint filter hides events up to the checkpointed one", () => {
  const e = (sec: number, serial: number) => ({ sec, msec: 0, serial, type: 1300 });
  const f = new CheckpointFilter(e(10, 5), false);
  deepStrictEqual([e(9, 4), e(10, 5), e(11, 6), e(20, 7)].map((x) => f.decide(x)), [
    "skip",
    "skip",
    "output",
    "output",
  ]);
  const lost = new CheckpointFilter(e(10, 5), false);
  deepStrictEqual([e(11, 6), e(13, 7)].map((x) => lost.decide(x)), ["skip", "corrupt"]);
  const timeOnly = new CheckpointFilter(e(10, 5), true);
  deepStrictEqual([e(9, 4), e(10, 9)].map((x) => timeOnly.decide(x)), ["skip", "output"]);
  strictEqual(new CheckpointFilter(undefined, false).decide(e(1, 1)), "output");
});
