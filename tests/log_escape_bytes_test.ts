/**
 * ausearch and aureport on records with characters that need escaping and
 * bytes that are not UTF-8: `--escape` in every format, and every byte kept
 * as the C tools keep it (output compared as bytes).
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { CLI_ENTRY, oracleTest, type TempDir, tempDir } from "./_helpers.ts";
import { inProcess } from "./_log_parity.ts";
import {
  decodeBytes,
  encodeText,
  includesBytes,
  interpretField,
  matchEvent,
  readEvents,
} from "../mod.ts";

const bin = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/**
 * A log written byte by byte (`\xNN` in the strings below are single
 * bytes): control characters, shell characters, and bytes that are not
 * UTF-8 in quoted values, hex-encoded values and a user message.
 */
const LOG = bin([
  `type=USER_CMD msg=audit(1700000000.100:10): pid=1 uid=0 auid=0 ses=1 msg='cwd="/tmp/\tx\x1b[1m\x7f\xff\xc3\xa9" cmd=2F746D702F61FF6224 exe="/usr/bin/a b$c\`d" terminal=pts/0 res=success'`,
  `type=USER_CMD msg=audit(1700000000.200:11): pid=1 uid=0 auid=0 ses=1 msg='cwd="/tmp" cmd=410942 exe="/usr/bin/su\\do!" terminal=pts/0 res=success'`,
  `type=SYSCALL msg=audit(1700000001.100:12): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=1 a2=0 a3=0 items=1 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts1 ses=1 comm=6124622763FE exe=2F62696E2F78FF key=(null)`,
  `type=PATH msg=audit(1700000001.100:12): item=0 name=2F746D702F61FF20242A3B name2="a&b|c(d)" inode=1 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL`,
  `type=PROCTITLE msg=audit(1700000001.100:12): proctitle=2F746D702F61FE00C3A92D78`,
  `type=SYSCALL msg=audit(1700000002.100:13): arch=c000003e syscall=257 success=no exit=-2 a0=ffffff9c a1=1 a2=0 a3=0 items=1 ppid=1 pid=3 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts1 ses=1 comm="cat" exe="/usr/bin/cat" key=(null)`,
  `type=PATH msg=audit(1700000002.100:13): item=0 name=2F746D702F61FE inode=2 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL`,
  `type=PROCTITLE msg=audit(1700000002.100:13): proctitle=636174002F746D702F61FE`,
  `type=USER_LOGIN msg=audit(1700000003.100:14): pid=4 uid=0 auid=0 ses=1 msg='op=login acct=616C69FF6365 exe="/usr/sbin/sshd" hostname=? addr=? terminal=/dev/pts/1 res=failed'`,
  `type=TTY msg=audit(1700000004.100:15): tty pid=5 uid=0 auid=0 ses=1 major=136 minor=1 comm="bash" data=6C730D1B5B41FF7F`,
  `type=SYSCALL msg=audit(1700000005.100:16): arch=c000003e syscall=2 success=yes exit=3 a0=1 a1=0 a2=0 a3=0 items=0 ppid=1 pid=6 auid=1001 uid=1001 gid=0 euid=1001 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts1 ses=1 comm="x" exe="/x" key=(null)\x1dARCH=x86_64 SYSCALL=open AUID="b\xffob" UID="b\xffob" GID="root" EUID="b\xffob" SUID="root" FSUID="root" EGID="root" SGID="root" FSGID="root"`,
  "",
].join("\n"));

/** The log's directory, made by the first test that reads it and removed after the last. */
let logDir: TempDir | undefined;
Deno.test.afterAll(() => logDir?.[Symbol.dispose]());
async function log(): Promise<string> {
  if (logDir === undefined) {
    logDir = await tempDir();
    await Deno.writeFile(logDir.join("escape.log"), LOG);
  }
  return logDir.join("escape.log");
}

const ENV = { TZ: "UTC", LC_ALL: "C" };

/** Asserts that auditkit writes the same bytes to stdout and stderr, and exits the same, as `tool`. */
async function assertSameBytes(tool: "ausearch" | "aureport", args: string[]): Promise<void> {
  const want = await new Deno.Command(tool, { args, env: ENV, stdout: "piped", stderr: "piped" })
    .output();
  const got = await inProcess(tool, args);
  const what = `${tool} ${args.join(" ")}`;
  deepStrictEqual(encodeText(got.out), want.stdout, what);
  strictEqual(got.code, want.code, `exit status of ${what}`);
  deepStrictEqual(encodeText(got.err), want.stderr, `stderr of ${what}`);
}

const ESCAPES = ["raw", "tty", "shell", "shell_quote"];

oracleTest("--escape in the default and -i formats is ausearch's, byte for byte", [
  "ausearch",
], async () => {
  Deno.env.set("TZ", "UTC");
  const f = await log();
  for (const e of ESCAPES) {
    for (const format of [[], ["-i"], ["--format", "default"], ["--format", "interpret"]]) {
      await assertSameBytes("ausearch", ["-if", f, "--escape", e, ...format]);
    }
  }
});

oracleTest("bytes that are not UTF-8 are kept in every search format, as ausearch keeps them", [
  "ausearch",
], async () => {
  Deno.env.set("TZ", "UTC");
  const f = await log();
  for (const format of ["raw", "default", "interpret", "csv", "text"]) {
    for (const e of ESCAPES) {
      await assertSameBytes("ausearch", ["-if", f, "--format", format, "--escape", e]);
    }
  }
  for (
    const extra of [["--extra-keys", "--extra-labels", "--extra-obj2"]]
  ) {
    await assertSameBytes("ausearch", ["-if", f, "--format", "csv", ...extra]);
  }
});

oracleTest("bytes that are not UTF-8 are kept in reports, as aureport keeps them", [
  "aureport",
], async () => {
  Deno.env.set("TZ", "UTC");
  const f = await log();
  for (const report of [["-f"], ["-x"], ["-au"], ["-l"], ["-u"], ["-tm"], ["--comm"], ["--tty"]]) {
    for (const i of [[], ["-i"]]) {
      await assertSameBytes("aureport", ["-if", f, ...report, ...i]);
      if (report[0] !== "--tty") {
        await assertSameBytes("aureport", ["-if", f, ...report, "--summary", ...i]);
      }
    }
  }
});

oracleTest(
  "-f with a byte that is not UTF-8 matches that byte only (the command line read as bytes)",
  [
    "ausearch",
  ],
  async () => {
    const f = await log();
    const matches = async (cmd: string, args: string[]) => {
      const r = await new Deno.Command(cmd, { args, env: ENV, stdout: "piped", stderr: "null" })
        .output();
      // the events' stamps, once per event
      return [...new Set(new TextDecoder().decode(r.stdout).match(/msg=audit\([^)]*\)/g))];
    };
    // bash's $'...' gives the argument's bytes as they are
    const ours = (arg: string) =>
      matches("bash", [
        "-c",
        `exec "$0" run -A "$1" search -if "$2" --format raw -f $'${arg}'`,
        Deno.execPath(),
        CLI_ENTRY,
        f,
      ]);
    for (
      const [arg, want] of [["/tmp/a\\xff", 1], ["/tmp/a\\xfe", 1], ["a\\xff\\x20$", 1], [
        "/tmp/a\\xfd",
        0,
      ]] as const
    ) {
      const got = await ours(arg);
      deepStrictEqual(
        got,
        await matches("bash", ["-c", `exec ausearch -if "$0" --format raw -f $'${arg}'`, f]),
        arg,
      );
      strictEqual(got.length, want, arg);
    }
    const ff = await ours("/tmp/a\\xff"), fe = await ours("/tmp/a\\xfe");
    strictEqual(ff.some((m) => fe.includes(m)), false, "\\xff and \\xfe match different events");
  },
);

Deno.test("matchEvent tells bytes that are not UTF-8 apart, and the strings keep them", async () => {
  const f = await log();
  const names: string[] = [];
  for await (const ev of readEvents(f)) {
    for (const r of ev.records) {
      if (r.typeName === "PATH") names.push(interpretField(ev, r, 1));
    }
    const hit = (file: string) => matchEvent(ev, { file });
    strictEqual(hit("/tmp/a\udcff") && hit("/tmp/a\udcfe"), false, ev.id);
  }
  deepStrictEqual(names, ["/tmp/a\udcff $*;", "/tmp/a\udcfe"]);
  deepStrictEqual(encodeText(names[0]), bin("/tmp/a\xff $*;"));
  // a character of the log is not a byte: \xc3 alone is not the start of \xc3\xa9
  strictEqual(includesBytes("\u00e9", "\udcc3"), true);
  strictEqual("\u00e9".includes("\udcc3"), false);
  deepStrictEqual(decodeBytes(bin("\xef\xbf\xbd\xff"), 0, 4), "\ufffd\udcff");
  deepStrictEqual(encodeText("\ufffd\udcff\ud83d\ude00"), bin("\xef\xbf\xbd\xff\xf0\x9f\x98\x80"));
});
