import assert from "node:assert/strict";
import {
  AU_TO_NO_WRITE,
  AU_TO_WRITE,
  auClose,
  auCloseBuffer,
  auCloseToken,
  AUDIT_POLICY,
  AuditError,
  auOpen,
  AuRecordTable,
  auToIport,
  auToText,
  auWrite,
  type BsmSink,
  type BsmToken,
  decodeToken,
  MAX_AUDIT_RECORDS,
} from "../mod.ts";

const code = (c: string) => (e: unknown) => e instanceof AuditError && e.code === c;

/** A text token of exactly `size` bytes (id, u16 length, text, NUL). */
const textOf = (size: number) => auToText("x".repeat(size - 4));

function tokensOf(record: Uint8Array): BsmToken[] {
  const out: BsmToken[] = [];
  for (let at = 0; at < record.length;) {
    const d = decodeToken(record, at);
    out.push(d.token);
    at += d.length;
  }
  return out;
}

Deno.test("au_open: 20 descriptors, the 21st fails with ENOMEM", () => {
  const t = new AuRecordTable();
  const ds = Array.from({ length: MAX_AUDIT_RECORDS }, () => t.open());
  assert.deepEqual(ds, [...Array(20).keys()]);
  assert.throws(() => t.open(), code("ENOMEM"));
});

Deno.test("au_open reuses freed descriptors newest first", () => {
  const t = new AuRecordTable();
  for (let i = 0; i < 20; i++) t.open();
  for (let d = 0; d < 20; d++) t.closeBuffer(d, 0);
  assert.deepEqual([t.open(), t.open(), t.open()], [19, 18, 17]);
  t.closeBuffer(18, 0);
  assert.equal(t.open(), 18);
});

Deno.test("au_write refuses descriptors that are not open, and a missing token", () => {
  const t = new AuRecordTable();
  for (const d of [0, -1, 20, 1000, 0.5, NaN]) {
    assert.throws(() => t.write(d, auToIport(1)), code("EINVAL"), String(d));
  }
  const d = t.open();
  assert.throws(() => t.write(d, null as unknown as BsmToken), code("EINVAL"));
  t.closeBuffer(d, 0);
  assert.throws(() => t.write(d, auToIport(1)), code("EINVAL"));
  assert.throws(() => t.closeBuffer(d, 0), code("EINVAL"));
});

Deno.test("au_write: three 10004-byte texts fit, the fourth fails and the record is unchanged", () => {
  const t = new AuRecordTable();
  const d = t.open();
  const big = textOf(10004);
  for (let i = 0; i < 3; i++) t.write(d, big);
  assert.throws(() => t.write(d, big), code("ENOMEM"));
  // The refused token is still the caller's: it goes into another record.
  const e = t.open();
  t.write(e, big);
  assert.equal(t.closeBuffer(e, 0).length, 10004 + 25);
  assert.equal(t.closeBuffer(d, 0, { bufferLength: 32767 }).length, 3 * 10004 + 25);
});

Deno.test("one 32760-byte text fits au_write, but the close fails ENOMEM and frees the descriptor", () => {
  const t = new AuRecordTable();
  const d = t.open();
  t.write(d, textOf(32760));
  assert.throws(() => t.write(d, auToIport(1)), code("ENOMEM"));
  assert.throws(() => t.closeBuffer(d, 0), code("ENOMEM"));
  assert.throws(() => t.write(d, auToIport(1)), code("EINVAL"));
});

Deno.test("au_close_buffer reserves 20 bytes beyond the record in the caller's buffer", () => {
  const t = new AuRecordTable();
  const body = auToIport(1);
  const seven = auToText("abc"); // a 7-byte body, the record is 32 bytes
  assert.equal(auCloseToken(seven).length, 7);
  for (const [len, ok] of [[32, false], [51, false], [52, true]] as const) {
    const d = t.open();
    t.write(d, seven);
    if (ok) assert.equal(t.closeBuffer(d, 0, { bufferLength: len }).length, 32);
    else assert.throws(() => t.closeBuffer(d, 0, { bufferLength: len }), code("ENOMEM"));
    assert.throws(() => t.write(d, body), code("EINVAL"));
  }
  const d = t.open();
  t.write(d, textOf(30012));
  assert.equal(t.closeBuffer(d, 0).length, 30037);
});

Deno.test("au_close with AU_TO_NO_WRITE discards; AU_TO_WRITE writes to the sink", async () => {
  const kept: Uint8Array[] = [];
  const sink: BsmSink = { writeRecord: (r) => (kept.push(r), Promise.resolve()) };
  const t = new AuRecordTable();
  const d = t.open();
  t.write(d, auToText("gone"));
  await t.close(d, AU_TO_NO_WRITE, 0, { sink });
  assert.equal(kept.length, 0);
  assert.throws(() => t.write(d, auToIport(1)), code("EINVAL"));
  const e = t.open();
  t.write(e, auToText("kept"));
  await t.close(e, 7, 6152, { sink }); // any non-zero keep writes
  assert.equal(kept.length, 1);
  assert.deepEqual(tokensOf(kept[0]).map((x) => x.type), ["header32", "text", "trailer"]);
  await assert.rejects(() => t.close(e, AU_TO_WRITE, 0, { sink }), code("EINVAL"));
});

Deno.test("au_close frees the descriptor when the sink fails or is missing", async () => {
  const t = new AuRecordTable();
  const d = t.open();
  const sink: BsmSink = { writeRecord: () => Promise.reject(new Error("disk full")) };
  await assert.rejects(() => t.close(d, AU_TO_WRITE, 0, { sink }), /disk full/);
  assert.throws(() => t.write(d, auToIport(1)), code("EINVAL"));
  const e = t.open();
  assert.equal(e, d);
  await assert.rejects(() => t.close(e, AU_TO_WRITE, 0), TypeError);
  assert.throws(() => t.write(e, auToIport(1)), code("EINVAL"));
});

Deno.test("close options: 64-bit and _ex headers, Solaris version, time unit, policy tokens", () => {
  const t = new AuRecordTable();
  const time = new Date(1700000000123);
  const build = (o: Parameters<AuRecordTable["closeBuffer"]>[2]) => {
    const d = t.open();
    t.write(d, auToText("x"));
    return tokensOf(t.closeBuffer(d, 72, o));
  };
  const h64 = build({ header: 64, time })[0];
  assert.deepEqual(h64, {
    type: "header64",
    size: 26 + 5 + 7,
    version: 11,
    event: 72,
    modifier: 0,
    sec: 1700000000n,
    msec: 123n,
  });
  const ex = build({ host: Uint8Array.of(192, 0, 2, 10), version: 2, timeUnit: "ns", time })[0];
  assert.equal(ex.type, "header32_ex");
  if (ex.type === "header32_ex") {
    assert.deepEqual([ex.version, ex.addrType, ex.msec, ex.size], [2, 4, 123_000_000, 26 + 5 + 7]);
  }
  const all = build({
    policy: AUDIT_POLICY.TRAIL | AUDIT_POLICY.SEQ | AUDIT_POLICY.ZONENAME,
    sequence: 9,
    time,
  });
  assert.deepEqual(all.map((x) => x.type), ["header32", "text", "zonename", "seq", "trailer"]);
  assert.deepEqual(all[3], { type: "seq", seqno: 9 });
  const size = all[0].type === "header32" ? all[0].size : 0;
  assert.deepEqual(all[4], { type: "trailer", magic: 0xb105, count: size });
  const bare = build({ policy: 0, time });
  assert.deepEqual(bare.map((x) => x.type), ["header32", "text"]);
  assert.equal(bare[0].type === "header32" && bare[0].size, 18 + 5);
});

Deno.test("au_close_token copies one token; too small a buffer is ENOMEM", () => {
  assert.deepEqual(auCloseToken(auToIport(8080), 3), Uint8Array.of(0x2c, 0x1f, 0x90));
  assert.throws(() => auCloseToken(auToIport(8080), 2), code("ENOMEM"));
});

Deno.test("the shared table: concurrent async tasks never share a descriptor", async () => {
  const kept: Uint8Array[] = [];
  const sink: BsmSink = {
    writeRecord: async (r) => {
      await new Promise((ok) => setTimeout(ok, Math.random() * 3));
      kept.push(r);
    },
  };
  // 20 at a time: more concurrent records than descriptors is ENOMEM, as in C.
  for (let round = 0; round < 3; round++) {
    await Promise.all(Array.from({ length: 20 }, async (_, j) => {
      const i = round * 20 + j;
      await new Promise((ok) => setTimeout(ok, Math.random() * 3));
      const d = auOpen();
      auWrite(d, auToText(`task ${i}`));
      await new Promise((ok) => setTimeout(ok, Math.random() * 3));
      auWrite(d, auToIport(i));
      await auClose(d, AU_TO_WRITE, 0, { sink });
    }));
  }
  assert.equal(kept.length, 60);
  for (const r of kept) {
    const [, text, port] = tokensOf(r);
    assert.ok(text.type === "text" && port.type === "iport");
    assert.equal(new TextDecoder().decode(text.text), `task ${port.port}\0`);
  }
  assert.equal(auCloseBuffer(auOpen(), 0).length, 25);
});
