import assert from "node:assert/strict";
import {
  AUP,
  AUR,
  AuRecordTable,
  auToArg32,
  auToArg64,
  auToArgUuid,
  auToData,
  auToExecArgs,
  auToExecEnv,
  auToExit,
  auToFile,
  auToHeader32,
  auToHeader32Ex,
  auToHeader64,
  auToInAddr,
  auToInAddrEx,
  auToIp,
  auToIpc,
  auToIpcPerm,
  auToIport,
  auToNewgroups,
  auToOpaque,
  auToPath,
  auToPrivset,
  auToProcess32,
  auToProcess32Ex,
  auToProcess64,
  auToProcess64Ex,
  auToReturn32,
  auToReturn64,
  auToReturnUuid,
  auToSeq,
  auToSocketEx,
  auToSockInet128,
  auToSockInet32,
  auToSockUnix,
  auToSubject32,
  auToSubject32Ex,
  auToSubject64,
  auToSubject64Ex,
  auToText,
  auToTrailer,
  auToUpriv,
  auToZonename,
  type BsmToken,
  decodeToken,
  encodeToken,
  LINUX_SOCKET,
  PAD,
} from "../mod.ts";
import { fromHex, toHex, vectors } from "./_bsm_vectors.ts";

/** Address bytes from text, for inputs read off praudit's output. */
function ip(text: string): Uint8Array {
  if (text.includes(".")) return Uint8Array.from(text.split("."), Number);
  const [head, tail = ""] = text.split("::");
  const groups = (s: string) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const h = groups(head), t = groups(tail);
  const all = [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  return Uint8Array.from(all.flatMap((g) => [g >> 8, g & 0xff]));
}

const time = { sec: 1700000000, msec: 123 };
// praudit: subject,1000,0,0,1000,1000,4242,7,4660,<ip> (process: pid 4243)
const ids = (pid: number) => ({
  auid: 1000,
  euid: 0,
  egid: 0,
  ruid: 1000,
  rgid: 1000,
  pid,
  sid: 7,
});
// praudit: subject,305419896,19088743,591751049,-1737075662,159868227,321140038,2542171492,374945606
const refIds = {
  auid: 305419896,
  euid: 19088743,
  egid: 591751049,
  ruid: (-1737075662) >>> 0,
  rgid: 159868227,
  pid: 321140038,
  sid: 2542171492,
};
const refPort = 374945606;

/** Little-endian int32 items, as OpenBSM copies host memory on x86. */
function int32le(...items: number[]): Uint8Array {
  const b = new Uint8Array(4 * items.length);
  items.forEach((v, i) => new DataView(b.buffer).setInt32(4 * i, v, true));
  return b;
}

/** An IPv4 header from praudit's `ip` fields. */
function ipHeader(f: number[], src: string, dst: string): Uint8Array {
  const [vhl, tos, len, id, off, ttl, proto, sum] = f;
  return Uint8Array.from([
    vhl,
    tos,
    len >> 8,
    len & 0xff,
    id >> 8,
    id & 0xff,
    off >> 8,
    off & 0xff,
    ttl,
    proto,
    sum >> 8,
    sum & 0xff,
    ...ip(src),
    ...ip(dst),
  ]);
}

/** The constructor call for each stored token. */
const TOKENS: Record<string, () => BsmToken> = {
  arg32: () => auToArg32(1, "fd", 3),
  arg64: () => auToArg64(2, "addr", 0x1122334455667788n),
  arg_uuid: () => auToArgUuid(9, "obj", "12345678-9abc-def0-1122-010203040506"),
  data_decimal_int32: () => auToData(AUP.DECIMAL, AUR.INT32, 2, int32le(1, 258)),
  data_hex_byte: () => auToData(AUP.HEX, AUR.BYTE, 4, Uint8Array.of(1, 2, 0xfe, 0xff)),
  data_string: () => auToData(AUP.STRING, AUR.BYTE, 3, new TextEncoder().encode("abc")),
  exec_args: () => auToExecArgs(["/bin/ls", "-l", "/tmp"]),
  exec_env: () => auToExecEnv(["PATH=/bin", "HOME=/root"]),
  exit: () => auToExit(3, 0),
  header32: () => auToHeader32(100, 72, { time }),
  header32_ex_ipv4: () => auToHeader32Ex(100, 72, { time, host: ip("192.0.2.10") }),
  header32_ex_ipv6: () => auToHeader32Ex(100, 72, { time, host: ip("2001:db8::10") }),
  header32_failure_mod: () => auToHeader32(100, 72, { time, modifier: PAD.FAILURE }),
  header64: () => auToHeader64(100, 72, { time }),
  in_addr: () => auToInAddr(ip("192.0.2.1")),
  in_addr_ex: () => auToInAddrEx(ip("2001:db8::1")),
  ip: () => auToIp(ipHeader([0x45, 0, 20, 16962, 0, 0x40, 6, 0], "192.0.2.1", "192.0.2.2")),
  ipc: () => auToIpc(3, 77),
  ipc_perm: () =>
    auToIpcPerm({ uid: 1000, gid: 100, cuid: 0, cgid: 0, mode: 0o640, seq: 5, key: 4660 }),
  iport: () => auToIport(8080),
  newgroups: () => auToNewgroups([0, 10, 1000]),
  opaque: () => auToOpaque(fromHex("deadbeef0001")),
  path: () => auToPath("/etc/passwd"),
  privset: () => auToPrivset("Effective", "file_dac_read,proc_fork"),
  process32: () => auToProcess32({ ...ids(4243), port: 4660, addr: ip("192.0.2.10") }),
  process32_ex_ipv6: () => auToProcess32Ex({ ...ids(4243), port: 4660, addr: ip("2001:db8::10") }),
  process64: () => auToProcess64({ ...ids(4243), port: 4660n, addr: ip("192.0.2.10") }),
  process64_ex_ipv4: () => auToProcess64Ex({ ...ids(4243), port: 4660n, addr: ip("192.0.2.10") }),
  return32_enoent: () => auToReturn32(2, 4294967295),
  return32_success: () => auToReturn32(0, 0),
  return64: () => auToReturn64(0, 4294967297n),
  seq: () => auToSeq(42),
  sock_inet128: () => auToSockInet128(10, 443, ip("2001:db8::5")),
  sock_inet32: () => auToSockInet32(2, 443, ip("203.0.113.5")),
  sock_unix: () => auToSockUnix("/tmp/sock"),
  socket_ex_inet: () =>
    auToSocketEx(LINUX_SOCKET.AF_INET, LINUX_SOCKET.SOCK_STREAM, {
      port: 80,
      addr: ip("10.0.0.1"),
    }, { port: 12345, addr: ip("10.0.0.2") }),
  subject32: () => auToSubject32({ ...ids(4242), port: 4660, addr: ip("192.0.2.10") }),
  subject32_ex_ipv4: () => auToSubject32Ex({ ...ids(4242), port: 4660, addr: ip("192.0.2.10") }),
  subject32_ex_ipv6: () => auToSubject32Ex({ ...ids(4242), port: 4660, addr: ip("2001:db8::10") }),
  subject64: () => auToSubject64({ ...ids(4242), port: 4660n, addr: ip("192.0.2.10") }),
  subject64_ex_ipv4: () => auToSubject64Ex({ ...ids(4242), port: 4660n, addr: ip("192.0.2.10") }),
  subject64_ex_ipv6: () => auToSubject64Ex({ ...ids(4242), port: 4660n, addr: ip("2001:db8::10") }),
  text: () => auToText("hello, world"),
  text_empty: () => auToText(""),
  trailer: () => auToTrailer(100),
  upriv: () => auToUpriv(1, "file_dac_read"),
  zonename: () => auToZonename("global"),
};

/**
 * OpenBSM's test/reference tokens. Known differences from the generator's
 * calls (REFERENCE.md 8.8), made explicit here:
 * - data_token: the generator counts 10 units from the 9-byte "SomeData",
 *   so the tenth byte is whatever followed in its memory ("a"); we pass it.
 * - iport_token: the generator passes htons(80) (0x5000 on x86).
 * - socketex_token: the generator passes BSM SOCK_STREAM (2), which current
 *   OpenBSM maps to BSM 1 on Linux; the reference's type 2 is what a local
 *   SOCK_STREAM gives, so we pass that.
 * - ip_token: the generator's header has ip_hl 0 (first byte 0x40); we pass
 *   that byte as it is.
 */
const REFERENCE_TOKENS: Record<string, () => BsmToken> = {
  arg32_token: () => auToArg32(3, "test_arg32_token", 0xabcdef00),
  arg_uuid_token: () =>
    auToArgUuid(4, "test_arg_uuid_token", "5a62ea53-d41c-11e6-c8a3-25009d4bb49c"),
  data_token: () => auToData(AUP.STRING, AUR.BYTE, 10, new TextEncoder().encode("SomeData\0a")),
  file_token: () => auToFile("test", { sec: 0x12345, msec: 424 }),
  header32_token: () =>
    auToHeader32(0x12345678, 3, { modifier: 0x4567, time: { sec: 0x12345, msec: 424 } }),
  in_addr_token: () => auToInAddr(ip("192.168.100.15")),
  ip_token: () =>
    auToIp(ipHeader([0x40, 0, 20, 21624, 0, 0x40, 1, 0], "192.168.100.155", "192.168.110.48")),
  ipc_token: () => auToIpc(1, 305419896),
  iport_token: () => auToIport(0x5000),
  opaque_token: () => auToOpaque(fromHex("aabbccdd")),
  path_token: () => auToPath("/test/this/is/a/test"),
  process32_token: () => auToProcess32({ ...refIds, port: refPort, addr: ip("127.0.0.1") }),
  "process32ex_token-IPv4": () =>
    auToProcess32Ex({ ...refIds, port: refPort, addr: ip("127.0.0.1") }),
  "process32ex_token-IPv6": () =>
    auToProcess32Ex({ ...refIds, port: refPort, addr: ip("fe80::1") }),
  process64_token: () => auToProcess64({ ...refIds, port: BigInt(refPort), addr: ip("127.0.0.1") }),
  "process64ex_token-IPv4": () =>
    auToProcess64Ex({ ...refIds, port: BigInt(refPort), addr: ip("127.0.0.1") }),
  "process64ex_token-IPv6": () =>
    auToProcess64Ex({ ...refIds, port: BigInt(refPort), addr: ip("fe80::1") }),
  ret_uuid_token: () =>
    auToReturnUuid(5, "test_ret_uuid_token", "77b33643-d41d-11e6-c8a3-25009d4bb49c"),
  return32_token: () => auToReturn32(22, 305419896),
  seq_token: () => auToSeq(305419896),
  socketex_token: () =>
    auToSocketEx(LINUX_SOCKET.AF_INET, LINUX_SOCKET.SOCK_STREAM, {
      port: 0,
      addr: ip("127.0.0.1"),
    }, { port: 0, addr: ip("127.0.0.1") }),
  subject32_token: () => auToSubject32({ ...refIds, port: refPort, addr: ip("127.0.0.1") }),
  "subject32ex_token-IPv4": () =>
    auToSubject32Ex({ ...refIds, port: refPort, addr: ip("127.0.0.1") }),
  "subject32ex_token-IPv6": () =>
    auToSubject32Ex({ ...refIds, port: refPort, addr: ip("fe80::1") }),
  text_token: () => auToText("This is a test."),
  trailer_token: () => auToTrailer(305419896),
  zonename_token: () => auToZonename("testzone"),
};

/** Which token of TOKENS/REFERENCE_TOKENS each record's body holds. */
function recordBody(name: string, set: "records" | "openbsm_reference"): (() => BsmToken)[] {
  if (set === "records") {
    if (name === "multi_execve") {
      return [
        TOKENS.subject32_ex_ipv4,
        TOKENS.path,
        TOKENS.arg32,
        TOKENS.exec_args,
        TOKENS.return32_enoent,
      ];
    }
    return [TOKENS[name]];
  }
  const errno = /^E[A-Z0-9]+_record$/.test(name);
  if (errno) {
    // The BSM status is what praudit -r prints: "39,<status>,<value>".
    const line = vectors.openbsm_reference[name].praudit!.rn.stdout.split("\n")[1];
    const [, status, value] = line.split(",").map(Number);
    return [() => auToReturn32(status, value)];
  }
  const token = name.replace(/_record/, "_token");
  if (name === "subject32ex_record") return [REFERENCE_TOKENS["subject32ex_token-IPv6"]];
  return [REFERENCE_TOKENS[token]];
}

Deno.test("constructors give the bytes of every stored token", () => {
  for (const [name, v] of Object.entries(vectors.tokens)) {
    assert.ok(TOKENS[name], `no constructor call for ${name}`);
    assert.equal(toHex(encodeToken(TOKENS[name]())), v.hex, name);
  }
});

Deno.test("constructors give the bytes of OpenBSM's reference tokens", () => {
  const names = Object.keys(vectors.openbsm_reference).filter((n) => !n.includes("record"));
  assert.deepEqual(names.sort(), Object.keys(REFERENCE_TOKENS).sort());
  for (const name of names) {
    assert.equal(
      toHex(encodeToken(REFERENCE_TOKENS[name]())),
      vectors.openbsm_reference[name].hex,
      name,
    );
  }
});

/** The record au_close_buffer builds from `body`, for `event` at the given time. */
function build(body: BsmToken[], event: number, date: Date): Uint8Array {
  const table = new AuRecordTable();
  const d = table.open();
  for (const t of body) table.write(d, t);
  return table.closeBuffer(d, event, { time: date });
}

Deno.test("au_open/au_write/au_close_buffer give every stored record", () => {
  for (const [name, v] of Object.entries(vectors.records)) {
    const stored = fromHex(v.hex);
    const header = decodeToken(stored, 0).token;
    assert.equal(header.type, "header32");
    if (header.type !== "header32") continue;
    const got = build(
      recordBody(name, "records").map((f) => f()),
      header.event,
      new Date(1700000000123),
    );
    assert.equal(toHex(got), v.hex, name);
  }
});

Deno.test("OpenBSM's reference records match apart from header time (bytes 10..17)", () => {
  let compared = 0;
  for (const [name, v] of Object.entries(vectors.openbsm_reference)) {
    if (!name.includes("record")) continue;
    const got = build(recordBody(name, "openbsm_reference").map((f) => f()), 0, new Date(0));
    const stored = fromHex(v.hex);
    assert.equal(got.length, stored.length, name);
    const strip = (b: Uint8Array) => toHex(Uint8Array.from([...b.slice(0, 10), ...b.slice(18)]));
    assert.equal(strip(got), strip(stored), name);
    compared++;
  }
  assert.equal(compared, 56);
});

Deno.test("constructors refuse values that do not fit, naming the field", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => auToArg32(256, "x", 0), /argNo "256"/],
    [() => auToArg32(1, "x", -1), /value "-1"/],
    [() => auToArg32(1, "x", 2 ** 32), /value "4294967296"/],
    [() => auToReturn32(0, 1.5), /value "1.5"/],
    [() => auToReturn64(0, -1n), /value "-1"/],
    [() => auToIport(65536), /port "65536"/],
    [
      () => auToIpcPerm({ uid: 0, gid: 0, cuid: 0, cgid: 0, mode: 0x10000, seq: 0, key: 0 }),
      /mode/,
    ],
    [() => auToData(AUP.HEX, 4, 1, new Uint8Array(8)), /unit "4"/],
    [() => auToData(AUP.HEX, AUR.INT32, 3, new Uint8Array(8)), /data: 3 items need 12 bytes/],
    [() => auToData(AUP.HEX, AUR.BYTE, 256, new Uint8Array(256)), /count "256"/],
    [() => auToText("a\0b"), /text: contains a NUL/],
    [() => auToText("x".repeat(65535)), /text: 65536 bytes/],
    [
      () => auToSubject32Ex({ ...ids(1), port: 0, addr: new Uint8Array(5) }),
      /host: must be 4 or 16/,
    ],
    [() => auToSubject32({ ...ids(1), pid: -1, port: 0, addr: new Uint8Array(4) }), /pid "-1"/],
    [
      () => auToSubject32({ ...ids(1), port: 0, addr: new Uint8Array(16) }),
      /addr: must be 4 bytes/,
    ],
    [
      () => auToSocketEx(1, 1, { port: 0, addr: ip("1.2.3.4") }, { port: 0, addr: ip("1.2.3.4") }),
      /domain "1"/,
    ],
    [() => auToSockUnix("/" + "x".repeat(107)), /path: 108 bytes/],
    [() => auToNewgroups(new Array(17).fill(0)), /groups: 17 groups/],
    [() => auToArgUuid(1, "x", "not-a-uuid"), /uuid "not-a-uuid"/],
    [() => auToHeader32(2 ** 32, 0), /size "4294967296"/],
    [
      () => encodeToken({ type: "in_addr_ex", addrType: 5, addr: new Uint8Array(5) }),
      /addr type "5"/,
    ],
  ];
  for (const [make, message] of cases) {
    assert.throws(make, (e) => e instanceof RangeError && message.test(e.message), String(message));
  }
});
