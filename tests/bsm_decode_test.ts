import assert from "node:assert/strict";
import { BsmError, bsmText, decodeToken } from "../mod.ts";
import { fromHex, vectors } from "./_bsm_vectors.ts";

Deno.test("decodeToken reads every stored token whole", () => {
  for (const [name, v] of Object.entries(vectors.tokens)) {
    const bytes = fromHex(v.hex);
    const { token, length } = decodeToken(bytes, 0);
    assert.equal(length, bytes.length, name);
    assert.notEqual(token.type, "unknown", name);
  }
});

Deno.test("decodeToken walks every stored record from header to trailer", () => {
  for (const [name, v] of Object.entries({ ...vectors.records, ...vectors.openbsm_reference })) {
    if (v.first_byte_token_id !== "0x14" || !v.praudit) continue;
    const bytes = fromHex(v.hex);
    const types: string[] = [];
    for (let at = 0; at < bytes.length;) {
      const d = decodeToken(bytes, at);
      types.push(d.token.type);
      at += d.length;
    }
    assert.equal(types[0], "header32", name);
    assert.equal(types.at(-1), "trailer", name);
  }
});

Deno.test("decodeToken keeps wire fields: header, return, socket_ex, data", () => {
  const h = decodeToken(fromHex(vectors.tokens.header32_failure_mod.hex), 0).token;
  assert.deepEqual(h, {
    type: "header32",
    size: 100,
    version: 11,
    event: 72,
    modifier: 0x8000,
    sec: 1700000000,
    msec: 123,
  });
  const r = decodeToken(fromHex(vectors.tokens.return64.hex), 0).token;
  assert.deepEqual(r, { type: "return64", status: 0, value: 4294967297n });
  const s = decodeToken(fromHex(vectors.tokens.socket_ex_inet.hex), 0).token;
  assert.equal(s.type, "socket_ex");
  if (s.type === "socket_ex") {
    assert.deepEqual([s.domain, s.socketType, s.addrType, s.localPort, s.remotePort], [
      2,
      2,
      4,
      80,
      12345,
    ]);
    assert.deepEqual([...s.remoteAddr], [10, 0, 0, 2]);
  }
  const d = decodeToken(fromHex(vectors.tokens.data_decimal_int32.hex), 0).token;
  assert.deepEqual(d, {
    type: "data",
    printFormat: 2,
    unit: 2,
    count: 2,
    data: Uint8Array.of(1, 0, 0, 0, 2, 1, 0, 0),
  });
});

Deno.test("decodeToken takes an unknown id up to the trailer, as praudit does", () => {
  const bytes = fromHex(vectors.trails.bad_unknown_token.hex);
  const { token, length } = decodeToken(bytes, 18);
  assert.deepEqual(token, { type: "unknown", id: 0x99, data: Uint8Array.of(0xaa, 0xbb, 0xcc) });
  assert.equal(length, 4);
});

Deno.test("decodeToken refuses a text whose length runs past the end", () => {
  const bytes = fromHex(vectors.trails.bad_text_length_overrun.hex);
  assert.throws(() => decodeToken(bytes, 18), (e) => e instanceof BsmError && e.offset === 18);
  assert.throws(() => decodeToken(bytes, bytes.length), (e) => e instanceof BsmError);
});

Deno.test("bsmText decodes only what it can give back unchanged", () => {
  const enc = new TextEncoder();
  assert.equal(bsmText(enc.encode("hello\0")), "hello");
  assert.equal(bsmText(enc.encode("\uFEFFbom\0")), "\uFEFFbom");
  assert.equal(bsmText(Uint8Array.of(0xff, 0)), undefined);
  assert.equal(bsmText(enc.encode("a\0b\0")), undefined);
  assert.equal(bsmText(enc.encode("no terminator")), undefined);
});
