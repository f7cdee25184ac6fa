import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  AU_TO_WRITE,
  auClose,
  AuditError,
  auOpen,
  auToExecArgs,
  auToPath,
  auToText,
  auWrite,
  BsmKernelSink,
  bsmKernelText,
  openAudit,
  openMulticast,
  parseBsmRecords,
  PrauditFormatter,
} from "../mod.ts";
import { kernelTest, runCli, runSnippet } from "./_helpers.ts";
import { awaitRecord, KERNEL_PREFIX, recordFields } from "./_records.ts";
import { bodyArb, recordOf } from "./_bsm_arbitrary.ts";
import { fromHex } from "./_bsm_vectors.ts";

const MOD = new URL("../mod.ts", import.meta.url).href;
const TRUSTED_APP = 1121;
const praudit = new PrauditFormatter({ oneLine: true, noResolve: true, timeZone: "UTC" });

/** The text a `bsm=` value holds: quoted text, or hex of the bytes. */
function decodeBsm(value: string): string {
  if (value.startsWith('"')) return value.slice(1, -1);
  assert.match(value, /^([0-9A-F]{2})+$/);
  return new TextDecoder().decode(fromHex(value));
}

/** praudit -l -n of `record` in UTC, without its newline. */
function line(record: Uint8Array): string {
  const [r] = parseBsmRecords(record);
  return new TextDecoder().decode(praudit.formatRecord(r.tokens)).replace(/\n$/, "");
}

Deno.test("kernel text: one bsm_event and one bsm field whatever the tokens hold", () => {
  const evil = [
    "x' type=USER_LOGIN msg='forged",
    "a\nnode=h type=SYSCALL msg=audit(1.2:3): res=success",
    'q"uote = res=failed',
    "\u00e9t\u00e9 \x7f\x01",
  ];
  for (const s of evil) {
    const record = recordOf([auToText(s), auToPath(s), auToExecArgs([s, "-c"])], 23);
    const text = bsmKernelText(record);
    assert.match(text, /^bsm_event=23 bsm=[0-9A-F]+$/, s);
    const fields = recordFields(text);
    assert.deepEqual(fields.map(([n]) => n), ["bsm_event", "bsm"]);
    assert.equal(decodeBsm(fields[1][1]), line(record));
    assert.ok(decodeBsm(fields[1][1]).includes(`,text,${s},path,${s},exec arg,${s},-c,`));
  }
});

Deno.test("property: kernel text fields never change, the value gives the praudit line back", () => {
  fc.assert(
    fc.property(bodyArb, fc.integer({ min: 0, max: 0xffff }), (body, event) => {
      const record = recordOf(body, event);
      let text: string;
      try {
        text = bsmKernelText(record);
      } catch (e) {
        // only a text too long for the kernel is refused
        assert.ok(e instanceof AuditError && e.code === "E2BIG", String(e));
        return;
      }
      assert.ok(!/[\n'\0]/.test(text), text);
      const fields = recordFields(text);
      assert.deepEqual(fields.map(([n]) => n), ["bsm_event", "bsm"]);
      assert.equal(fields[0][1], String(event));
      assert.equal(decodeBsm(fields[1][1]), line(record));
    }),
    { numRuns: 300 },
  );
});

Deno.test("kernel sink refuses what audit(2) refuses, before opening anything", async () => {
  const sink = new BsmKernelSink();
  const one = recordOf([auToText("a")]);
  const two = new Uint8Array([...one, ...one]);
  const file = fromHex("110000000000000000000100"); // a bare file token, not a record
  const big = recordOf([auToText("x".repeat(5000))]);
  const cases: [Uint8Array, string, RegExp][] = [
    [new Uint8Array(0), "EINVAL", /not one BSM record/],
    [one.subarray(0, 20), "EINVAL", /not a BSM record/],
    [two, "EINVAL", /2 records/],
    [file, "EINVAL", /not one BSM record/],
    [new Uint8Array(40000), "E2BIG", /40000 bytes, at most 32767/],
    [big, "E2BIG", /kernel keeps at most 8560/],
  ];
  for (const [bytes, code, re] of cases) {
    await assert.rejects(
      sink.writeRecord(bytes),
      (e: AuditError) =>
        e instanceof AuditError && e.code === code && e.call === "audit" && re.test(e.message),
      code,
    );
  }
});

kernelTest("auClose with the kernel sink: the record is logged as TRUSTED_APP", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  using source = openMulticast();
  const tag = `auditkit-test-${crypto.randomUUID().slice(0, 8)}`;
  let sent = "";
  const kernel = new BsmKernelSink({ client: a });
  const sink = {
    writeRecord: async (r: Uint8Array) => {
      sent = (await kernel.send(r)).text;
    },
  };
  const d = auOpen();
  auWrite(d, auToText(`${tag}' res=success type=USER_LOGIN`));
  auWrite(d, auToPath("/etc/passwd\nforged"));
  await auClose(d, AU_TO_WRITE, 6152, { sink });
  const m = await awaitRecord(source, TRUSTED_APP, sent);
  assert.ok(m, `record "${sent}" read back`);
  const fields = recordFields(m.body);
  assert.deepEqual(fields.map(([n]) => n).filter((n) => n !== "subj"), [
    ...KERNEL_PREFIX,
    "bsm_event",
    "bsm",
  ]);
  assert.equal(fields.find(([n]) => n === "bsm_event")![1], "6152");
  const text = decodeBsm(fields.at(-1)![1]);
  assert.match(text, /^header,\d+,11,login - local,0,/);
  assert.ok(
    text.endsWith(
      `,text,${tag}' res=success type=USER_LOGIN,path,/etc/passwd\nforged,trailer,${
        text.match(/^header,(\d+),/)![1]
      },`,
    ),
    text,
  );
});

kernelTest("kernel sink without CAP_AUDIT_WRITE: EPERM from audit, as audit(2)", async () => {
  const r = await runSnippet(
    `import { auClose, auOpen, auWrite, auToText, AU_TO_WRITE, BsmKernelSink } from "${MOD}";
     const d = auOpen();
     auWrite(d, auToText("denied"));
     try { await auClose(d, AU_TO_WRITE, 0, { sink: new BsmKernelSink() }); console.log("written"); }
     catch (e) { console.log(e.name, e.code, e.call, e.message); }`,
    { prefix: ["setpriv", "--bounding-set=-audit_write", "--inh-caps=-audit_write"] },
  );
  assert.match(
    r.stdout.trim(),
    /^AuditError EPERM audit Cannot write the TRUSTED_APP record: .*CAP_AUDIT_WRITE/,
    r.stdout + r.stderr,
  );
});

kernelTest("bsm write --kernel: the CLI's record reaches the audit log", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  using source = openMulticast();
  const tag = `auditkit-test-${crypto.randomUUID().slice(0, 8)}`;
  const r = await runCli([
    "bsm",
    "write",
    "--kernel",
    "--event",
    "AUE_login",
    "--token",
    "subject",
    "--token",
    `text=${tag} msg='x'`,
  ]);
  assert.deepEqual([r.code, r.stderr], [0, ""]);
  const hexTag = Array.from(
    new TextEncoder().encode(tag),
    (b) => b.toString(16).toUpperCase().padStart(2, "0"),
  ).join("");
  const deadline = Date.now() + 3000;
  let body: string | undefined;
  while (!body && Date.now() < deadline) {
    const m = await source.next(deadline - Date.now());
    if (m?.type === TRUSTED_APP && m.body.includes(hexTag)) body = m.body;
  }
  assert.ok(body, "record read back");
  const fields = recordFields(body);
  assert.equal(fields.find(([n]) => n === "bsm_event")![1], "6152");
  const text = decodeBsm(fields.at(-1)![1]);
  assert.match(text, new RegExp(`^header,\\d+,11,login - local,0,.*,subject,`));
  assert.ok(text.includes(`,text,${tag} msg='x',trailer,`), text);
});
