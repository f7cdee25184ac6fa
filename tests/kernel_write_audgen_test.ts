import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { audgen, AuditError, openAudit, openMulticast } from "../mod.ts";
import { kernelTest, run, runSnippet } from "./_helpers.ts";
import { awaitRecord, decodeValue, KERNEL_PREFIX, recordFields } from "./_records.ts";

const MOD = new URL("../mod.ts", import.meta.url).href;

kernelTest("audgen writes one record whose fields are the arguments, read back", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  const tag = `auditkit-test-${crypto.randomUUID().slice(0, 8)}`;
  const r = await audgen(
    "USER_MGMT",
    ["string", "uid", "gid", "pid", "integer", "path", "hex", "result"],
    [tag, 1000, -1, 1, -42, "/tmp/a b", "k=v", "failed"],
    { client: a },
  );
  assert.equal(r.generated, true, r.reason);
  assert.equal(r.type, 1102);
  assert.equal(r.record?.type, 1102);
  const fields = recordFields(r.record!.body);
  assert.deepEqual(fields.slice(0, 4).map(([n]) => n), KERNEL_PREFIX);
  assert.deepEqual(fields.slice(4).filter(([n]) => n !== "subj"), [
    ["str", `"${tag}"`],
    ["ouid", "1000"],
    ["ogid", "4294967295"],
    ["opid", "1"],
    ["int", "-42"],
    ["path", "2F746D702F612062"],
    ["data", "6B3D76"],
    ["res", "failed"],
  ]);
});

kernelTest("an argument cannot forge a field: 'x res=success' stays one value", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  const r = await audgen("USER_AUTH", ["string", "result"], ["x res=success", "failed"], {
    client: a,
  });
  assert.equal(r.generated, true, r.reason);
  const fields = recordFields(r.record!.body);
  assert.deepEqual(fields.filter(([n]) => n === "res"), [["res", "failed"]]);
  assert.equal(decodeValue(fields.find(([n]) => n === "str")![1]), "x res=success");
});

kernelTest(
  "property: records read back from the kernel hold only the caller's fields",
  async () => {
    using a = openAudit();
    await a.setEnabled(1);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: "binary", maxLength: 40 }), { minLength: 1, maxLength: 8 }),
        async (args) => {
          const r = await audgen("USER", args.map(() => "string" as const), args, { client: a });
          assert.equal(r.generated, true, r.reason);
          const fields = recordFields(r.record!.body);
          const names = fields.map(([n]) => n).filter((n) => n !== "subj");
          assert.deepEqual(names, [
            ...KERNEL_PREFIX,
            ...args.map((_, i) => (i ? `str${i + 1}` : "str")),
          ]);
          const values = fields.slice(-args.length).map(([, v]) => decodeValue(v));
          assert.deepEqual(
            values,
            args.map((s) => new TextDecoder().decode(new TextEncoder().encode(s))),
          );
        },
      ),
      { numRuns: 25 },
    );
  },
);

kernelTest(
  "with auditing disabled audgen succeeds and reports that no record was generated",
  async () => {
    using a = openAudit();
    await a.setEnabled(0);
    using source = openMulticast();
    const r = await audgen("USER", ["string"], ["disabled"], { client: a });
    assert.equal(r.generated, false);
    assert.match(r.reason!, /enabled=0/);
    assert.equal(await awaitRecord(source, 1005, r.text, 300), undefined);
  },
);

kernelTest("a never,user rule on this pid excludes the record and audgen reports it", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  const rule = ["never,user", "-F", `pid=${Deno.pid}`, "-F", "msgtype=2345"];
  const added = await run("auditctl", ["-a", ...rule]);
  assert.equal(added.code, 0, added.stderr);
  try {
    const r = await audgen(2345, ["string"], ["excluded"], { client: a, timeoutMs: 500 });
    assert.equal(r.generated, false);
    assert.match(r.reason!, /no record arrived within 500 ms: a user or exclude filter rule/);
    const other = await audgen(2346, ["string"], ["not excluded"], { client: a });
    assert.equal(other.generated, true, other.reason);
  } finally {
    const d = await run("auditctl", ["-d", ...rule]);
    assert.equal(d.code, 0, d.stderr);
  }
}, { oracles: ["auditctl"] });

kernelTest("an exclude rule for this pid and type excludes the record too", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  const rule = ["never,exclude", "-F", `pid=${Deno.pid}`, "-F", "msgtype=2347"];
  const added = await run("auditctl", ["-a", ...rule]);
  assert.equal(added.code, 0, added.stderr);
  try {
    const r = await audgen(2347, ["string"], ["excluded"], { client: a, timeoutMs: 300 });
    assert.equal(r.generated, false);
    assert.match(r.reason!, /no record arrived within 300 ms/);
  } finally {
    const d = await run("auditctl", ["-d", ...rule]);
    assert.equal(d.code, 0, d.stderr);
  }
  const again = await audgen(2347, ["string"], ["rule gone"], { client: a });
  assert.equal(again.generated, true, again.reason);
}, { oracles: ["auditctl"] });

kernelTest("without CAP_AUDIT_WRITE audgen fails with EACCES", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  const r = await runSnippet(
    `import { audgen } from "${MOD}";
     try { await audgen("USER", ["string"], ["x"]); console.log("generated"); }
     catch (e) { console.log(e.name, e.code, e.message); }`,
    { prefix: ["setpriv", "--bounding-set=-audit_write", "--inh-caps=-audit_write"] },
  );
  assert.equal(
    r.stdout.trim(),
    "AuditError EACCES Cannot generate a USER record: needs root or CAP_AUDIT_WRITE",
    r.stderr,
  );
});

kernelTest("audgen refuses an invalid event with EINVAL and sends nothing", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  using source = openMulticast();
  for (const event of [1000, 1300, "LOGIN", 2000, 3000, -1, 1.5]) {
    await assert.rejects(
      () => audgen(event, ["string"], ["x"], { client: a }),
      (e: AuditError) => e instanceof AuditError && e.code === "EINVAL",
    );
  }
  for (;;) {
    const m = await source.next(200);
    if (!m) break;
    assert.ok(!m.body.startsWith(`pid=${Deno.pid} `) || m.type >= 1300, m.text);
  }
});

kernelTest("audgen without verification leaves generated undefined", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  using source = openMulticast();
  const r = await audgen("USER", ["string"], ["unverified"], { client: a, verify: false });
  assert.equal(r.generated, undefined);
  assert.ok(await awaitRecord(source, 1005, r.text));
});

kernelTest("USER_TTY needs TTY auditing on; then the kernel writes it as data=", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  await assert.rejects(
    () => audgen("USER_TTY", ["string"], ["x"], { client: a }),
    (e: AuditError) => e.code === "EPERM" && /TTY auditing/.test(e.message),
  );
  // AUDIT_TTY_SET affects only the process that sends it: a child process
  const r = await runSnippet(
    `import { audgen, openAudit } from "${MOD}";
     import { sendUserMessage } from "${
      new URL("../lib/kernel_write/_send.ts", import.meta.url).href
    }";
     using a = openAudit();
     await sendUserMessage(a, 1017, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]), { call: "AUDIT_TTY_SET", action: "enable TTY auditing" });
     const r = await audgen("USER_TTY", ["string"], ["a b"], { client: a });
     console.log(r.generated, r.record?.body.replace(/^.* data=/, "data="));`,
  );
  assert.equal(r.stdout.trim(), 'true data="str=612062"', r.stderr);
});

kernelTest(
  "in a user namespace the kernel refuses records: ECONNREFUSED, never success",
  async () => {
    const r = await runSnippet(
      `import { audgen, logUserMessage } from "${MOD}";
     for (const f of [() => logUserMessage("USER", "op=x"), () => audgen("USER", ["string"], ["x"])]) {
       try { await f(); console.log("written"); }
       catch (e) { console.log(e.name, e.code); }
     }`,
      { prefix: ["unshare", "--user", "--map-root-user"] },
    );
    assert.equal(r.stdout, "AuditError ECONNREFUSED\nAuditError ECONNREFUSED\n", r.stderr);
  },
  { oracles: ["unshare"] },
);
