/**
 * Search items read as ausearch-parse.c reads them: records that make a
 * reader fail, for the items a search asks about, hide their event from
 * ausearch and aureport, and from auditkit. Random records with the faults
 * real logs have (a value ending the text, a field missing, no tclass=, an
 * unclosed brace) are compared with the tools themselves.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { ausearchKeeps, extractItems, NO_FLAGS, reportFlags } from "../mod.ts";
import { oracleTest } from "./_helpers.ts";
import { assertSameAs } from "./_log_parity.ts";
import { event } from "./_events.ts";

Deno.test("an AppArmor AVC, without tclass=, hides its event; a SELinux one does not", () => {
  const apparmor = event(
    'type=AVC msg=audit(1.000:1): apparmor="DENIED" operation="open" profile="p" name="/x" pid=5 comm="c"',
  );
  const selinux = event(
    'type=AVC msg=audit(1.000:2): avc:  denied  { read } for  pid=5 comm="c" ' +
      "scontext=u:r:a:s0 tcontext=u:o:b:s0 tclass=file permissive=0",
  );
  strictEqual(ausearchKeeps(apparmor), false);
  strictEqual(extractItems(apparmor, NO_FLAGS), undefined);
  strictEqual(ausearchKeeps(selinux), true);
  const items = extractItems(selinux, reportFlags("avc"))!;
  deepStrictEqual(items.avcs, [{
    result: "denied",
    perm: "read",
    scontext: "u:r:a:s0",
    tcontext: "u:o:b:s0",
    cls: "file",
  }]);
});

Deno.test("a reader reads only what it is asked for, from where its last look ended", () => {
  const login = event(
    "type=USER_LOGIN msg=audit(1.000:3): pid=9 uid=0 auid=1000 ses=3 msg='op=login uid=1000 " +
      'exe="/usr/sbin/sshd" hostname=? addr=192.0.2.7 terminal=ssh res=success\'',
  );
  // the uid asked for is the one in the message (a second look), the host comes from addr=
  const items = extractItems(login, reportFlags("user"))!;
  strictEqual(items.uid, 1000);
  // without a uid= in the message, the first one stays
  const modern = event(login.records[0].raw.replace("uid=1000 exe", "id=1000 exe"));
  strictEqual(extractItems(modern, reportFlags("user"))!.uid, 0);
  strictEqual(items.hostname, "192.0.2.7");
  strictEqual(items.terminal, "ssh");
  // a terminal= that ends the text fails a report that looks at terminals
  const avc = event(
    "type=USER_AVC msg=audit(1.000:4): pid=1 uid=0 auid=4294967295 ses=4294967295 " +
      "msg='avc:  denied  { status } for scontext=a tcontext=b tclass=system exe=\"/x\" terminal=?'",
  );
  strictEqual(extractItems(avc, reportFlags("summary")), undefined);
  strictEqual(extractItems(avc, reportFlags("avc"))?.avcs.length, 1);
  // a TTY record's uid is read from the "=" of " uid=": 0
  const tty = event(
    'type=TTY msg=audit(1.000:5): tty pid=7 uid=1000 auid=1000 ses=3 major=136 minor=1 comm="bash" data=6C730D',
  );
  strictEqual(extractItems(tty, { ...NO_FLAGS, uid: true })?.uid, 0);
});

Deno.test("any record text, any flags: the readers never throw", () => {
  const names = Object.keys(NO_FLAGS) as (keyof typeof NO_FLAGS)[];
  const types = [
    "SYSCALL",
    "AVC",
    "USER_AVC",
    "USER_LOGIN",
    "LOGIN",
    "PATH",
    "CWD",
    "SOCKADDR",
    "DAEMON_START",
    "DAEMON_ACCEPT",
    "CONFIG_CHANGE",
    "SECCOMP",
    "ANOM_ABEND",
    "TTY",
    "NETFILTER_CFG",
    "NETFILTER_PKT",
    "INTEGRITY_DATA",
    "VIRT_RESOURCE",
    "VIRT_MACHINE_ID",
    "ANOM_LINK",
    "OBJ_PID",
    "MAC_STATUS",
    "ADD_GROUP",
    "GRP_MGMT",
  ];
  const word = fc.oneof(
    fc.constantFrom(
      "syscall=",
      "a0=",
      "a1=",
      "pid=",
      " uid=",
      "auid=",
      "ses=",
      "comm=",
      "exe=",
      "subj=",
      "obj=",
      "tty=",
      "res=",
      "key=",
      "name=",
      "path=",
      "cwd=",
      "saddr=",
      "hostname=",
      "addr=",
      "terminal=",
      "acct=",
      "avc:",
      "{",
      "}",
      "tclass=",
      "scontext=",
      "tcontext=",
      "vm=",
      "uuid=",
      "id=",
      "gid=",
      "arch=",
      "exit=",
      "success=",
      '"',
      "'",
      "(null)",
      " ",
      "00",
      "0100",
      "0200",
      "0A00",
      "?",
      ",",
      ")",
      "=",
    ),
    fc.string({ maxLength: 12 }),
    fc.stringMatching(/^[0-9a-fA-F]{0,40}$/),
  );
  // a value far longer than any argument list, and out of range: ERANGE fails the record
  const long = event(
    `type=SYSCALL msg=audit(1.000:1): syscall=-${"9".repeat(300_000)} a0=1 a1=2 x`,
  );
  strictEqual(extractItems(long, NO_FLAGS), undefined);
  strictEqual(ausearchKeeps(long), false);
  fc.assert(
    fc.property(
      fc.constantFrom(...types),
      fc.array(word, { maxLength: 30 }),
      fc.array(fc.boolean(), { minLength: names.length, maxLength: names.length }),
      (type, words, bits) => {
        const flags = { ...NO_FLAGS };
        names.forEach((n, i) => flags[n] = bits[i]);
        const ev = event(`type=${type} msg=audit(1.000:1): ${words.join("")}`);
        extractItems(ev, flags);
        ausearchKeeps(ev);
      },
    ),
    { numRuns: 4000 },
  );
});

/** A SYSCALL line with a fault chosen by `fault`. */
function syscallLine(serial: number, fault: number): string {
  const fields = [
    "arch=c000003e",
    "syscall=257",
    "success=no",
    "exit=-13",
    "a0=ffffff9c",
    "a1=7ffd",
    "a2=0",
    "a3=0",
    "items=0",
    "ppid=1",
    `pid=${100 + serial}`,
    "auid=1000",
    "uid=1000",
    "gid=1000",
    "euid=1000",
    "tty=pts0",
    "ses=2",
    'comm="cat"',
    'exe="/usr/bin/cat"',
    'key="k"',
  ];
  const drop = ["", "syscall=", "a0=", "a1=", "exe=", "comm=", "tty=", "ses=", "auid=", "key="][
    fault % 10
  ];
  let kept = drop === "" ? fields : fields.filter((f) => !f.startsWith(drop));
  // faults 10..19: the same field moved to the end, so no space follows its value
  if (fault >= 10 && drop !== "") {
    kept = [...kept, fields.find((f) => f.startsWith(drop))!];
  }
  return `type=SYSCALL msg=audit(1700000000.${String(serial).padStart(3, "0")}:${serial}): ${
    kept.join(" ")
  }`;
}

const OTHER_LINES = [
  (n: number) =>
    `type=AVC msg=audit(1700000000.${String(n).padStart(3, "0")}:${n}): avc:  denied  { read ` +
    `for pid=5 comm="c" scontext=a tcontext=b tclass=file`,
  (n: number) =>
    `type=AVC msg=audit(1700000000.${String(n).padStart(3, "0")}:${n}): apparmor="DENIED" ` +
    `operation="open" profile="p" name="/x" pid=5 comm="c"`,
  (n: number) =>
    `type=SECCOMP msg=audit(1700000000.${String(n).padStart(3, "0")}:${n}): auid=1000 uid=1000 ` +
    `gid=1000 ses=2 pid=5 comm="c" exe="/x" sig=0 arch=c000003e syscall=330`,
  (n: number) =>
    `type=USER_CMD msg=audit(1700000000.${String(n).padStart(3, "0")}:${n}): pid=5 uid=1000 ` +
    `auid=1000 ses=2 msg='cwd="/" cmd=6C73 exe="/usr/bin/sudo" terminal=pts/0'`,
  (n: number) =>
    `type=LOGIN msg=audit(1700000000.${String(n).padStart(3, "0")}:${n}): pid=5 uid=0 ` +
    `old-auid=4294967295 auid=1000 tty=(none) old-ses=4294967295 ses=2 res=1`,
];

oracleTest(
  "events with faulty records are kept or passed over as ausearch and aureport do",
  ["ausearch", "aureport"],
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "auditkit-extract-" });
    const log = `${dir}/audit.log`;
    const line = fc.oneof(
      fc.integer({ min: 0, max: 19 }).map((f) => (n: number) => syscallLine(n, f)),
      fc.constantFrom(...OTHER_LINES),
    );
    const searches = fc.constantFrom<string[]>(
      [],
      ["-p", "105"],
      ["-x", "cat"],
      ["-c", "c"],
      ["-tm", "pts0"],
      ["-ul", "1000"],
      ["-ui", "1000"],
      ["--session", "2"],
      ["-k", "k"],
      ["-sv", "no"],
      ["-e", "-13"],
      ["-sc", "openat"],
      ["-sc", "257", "-i"],
    );
    const reports = fc.constantFrom<string[]>([], ["-x"], ["-s"], ["-u"], ["-tm"], ["-k"], ["-a"], [
      "-e",
    ]);
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(line, { minLength: 1, maxLength: 8 }),
          searches,
          reports,
          async (lines, s, r) => {
            await Deno.writeTextFile(log, lines.map((f, i) => f(i + 1)).join("\n") + "\n");
            const env = { TZ: "UTC" };
            const args = s.includes("-i") ? ["-if", log, ...s] : ["-if", log, ...s, "--raw"];
            await assertSameAs("ausearch", args, { env });
            await assertSameAs("aureport", ["-if", log, ...r], { env });
          },
        ),
        { numRuns: 250 },
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

oracleTest(
  "--debug writes what ausearch and aureport write about skipped records",
  ["ausearch", "aureport"],
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "auditkit-debug-" });
    try {
      const log = `${dir}/audit.log`;
      await Deno.writeTextFile(
        log,
        [
          // out of range: the reader stops there and the message is cut at the value
          syscallLine(1, 0).replace("syscall=257", "syscall=99999999999999999999999"),
          syscallLine(2, 0).replace("pid=102", "pid=99999999999999999999999"),
          OTHER_LINES[1](3), // AppArmor: no tclass=
          OTHER_LINES[0](4), // an unclosed brace
          syscallLine(5, 11), // syscall= at the end
          "type=URINGOP msg=audit(1700000000.006:6): uring_op=1 items=0 ppid=1 pid=5",
        ].join("\n") + "\n",
      );
      for (const args of [["--raw"], ["-p", "105", "--raw"], ["-x", "cat", "--raw"]]) {
        await assertSameAs("ausearch", ["-if", log, "--debug", ...args]);
      }
      for (const args of [[], ["-x"], ["-au"]]) {
        await assertSameAs("aureport", ["-if", log, "--debug", ...args]);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
