/**
 * `auditkit report --output FILE`: the same bytes as standard output for every report, appended
 * whole lines only, a cut last line ended first, a clear error for a path that cannot be written
 * (as `search --output`).
 */

import assert from "node:assert/strict";
import { encodeText } from "../events.ts";
import { REPORT_ARGS, runReport } from "../cli/report.ts";
import { concatBytes, ROOT, runCliBytes, tempDir } from "./_helpers.ts";

const LOG = `${ROOT}tests/data/log_realistic.log`;
const ENV = { TZ: "UTC", LC_ALL: "C" };

/** Every report selector (`-x`, `--tty`, ...), and none: the summary report. */
const SELECTORS: string[][] = [
  [],
  ...REPORT_ARGS.filter((s) => s.key.startsWith("kind:")).map((s) => [s.names[0]]),
];

/** A log whose names hold bytes that are not UTF-8 (written as they are by the reports). */
const BYTES_LOG = new Uint8Array([
  ...encodeText(
    "type=SYSCALL msg=audit(1700000001.100:12): arch=c000003e syscall=257 success=yes exit=3 " +
      "a0=ffffff9c a1=1 a2=0 a3=0 items=1 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 " +
      "egid=0 sgid=0 fsgid=0 tty=pts1 ses=1 comm=6124622763FE exe=2F62696E2F78FF key=6BFF\n" +
      "type=PATH msg=audit(1700000001.100:12): item=0 name=2F746D702F61FF20242A3B inode=1 " +
      "dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n" +
      "type=TTY msg=audit(1700000004.100:15): tty pid=5 uid=0 auid=0 ses=1 major=136 minor=1 " +
      'comm="bash" data=6C730D1B5B41FF7F\n',
  ),
]);

/** `auditkit report ARGS` in this process: what it writes, its messages and status. */
async function inProcess(args: string[]) {
  let out = "", err = "";
  const code = await runReport(args, (s) => {
    out += s;
  }, (s) => {
    err += s;
  });
  return { out: encodeText(out), err, code };
}

/** `auditkit report ARGS` with its standard output as bytes. */
const command = (args: string[]) => runCliBytes(["report", ...args], ENV);

Deno.test("report --output: the file holds exactly what standard output gets, for every report", async () => {
  await using dir = await tempDir();
  const tz = Deno.env.get("TZ");
  Deno.env.set("TZ", "UTC");
  try {
    let n = 0, nonEmpty = 0;
    for (const selector of SELECTORS) {
      for (const modifiers of [[], ["--summary"], ["-i"], ["--failed", "--summary", "-i"]]) {
        const args = ["-if", LOG, ...selector, ...modifiers];
        const shown = await inProcess(args);
        const path = dir.join(`${n++}.out`);
        const written = await inProcess([...args, "--output", path]);
        const what = args.slice(2).join(" ") || "(summary)";
        assert.equal(written.code, shown.code, what);
        assert.equal(written.out.length, 0, what);
        assert.equal(written.err, shown.err, what);
        assert.deepEqual(await Deno.readFile(path), shown.out, what);
        if (shown.out.length > 200) nonEmpty++;
      }
    }
    // most reports find something in the log: the comparison is not of headings alone
    assert.ok(nonEmpty > SELECTORS.length, `${nonEmpty} reports with content`);
  } finally {
    if (tz === undefined) Deno.env.delete("TZ");
    else Deno.env.set("TZ", tz);
  }
});

Deno.test("report --output as a command: the file equals standard output byte for byte, bytes that are not UTF-8 too", async () => {
  await using dir = await tempDir();
  const log = dir.join("bytes.log");
  await Deno.writeFile(log, BYTES_LOG);
  for (const args of [["-x", "-i"], ["-f", "-i"], ["-k"], ["--tty"], ["--tty", "--summary"], []]) {
    const all = ["-if", log, ...args];
    const shown = await command(all);
    assert.ok(shown.stdout.length > 0, all.join(" "));
    const path = dir.join(`${args.join("")}.out`);
    const written = await command([...all, "--output", path]);
    assert.equal(written.code, shown.code, all.join(" "));
    assert.equal(written.stdout.length, 0);
    assert.equal(written.stderr, shown.stderr);
    assert.deepEqual(await Deno.readFile(path), shown.stdout, all.join(" "));
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  }
  // the bytes reached the file as they are
  assert.ok((await Deno.readFile(dir.join("-x-i.out"))).includes(0xff));
});

Deno.test("report --output appends to an existing file, and ends a cut last line first", async () => {
  await using dir = await tempDir();
  const args = ["-if", LOG, "-x", "--summary"];
  const shown = (await command(args)).stdout;
  const path = dir.join("reports.txt");
  assert.equal((await command([...args, "--output", path])).code, 0);
  assert.equal((await command([...args, "--output", path])).code, 0);
  assert.deepEqual(await Deno.readFile(path), concatBytes(shown, shown));

  const before = encodeText("whole\ncut");
  await Deno.writeFile(path, before);
  const r = await command([...args, "--output", path]);
  assert.equal(r.code, 0);
  assert.match(
    r.stderr,
    /^auditkit report: "[^"]*reports\.txt" ended in a cut line \(3 bytes at offset 6\)/,
  );
  assert.deepEqual(await Deno.readFile(path), concatBytes(before, new Uint8Array([10]), shown));
});

Deno.test("report --output: a path that cannot be written is an error, nothing read or made", async () => {
  await using dir = await tempDir();
  for (
    const [path, reason] of [
      [dir.join("missing/out"), "no such file or directory"],
      [dir.path, "is a directory"],
    ]
  ) {
    const r = await command(["-if", LOG, "--output", path]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout.length, 0);
    assert.equal(r.stderr, `auditkit: Cannot write --output file "${path}": ${reason}\n`);
  }
  assert.deepEqual(await Array.fromAsync(Deno.readDir(dir.path)), []);
  // checked before the input: a bad input with a bad output names the output
  const both = await command(["-if", dir.join("no-log"), "--output", dir.join("missing/out")]);
  assert.match(both.stderr, /--output file/);
  // a usage error comes first, and makes no file
  const usage = await command(["-x", "-k", "--output", dir.join("out")]);
  assert.equal(usage.code, 2);
  assert.deepEqual(await Array.fromAsync(Deno.readDir(dir.path)), []);
});
