import assert from "node:assert/strict";
import { auditctl, type AuditctlCommand, AuditError, openAudit } from "../mod.ts";
import { kernelTest, runSnippet } from "./_helpers.ts";

const MOD = new URL("../mod.ts", import.meta.url).href;

async function expectCode(p: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  const e = await p.then(() => undefined, (x) => x);
  assert.ok(e instanceof AuditError, `expected AuditError ${code}, got ${e}`);
  assert.equal(e.code, code);
  assert.match(e.message, pattern);
}

kernelTest(
  "AUDITON enables auditing when it is off and fails with EINVAL when it is on",
  async () => {
    using a = openAudit();
    await a.setEnabled(0);
    assert.equal(await auditctl("AUDITON", { client: a }), undefined);
    assert.equal((await a.status()).enabled, 1);
    await expectCode(auditctl("AUDITON", { client: a }), "EINVAL", /already enabled/);
    assert.equal((await a.status()).enabled, 1);
  },
);

kernelTest(
  "AUDITOFF disables auditing when it is on and fails with EINVAL when it is off",
  async () => {
    using a = openAudit();
    await a.setEnabled(1);
    assert.equal(await auditctl("AUDITOFF", { client: a }), undefined);
    assert.equal((await a.status()).enabled, 0);
    await expectCode(auditctl("AUDITOFF", { client: a }), "EINVAL", /already disabled/);
    assert.equal((await a.status()).enabled, 0);
  },
);

kernelTest("ASTATUS reports auditon, version and gmtsecoff", async () => {
  using a = openAudit();
  for (const enabled of [0, 1] as const) {
    await a.setEnabled(enabled);
    const actl = await auditctl("ASTATUS", { client: a });
    assert.equal(actl.auditon, enabled);
    assert.equal(actl.version, String((await a.status()).feature_bitmap));
    assert.equal(actl.gmtsecoff, new Date().getTimezoneOffset() * 60);
  }
  // without a client it opens and closes its own
  const own = await auditctl("ASTATUS");
  assert.equal(own.auditon, 1);
});

kernelTest("an unknown command fails with EINVAL and changes nothing", async () => {
  using a = openAudit();
  const before = await a.status();
  for (const cmd of ["AUDITSTAT", "auditon", "", "ASTATUS "]) {
    await expectCode(
      auditctl(cmd as AuditctlCommand, { client: a }),
      "EINVAL",
      /unknown command/,
    );
  }
  assert.equal((await a.status()).enabled, before.enabled);
});

kernelTest("without CAP_AUDIT_CONTROL every command fails with EPERM", async () => {
  const code = `
    import { auditctl } from ${JSON.stringify(MOD)};
    const out = [];
    for (const cmd of ["ASTATUS", "AUDITON", "AUDITOFF"]) {
      try { await auditctl(cmd); out.push("ok"); }
      catch (e) { out.push(e.code + "|" + e.message); }
    }
    console.log(JSON.stringify(out));
  `;
  using a = openAudit();
  const before = (await a.status()).enabled;
  const r = await runSnippet(code, {
    prefix: ["setpriv", "--bounding-set=-audit_control", "--inh-caps=-audit_control"],
  });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as string[];
  assert.equal(out.length, 3);
  for (const line of out) {
    assert.match(line, /^EPERM\|Cannot .*: needs root or CAP_AUDIT_CONTROL$/);
  }
  assert.equal((await a.status()).enabled, before);
});
