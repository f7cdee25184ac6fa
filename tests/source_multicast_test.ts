import assert from "node:assert/strict";
import { AuditError, logUserMessage, openAudit, openMulticast, parseAuditMessage } from "../mod.ts";
import { kernelTest, runSnippet } from "./_helpers.ts";

const MOD = new URL("../mod.ts", import.meta.url).href;

Deno.test("parseAuditMessage splits the stamp from the body and drops trailing NULs", () => {
  const bytes = new TextEncoder().encode("audit(1700000005.042:4712): pid=1 msg='x'\0\0");
  assert.deepEqual(parseAuditMessage(1005, bytes), {
    type: 1005,
    timestamp: 1700000005042,
    serial: 4712,
    body: "pid=1 msg='x'",
    text: "audit(1700000005.042:4712): pid=1 msg='x'",
  });
  const bare = parseAuditMessage(1320, new TextEncoder().encode("no stamp"));
  assert.deepEqual([bare.timestamp, bare.serial, bare.body], [0, 0, "no stamp"]);
});

Deno.test("openMulticast refuses a bad receive buffer size before opening anything", () => {
  for (const n of [0, -1, 1.5, 2 ** 31]) {
    assert.throws(() => openMulticast({ receiveBufferBytes: n }), RangeError);
  }
});

kernelTest("the multicast source yields the records the kernel generates, in order", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  using source = openMulticast({ receiveBufferBytes: 1 << 20 });
  const tags = ["one", "two", "three"].map((t) => `auditkit-test-${t}-${Deno.pid}`);
  for (const t of tags) await logUserMessage("USER", `op=${t}`, { client: a });
  const seen: number[] = [];
  for await (const m of source) {
    const i = tags.findIndex((t) => m.body.includes(`op=${t} `));
    if (i < 0 || m.type !== 1005) continue;
    assert.ok(m.serial > 0 && m.timestamp > 0);
    seen.push(m.serial);
    if (seen.length === tags.length) break;
  }
  assert.equal(seen.length, 3);
  assert.ok(seen[0] < seen[1] && seen[1] < seen[2], String(seen));
  assert.equal(source.lost, 0);
});

kernelTest("aborting the signal ends the iteration and closes the socket", async () => {
  const controller = new AbortController();
  const source = openMulticast({ signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  const started = Date.now();
  for await (const _ of source) {
    // records that arrive before the abort are irrelevant here
  }
  assert.ok(Date.now() - started < 2000, "the iteration ended soon after the abort");
  assert.equal(source.closed, true);
  assert.equal(await source.next(10), undefined);
  source.close();
  assert.throws(
    () => openMulticast({ signal: AbortSignal.abort() }),
    (e: AuditError) => e instanceof AuditError && /already aborted/.test(e.message),
  );
});

kernelTest("next() resolves undefined after its timeout when nothing arrives", async () => {
  using a = openAudit();
  await a.setEnabled(0);
  using source = openMulticast();
  const start = Date.now();
  while (await source.next(50)); // drain what was queued before
  assert.ok(Date.now() - start < 3000);
  assert.equal(await source.next(50), undefined);
});

kernelTest("joining without CAP_AUDIT_READ is an EPERM AuditError that names it", async () => {
  const r = await runSnippet(
    `import { openMulticast } from "${MOD}";
     try { openMulticast().close(); console.log("joined"); }
     catch (e) { console.log(e.name, e.code, e.message); }`,
    { prefix: ["setpriv", "--bounding-set=-audit_read", "--inh-caps=-audit_read"] },
  );
  assert.equal(
    r.stdout.trim(),
    "AuditError EPERM Cannot join the audit multicast group: needs root or CAP_AUDIT_READ",
    r.stderr,
  );
});
