/**
 * The log reader: byte sources, lines, record headers and libauparse's
 * field tokenization; any input bytes are read without a crash or hang.
 */

import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  AuditRecord,
  type BadLine,
  BadLineError,
  readEvents,
  readRecords,
  recordBatches,
  rotatedLogSet,
} from "../mod.ts";
import { oracleTest, run, runCli, tempDir } from "./_helpers.ts";

const enc = new TextEncoder();
const rec = (line: string) => new AuditRecord(enc.encode(line));

async function records(text: string | Uint8Array, bad?: BadLine[]): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  const input = typeof text === "string" ? enc.encode(text) : text;
  for await (const r of readRecords(input, { onBadLine: (b) => bad?.push(b) })) out.push(r);
  return out;
}

Deno.test("a record header gives node, type, time stamp and serial", () => {
  const r = rec("node=web1 type=SYSCALL msg=audit(1700000010.500:4713): arch=c000003e");
  strictEqual(r.node, "web1");
  strictEqual(r.type, 1300);
  strictEqual(r.typeName, "SYSCALL");
  strictEqual(r.sec, 1700000010);
  strictEqual(r.msec, 500);
  strictEqual(r.serial, 4713);
  strictEqual(r.time, 1700000010500);
  deepStrictEqual(r.fields(), [["arch", "c000003e"]]);
});

Deno.test("UNKNOWN[n] types are read by number", () => {
  const r = rec("type=UNKNOWN[1999] msg=audit(1.000:1): x=1");
  strictEqual(r.type, 1999);
  strictEqual(r.typeName, "UNKNOWN[1999]");
});

Deno.test("lines that are not records are rejected with a reason", () => {
  for (
    const line of [
      "hello",
      "type=SYSCALL",
      // the C tools want a msg word of 19 or more characters
      "type=SYSCALL msg=audit(1.0:1)",
      "type=SYSCALL msg=audit_1700000000.000:1: a=1",
    ]
  ) throws(() => rec(line), BadLineError, line);
  // a time stamp the C tools refuse, with its text (ausearch reports it on stderr)
  for (
    const [line, stamp] of [
      ["type=SYSCALL msg=audit(1.1000:1): a=1", "1.1000:1"],
      [
        "type=SYSCALL msg=audit(99999999999999999999999.000:1): a=1",
        "99999999999999999999999.000:1",
      ],
    ]
  ) {
    throws(() => rec(line), (e) => e instanceof BadLineError && e.timeStamp === stamp, line);
  }
});

Deno.test("time stamps read as the C tools read them (str2event)", () => {
  const cases: [string, number, number, number][] = [
    ["msg=audit(1700000000.123:4711):", 1700000000, 123, 4711],
    ["msg=audit(x.000:1):", 0, 0, 1],
    ["msg=audit(1700000000.5:2):", 1700000000, 5, 2],
    ["msg=audit(1700000000):", 1700000000, 0, 0],
    ["msg=audit(1700000000.000:)", 1700000000, 0, 0],
    ["msg=audit(-5.000:7):", -5, 0, 7],
    ["msg=audit(1.000:99999999999):", 1, 0, 99999999999],
    ["msg=xxxxx(1700000000.000:3):", 1700000000, 0, 3],
  ];
  for (const [header, sec, msec, serial] of cases) {
    const r = rec(`type=CWD ${header} cwd="/"`);
    deepStrictEqual([r.sec, r.msec, r.serial], [sec, msec, serial], header);
    deepStrictEqual(r.fields(), [["cwd", '"/"']], header);
  }
});

Deno.test("record types are read as libaudit reads them; an unknown name is type -1 and kept", () => {
  const cases: [string, number, string, string][] = [
    ["SYSCALL", 1300, "SYSCALL", "SYSCALL"],
    ["syscall", 1300, "SYSCALL", "syscall"],
    ["UNKNOWN[1999]", 1999, "UNKNOWN[1999]", "UNKNOWN[1999]"],
    ["UNKNOWN[12x]", 12, "UNKNOWN[12x]", "UNKNOWN[12x]"],
    ["1998", 1998, "1998", "1998"],
    ["NOSUCHTYPE", -1, "NOSUCHTYPE", "NOSUCHTYPE"],
  ];
  for (const [written, type, name, asWritten] of cases) {
    const r = rec(`type=${written} msg=audit(1.000:1): a=1`);
    strictEqual(r.type, type, written);
    strictEqual(r.typeName, name, written);
    strictEqual(r.writtenTypeName, asWritten, written);
    deepStrictEqual(r.fields(), [["a", "1"]]);
  }
});

Deno.test("msg=' of user records is stripped so the user part becomes fields", () => {
  const r = rec(
    "type=USER_LOGIN msg=audit(1.000:2): pid=900 uid=0 msg='op=login id=54321 res=failed'",
  );
  deepStrictEqual(r.fields(), [
    ["pid", "900"],
    ["uid", "0"],
    ["op", "login"],
    ["id", "54321"],
    ["res", "failed"],
  ]);
});

Deno.test("hex keys are split on 0x01 into several key fields; (null) and quoted keys stay", () => {
  const r = rec("type=SYSCALL msg=audit(1.000:2): a=1 key=6E6574016F7574");
  // as libauparse lists them: each key quoted, or in hex when it has a quote, space or control
  deepStrictEqual(r.fields(), [["a", "1"], ["key", '"net"'], ["key", '"out"']]);
  ok(r.fieldIsSynthetic(1));
  // empty pieces are skipped, the hex ends at a NUL or the first other character
  deepStrictEqual(rec("type=SYSCALL msg=audit(1.000:2): key=016E650101612062000063zz").fields(), [
    ["key", '"ne"'],
    ["key", "612062"],
  ]);
  // fewer than two hex digits: one key without a value
  deepStrictEqual(rec("type=SYSCALL msg=audit(1.000:2): key=z1").fields(), [["key", "(null)"]]);
  deepStrictEqual(rec("type=SYSCALL msg=audit(1.000:2): key=(null)").fields(), [
    ["key", "(null)"],
  ]);
  deepStrictEqual(rec('type=SYSCALL msg=audit(1.000:2): key="shadow"').fields(), [
    ["key", '"shadow"'],
  ]);
});

Deno.test("tokens without = are dropped, AVC words become seresult and seperms", () => {
  const r = rec(
    'type=AVC msg=audit(1.000:3): avc:  denied  { read write } for  pid=5 comm="x" tclass=file',
  );
  deepStrictEqual(r.fields(), [
    ["seresult", "denied"],
    ["seperms", "read,write"],
    ["pid", "5"],
    ["comm", '"x"'],
    ["tclass", "file"],
  ]);
  deepStrictEqual(rec('type=CWD msg=audit(1.000:3): junk cwd="/" more').fields(), [
    ["cwd", '"/"'],
  ]);
});

Deno.test("a trailing : , ' or ) is stripped from values except (none) and (null)", () => {
  const r = rec("type=LOGIN msg=audit(1.000:4): a=1, b=2: (c=3) tty=(none) k=(null)");
  deepStrictEqual(r.fields(), [
    ["a", "1"],
    ["b", "2"],
    ["c", "3"],
    ["tty", "(none)"],
    ["k", "(null)"],
  ]);
});

Deno.test("the ENRICHED list is split off at 0x1D and read by upper-case name", () => {
  const r = rec('type=SYSCALL msg=audit(1.000:5): auid=1000 uid=0\x1dAUID="alice" UID="root"');
  ok(r.enriched);
  deepStrictEqual(r.fields(), [["auid", "1000"], ["uid", "0"]]);
  strictEqual(r.enrichment.get("AUID"), '"alice"');
  strictEqual(r.text, "type=SYSCALL msg=audit(1.000:5): auid=1000 uid=0");
  const s = rec(
    "type=SOCKADDR msg=audit(1.000:5): saddr=0100\x1dSADDR={ saddr_fam=local path=/x }",
  );
  strictEqual(s.enrichment.get("SADDR"), "{ saddr_fam=local path=/x }");
});

Deno.test("lines across read chunks and a missing final newline are read whole; a CR stays", async () => {
  const long = "x".repeat(100_000);
  const text = `type=CWD msg=audit(1.000:1): cwd="/${long}"\r\n` +
    `type=PROCTITLE msg=audit(1.000:1): proctitle=6C73`;
  const out: AuditRecord[] = [];
  for await (const r of readRecords(enc.encode(text), { chunkBytes: 4096 })) out.push(r);
  strictEqual(out.length, 2);
  // as for ausearch and libauparse, a CR before the newline is part of the line
  strictEqual(out[0].get("cwd"), `"/${long}"\r`);
  strictEqual(out[1].get("proctitle"), "6C73");
});

Deno.test("bad lines are reported with file and line number, reading goes on", async () => {
  const bad: BadLine[] = [];
  const out = await records(
    'type=CWD msg=audit(1.000:1): cwd="/"\ngarbage here\n\ntype=EOE msg=audit(1.000:1): \n',
    bad,
  );
  strictEqual(out.length, 2);
  strictEqual(bad.length, 1);
  strictEqual(bad[0].line, 2);
  strictEqual(bad[0].text, "garbage here");
});

Deno.test("a line longer than maxLineBytes is reported and skipped", async () => {
  const bad: BadLine[] = [];
  const text = `type=CWD msg=audit(1.000:1): cwd="${"y".repeat(50_000)}"\n` +
    `type=CWD msg=audit(2.000:2): cwd="/"\n`;
  const out: AuditRecord[] = [];
  for await (
    const r of readRecords(enc.encode(text), {
      maxLineBytes: 10_000,
      chunkBytes: 4096,
      onBadLine: (b) => bad.push(b),
    })
  ) out.push(r);
  strictEqual(out.length, 1);
  strictEqual(out[0].serial, 2);
  strictEqual(bad.length, 1);
});

Deno.test("a rotated set is read oldest first: audit.log.2, audit.log.1, audit.log", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, serial] of [["audit.log", 3], ["audit.log.1", 2], ["audit.log.2", 1]]) {
      await Deno.writeTextFile(
        `${dir}/${name}`,
        `type=DAEMON_START msg=audit(${serial}.000:${serial}): op=start\n`,
      );
    }
    // not part of the set: not a number, a leading zero, a number after a gap
    for (const name of ["audit.log.old", "audit.log.01", "audit.log.4"]) {
      await Deno.writeTextFile(`${dir}/${name}`, "type=DAEMON_START msg=audit(9.000:9): op=x\n");
    }
    deepStrictEqual(rotatedLogSet(dir), [
      `${dir}/audit.log.2`,
      `${dir}/audit.log.1`,
      `${dir}/audit.log`,
    ]);
    const serials: number[] = [];
    for await (const ev of readEvents(rotatedLogSet(`${dir}/audit.log`))) serials.push(ev.serial);
    deepStrictEqual(serials, [1, 2, 3]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

oracleTest(
  "the files of a rotated set are the ones ausearch and aureport read",
  ["ausearch", "aureport"],
  async () => {
    const dir = await Deno.makeTempDir();
    const line = (n: number) =>
      `type=USER_LOGIN msg=audit(170000000${n}.000:${n}): pid=1 uid=0 auid=0 ses=1 ` +
      `msg='op=login acct="root" exe="/bin/login" hostname=? addr=? terminal=tty${n} res=success'\n`;
    const layouts: Record<string, number>[] = [
      { "audit.log": 1, "audit.log.1": 2, "audit.log.2": 3, "audit.log.4": 4, "audit.log.01": 5 },
      { "audit.log.1": 2, "audit.log.2": 3 },
      { "audit.log": 1, "audit.log.2": 3 },
    ];
    try {
      for (const layout of layouts) {
        for await (const e of Deno.readDir(dir)) await Deno.remove(`${dir}/${e.name}`);
        for (const [name, n] of Object.entries(layout)) {
          await Deno.writeTextFile(`${dir}/${name}`, line(n));
        }
        // with audit.log missing aureport prints only the report's heading, and fails
        const reports = [["-l"], [], ["-x", "--summary"], ["--failed"], ["-t"], [
          "-k",
          "--success",
        ]];
        const cases: [string, string[], string[]][] = [
          ["ausearch", ["-if", dir, "--raw"], ["search", "-if", dir, "--raw"]],
          ...reports.map((r): [string, string[], string[]] => [
            "aureport",
            ["-if", dir, ...r],
            ["report", "-if", dir, ...r],
          ]),
        ];
        for (const [tool, theirs, ours] of cases) {
          const env = { TZ: "UTC" };
          const want = await run(tool, theirs, { env });
          const got = await runCli(ours, { env });
          const what = `${theirs.join(" ")} on ${Object.keys(layout).join(" ")}`;
          strictEqual(got.stdout, want.stdout, what);
          strictEqual(got.code, want.code, what);
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("reading stops with the abort reason when the signal is aborted", async () => {
  const ac = new AbortController();
  ac.abort(new Error("stop"));
  let caught: unknown;
  // the read throws: the directory is removed all the same
  await using dir = await tempDir();
  try {
    await Deno.writeTextFile(dir.join("a.log"), 'type=CWD msg=audit(1.000:1): cwd="/"\n');
    for await (const _ of readEvents(dir.join("a.log"), { signal: ac.signal })) { /* none */ }
  } catch (e) {
    caught = e;
  }
  strictEqual((caught as Error).message, "stop");
});

Deno.test("any bytes in, at any chunk size: no exception and no hang", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.constantFrom(
            "type=SYSCALL msg=audit(1.000:1): key=6E6574016F7574 a0=1\n",
            "node=n type=AVC msg=audit(2.001:2): avc: denied { x } for pid=1\n",
            "type=USER msg=audit(3.000:3): msg='a=b c=d'\x1dUID=\"x\"\n",
            "type=EOE msg=audit(3.000:3): \n",
            "\n",
            "type=PROCTITLE msg=audit(3.000:3): proctitle=00\n",
          ).map((s) => enc.encode(s)),
        ),
        { maxLength: 30 },
      ),
      fc.integer({ min: 1, max: 64 }),
      async (parts, chunk) => {
        const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let off = 0;
        for (const p of parts) {
          bytes.set(p, off);
          off += p.length;
        }
        let fields = 0;
        for await (
          const ev of readEvents(bytes, { chunkBytes: chunk, maxLineBytes: 4096 })
        ) {
          for (const r of ev.records) {
            for (let i = 0; i < r.fieldCount; i++) fields += r.fieldName(i).length >= 0 ? 1 : 0;
            void r.enrichment;
          }
        }
        ok(fields >= 0);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("reading a log in one pass gives what parsing each line alone gives", async () => {
  // the reader parses header and fields in one pass up to each newline; a
  // line parsed on its own (a CR before the newline kept) is the reference
  const piece = fc.constantFrom(
    "type=SYSCALL msg=audit(1.000:1): ",
    "node=h1 type=PATH msg=audit(2.500:7): ",
    "type=AVC msg=audit(3.000:3): avc: denied { read write } for ",
    "type=USER_AVC msg=audit(3.000:4): pid=1 msg='avc: denied { x } for ",
    'type=USER_LOGIN msg=audit(4.000:9): msg=\'op=login acct="root" ',
    "type=EOE msg=audit(5.000:5):",
    "type=NOPE msg=audit(1.000:1): ",
    "type=CWD msg=audit(1.000): ",
    "node= type=CWD",
    "type=CWD ",
    "a=b ",
    "key=6E6574016F7574 ",
    "key=(null) ",
    "name=(none) ",
    'x="a b" ',
    "k=v, ",
    "res=1' ",
    "(a=b) ",
    "=x ",
    // names like those before at the same places (the tokenizer guesses a name from the last
    // record of the type): longer, shorter, after "(", special, without a value
    "ab=1 ",
    "a= ",
    "a=b=c ",
    "(ab=2 ",
    "msg=a ",
    "msg='a=b ",
    'key="k" ',
    "key=61 ",
    "  ",
    "\r",
    "\x1d",
    '\x1dUID="root" AUID="x"',
    "\x1dSADDR={ fam=inet }",
    "word ",
  );
  const line = fc.array(piece, { maxLength: 6 }).map((p) => p.join(""));
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(line, fc.constantFrom("\n", "\r\n")), { maxLength: 12 }),
      fc.integer({ min: 1, max: 300 }),
      async (lines, chunk) => {
        const text = lines.map(([l, end]) => l + end).join("");
        const want: string[] = [];
        const wantBad: string[] = [];
        text.split("\n").slice(0, -1).forEach((l, n) => {
          if (l === "") return;
          try {
            want.push(describe(rec(l)));
          } catch (e) {
            ok(e instanceof BadLineError);
            wantBad.push(`${n + 1} ${e.message}`);
          }
        });
        const got: string[] = [];
        const gotBad: string[] = [];
        for await (
          const r of readRecords(enc.encode(text), {
            chunkBytes: chunk,
            onBadLine: (b) => gotBad.push(`${b.line} ${b.reason}`),
          })
        ) got.push(describe(r));
        deepStrictEqual(got, want);
        deepStrictEqual(gotBad, wantBad);
      },
    ),
    { numRuns: 3000 },
  );
});

/** Everything a reader of a record sees, as one string. */
function describe(r: AuditRecord): string {
  return JSON.stringify([
    r.node,
    r.type,
    r.sec,
    r.msec,
    r.serial,
    r.text,
    r.raw,
    r.enriched,
    r.fields(),
    [...r.enrichment],
  ]);
}

Deno.test("a timer's abort stops a long file read (the reader gives the event loop turns)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const line = 'type=CWD msg=audit(1.000:1): cwd="/"\n';
    await Deno.writeTextFile(`${dir}/big.log`, line.repeat(400_000));
    // aborted by a timer, which only runs when the reader yields to the event loop
    const signal = AbortSignal.timeout(5);
    let records = 0;
    let caught: unknown;
    try {
      for await (const ev of readEvents(`${dir}/big.log`, { signal })) records += ev.records.length;
    } catch (e) {
      caught = e;
    }
    strictEqual((caught as Error)?.name, "TimeoutError", `read ${records} records unaborted`);
    ok(records < 400_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a consumer that stops while the reader turns the event loop leaves no read running", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const line = 'type=CWD msg=audit(1.000:1): cwd="/"\n';
    await Deno.writeTextFile(`${dir}/big.log`, line.repeat(10_000));
    // a slow consumer: every chunk is read after a turn, with the next read started in the
    // background; stopping then must wait for that read (the test's op sanitizer checks)
    let chunks = 0;
    for await (const batch of recordBatches(`${dir}/big.log`, { chunkBytes: 4096 })) {
      strictEqual(batch[0].typeName, "CWD");
      const until = performance.now() + 12;
      while (performance.now() < until) { /* busy, as a slow consumer */ }
      if (++chunks === 4) break;
    }
    strictEqual(chunks, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a named pipe is read without blocking the event loop, and a reader can stop while its writer waits", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fifo = `${dir}/pipe`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    ok(made.success, "mkfifo failed");
    // 5 events, a pause of 300 ms, 12 more, then the writer keeps the pipe open for 10 s
    const events = (from: number, to: number) =>
      `for i in $(seq ${from} ${to}); do printf 'type=CWD msg=audit(%d.000:%d): cwd="/"\\n' $i $i; done`;
    const writer = new Deno.Command("sh", {
      args: ["-c", `(${events(1, 5)}; sleep 0.3; ${events(6, 17)}; sleep 10) > ${fifo}`],
    }).spawn();
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const t0 = performance.now();
      const serials: number[] = [];
      try {
        for await (const ev of readEvents(fifo)) {
          serials.push(ev.serial);
          if (serials.length === 10) break;
        }
      } finally {
        clearInterval(timer);
      }
      const took = performance.now() - t0;
      deepStrictEqual(serials, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      // the timer ran while the reader waited for the writer's second burst
      ok(ticks >= 20, `${ticks} timer ticks in ${took.toFixed(0)} ms`);
      // and stopping did not wait for the writer to close the pipe
      ok(took < 5000, `stopping took ${took.toFixed(0)} ms`);
    } finally {
      writer.kill();
      await writer.status;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("scanLines refuses text that does not end with a newline (its scans rely on one)", async () => {
  const { FieldPool, scanLines } = await import("../lib/event/record.ts");
  const text = new TextEncoder().encode('type=CWD msg=audit(1.000:1): cwd="/"');
  const out: AuditRecord[] = [];
  throws(() => scanLines(text, 0, text.length, new FieldPool(), out, () => {}), RangeError);
  strictEqual(out.length, 0);
  const whole = new TextEncoder().encode('type=CWD msg=audit(1.000:1): cwd="/"\n');
  strictEqual(scanLines(whole, 0, whole.length, new FieldPool(), out, () => {}), 1);
  strictEqual(out[0].fieldValue(0), '"/"');
});
