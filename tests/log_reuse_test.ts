/**
 * Reused read buffers (`reuseBuffers`): what a consumer reads from each
 * batch before asking for the next is what it reads without reuse, however
 * events interleave across reads; and the reads do reuse their memory.
 */

import { deepStrictEqual, ok } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  type AuditEvent,
  type AuditRecord,
  eventBatches,
  eventStream,
  eventToJson,
  readEvents,
  readRecords,
  recordBatches,
} from "../mod.ts";
import { runCli } from "./_helpers.ts";

/** Runs `fn` with the path of a file in a new temporary directory, removed after. */
async function withLogFile(fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(`${dir}/audit.log`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Everything a reader of a record sees, as one string. */
function describe(r: AuditRecord): string {
  const fields: string[] = [];
  for (let i = 0; i < r.fieldCount; i++) fields.push(`${r.fieldName(i)}=${r.fieldValue(i)}`);
  return JSON.stringify([r.node, r.type, r.sec, r.msec, r.serial, r.raw, fields, [
    ...r.enrichment,
  ]]);
}

function describeEvent(ev: AuditEvent): string {
  return `${ev.id} ${ev.node} ` + ev.records.map(describe).join("|");
}

// records of a few events at a time: their records interleave, some events end with EOE,
// others wait for the timeout (log time moves a second at a time) or the end of input,
// so that events hold records of older reads while newer reads go on
const recordLine = fc.record({
  serial: fc.integer({ min: 1, max: 6 }),
  // the clock moves now and then: events stay open across several reads, then time out
  sec: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2),
  type: fc.constantFrom("SYSCALL", "PATH", "CWD", "EOE", "PROCTITLE", "AVC", "USER_LOGIN"),
  node: fc.constantFrom("", "node=a ", "node=b "),
  body: fc.constantFrom(
    "arch=c000003e syscall=2 success=yes exit=3 a0=7ffd a1=0 key=6B31016B32",
    'item=0 name="/etc/passwd" inode=42 mode=0100644 ouid=0',
    'cwd="/root"',
    "",
    "proctitle=2F62696E2F6C73002D6C",
    'avc:  denied  { read write } for pid=1 comm="x"',
    'pid=1 uid=0 msg=\'op=login acct="root" res=success\'\x1dUID="root"',
  ),
});
const logLine = fc.oneof(
  { weight: 40, arbitrary: recordLine },
  // a line longer than some reads: it is read into a buffer of its own
  {
    weight: 1,
    arbitrary: recordLine.map((r) => ({ ...r, body: r.body + " x=" + "y".repeat(700) })),
  },
  { weight: 1, arbitrary: fc.constantFrom("garbage line", "", "type=CWD msg=audit(", "\r") },
);

/** The log text of `lines`, the clock moving on by each record's `sec`. */
function logText(
  lines: (string | { serial: number; sec: number; type: string; node: string; body: string })[],
): string {
  let clock = 1_700_000_000;
  return lines.map((r) => {
    if (typeof r === "string") return r + "\n";
    clock += r.sec;
    return `${r.node}type=${r.type} msg=audit(${clock}.000:${r.serial}): ${r.body}\n`;
  }).join("");
}

Deno.test("reused buffers: each batch reads as without reuse, at any read size and either rules", async () => {
  await withLogFile(async (path) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(logLine, { maxLength: 150 }),
        // reads of a few lines each: lines cut between reads are read into buffers of their own
        fc.integer({ min: 100, max: 2000 }),
        fc.constantFrom("libauparse", "ausearch") as fc.Arbitrary<"libauparse" | "ausearch">,
        fc.boolean(),
        // the log split into up to three files read in a row (a rotated set): events and
        // their held reads go on from one file into the next
        fc.array(fc.nat(), { maxLength: 2 }),
        async (lines, chunk, rules, filter, cuts) => {
          const text = logText(lines);
          const at = [0, ...cuts.map((c) => text.indexOf("\n", c % (text.length + 1)) + 1)]
            .sort((a, b) => a - b);
          const input: string[] = [];
          for (let i = 0; i < at.length; i++) {
            const file = `${path}.${i}`;
            await Deno.writeTextFile(
              file,
              text.slice(at[i], i + 1 < at.length ? at[i + 1] : undefined),
            );
            input.push(file);
          }
          const options = {
            chunkBytes: chunk,
            rules,
            // a filter leaves records out before grouping (they are read, then dropped)
            onRecord: filter ? (r: AuditRecord) => r.serial !== 3 : undefined,
          };
          const want: string[] = [];
          for await (const batch of eventBatches(input, options)) {
            for (const ev of batch) want.push(describeEvent(ev));
          }
          const got: string[] = [];
          for await (const batch of eventBatches(input, { ...options, reuseBuffers: true })) {
            for (const ev of batch) got.push(describeEvent(ev));
          }
          deepStrictEqual(got, want);
          // one event at a time, and records on their own
          const one: string[] = [];
          for await (const ev of readEvents(input, { ...options, reuseBuffers: true })) {
            one.push(describeEvent(ev));
          }
          deepStrictEqual(one, want);
          const wantRecords: string[] = [];
          for await (const r of readRecords(input, { chunkBytes: chunk })) {
            wantRecords.push(describe(r));
          }
          const gotRecords: string[] = [];
          for await (
            const batch of recordBatches(input, { chunkBytes: chunk, reuseBuffers: true })
          ) {
            for (const r of batch) gotRecords.push(describe(r));
          }
          deepStrictEqual(gotRecords, wantRecords);
        },
      ),
      { numRuns: 400 },
    );
  });
});

Deno.test("reused buffers: an event open across reads keeps the bytes of records that joined it", async () => {
  await withLogFile(async (path) => {
    // lines of 64 bytes read two at a time: the second read starts no event (its records
    // join events begun before), and the open event 1 holds the others back until its EOE
    const line = (type: string, serial: number) => {
      const head = `type=${type} msg=audit(1700000000.000:${serial}): x=`;
      return head + "y".repeat(63 - head.length) + "\n";
    };
    const text = [
      line("SYSCALL", 1),
      line("SYSCALL", 2),
      line("PATH", 1),
      line("EOE", 2),
      line("SYSCALL", 3),
      line("EOE", 3),
      line("SYSCALL", 4),
      line("EOE", 4),
      line("CWD", 1),
      line("EOE", 1),
    ].join("");
    await Deno.writeTextFile(path, text);
    const got: string[] = [];
    for await (const batch of eventBatches(path, { chunkBytes: 128, reuseBuffers: true })) {
      for (const ev of batch) {
        got.push(`${ev.serial}: ${ev.records.map((r) => r.raw.slice(0, 8)).join(",")}`);
      }
    }
    deepStrictEqual(got, [
      "1: type=SYS,type=PAT,type=CWD,type=EOE",
      "2: type=SYS,type=EOE",
      "3: type=SYS,type=EOE",
      "4: type=SYS,type=EOE",
    ]);
  });
});

Deno.test("reused buffers: a long read takes the same few buffers over and over", async () => {
  await withLogFile(async (path) => {
    let text = "";
    for (let i = 1; i <= 20_000; i++) {
      text += `type=SYSCALL msg=audit(1700000000.${String(i % 1000).padStart(3, "0")}:${i}): ` +
        `arch=c000003e syscall=2 success=yes exit=3\n` +
        `type=EOE msg=audit(1700000000.${String(i % 1000).padStart(3, "0")}:${i}): \n`;
    }
    await Deno.writeTextFile(path, text);
    const seen = new Set<ArrayBufferLike>();
    let events = 0;
    for await (const batch of eventBatches(path, { chunkBytes: 4096, reuseBuffers: true })) {
      for (const ev of batch) {
        events++;
        seen.add(ev.records[0].buffer.buffer);
      }
    }
    ok(events === 20_000, `${events} events`);
    // about 640 reads of 4 KiB: a handful of buffers (and the lines cut between reads)
    const chunks = [...seen].filter((b) => b.byteLength === 4096).length;
    ok(chunks >= 1 && chunks <= 4, `${chunks} read buffers`);
    // without reuse, every read is a buffer of its own
    const fresh = new Set<ArrayBufferLike>();
    for await (const batch of eventBatches(path, { chunkBytes: 4096 })) {
      for (const ev of batch) fresh.add(ev.records[0].buffer.buffer);
    }
    ok([...fresh].filter((b) => b.byteLength === 4096).length > 400);
  });
});

Deno.test("reused buffers: events kept from a stream stay intact (the stream ignores reuse)", async () => {
  await withLogFile(async (path) => {
    let text = "";
    for (let i = 1; i <= 3000; i++) {
      text += `type=CWD msg=audit(1700000000.000:${i}): cwd="/d${i}"\n`;
    }
    await Deno.writeTextFile(path, text);
    const kept: AuditEvent[] = [];
    for await (const ev of eventStream(path, { chunkBytes: 1024, reuseBuffers: true })) {
      kept.push(ev);
    }
    deepStrictEqual(
      kept.map((ev) => ev.records[0].fieldValue(0)),
      Array.from({ length: 3000 }, (_, i) => `"/d${i + 1}"`),
    );
  });
});

Deno.test("search reads with reused buffers: its JSON of a log of many reads is the events' own", async () => {
  await withLogFile(async (path) => {
    // about 600 KB: ten reads, events of up to eight serials open at once across them
    let seed = 7;
    const next = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
    const bodies = [
      'cwd="/root"',
      'item=0 name="/etc/shadow" inode=1 dev=08:01 mode=0100640 ouid=0 ogid=42 nametype=NORMAL',
      "proctitle=2F7573722F62696E2F636174002F6574632F736861646F77",
      'pid=9 uid=0 auid=1000 ses=3 msg=\'op=login acct="root" exe="/bin/login" res=success\'',
    ];
    const types = ["CWD", "PATH", "PROCTITLE", "USER_LOGIN"];
    let text = "";
    let sec = 1_700_000_000;
    for (let i = 0; i < 5000; i++) {
      if (next(50) === 0) sec++;
      const serial = 1 + next(8);
      const t = next(5);
      text += t === 4
        ? `type=EOE msg=audit(${sec}.000:${serial}): \n`
        : `type=${types[t]} msg=audit(${sec}.000:${serial}): ${bodies[t]} n=${i}\n`;
    }
    await Deno.writeTextFile(path, text);
    const want: string[] = [];
    for await (const ev of readEvents(path)) want.push(JSON.stringify(eventToJson(ev)));
    const r = await runCli(["search", "-if", path, "--format", "json"]);
    ok(r.code === 0, r.stderr);
    deepStrictEqual(r.stdout.split("\n").slice(0, -1), want);
  });
});
