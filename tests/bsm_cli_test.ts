import assert from "node:assert/strict";
import { eventLookup, parseBsmRecords, recordFromJson, recordToJson } from "../mod.ts";
import { CLI_ENTRY, runCli } from "./_helpers.ts";
import { fromHex, type PrauditRun, toHex, vectors } from "./_bsm_vectors.ts";
import { CLASS_FILE, EVENT_FILE, events, MODES } from "./_bsm_praudit.ts";

const dir = await Deno.makeTempDir();
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
const env = { TZ: "UTC" };

/** Runs `auditkit bsm ARGS` with binary stdin. */
async function bsm(args: string[], stdin?: Uint8Array) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI_ENTRY, "bsm", ...args],
    env,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const w = child.stdin.getWriter();
    await w.write(stdin);
    await w.close();
  }
  const r = await child.output();
  const text = new TextDecoder();
  return { code: r.code, stdout: text.decode(r.stdout), stderr: text.decode(r.stderr) };
}

async function trailFile(name: string, hex: string): Promise<string> {
  const path = `${dir}/${name}.bsm`;
  await Deno.writeFile(path, fromHex(hex));
  return path;
}

const sample = [
  ["records", "multi_execve"],
  ["trails", "trail_with_file_tokens"],
  ["trails", "hdr_header32_ex_ipv4"],
  ["trails", "bad_text_length_overrun"],
  ["openbsm_reference", "data_record"],
] as const;

Deno.test("bsm print: stored vectors from files print as praudit, exit 0", async () => {
  for (const [set, name] of sample) {
    const v = vectors[set][name];
    const file = await trailFile(name, v.hex);
    for (const mode of ["n", "xn", "lrn_pipe"] as const) {
      const r = await bsm(["print", ...MODES[mode].flags, "--events", EVENT_FILE, file]);
      const stored: PrauditRun = v.praudit![mode];
      assert.equal(r.stdout, stored.stdout, `${name} ${mode}`);
      assert.equal(r.stderr, stored.stderr);
      assert.equal(r.code, stored.exit);
    }
  }
});

Deno.test("bsm print: stdin prints the same, exits 1 and leaves out the XML footer", async () => {
  const v = vectors.trails.trail_with_file_tokens;
  const plain = await bsm(["print", "-n", "--events", EVENT_FILE], fromHex(v.hex));
  assert.equal(plain.stdout, v.praudit!.n.stdout);
  assert.equal(plain.code, 1);
  const xml = await bsm(["print", "-xn", `--events=${EVENT_FILE}`], fromHex(v.hex));
  assert.equal(xml.stdout, v.praudit!.xn.stdout.replace(/<\/audit>\n$/, ""));
  assert.equal(xml.code, 1);
});

Deno.test("bsm print: missing file as perror, empty and random files print nothing", async () => {
  const empty = `${dir}/empty`;
  await Deno.writeFile(empty, new Uint8Array());
  const junk = `${dir}/junk`;
  await Deno.writeFile(junk, crypto.getRandomValues(new Uint8Array(4096)).map((b) => b & 0x0f));
  const good = await trailFile("seq", vectors.records.seq.hex);
  const r = await bsm(["print", "-n", `${dir}/missing`, empty, junk, dir, good]);
  assert.equal(r.stderr, `${dir}/missing: No such file or directory\n`);
  assert.equal(
    r.stdout,
    vectors.records.seq.praudit!.n.stdout.replace("indir system call", "indir system call"),
  );
  assert.equal(r.code, 0);
});

Deno.test("bsm print: usage errors as praudit's (exit 1), --help (exit 0)", async () => {
  const usage = "usage: auditkit bsm print [-lnpx] [-r | -s] [-d del] [--events file] [file ...]\n";
  const rs = await bsm(["print", "-r", "-s"]);
  assert.deepEqual([rs.code, rs.stderr, rs.stdout], [1, usage, ""]);
  const z = await bsm(["print", "-nz"]);
  assert.deepEqual([z.code, z.stderr], [1, `auditkit bsm print: invalid option -- 'z'\n${usage}`]);
  const d = await bsm(["print", "-d"]);
  assert.equal(d.stderr, `auditkit bsm print: option requires an argument -- 'd'\n${usage}`);
  const ev = await bsm(["print", "--events", `${dir}/none`, "x"]);
  assert.deepEqual([ev.code, ev.stderr], [
    1,
    `auditkit bsm print: ${dir}/none: No such file or directory\n`,
  ]);
  const help = await runCli(["bsm", "print", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:/);
});

Deno.test("bsm print: a reader that closes the pipe early ends it quietly", async () => {
  const v = vectors.records.multi_execve;
  const big = new Uint8Array(v.len * 20000);
  for (let i = 0; i < 20000; i++) big.set(fromHex(v.hex), i * v.len);
  const file = `${dir}/big.bsm`;
  await Deno.writeFile(file, big);
  const child = new Deno.Command("sh", {
    args: ["-c", `"${Deno.execPath()}" run -A "${CLI_ENTRY}" bsm print -n "${file}" | head -n 1`],
    env,
    stdout: "piped",
    stderr: "piped",
  });
  const r = await child.output();
  assert.equal(new TextDecoder().decode(r.stdout).split("\n").length, 2);
  assert.equal(new TextDecoder().decode(r.stderr), "");
});

/** What `bsm json` prints for `bytes`: the library's JSON of each record, one per line. */
function jsonLines(bytes: Uint8Array): string {
  const lookupEvent = eventLookup(events);
  return [...parseBsmRecords(bytes)].map((r) => JSON.stringify(recordToJson(r, { lookupEvent })))
    .map((l) => l + "\n").join("");
}

Deno.test("bsm json: one line per record from files and stdin, event names and classes", async () => {
  const trail = fromHex(vectors.trails.trail_with_file_tokens.hex);
  const execve = fromHex(vectors.records.multi_execve.hex);
  const a = await trailFile("json_a", vectors.trails.trail_with_file_tokens.hex);
  const b = await trailFile("json_b", vectors.records.multi_execve.hex);
  const files = await bsm(["json", "--events", EVENT_FILE, a, b]);
  assert.deepEqual([files.code, files.stderr], [0, ""]);
  assert.equal(files.stdout, jsonLines(trail) + jsonLines(execve));
  const lines = files.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const last = lines.at(-1);
  assert.deepEqual(
    [last.event, last.event_name, last.event_description, last.classes],
    [23, "AUE_EXECVE", "execve(2)", ["pc", "ex"]],
  );
  assert.equal(last.time, "2023-11-14T22:13:20.123Z");
  const stdin = await bsm(["json", "--events", EVENT_FILE], execve);
  assert.deepEqual([stdin.code, stdin.stdout], [0, jsonLines(execve)]);
});

Deno.test("bsm json: empty input, random bytes, damage after good records, missing file", async () => {
  const empty = await trailFile("json_empty", "");
  const e = await bsm(["json", empty]);
  assert.deepEqual([e.code, e.stdout, e.stderr], [0, "", ""]);
  const random = crypto.getRandomValues(new Uint8Array(4096));
  random[0] = 0x28; // a text token id: never a record start
  const r = await bsm(["json"], random);
  assert.deepEqual([r.code, r.stdout], [1, ""]);
  assert.equal(
    r.stderr,
    "auditkit bsm json: stdin: Cannot read BSM at byte 0: byte 0x28 starts neither a header nor a file token\n",
  );
  const good = fromHex(vectors.records.multi_execve.hex);
  const damaged = new Uint8Array([...good, ...good, 0x99, 1, 2, 3, ...good]);
  const path = `${dir}/damaged.bsm`;
  await Deno.writeFile(path, damaged);
  const d = await bsm(["json", "--events", EVENT_FILE, path]);
  assert.equal(d.code, 1);
  assert.equal(d.stdout, jsonLines(new Uint8Array([...good, ...good])));
  assert.match(d.stderr, new RegExp(`damaged.bsm: Cannot read BSM at byte ${2 * good.length}:`));
  const resync = await bsm(["json", "--resync", "--events", EVENT_FILE, path]);
  assert.equal(resync.code, 1);
  assert.equal(resync.stdout.trim().split("\n").length, 3);
  const missing = await bsm(["json", `${dir}/none`, path]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^auditkit bsm json: .*\/none: No such file or directory\n/);
  assert.equal(missing.stdout.trim().split("\n").length, 2, "the next file is still read");
});

Deno.test("bsm json and reduce --format json: a reader that closes the pipe early", async () => {
  const v = vectors.records.multi_execve;
  const file = `${dir}/big_json.bsm`;
  const one = fromHex(v.hex);
  const big = new Uint8Array(v.len * 20000);
  for (let i = 0; i < 20000; i++) big.set(one, i * v.len);
  await Deno.writeFile(file, big);
  for (const cmd of ["json", "reduce --format json"]) {
    const r = await new Deno.Command("sh", {
      args: ["-c", `"${Deno.execPath()}" run -A "${CLI_ENTRY}" bsm ${cmd} "${file}" | head -n 1`],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(r.stdout);
    assert.equal(out.split("\n").length, 2, cmd);
    assert.equal(JSON.parse(out).event, 23);
    assert.equal(new TextDecoder().decode(r.stderr), "", cmd);
  }
});

Deno.test("bsm reduce --format json: the selected records in bsm json's schema", async () => {
  const v = vectors.trails.trail_with_file_tokens;
  const file = await trailFile("reduce_json", v.hex);
  const common = ["reduce", "--events", EVENT_FILE, "--classes", CLASS_FILE];
  const json = await bsm([...common, "--format", "json", "-m", "AUE_login", file]);
  assert.equal(json.code, 0);
  const records = [...parseBsmRecords(fromHex(v.hex))];
  const record = records.find((r) => (r.tokens[0] as { event?: number }).event === 6152);
  assert.ok(record);
  const expected = JSON.stringify(
    recordToJson(record, { lookupEvent: eventLookup(events) }),
  );
  assert.equal(json.stdout, expected + "\n");
  const bad = await bsm([...common, "--format", "xml", file]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /invalid format "xml": bsm or json/);
});

/** The records of a trail file, without its file tokens. */
async function recordsOf(path: string) {
  const all = [...parseBsmRecords(await Deno.readFile(path))];
  assert.ok(all.every((r, i) => (r.tokens[0].type === "file") === (i % 2 === 0)), "file tokens");
  return all.filter((r) => r.tokens[0].type !== "file");
}

Deno.test("bsm write, then print and json, then back to bytes: the same record", async () => {
  const trail = `${dir}/written.bsm`;
  const tokens = [
    "subject",
    "exec_args=/bin/ls -l /tmp",
    "path=/bin/ls",
    "arg32=1:0x3:fd",
    "arg64=2:-1:len",
    "return32=2:-1",
    "return64=0:4294967297",
    "exit=0:3",
    "text=a b: c=d, 'e'",
    "zonename=global",
    'exec_env=["A=1 2","B="]',
    "opaque=deadbeef",
    "seq=9",
    "iport=8080",
    "in_addr=192.0.2.1",
    "in_addr_ex=2001:db8::1",
    "process32_ex=1000:0:0:1000:1000:42:7:4660:2001:db8::10",
    'json={"type":"ipc","ipcType":3,"id":77}',
  ];
  const w = await bsm([
    "write",
    "--trail",
    trail,
    "--event",
    "AUE_EXECVE",
    ...tokens.flatMap((t) => ["--token", t]),
  ]);
  assert.deepEqual([w.code, w.stderr, w.stdout], [0, "", ""]);
  const w2 = await bsm(["write", "--trail", trail, "--event", "72", "--token", "text=second"]);
  assert.equal(w2.code, 0, w2.stderr);
  const [first, second] = await recordsOf(trail);
  assert.deepEqual(first.tokens.map((t) => t.type), [
    "header32",
    "subject32",
    "exec_args",
    "path",
    "arg32",
    "arg64",
    "return32",
    "return64",
    "exit",
    "text",
    "zonename",
    "exec_env",
    "opaque",
    "seq",
    "iport",
    "in_addr",
    "in_addr_ex",
    "process32_ex",
    "ipc",
    "trailer",
  ]);
  const status = await Deno.readTextFile("/proc/self/status");
  const subject = first.tokens[1] as { pid: number; ruid: number; auid: number };
  assert.notEqual(subject.pid, Deno.pid, "the writer's own pid, not the test's");
  assert.equal(String(subject.ruid), status.match(/^Uid:\s+(\d+)/m)![1]);
  assert.equal(
    subject.auid,
    Number((await Deno.readTextFile("/proc/self/loginuid")).trim()),
  );
  assert.equal((second.tokens[0] as { event: number }).event, 72);
  const printed = await bsm(["print", "-l", "-n", trail]);
  assert.equal(printed.code, 0);
  const line = printed.stdout.split("\n")[1];
  assert.match(line, /^header,\d+,11,execve\(2\),0,/);
  for (
    const part of [
      ",exec arg,/bin/ls,-l,/tmp,path,/bin/ls,argument,1,0x3,fd,argument,2,0xffffffffffffffff,len,",
      ",return,failure : No such file or directory,4294967295,return,success,4294967297,",
      ",exit,Error 0,3,text,a b: c=d, 'e',zone,global,exec env,A=1 2,B=,opaque,4,0xdeadbeef,",
      ",sequence,9,ip port,0x1f90,ip addr,192.0.2.1,ip addr ex,2001:db8::1,",
      ",process_ex,1000,0,0,1000,1000,42,7,4660,2001:db8::10,IPC,Shared Memory IPC,77,trailer,",
    ]
  ) assert.ok(line.includes(part), `${part} in ${line}`);
  const json = await bsm(["json", trail]);
  const back = json.stdout.trim().split("\n").map((l) => recordFromJson(JSON.parse(l)));
  assert.deepEqual(
    back.map(toHex),
    [...parseBsmRecords(await Deno.readFile(trail))].map((r) => toHex(r.bytes)),
  );
});

Deno.test("bsm write: bad input is a clear error and writes nothing", async () => {
  const trail = `${dir}/never.bsm`;
  const cases: [string[], number, RegExp][] = [
    [["--event", "0", "--token", "text=x"], 2, /Give --trail FILE or --kernel/],
    [["--trail", trail, "--kernel", "--event", "0"], 2, /Give --trail FILE or --kernel/],
    [["--trail", trail, "--event", "AUE_NOPE"], 2, /Invalid event "AUE_NOPE"/],
    [["--trail", trail, "--event", "65536"], 2, /Invalid event "65536"/],
    [["--trail", trail, "--event", "0", "--token", "arg32=1:fd"], 2, /N:VALUE:NAME/],
    [["--trail", trail, "--event", "0", "--token", "bogus=1"], 2, /unknown token type "bogus"/],
    [["--trail", trail, "--event", "0", "--token", "text"], 2, /text needs a value/],
    [["--trail", trail, "--event", "0", "--token", "return32=256:0"], 2, /from 0 to 255/],
    [["--trail", trail, "--event", "0", "--token", "iport=65536"], 2, /from 0 to 65535/],
    [["--trail", trail, "--event", "0", "--token", "in_addr=1.2.3.256"], 2, /Invalid address/],
    [["--trail", trail, "--event", "0", "--token", "subject=1:2:3"], 2, /AUID:EUID:EGID/],
    [["--trail", trail, "--event", "0", "--token", "opaque=abc"], 2, /hex bytes/],
    [["--trail", trail, "--event", "0", "--token", 'json={"type":"x"'], 2, /Invalid JSON/],
    [
      [
        "--trail",
        trail,
        "--event",
        "0",
        "--token",
        `text=${"x".repeat(20000)}`,
        "--token",
        `text=${"y".repeat(20000)}`,
      ],
      1,
      /does not fit record/,
    ],
    [["--trail", trail, "--token", "text=x"], 2, /required option .--event/i],
  ];
  for (const [args, code, re] of cases) {
    const r = await bsm(["write", ...args]);
    assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, "");
    await assert.rejects(Deno.stat(trail), Deno.errors.NotFound, args.join(" "));
  }
  const text = `${dir}/not_a_trail.txt`;
  await Deno.writeTextFile(text, "hello\n");
  const r = await bsm(["write", "--trail", text, "--event", "0", "--token", "text=x"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /is not a BSM trail/);
  assert.equal(await Deno.readTextFile(text), "hello\n");
});

Deno.test("bsm json and write: --help with examples", async () => {
  for (const cmd of ["json", "write"]) {
    const h = await runCli(["bsm", cmd, "--help"]);
    assert.equal(h.code, 0);
    assert.match(h.stdout, new RegExp(`Examples:\\n  auditkit bsm ${cmd} `));
  }
});
