import assert from "node:assert/strict";
import {
  type BsmToken,
  praudit,
  PrauditFormatter,
  type PrauditOptions,
  readPrauditRecords,
} from "../mod.ts";
import { fromHex, type PrauditRun, vectors } from "./_bsm_vectors.ts";
import { events, MODES } from "./_bsm_praudit.ts";

const text = new TextDecoder();
const enc = (s: string) => new TextEncoder().encode(s);

/** praudit's stdout for one input file, through the library. */
async function print(bytes: Uint8Array, options: PrauditOptions, partial = false): Promise<string> {
  const fmt = new PrauditFormatter({ events, timeZone: "UTC", ...options });
  const parts: Uint8Array[] = [];
  if (options.xml) parts.push(fmt.xmlHeader());
  // in chunks of 7 bytes, so that records straddle reads
  const chunks = [];
  for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
  for await (const chunk of praudit(ReadableStream.from(chunks), fmt, { partial })) {
    parts.push(chunk);
  }
  if (options.xml) parts.push(fmt.xmlFooter());
  return parts.map((p) => text.decode(p)).join("");
}

const sets = ["records", "trails", "openbsm_reference"] as const;

for (const set of sets) {
  Deno.test(`every ${set} vector prints as praudit in the six stored modes`, async () => {
    let checked = 0;
    for (const [name, v] of Object.entries(vectors[set])) {
      if (!v.praudit) continue;
      for (const [mode, { options }] of Object.entries(MODES)) {
        const stored: PrauditRun = v.praudit[mode as keyof typeof v.praudit];
        assert.equal(await print(fromHex(v.hex), options), stored.stdout, `${set}/${name} ${mode}`);
        checked++;
      }
    }
    assert.ok(checked >= 60, `${checked} outputs compared`);
  });
}

const header = (event = 0): BsmToken => ({
  type: "header32",
  size: 0,
  version: 11,
  event,
  modifier: 0,
  sec: 1700000000,
  msec: 123,
});

function one(token: BsmToken, options: PrauditOptions = {}): string {
  const fmt = new PrauditFormatter({ events, timeZone: "UTC", noResolve: true, ...options });
  return text.decode(fmt.formatToken(token));
}

Deno.test("uids and gids print signed with -n and as names without it", () => {
  const subject: BsmToken = {
    type: "subject32",
    auid: 0x98765432,
    euid: 0,
    egid: 0,
    ruid: 1000,
    rgid: 4242,
    pid: 0xffffffff,
    sid: 1,
    port: 2,
    addr: Uint8Array.of(10, 0, 0, 1),
  };
  assert.equal(one(subject), "subject,-1737075662,0,0,1000,4242,4294967295,1,2,10.0.0.1");
  const names = { userName: (u: number) => u === 0 ? "root" : undefined, groupName: () => "wheel" };
  assert.equal(
    one(subject, { noResolve: false, ...names }),
    "subject,-1737075662,root,wheel,1000,wheel,4294967295,1,2,10.0.0.1",
  );
  // -r never resolves
  assert.equal(
    one(subject, { noResolve: false, raw: true, ...names }),
    "36,-1737075662,0,0,1000,4242,4294967295,1,2,10.0.0.1",
  );
  assert.equal(
    one(subject, { xml: true }),
    '<subject audit-uid="-1737075662" uid="0" gid="0" ruid="1000" rgid="4242" pid="4294967295" sid="1" tid="2 10.0.0.1" />',
  );
});

Deno.test("data tokens: every print format and unit, as printf prints the promoted item", () => {
  const data = (printFormat: number, unit: number, bytes: number[]): BsmToken => ({
    type: "data",
    printFormat,
    unit,
    count: bytes.length >> unit,
    data: Uint8Array.from(bytes),
  });
  assert.equal(one(data(1, 0, [8, 255])), "arbitrary,octal,byte,2, 10 377");
  assert.equal(one(data(2, 1, [0xff, 0xff])), "arbitrary,decimal,short,1, 65535");
  assert.equal(one(data(2, 2, [0xff, 0xff, 0xff, 0xff])), "arbitrary,decimal,int,1, -1");
  assert.equal(one(data(3, 2, [0xff, 0xff, 0xff, 0xff])), "arbitrary,hex,int,1, ffffffff");
  assert.equal(
    one(data(2, 3, [0xfe, 0xff, 0xff, 0xff, 1, 0, 0, 0])),
    "arbitrary,decimal,int64,1, -2", // %d of an int64 shows its low 32 bits
  );
  assert.equal(one(data(0, 0, [0x41, 0x42])), "arbitrary,binary,byte,2, A B");
  assert.equal(one(data(4, 0, [0x61, 0, 0x62])), "arbitrary,string,byte,3,a\0b");
  assert.equal(one(data(9, 0, [1])), "arbitrary,"); // unknown format: nothing more
  assert.equal(
    one(data(3, 1, [1, 2]), { xml: true }),
    '<arbitrary print="hex" type="2" count="1" > 201</arbitrary>',
  );
});

Deno.test("XML escapes exec arguments like vis(3) and stops at a NUL", () => {
  const args: BsmToken = {
    type: "exec_args",
    strings: [enc("a<b>&\"'"), Uint8Array.of(0x5c, 0x0d, 0x01, 0x7f, 0xe9, 0xa0, 0x20, 0x09, 0x0a)],
  };
  assert.equal(
    one(args, { xml: true }),
    "<exec_args><arg>a&lt;b&gt;&amp;&quot;&apos;</arg><arg>\\\\\\r\\^A\\^?\\M-i\\240 \t\n</arg></exec_args>",
  );
  // text outside exec tokens is printed as is, NULs left out
  assert.equal(one({ type: "text", text: enc("a<\0b\0") }, { xml: true }), "<text>a<b</text>");
});

Deno.test("exec arguments beyond 128 are not printed", () => {
  const strings = Array.from({ length: 130 }, (_, i) => enc(`${i}`));
  const out = one({ type: "exec_args", strings });
  assert.ok(out.endsWith(",126,127"));
});

Deno.test("header_ex: raw prints attributes, XML delimited fields; header64_ex does not swap", () => {
  const ex = {
    size: 49,
    version: 11,
    event: 72,
    modifier: 0,
    addrType: 4,
    addr: Uint8Array.of(192, 0, 2, 10),
  };
  const h32: BsmToken = { type: "header32_ex", ...ex, sec: 1700000000, msec: 123 };
  const h64: BsmToken = { type: "header64_ex", ...ex, sec: 1700000000n, msec: 123n };
  assert.equal(
    one(h32, { xml: true, raw: true }),
    '<record version="11" event="72" modifier="0" host="192.0.2.10" time="1700000000" msec="123" >',
  );
  assert.equal(
    one(h64, { raw: true }),
    "121,49,11,72,0,192.0.2.10,1700000000,123",
  );
  assert.equal(
    one(h64, { xml: true }),
    '<record version="11" event="open(2) - read" modifier="0" host="192.0.2.10" time="Tue Nov 14 22:13:20 2023" msec=" + 123 msec" >',
  );
  assert.equal(
    one({ ...h32, addrType: 7, addr: new Uint8Array() }),
    "header_ex,49,11,open(2) - read,0,invalid,Tue Nov 14 22:13:20 2023, + 123 msec",
  );
});

Deno.test("return statuses: Linux strerror after the BSM mapping, unknown numbers as praudit says", () => {
  assert.equal(
    one({ type: "return32", status: 45, value: 1 }),
    "return,failure : Resource deadlock avoided,1",
  );
  assert.equal(
    one({ type: "return32", status: 190, value: 1 }),
    "return,failure: Unknown error: 190,1",
  );
  assert.equal(
    one({ type: "return64", status: 0, value: 0xffffffffffffffffn }),
    "return,success,-1",
  );
});

Deno.test("privilege, socket and attribute tokens in text and XML", () => {
  const upriv: BsmToken = { type: "upriv", success: 0, priv: enc("file_dac_read\0") };
  assert.equal(one(upriv), "use of privilege,failed use of priv,file_dac_read");
  assert.equal(one(upriv, { xml: true }), 'status="failed use of priv" name="file_dac_read" ');
  const attr: BsmToken = {
    type: "attr32",
    mode: 0o100644,
    uid: 0,
    gid: 0,
    fsid: 5,
    nodeid: 0xffffffffffffffffn,
    dev: 7,
  };
  assert.equal(one(attr), "attribute,100644,0,0,5,-1,7");
  const old: BsmToken = {
    type: "socket",
    socketType: 2,
    localPort: 80,
    localAddr: Uint8Array.of(10, 0, 0, 1),
    remotePort: 0,
    remoteAddr: Uint8Array.of(10, 0, 0, 2),
  };
  assert.equal(one(old), "socket,2,80,10.0.0.1,0,10.0.0.2");
  assert.equal(
    one({ type: "sock_unix", family: 1, path: new Uint8Array(120).fill(0x61) }).length,
    "socket-unix,1,".length + 107,
  );
  assert.equal(one({ type: "iport", port: 0 }), "ip port,0");
  assert.equal(one({ type: "opaque", data: new Uint8Array() }), "opaque,0,");
  assert.equal(one({ type: "unknown", id: 0x99, data: Uint8Array.of(1) }, { xml: true }), "");
});

Deno.test("time zones: TZ names give local time as ctime prints it", () => {
  const h = header();
  assert.match(one(h, { timeZone: "Europe/Paris" }), /,Tue Nov 14 23:13:20 2023, \+ 123 msec$/);
  assert.match(one(h, { timeZone: "America/New_York" }), /,Tue Nov 14 17:13:20 2023,/);
  assert.match(
    one({ ...h, sec: 1720000000 } as BsmToken, { timeZone: "Europe/Paris" }),
    /,Wed Jul {2}3 11:46:40 2024,/, // summer time
  );
});

Deno.test("-p skips to the first header32 id; without it junk ends the input", async () => {
  const rec = vectors.records.seq;
  const junk = Uint8Array.of(1, 2, 3, ...fromHex(rec.hex));
  assert.equal(await print(junk, MODES.n.options), "");
  assert.equal(await print(junk, MODES.n.options, true), rec.praudit!.n.stdout);
  assert.equal(await print(Uint8Array.of(1, 2, 3), MODES.n.options, true), "");
});

Deno.test("readPrauditRecords: a bad token ends its record, not the input; a bad record ends it", async () => {
  const bad = fromHex(vectors.trails.bad_text_length_overrun.hex);
  const good = fromHex(vectors.records.seq.hex);
  const types: string[][] = [];
  const complete: boolean[] = [];
  const offsets: number[] = [];
  for await (const r of readPrauditRecords(Uint8Array.of(...bad, ...good, 0x28))) {
    types.push(r.tokens.map((t) => t.type));
    complete.push(r.complete);
    offsets.push(r.offset);
  }
  assert.deepEqual(types, [["header32"], ["header32", "seq", "trailer"]]);
  assert.deepEqual(complete, [false, true]);
  assert.deepEqual(offsets, [0, bad.length]);
  // a size below 5 and an empty input end quietly
  const none: unknown[] = [];
  for await (const t of readPrauditRecords(Uint8Array.of(0x14, 0, 0, 0, 4))) none.push(t);
  for await (const t of readPrauditRecords(new Uint8Array())) none.push(t);
  assert.deepEqual(none, []);
});

Deno.test("praudit() caps a record at 1 MiB by default, as the strict reader does", async () => {
  // a 1.5 MiB record: header32 claiming its size, zeros, a trailer
  const size = 1.5 * (1 << 20);
  const bytes = new Uint8Array(size);
  const v = new DataView(bytes.buffer);
  v.setUint8(0, 0x14);
  v.setUint32(1, size);
  v.setUint8(5, 11);
  v.setUint8(size - 7, 0x13);
  v.setUint16(size - 6, 0xb105);
  v.setUint32(size - 4, size);
  const fmt = () => new PrauditFormatter({ oneLine: true, noResolve: true, timeZone: "UTC" });
  const out = async (options: { maxRecordSize?: number }) => {
    let s = "";
    for await (const c of praudit(bytes, fmt(), options)) s += text.decode(c);
    return s;
  };
  assert.equal(await out({}), "", "over the default cap: nothing, as a record praudit cannot read");
  assert.match(await out({ maxRecordSize: 2 << 20 }), /^header,1572864,11,/);
  let stop = "";
  for await (const _ of readPrauditRecords(bytes, { onStop: (e) => stop = e.kind })) {
    // nothing
  }
  assert.equal(stop, "bad_size");
});
