import assert from "node:assert/strict";
import {
  type BsmToken,
  parseFilePatterns,
  parseReduceDate,
  RecordSelector,
  type SelectCriteria,
} from "../mod.ts";
import { events } from "./_bsm_praudit.ts";
import { runCli } from "./_helpers.ts";
import { fromHex, vectors } from "./_bsm_vectors.ts";
import { CLASS_FILE, EVENT_FILE } from "./_bsm_praudit.ts";

const enc = (s: string) => new TextEncoder().encode(`${s}\0`);
const header = (event: number, sec = 1700000000): BsmToken => ({
  type: "header32",
  size: 0,
  version: 11,
  event,
  modifier: 0,
  sec,
  msec: 0,
});
const subject = (type: "subject32_ex" | "process32", auid: number, pid: number): BsmToken => ({
  type,
  auid,
  euid: 0,
  egid: 10,
  ruid: auid,
  rgid: 10,
  pid,
  sid: 1,
  port: 0,
  addrType: 4,
  addr: new Uint8Array(4),
} as BsmToken);
const execve: BsmToken[] = [
  header(23),
  subject("subject32_ex", 1000, 42),
  { type: "path", path: enc("/etc/passwd") },
  { type: "return32", status: 2, value: 0xffffffff },
];
const login: BsmToken[] = [header(6152, 1700090000), { type: "text", text: enc("hi") }];
const sel = (c: SelectCriteria) => new RecordSelector(c, events);

Deno.test("select: events, classes (with success/failure), dates", () => {
  assert.ok(sel({ events: [23] }).matches(execve));
  assert.ok(!sel({ events: [23] }).matches(login));
  assert.ok(sel({ classes: { success: 0x1000, failure: 0x1000 } }).matches(login)); // lo
  // execve is pc,ex and failed: a success-only mask does not select it
  assert.ok(!sel({ classes: { success: 0x80, failure: 0 } }).matches(execve));
  assert.ok(sel({ classes: { success: 0, failure: 0x80 } }).matches(execve));
  assert.ok(sel({ after: 1700000000, before: 1700000000 }).matches(execve));
  assert.ok(!sel({ after: 1700000001 }).matches(execve));
  assert.ok(sel({ after: 1700000001, all: true }).matches(execve));
});

Deno.test("select: ids need a subject or process token; pid= a process, -j a subject", () => {
  assert.ok(sel({ auid: 1000 }).matches(execve));
  assert.ok(!sel({ auid: 1001 }).matches(execve));
  assert.ok(!sel({ auid: 1000 }).matches(login)); // nothing checked -u
  assert.ok(sel({ subjectPid: 42, egid: 10 }).matches(execve));
  assert.ok(!sel({ pid: 42 }).matches(execve)); // no process token
  assert.ok(sel({ pid: 42 }).matches([header(1), subject("process32", 5, 42)]));
  assert.ok(sel({ auid: 0xffffffff }).matches([header(1), subject("process32", -1 >>> 0, 1)]));
});

Deno.test("select: file patterns, IPC objects, zones, -v and incomplete records", () => {
  assert.ok(sel({ files: parseFilePatterns("^/etc/") }).matches(execve));
  assert.ok(!sel({ files: parseFilePatterns("~^/etc/,passwd") }).matches(execve));
  assert.ok(sel({ files: parseFilePatterns("^/tmp,passwd$") }).matches(execve));
  assert.deepEqual(parseFilePatterns("a\\,b,c").map((p) => p.regexp.source), ["a,b", "c"]);
  const ipc: BsmToken[] = [header(1), { type: "ipc", ipcType: 3, id: 77 }];
  assert.ok(sel({ shmid: 77 }).matches(ipc));
  assert.ok(!sel({ shmid: 78 }).matches(ipc));
  assert.ok(!sel({ msgqid: 77 }).matches(ipc)); // a shm token does not check msgqid
  const zone: BsmToken[] = [header(1), { type: "zonename", zonename: enc("global") }];
  assert.ok(sel({ zone: "glo*" }).matches(zone));
  assert.ok(!sel({ zone: "g?" }).matches(zone));
  assert.ok(!sel({ events: [23], invert: true }).matches(execve));
  assert.ok(sel({ events: [23], invert: true }).matches(login));
  assert.ok(!sel({}).matches(execve, false));
  assert.ok(sel({ invert: true }).matches(execve, false));
});

Deno.test("parseReduceDate reads YYYYMMDD[HH[MM[SS]]] and refuses the rest", () => {
  assert.equal(parseReduceDate("20231114221320", "UTC"), 1700000000);
  assert.equal(parseReduceDate("20231114", "UTC"), 1699920000);
  assert.equal(parseReduceDate("2023111422", "UTC"), 1699999200);
  for (const bad of ["2023", "20231314", "2023111", "20231114x", "202311142261"]) {
    assert.equal(parseReduceDate(bad, "UTC"), undefined, bad);
  }
});

Deno.test("bsm reduce: selected records as BSM, usage errors exit 2, a missing file 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const v = vectors.trails.trail_with_file_tokens;
    const file = `${dir}/t.bsm`;
    await Deno.writeFile(file, fromHex(v.hex));
    const common = ["bsm", "reduce", "--events", EVENT_FILE, "--classes", CLASS_FILE];
    const r = await runCli([...common, "-m", "AUE_login", file]);
    assert.equal(r.code, 0);
    // the login record, byte for byte: header 0x14, size 41
    assert.equal(r.stdout.length, 41);
    assert.equal(r.stdout.charCodeAt(0), 0x14);
    const bad = await runCli([...common, "-c", "nosuch", file]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Incorrect class "nosuch"/);
    const missing = await runCli([...common, `${dir}/none`]);
    assert.deepEqual([missing.code, missing.stderr], [
      1,
      `auditkit bsm reduce: Couldn't open ${dir}/none\n`,
    ]);
    const help = await runCli(["bsm", "reduce", "--help"]);
    assert.match(help.stdout, /Examples:/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
