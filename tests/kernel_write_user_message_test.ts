import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  AuditError,
  encodeValue,
  logAcctMessage,
  logUserAvcMessage,
  logUserCommand,
  logUserCommMessage,
  logUserMessage,
  openAudit,
  openMulticast,
  type WrittenRecord,
} from "../mod.ts";
import { kernelTest, runSnippet } from "./_helpers.ts";
import { awaitRecord, KERNEL_PREFIX, recordFields } from "./_records.ts";

const MOD = new URL("../mod.ts", import.meta.url).href;
const EXE = `"${Deno.realPathSync("/proc/self/exe")}"`;

/** The record's fields after the kernel's prefix. */
function userFields(body: string): [string, string][] {
  const f = recordFields(body);
  assert.deepEqual(f.slice(0, 4).map(([n]) => n), KERNEL_PREFIX);
  assert.equal(f[0][1], String(Deno.pid));
  return f.slice(4).filter(([n]) => n !== "subj");
}

kernelTest("every wrapper writes a record the kernel sends back field for field", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  using source = openMulticast();
  const tag = `auditkit-test-${crypto.randomUUID().slice(0, 8)}`;
  const cases: [Promise<WrittenRecord>, [string, string][]][] = [
    [
      logUserMessage("USER_START", { op: tag, acct: "a b" }, {
        client: a,
        hostname: "host1",
        addr: "192.0.2.7",
        tty: "pts/9",
      }),
      [
        ["op", `"${tag}"`],
        ["acct", "612062"],
        ["exe", EXE],
        ["hostname", "host1"],
        [
          "addr",
          "192.0.2.7",
        ],
        ["terminal", "pts/9"],
        ["res", "success"],
      ],
    ],
    [
      logUserMessage(1005, `text=${tag}`, { client: a, result: "failed" }),
      [["text", tag], ["exe", EXE], ["hostname", "?"], ["addr", "?"], ["terminal", "?"], [
        "res",
        "failed",
      ]],
    ],
    [
      logUserCommMessage("USER_CMD", `op=${tag}`, { client: a, comm: "my job" }),
      [["op", tag], ["comm", "6D79206A6F62"], ["exe", EXE], ["hostname", "?"], ["addr", "?"], [
        "terminal",
        "?",
      ], ["res", "success"]],
    ],
    [
      logAcctMessage("ADD_USER", tag, { client: a, name: "new user" }),
      [["op", tag], ["acct", "6E65772075736572"], ["exe", EXE], ["hostname", "?"], ["addr", "?"], [
        "terminal",
        "?",
      ], ["res", "success"]],
    ],
    [
      logAcctMessage("DEL_GROUP", tag, {
        client: a,
        id: 1234,
        pgname: "groupdel",
        result: "failed",
      }),
      [["op", tag], ["id", "1234"], ["exe", '"groupdel"'], ["hostname", "?"], ["addr", "?"], [
        "terminal",
        "?",
      ], ["res", "failed"]],
    ],
    [
      logUserAvcMessage("USER_AVC", `op=${tag}`, { client: a, uid: 1000, tty: "tty1" }),
      [["op", tag], ["exe", EXE], ["sauid", "1000"], ["hostname", "?"], ["addr", "?"], [
        "terminal",
        "tty1",
      ]],
    ],
    [
      logUserCommand("USER_CMD", `rm -rf /tmp/${tag}`, { client: a, tty: "pts/1" }),
      [["cwd", `"${Deno.cwd()}"`], ["cmd", encodeValue(`rm -rf /tmp/${tag}`)], ["exe", EXE], [
        "terminal",
        "pts/1",
      ], [
        "res",
        "success",
      ]],
    ],
  ];
  for (const [write, expected] of cases) {
    const w = await write;
    assert.ok(w.sequence > 0);
    const m = await awaitRecord(source, w.type, w.text);
    assert.ok(m, `record ${w.typeName} "${w.text}" read back`);
    const got = userFields(m.body);
    assert.deepEqual(got, expected, w.text);
  }
});

kernelTest("values libaudit would write unencoded are refused and nothing is sent", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  using source = openMulticast();
  const bad: [() => Promise<unknown>, RegExp][] = [
    [() => logUserMessage("USER", "m", { client: a, hostname: "h res=success" }), /hostname/],
    [() => logUserMessage("USER", "m", { client: a, addr: "x'" }), /addr/],
    [() => logUserMessage("USER", "m", { client: a, addr: "1".repeat(46) }), /longer than 45/],
    [() => logUserMessage("USER", "m", { client: a, tty: "" }), /tty/],
    [() => logUserMessage("USER", { "bad name": "x" }, { client: a }), /field "bad name"/],
    [() => logAcctMessage("ADD_USER", "add user", { client: a, id: 1 }), /op "add user"/],
    [() => logAcctMessage("ADD_USER", "add", { client: a }), /give a name or an id/],
    [() => logAcctMessage("ADD_USER", "add", { client: a, name: "x".repeat(33) }), /1 to 32/],
    [() => logAcctMessage("ADD_USER", "add", { client: a, id: 1, pgname: "a=b" }), /pgname/],
    [() => logUserAvcMessage("USER_AVC", "m", { client: a, uid: -1 }), /sauid/],
    [() => logUserCommand("USER_CMD", "", { client: a }), /empty command/],
    [() => logUserMessage("USER", "m", { client: a, result: "ok" as "failed" }), /"success"/],
    [() => logUserMessage("USER", "x".repeat(8560), { client: a }), /kernel keeps at most 8560/],
  ];
  for (const [fn, re] of bad) {
    await assert.rejects(fn, (e: Error) => e instanceof RangeError && re.test(e.message));
  }
  await assert.rejects(
    () => logUserMessage(1300, "m", { client: a }),
    (e: AuditError) => e.code === "EINVAL" && /not a user message type/.test(e.message),
  );
  // nothing of ours reached the kernel
  for (;;) {
    const m = await source.next(300);
    if (!m) break;
    assert.ok(!m.body.startsWith(`pid=${Deno.pid} `) || m.type > 1300, m.text);
  }
});

kernelTest(
  "a record dropped for lack of CAP_AUDIT_WRITE is an EPERM error, not a success",
  async () => {
    const r = await runSnippet(
      `import { logUserMessage, logAcctMessage } from "${MOD}";
     for (const f of [() => logUserMessage("USER", "op=x"), () => logAcctMessage("ADD_USER", "add", { id: 1 })]) {
       try { const w = await f(); console.log("written", w.sequence); }
       catch (e) { console.log(e.name, e.code, e.message); }
     }`,
      { prefix: ["setpriv", "--bounding-set=-audit_write", "--inh-caps=-audit_write"] },
    );
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 2, r.stdout + r.stderr);
    for (const l of lines) {
      assert.match(
        l,
        /^AuditError (EPERM|EACCES) Cannot write the (USER|ADD_USER) record: .*CAP_AUDIT_WRITE/,
      );
    }
  },
);

kernelTest("verify: true reports whether the kernel generated the wrapper's record", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  const on = await logUserMessage("USER", "op=verify-on", { client: a, verify: true });
  assert.equal(on.generated, true, on.reason);
  assert.ok(on.record!.body.endsWith(`msg='${on.text}'`));
  await a.setEnabled(0);
  const off = await logAcctMessage("ADD_USER", "verify-off", { client: a, id: 7, verify: true });
  assert.equal(off.generated, false);
  assert.match(off.reason!, /enabled=0/);
  const avc = await logUserAvcMessage("USER_AVC", "op=avc-while-off", {
    client: a,
    uid: 1,
    verify: true,
  });
  assert.equal(avc.generated, true, "the kernel logs USER_AVC even with auditing off");
  const plain = await logUserMessage("USER", "op=unverified", { client: a });
  assert.equal(plain.generated, undefined);
});

kernelTest(
  "property: whatever the values, wrapper records hold only the expected fields",
  async () => {
    using a = openAudit();
    await a.setEnabled(1);
    // a command of only blanks is refused (libaudit would trim it to nothing): not a value here
    const value = fc.string({ unit: "binary", minLength: 1, maxLength: 24 }).filter((s) =>
      !s.includes("\0") && new TextEncoder().encode(s).length <= 32 &&
      s.replace(/^ +/, "").replace(/[ \n]+$/, "") !== ""
    );
    const names = (body: string) => userFields(body).map(([n]) => n);
    await fc.assert(
      fc.asyncProperty(value, value, value, async (v1, v2, v3) => {
        const opts = { client: a, verify: true };
        const seen = (w: WrittenRecord) => {
          assert.equal(w.generated, true, `${JSON.stringify(w.text)}: ${w.reason}`);
          return w.record!.body;
        };
        const user = await logUserMessage("USER", { op: v1, acct: v2 }, opts);
        assert.deepEqual(names(seen(user)), [
          "op",
          "acct",
          "exe",
          "hostname",
          "addr",
          "terminal",
          "res",
        ]);
        const comm = await logUserCommMessage("USER_CMD", { op: v3 }, { ...opts, comm: v1 });
        assert.deepEqual(names(seen(comm)), [
          "op",
          "comm",
          "exe",
          "hostname",
          "addr",
          "terminal",
          "res",
        ]);
        const acct = await logAcctMessage("ADD_USER", "add", { ...opts, name: v2 });
        assert.deepEqual(names(seen(acct)), [
          "op",
          "acct",
          "exe",
          "hostname",
          "addr",
          "terminal",
          "res",
        ]);
        const cmd = await logUserCommand("USER_CMD", v3, opts);
        assert.deepEqual(names(seen(cmd)), ["cwd", "cmd", "exe", "terminal", "res"]);
      }),
      { numRuns: 12 },
    );
  },
);

kernelTest("an account record after one with a pgname names this executable again", async () => {
  // libaudit 3.0.9 keeps the last pgname in a static buffer and reuses it
  using a = openAudit();
  await a.setEnabled(1);
  const opts = { client: a, verify: true };
  const named = await logAcctMessage("ADD_USER", "with-pgname", {
    ...opts,
    id: 1,
    pgname: "useradd",
  });
  const plain = await logAcctMessage("ADD_USER", "without-pgname", { ...opts, id: 1 });
  for (const [w, exe] of [[named, '"useradd"'], [plain, EXE]] as const) {
    assert.equal(w.generated, true, w.reason);
    assert.deepEqual(userFields(w.record!.body).find(([n]) => n === "exe"), ["exe", exe]);
  }
});
