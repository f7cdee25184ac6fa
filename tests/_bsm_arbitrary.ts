/**
 * fast-check generators of BSM tokens and records for the property tests:
 * every token type, with values anywhere in their wire ranges, shaped so
 * that the record they are written into reads back token for token.
 *
 * @module
 */

import fc from "npm:fast-check@4.10.2";
import { AuRecordTable, type BsmToken, TOKEN_IDS } from "../mod.ts";

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const bytes = (max = 40) => fc.uint8Array({ maxLength: max });
const fixed = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const noNul = (max = 30) =>
  fc.uint8Array({ maxLength: max }).map((b) => b.map((x) => (x === 0 ? 1 : x)));
const ids = fc.record({
  auid: u32,
  euid: u32,
  egid: u32,
  ruid: u32,
  rgid: u32,
  pid: u32,
  sid: u32,
});
const exAddr = fc.oneof(fixed(4), fixed(16)).map((addr) => ({ addrType: addr.length, addr }));
const headerFields = fc.record({ size: u32, version: u8, event: u16, modifier: u16 });

/** Every token type but `unknown`, whose reading depends on where it is. */
export const tokenArb: fc.Arbitrary<BsmToken> = fc.oneof(
  fc.record({ type: fc.constant("header32" as const), sec: u32, msec: u32 }).chain((t) =>
    headerFields.map((h) => ({ ...t, ...h }))
  ),
  fc.record({ type: fc.constant("header64" as const), sec: u64, msec: u64 }).chain((t) =>
    headerFields.map((h) => ({ ...t, ...h }))
  ),
  fc.record({
    type: fc.constantFrom("header32_ex" as const),
    sec: u32,
    msec: u32,
    // A type other than 4/16 carries no address bytes, as OpenBSM reads it.
    ex: fc.oneof(
      exAddr,
      u32.filter((t) => t !== 4 && t !== 16).map((addrType) => ({
        addrType,
        addr: new Uint8Array(0),
      })),
    ),
  }).chain(({ ex, ...t }) => headerFields.map((h) => ({ ...t, ...h, ...ex }))),
  fc.record({ type: fc.constant("header64_ex" as const), sec: u64, msec: u64, ex: exAddr }).chain((
    { ex, ...t },
  ) => headerFields.map((h) => ({ ...t, ...h, ...ex }))),
  fc.record({ type: fc.constant("trailer" as const), magic: u16, count: u32 }),
  fc.record({ type: fc.constant("file" as const), sec: u32, msec: u32, name: bytes() }),
  fc.record({ type: fc.constant("text" as const), text: bytes() }),
  fc.record({ type: fc.constant("path" as const), path: bytes() }),
  fc.record({ type: fc.constant("zonename" as const), zonename: bytes() }),
  fc.record({ type: fc.constant("arg32" as const), argNo: u8, value: u32, text: bytes() }),
  fc.record({ type: fc.constant("arg64" as const), argNo: u8, value: u64, text: bytes() }),
  fc.record({
    type: fc.constantFrom("arg_uuid" as const, "ret_uuid" as const),
    argNo: u8,
    uuid: fixed(16),
    text: bytes(),
  }),
  fc.record({ type: fc.constant("return32" as const), status: u8, value: u32 }),
  fc.record({ type: fc.constant("return64" as const), status: u8, value: u64 }),
  fc.record({ type: fc.constant("exit" as const), status: u32, ret: u32 }),
  fc.record({ type: fc.constant("seq" as const), seqno: u32 }),
  fc.record({
    type: fc.constant("attr32" as const),
    mode: u32,
    uid: u32,
    gid: u32,
    fsid: u32,
    nodeid: u64,
    dev: u32,
  }),
  fc.record({
    type: fc.constant("attr64" as const),
    mode: u32,
    uid: u32,
    gid: u32,
    fsid: u32,
    nodeid: u64,
    dev: u64,
  }),
  fc.record({
    type: fc.constantFrom("subject32" as const, "process32" as const),
    port: u32,
    addr: fixed(4),
  })
    .chain((t) => ids.map((i) => ({ ...t, ...i }))),
  fc.record({
    type: fc.constantFrom("subject64" as const, "process64" as const),
    port: u64,
    addr: fixed(4),
  })
    .chain((t) => ids.map((i) => ({ ...t, ...i }))),
  fc.record({
    type: fc.constantFrom("subject32_ex" as const, "process32_ex" as const),
    port: u32,
    ex: exAddr,
  })
    .chain(({ ex, ...t }) => ids.map((i) => ({ ...t, ...i, ...ex }))),
  fc.record({
    type: fc.constantFrom("subject64_ex" as const, "process64_ex" as const),
    port: u64,
    ex: exAddr,
  })
    .chain(({ ex, ...t }) => ids.map((i) => ({ ...t, ...i, ...ex }))),
  fc.record({
    type: fc.constantFrom("exec_args" as const, "exec_env" as const),
    strings: fc.array(noNul(), { maxLength: 5 }),
  }),
  fc.record({ type: fc.constant("in_addr" as const), addr: fixed(4) }),
  fc.record({ type: fc.constant("in_addr_ex" as const), ex: exAddr }).map(({ ex, ...t }) => ({
    ...t,
    ...ex,
  })),
  fc.record({
    type: fc.constant("ip" as const),
    versionIhl: u8,
    tos: u8,
    length: u16,
    id: u16,
    offset: u16,
    ttl: u8,
    protocol: u8,
    checksum: u16,
    src: fixed(4),
    dst: fixed(4),
  }),
  fc.record({ type: fc.constant("iport" as const), port: u16 }),
  fc.record({
    type: fc.constant("socket" as const),
    socketType: u16,
    localPort: u16,
    localAddr: fixed(4),
    remotePort: u16,
    remoteAddr: fixed(4),
  }),
  fc.record({ domain: u16, socketType: u16, localPort: u16, remotePort: u16, v6: fc.boolean() })
    .chain(({ v6, ...t }) =>
      fc.record({ localAddr: fixed(v6 ? 16 : 4), remoteAddr: fixed(v6 ? 16 : 4) }).map((a) => ({
        type: "socket_ex" as const,
        ...t,
        addrType: v6 ? 16 : 4,
        ...a,
      }))
    ),
  fc.record({ type: fc.constant("sock_inet32" as const), family: u16, port: u16, addr: fixed(4) }),
  fc.record({
    type: fc.constant("sock_inet128" as const),
    family: u16,
    port: u16,
    addr: fixed(16),
  }),
  fc.record({ type: fc.constant("sock_unix" as const), family: u16, path: noNul(107) }).map((
    t,
  ) => ({
    ...t,
    path: Uint8Array.from([...t.path, 0]),
  })),
  fc.record({ type: fc.constant("ipc" as const), ipcType: u8, id: u32 }),
  fc.record({
    type: fc.constant("ipc_perm" as const),
    uid: u32,
    gid: u32,
    cuid: u32,
    cgid: u32,
    mode: u32,
    seq: u32,
    key: u32,
  }),
  fc.record({
    printFormat: u8,
    unit: fc.integer({ min: 0, max: 3 }),
    count: fc.integer({ min: 0, max: 12 }),
  })
    .chain((t) =>
      fixed([1, 2, 4, 8][t.unit] * t.count).map((data) => ({ type: "data" as const, ...t, data }))
    ),
  fc.record({ type: fc.constant("opaque" as const), data: bytes() }),
  fc.oneof(
    fc.array(u32, { maxLength: 16 }).map((groups) => ({ count: groups.length, groups })),
    // A count above 16 is read as 16 groups.
    fc.tuple(fc.integer({ min: 17, max: 0xffff }), fc.array(u32, { minLength: 16, maxLength: 16 }))
      .map(([count, groups]) => ({ count, groups })),
  ).map((g) => ({ type: "newgroups" as const, ...g })),
  fc.record({ type: fc.constant("upriv" as const), success: u8, priv: bytes() }),
  fc.record({ type: fc.constant("privset" as const), privType: bytes(), privs: bytes() }),
).map((t) => ({ ...t }) as BsmToken); // plain objects, as the decoder makes

const knownIds = new Set(Object.values(TOKEN_IDS));

/** An unknown token: taken up to the trailer, so only valid as the last body token. */
export const unknownArb: fc.Arbitrary<BsmToken> = fc.record({
  type: fc.constant("unknown" as const),
  id: u8.filter((id) => !knownIds.has(id)),
  data: fc.uint8Array({ minLength: 1, maxLength: 20 }),
}).map((t) => ({ ...t }));

/** A record body: tokens, maybe ending with an unknown one. */
export const bodyArb: fc.Arbitrary<BsmToken[]> = fc.tuple(
  fc.array(tokenArb, { maxLength: 6 }),
  fc.option(unknownArb, { nil: undefined }),
).map(([tokens, unknown]) => (unknown ? [...tokens, unknown] : tokens));

/** A whole record (OpenBSM header32 and trailer) around `body`. */
export function recordOf(body: BsmToken[], event = 0): Uint8Array {
  const t = new AuRecordTable();
  const d = t.open();
  for (const token of body) t.write(d, token);
  return t.closeBuffer(d, event, { time: new Date(1700000000123) });
}

/** A trail: records one after the other. */
export const trailArb: fc.Arbitrary<{ records: Uint8Array[]; bytes: Uint8Array }> = fc
  .array(bodyArb, { minLength: 1, maxLength: 6 })
  .map((bodies) => {
    const records = bodies.map((b) => recordOf(b));
    const bytes = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
    let at = 0;
    for (const r of records) {
      bytes.set(r, at);
      at += r.length;
    }
    return { records, bytes };
  });
