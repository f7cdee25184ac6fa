import assert from "node:assert/strict";
import { AuditClient, AuditError, openAudit } from "../mod.ts";
import { kernelTest, run } from "./_helpers.ts";

/** Parses `auditctl -s` output into name to value. */
function parseStatusText(text: string): Map<string, string> {
  return new Map(
    text.trim().split("\n").map((l) => {
      const i = l.indexOf(" ");
      return [l.slice(0, i), l.slice(i + 1)] as [string, string];
    }),
  );
}

kernelTest("status() returns every audit_status field with auditctl's values", async () => {
  using a = openAudit();
  const s = await a.status();
  for (
    const k of [
      "enabled",
      "failure",
      "pid",
      "rate_limit",
      "backlog_limit",
      "lost",
      "backlog",
      "backlog_wait_time",
      "backlog_wait_time_actual",
      "feature_bitmap",
    ] as const
  ) {
    assert.equal(typeof s[k], "number", `${k} is a number`);
  }
  assert.ok(s.loginuid_immutable, "loginuid_immutable reported");
  const ref = parseStatusText((await run("auditctl", ["-s"])).stdout);
  for (const k of ["enabled", "failure", "pid", "rate_limit", "backlog_limit"] as const) {
    assert.equal(String(s[k]), ref.get(k), k);
  }
  assert.equal(String(s.backlog_wait_time), ref.get("backlog_wait_time"));
  const l = s.loginuid_immutable!;
  assert.equal(`${l.value} ${l.locked ? "locked" : "unlocked"}`, ref.get("loginuid_immutable"));
}, { oracles: ["auditctl"] });

kernelTest("setters change the kernel's configuration and status() reads it back", async () => {
  using a = openAudit();
  const before = await a.status();
  await a.setRateLimit(before.rate_limit + 7);
  await a.setBacklogLimit(before.backlog_limit + 11);
  await a.setBacklogWaitTime(12345);
  await a.setFailure(before.failure === 1 ? 0 : 1);
  await a.setEnabled(before.enabled === 1 ? 0 : 1);
  const after = await a.status();
  assert.equal(after.rate_limit, before.rate_limit + 7);
  assert.equal(after.backlog_limit, before.backlog_limit + 11);
  assert.equal(after.backlog_wait_time, 12345);
  assert.equal(after.failure, before.failure === 1 ? 0 : 1);
  assert.equal(after.enabled, before.enabled === 1 ? 0 : 1);
});

kernelTest("bad values are refused before the kernel is asked and change nothing", async () => {
  using a = openAudit();
  const before = await a.status();
  await assert.rejects(async () => await a.setEnabled(2), RangeError);
  await assert.rejects(async () => await a.setFailure(2), RangeError);
  await assert.rejects(async () => await a.setEnabled(3 as 1), RangeError);
  await assert.rejects(async () => await a.setRateLimit(-1), RangeError);
  await assert.rejects(async () => await a.setBacklogLimit(1.5), RangeError);
  await assert.rejects(async () => await a.setBacklogWaitTime(2 ** 32), RangeError);
  const after = await a.status();
  assert.equal(after.enabled, before.enabled);
  assert.equal(after.failure, before.failure);
  assert.equal(after.rate_limit, before.rate_limit);
});

kernelTest("the kernel's own refusals come back as AuditError with their errno", async () => {
  using a = openAudit();
  const before = await a.status();
  // more than ten minutes of ticks at any HZ
  const err = await a.setBacklogWaitTime(0xfffffff).then(() => undefined, (e) => e);
  assert.ok(err instanceof AuditError, String(err));
  assert.equal(err.code, "EINVAL");
  assert.equal(err.errno, 22);
  assert.equal(err.call, "audit_set_backlog_wait_time");
  assert.match(err.message, /^Cannot set backlog_wait_time to 268435455: Invalid argument/);
  assert.equal((await a.status()).backlog_wait_time, before.backlog_wait_time);
});

kernelTest("setPid registers this process as the daemon and 0 unregisters it", async () => {
  using a = openAudit();
  const before = await a.status();
  if (before.pid !== 0) {
    // a real daemon is registered: registering another must fail, not replace it
    const e = await a.setPid(Deno.pid).then(() => undefined, (x) => x);
    assert.ok(e instanceof AuditError);
    assert.equal((await a.status()).pid, before.pid);
    return;
  }
  try {
    await a.setPid(Deno.pid);
    assert.equal((await a.status()).pid, Deno.pid);
  } finally {
    await a.setPid(0);
  }
  assert.equal((await a.status()).pid, 0);
});

kernelTest("signalInfo() answers AUDIT_SIGNAL_INFO", async () => {
  using a = openAudit();
  const info = await a.signalInfo();
  assert.equal(typeof info.uid, "number");
  assert.equal(typeof info.pid, "number");
  assert.equal(typeof info.context, "string");
});

kernelTest("a client closes its socket with using, and close() is idempotent", async () => {
  let fd: number;
  let client: AuditClient;
  {
    using a = openAudit();
    client = a;
    fd = a.fd;
    assert.ok(fd >= 0);
    await a.status();
  }
  assert.equal(client.closed, true);
  assert.equal(client.fd, -1);
  client.close();
  // the descriptor is really closed: F_GETFD fails with EBADF
  const libc = Deno.dlopen("libc.so.6", { fcntl: { parameters: ["i32", "i32"], result: "i32" } });
  try {
    assert.equal(libc.symbols.fcntl(fd, 1), -1);
  } finally {
    libc.close();
  }
  await assert.rejects(() => client.status(), (e: AuditError) => e.code === "EBADF");
});
