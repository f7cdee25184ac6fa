import assert from "node:assert/strict";
import { openAudit, openMulticast } from "../mod.ts";
import { kernelTest, run, runCli } from "./_helpers.ts";
import { awaitRecord, recordFields } from "./_records.ts";

kernelTest("auditkit log writes the record auditctl -m would, with explicit origin", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  using source = openMulticast();
  const tag = `auditkit-test-${crypto.randomUUID().slice(0, 8)}`;
  const r = await runCli([
    "log",
    "--type",
    "USYS_CONFIG",
    "--result",
    "failed",
    "--tty",
    "pts/3",
    "--json",
    `op=${tag}`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const w = JSON.parse(r.stdout);
  assert.equal(w.type, 1111);
  assert.match(
    w.text,
    new RegExp(`^text=op=${tag} exe=".*" hostname=\\? addr=\\? terminal=pts/3 res=failed$`),
  );
  assert.ok(await awaitRecord(source, 1111, w.text, 3000, 0), "record read back");
});

kernelTest("auditkit gen prints the record the kernel generated", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  const r = await runCli([
    "gen",
    "USER_MGMT",
    "--token",
    "string=x res=success",
    "--token",
    "uid=1001",
    "--token",
    "result=failed",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^USER_MGMT audit\(\d+\.\d{3}:\d+\): pid=\d+ uid=0 .*msg='str=78207265733D73756363657373 ouid=1001 res=failed'\n$/,
  );
});

kernelTest("auditkit gen fails with exit 1 when the kernel generates no record", async () => {
  using a = openAudit();
  await a.setEnabled(0);
  const r = await runCli(["gen", "USER", "--token", "string=x"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^auditkit: no record was generated: auditing is disabled \(enabled=0\)/);
});

Deno.test("auditkit gen and log refuse bad command lines", async () => {
  const usage = [
    ["gen", "USER"],
    ["gen", "USER", "--token", "nope"],
    ["gen", "USER", "--token", "bogus=1"],
    ["gen", "USER", "--token", "string=x", "--timeout", "soon"],
    ["log"],
    ["log", "--result", "maybe", "m"],
  ];
  for (const args of usage) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
  }
  const einval = await runCli(["gen", "SYSCALL", "--token", "string=x"]);
  assert.equal(einval.code, 1);
  assert.match(
    einval.stderr,
    /Cannot write a record of type "SYSCALL": type \(1300\) is not a user message type/,
  );
  const bad = await runCli(["log", "--hostname", "a b", "m"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Cannot write hostname "a b"/);
  const help = await runCli(["gen", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:/);
});

for (const cmd of [["log", "--json"], ["ctl", "-m"]]) {
  kernelTest(
    `auditkit ${cmd[0]} and auditctl -m write the same fields, the program aside`,
    async () => {
      using a = openAudit();
      await a.setEnabled(1);
      using source = openMulticast();
      const text = `op=auditkit-test-${crypto.randomUUID().slice(0, 8)} note=parity`;
      const ref = await run("auditctl", ["-m", text]);
      assert.equal(ref.code, 0, ref.stderr);
      const ours = await runCli([...cmd, text]);
      assert.equal(ours.code, 0, ours.stderr);
      const found: [string, string][][] = [];
      const deadline = Date.now() + 3000;
      while (found.length < 2 && Date.now() < deadline) {
        const m = await source.next(deadline - Date.now());
        if (m?.type === 1005 && m.body.includes(`msg='text=${text} `)) {
          found.push(recordFields(m.body).filter(([n]) => !["pid", "exe"].includes(n)));
        }
      }
      assert.equal(found.length, 2, "both records read back");
      assert.deepEqual(found[1], found[0]);
    },
    { oracles: ["auditctl"] },
  );
}

kernelTest(
  "auditkit ctl -m refuses control characters with auditctl's message and status",
  async () => {
    const ours = await runCli(["ctl", "-m", "bad\ttext"]);
    const ref = await run("auditctl", ["-m", "bad\ttext"]);
    assert.equal(ours.code, ref.code);
    assert.equal(ours.stderr, ref.stderr);
  },
  { oracles: ["auditctl"] },
);
