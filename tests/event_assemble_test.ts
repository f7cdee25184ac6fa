/**
 * Event assembly follows libauparse 3.0.9: same time stamp, serial and
 * node; completion by record type, by log time and at end of input.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  type AssembleOptions,
  AuditRecord,
  EventAssembler,
  eventStream,
  readEvents,
} from "../mod.ts";

const enc = new TextEncoder();
const rec = (line: string) => new AuditRecord(enc.encode(line));

async function events(
  text: string,
  eoeTimeout?: number,
  rules?: "libauparse" | "ausearch",
): Promise<string[]> {
  const out: string[] = [];
  for await (const ev of readEvents(enc.encode(text), { eoeTimeout, rules })) {
    out.push(`${ev.id}${ev.node ? "@" + ev.node : ""} ${ev.records.map((r) => r.typeName)}`);
  }
  return out;
}

Deno.test("records with one time stamp and serial form one event; PROCTITLE completes it", () => {
  const asm = new EventAssembler();
  asm.push(rec("type=SYSCALL msg=audit(10.000:1): a=1"));
  asm.push(rec('type=CWD msg=audit(10.000:1): cwd="/"'));
  deepStrictEqual(asm.drain(), []);
  strictEqual(asm.pending, 1);
  asm.push(rec("type=PROCTITLE msg=audit(10.000:1): proctitle=6C73"));
  // complete now, handed out (as libauparse does) once the next event starts
  strictEqual(asm.pending, 1);
  deepStrictEqual(asm.drain(), []);
  asm.push(rec("type=SYSCALL msg=audit(11.000:2): a=1"));
  const ready = asm.drain();
  strictEqual(ready.length, 1);
  deepStrictEqual(ready[0].records.map((r) => r.typeName), ["SYSCALL", "CWD", "PROCTITLE"]);
});

Deno.test("LOGIN ends its event in 3.0.9: LOGIN + SYSCALL + PROCTITLE of one serial are two events", async () => {
  deepStrictEqual(
    await events(
      "type=LOGIN msg=audit(10.000:7): auid=0\n" +
        "type=SYSCALL msg=audit(10.000:7): a=1\n" +
        "type=PROCTITLE msg=audit(10.000:7): proctitle=6C73\n",
    ),
    ["10.000:7 LOGIN", "10.000:7 SYSCALL,PROCTITLE"],
  );
});

Deno.test("a different node, milli or serial makes a different event; interleaving works", async () => {
  deepStrictEqual(
    await events(
      "type=SYSCALL msg=audit(10.000:1): a=1\n" +
        "node=a type=SYSCALL msg=audit(10.000:1): a=2\n" +
        "type=SYSCALL msg=audit(10.001:1): a=3\n" +
        'type=CWD msg=audit(10.000:1): cwd="/"\n' +
        "node=a type=PROCTITLE msg=audit(10.000:1): proctitle=6C73\n" +
        "type=PROCTITLE msg=audit(10.000:1): proctitle=6C73\n",
    ),
    // equal time stamps and serials go out in the order of their slots in libauparse's array
    ["10.000:1 SYSCALL,CWD,PROCTITLE", "10.000:1@a SYSCALL,PROCTITLE", "10.001:1 SYSCALL"],
  );
});

Deno.test("EOE ends an event; a stray EOE is dropped", async () => {
  deepStrictEqual(
    await events(
      "type=SYSCALL msg=audit(10.000:1): a=1\ntype=EOE msg=audit(10.000:1): \n" +
        "type=EOE msg=audit(11.000:9): \n",
    ),
    ["10.000:1 SYSCALL,EOE"],
  );
});

Deno.test("an open event completes when a record eoe_timeout seconds newer is read", () => {
  const asm = new EventAssembler({ eoeTimeout: 2 });
  asm.push(rec("type=SYSCALL msg=audit(10.000:1): a=1"));
  asm.push(rec("type=SYSCALL msg=audit(11.000:2): a=1"));
  deepStrictEqual(asm.drain(), []);
  asm.push(rec("type=SYSCALL msg=audit(12.000:3): a=1"));
  deepStrictEqual(asm.drain().map((e) => e.serial), [1]);
  asm.flush();
  deepStrictEqual(asm.drain().map((e) => e.serial), [2, 3]);
});

Deno.test("records of one event more than the timeout apart are split (as libauparse does)", async () => {
  deepStrictEqual(
    await events(
      "type=SYSCALL msg=audit(10.000:1): a=1\n" +
        "type=SYSCALL msg=audit(13.000:2): a=1\n" +
        'type=CWD msg=audit(10.000:1): cwd="/"\n',
      2,
    ),
    ["10.000:1 SYSCALL", "10.000:1 CWD", "13.000:2 SYSCALL"],
  );
});

Deno.test("single-record types (< 1300, >= 2100, 1406..1419) complete at once", () => {
  const asm = new EventAssembler();
  const types = ["USER_LOGIN", "DAEMON_START", "ANOM_LOGIN_FAILURES", "MAC_IPSEC_EVENT"];
  types.forEach((t, i) => asm.push(rec(`type=${t} msg=audit(10.000:${i}): a=1`)));
  strictEqual(asm.drain().length, 4);
  strictEqual(asm.pending, 0);
});

Deno.test("eventStream gives the events as a ReadableStream", async () => {
  const got: number[] = [];
  const stream = eventStream(enc.encode(
    "type=USER msg=audit(1.000:1): a=1\ntype=USER msg=audit(2.000:2): a=1\n",
  ));
  for await (const ev of stream) got.push(ev.serial);
  deepStrictEqual(got, [1, 2]);
});

const L = (type: string, stamp: string, node = "") =>
  `${node ? `node=${node} ` : ""}type=${type} msg=audit(${stamp}): a=1\n`;

Deno.test("ausearch rules: records after PROCTITLE or EOE still join their event", async () => {
  const text = L("SYSCALL", "100.000:1") + L("PROCTITLE", "100.000:1") + L("CWD", "100.000:1") +
    L("SYSCALL", "101.000:2") + L("EOE", "101.000:2") + L("PATH", "101.000:2");
  deepStrictEqual(await events(text, undefined, "ausearch"), [
    "100.000:1 SYSCALL,PROCTITLE,CWD",
    "101.000:2 SYSCALL,EOE,PATH",
  ]);
  // libauparse completes the events at PROCTITLE and EOE: the late records start new ones
  deepStrictEqual(await events(text), [
    "100.000:1 SYSCALL,PROCTITLE",
    "100.000:1 CWD",
    "101.000:2 SYSCALL,EOE",
    "101.000:2 PATH",
  ]);
});

Deno.test("ausearch rules: only the first record's type completes an event at once", async () => {
  // USER_CMD (< 1300) is complete when it starts, but waits behind the open event 2; the CWD
  // with its stamp is then a new event, in the lower array slot event 1 left: it comes first
  const text = L("SYSCALL", "100.000:1") + L("PROCTITLE", "100.000:1") + L("SYSCALL", "101.000:2") +
    L("USER_CMD", "102.000:3") + L("CWD", "102.000:3");
  deepStrictEqual(await events(text, undefined, "ausearch"), [
    "100.000:1 SYSCALL,PROCTITLE",
    "101.000:2 SYSCALL",
    "102.000:3 CWD",
    "102.000:3 USER_CMD",
  ]);
  // nothing waits when event 2 is gone: USER_CMD is handed out before the CWD arrives
  const alone = L("SYSCALL", "100.000:1") + L("USER_CMD", "103.000:3") + L("CWD", "103.000:3");
  deepStrictEqual(await events(alone, undefined, "ausearch"), [
    "100.000:1 SYSCALL",
    "103.000:3 USER_CMD",
    "103.000:3 CWD",
  ]);
});

Deno.test("ausearch rules: only a new event moves the clock; a stray EOE is dropped", () => {
  const asm = new EventAssembler({ rules: "ausearch", eoeTimeout: 2 });
  asm.push(rec("type=SYSCALL msg=audit(100.000:1): a=1"));
  asm.push(rec("type=EOE msg=audit(200.000:9): "));
  asm.push(rec("type=CWD msg=audit(100.000:1): cwd=x"));
  deepStrictEqual(asm.drain(), []);
  strictEqual(asm.pending, 1);
  asm.push(rec("type=SYSCALL msg=audit(101.000:2): a=1"));
  deepStrictEqual(asm.drain(), []);
  asm.push(rec("type=SYSCALL msg=audit(102.000:3): a=1"));
  deepStrictEqual(asm.drain().map((e) => `${e.id} ${e.records.length}`), ["100.000:1 2"]);
  asm.flush();
  deepStrictEqual(asm.drain().map((e) => e.id), ["101.000:2", "102.000:3"]);
});

Deno.test('order "ausearch": libauparse\'s grouping, handed out as ausearch hands out', async () => {
  const list = async (text: string, options: AssembleOptions) => {
    const out: string[] = [];
    for await (const ev of readEvents(enc.encode(text), options)) {
      out.push(`${ev.id} ${ev.records.map((r) => r.typeName)}`);
    }
    return out;
  };
  // an exec event written after user messages stamped later, and a CWD after its PROCTITLE
  const text = L("SYSCALL", "100.000:1") + L("PROCTITLE", "100.000:1") +
    L("USER_START", "100.200:3") + L("SYSCALL", "100.100:2") + L("USER_END", "100.200:4") +
    L("PROCTITLE", "100.100:2") + L("CWD", "100.100:2") + L("USER_CMD", "103.000:5") +
    L("SYSCALL", "102.900:6") + L("PROCTITLE", "102.900:6");
  // libauparse: event 1 is complete at its PROCTITLE, nothing holds the messages back
  deepStrictEqual(await list(text, {}), [
    "100.000:1 SYSCALL,PROCTITLE",
    "100.200:3 USER_START",
    "100.100:2 SYSCALL,PROCTITLE",
    "100.100:2 CWD",
    "100.200:4 USER_END",
    "103.000:5 USER_CMD",
    "102.900:6 SYSCALL,PROCTITLE",
  ]);
  // ausearch's order: events 1 and 2 wait until an event starts 2 s later (event 5), the
  // messages behind them; event 6, stamped before 5 but read after it went, stays after it
  deepStrictEqual(await list(text, { order: "ausearch" }), [
    "100.000:1 SYSCALL,PROCTITLE",
    "100.100:2 SYSCALL,PROCTITLE",
    "100.100:2 CWD",
    "100.200:3 USER_START",
    "100.200:4 USER_END",
    "103.000:5 USER_CMD",
    "102.900:6 SYSCALL,PROCTITLE",
  ]);
  // ausearch's own rules group the CWD into event 2, in the same order
  deepStrictEqual(await list(text, { rules: "ausearch", order: "ausearch" }), [
    "100.000:1 SYSCALL,PROCTITLE",
    "100.100:2 SYSCALL,PROCTITLE,CWD",
    "100.200:3 USER_START",
    "100.200:4 USER_END",
    "103.000:5 USER_CMD",
    "102.900:6 SYSCALL,PROCTITLE",
  ]);
});

Deno.test("the bound on events in flight counts open events, not complete ones held behind them", () => {
  // a task preempted while the kernel writes its records: its SYSCALL and CWD come, then the
  // complete events of other tasks (stamped later, so held back behind it), then its PATH
  const asm = new EventAssembler({ maxInFlight: 2 });
  asm.push(rec("type=SYSCALL msg=audit(1.000:1): a=1"));
  asm.push(rec('type=CWD msg=audit(1.000:1): cwd="/"'));
  for (let serial = 2; serial < 12; serial++) {
    asm.push(rec(`type=SYSCALL msg=audit(1.010:${serial}): a=1`));
    asm.push(rec(`type=PROCTITLE msg=audit(1.010:${serial}): proctitle=78`));
  }
  deepStrictEqual(asm.drain(), []);
  strictEqual(asm.pending, 11);
  asm.push(rec('type=PATH msg=audit(1.000:1): item=0 name="/x"'));
  asm.push(rec("type=PROCTITLE msg=audit(1.000:1): proctitle=78"));
  asm.push(rec("type=USER_CMD msg=audit(1.020:12): a=1"));
  const out = asm.drain();
  deepStrictEqual(out.map((e) => e.id).slice(0, 2), ["1.000:1", "1.010:2"]);
  deepStrictEqual(out[0].records.map((r) => r.typeName), ["SYSCALL", "CWD", "PATH", "PROCTITLE"]);
  strictEqual(out.length, 12);
  // open events beyond the bound: the oldest goes as it is
  asm.push(rec("type=SYSCALL msg=audit(2.000:13): a=1"));
  asm.push(rec("type=SYSCALL msg=audit(2.000:14): a=1"));
  deepStrictEqual(asm.drain(), []);
  asm.push(rec("type=SYSCALL msg=audit(2.000:15): a=1"));
  deepStrictEqual(asm.drain().map((e) => e.id), ["2.000:13"]);
});

Deno.test('order "ausearch": the bound on events in flight and end of input still hand out', () => {
  const asm = new EventAssembler({ order: "ausearch", maxInFlight: 1 });
  for (const [type, stamp] of [["SYSCALL", "1.000:1"], ["PROCTITLE", "1.000:1"]]) {
    asm.push(rec(`type=${type} msg=audit(${stamp}): a=1`));
  }
  // 1 is in flight (ausearch would not take it as complete yet); 2, complete, only waits behind it
  asm.push(rec("type=USER_CMD msg=audit(1.100:2): a=1"));
  deepStrictEqual(asm.drain(), []);
  // a second event in flight: the oldest goes as it is
  asm.push(rec("type=SYSCALL msg=audit(1.200:3): a=1"));
  deepStrictEqual(asm.drain().map((e) => e.id), ["1.000:1", "1.100:2"]);
  asm.flush();
  deepStrictEqual(asm.drain().map((e) => e.id), ["1.200:3"]);
});

Deno.test("keep: the events it turns down never come out, the others come as without it, in order", async () => {
  const types = ["SYSCALL", "CWD", "PATH", "PROCTITLE", "EOE", "USER_START", "USER_END", "LOGIN"];
  const log = fc.array(
    fc.record({
      type: fc.constantFrom(...types),
      sec: fc.integer({ min: 0, max: 5 }),
      ms: fc.constantFrom(0, 100, 200),
      serial: fc.integer({ min: 1, max: 6 }),
    }),
    { minLength: 1, maxLength: 40 },
  ).map((rs) =>
    rs.map((r) =>
      `type=${r.type} msg=audit(${100 + r.sec}.${
        String(r.ms).padStart(3, "0")
      }:${r.serial}): a=${r.serial}\n`
    )
      .join("")
  );
  const file = await Deno.makeTempFile({ suffix: ".log" });
  const ids = async (text: string, options: AssembleOptions) => {
    await Deno.writeTextFile(file, text);
    const out: string[] = [];
    // small reads into reused buffers: a dropped event's are reused before its turn comes
    for await (const ev of readEvents(file, { ...options, reuseBuffers: true, chunkBytes: 64 })) {
      out.push(`${ev.id} ${ev.records.map((r) => r.typeName)} ${ev.records.map((r) => r.text)}`);
    }
    return out;
  };
  let dropped = 0;
  try {
    await fc.assert(
      fc.asyncProperty(
        log,
        fc.constantFrom<AssembleOptions>({}, { order: "ausearch" }, { rules: "ausearch" }),
        fc.integer({ min: 1, max: 6 }),
        async (text, options, odd) => {
          const all = await ids(text, options);
          // turn down the events of one serial: decided on the complete event's records
          const turnedDown = (ev: { serial: number; records: unknown[] }) => ev.serial === odd;
          let asked = 0;
          const kept = await ids(text, {
            ...options,
            keep: (ev) => (asked++, ev.records.length > 0 && !turnedDown(ev)),
          });
          deepStrictEqual(kept, all.filter((l) => !l.includes(`:${odd} `)), text);
          // each event was asked about once
          strictEqual(asked, all.length, text);
          dropped += all.length - kept.length;
        },
      ),
      { numRuns: 400 },
    );
  } finally {
    await Deno.remove(file);
  }
  ok(dropped > 100, `${dropped} events turned down`);
});

Deno.test("keep: a turned-down event lets go of its read chunks at once, not at its turn", () => {
  const asm = new EventAssembler({ order: "ausearch", keep: (e) => e.serial !== 2 });
  asm.epoch = 0;
  asm.push(rec("type=SYSCALL msg=audit(10.000:1): a=1"));
  asm.epoch = 1;
  asm.push(rec("type=SYSCALL msg=audit(10.100:2): a=1"));
  asm.push(rec("type=PROCTITLE msg=audit(10.100:2): proctitle=78"));
  asm.epoch = 2;
  asm.push(rec("type=SYSCALL msg=audit(10.200:3): a=1"));
  asm.push(rec("type=PROCTITLE msg=audit(10.200:3): proctitle=78"));
  // event 1 is open: nothing goes out; 2 is dropped and holds chunk 1 no more; 3 waits, held
  deepStrictEqual(asm.drain(), []);
  strictEqual(asm.holds(0), true);
  strictEqual(asm.holds(1), false);
  strictEqual(asm.holds(2), true);
  asm.flush();
  deepStrictEqual(asm.drain().map((e) => e.serial), [1, 3]);
  strictEqual(asm.holds(0) || asm.holds(2), false);
});

Deno.test("onTurn: the events keep turned down have their turn between the others, in order", async () => {
  const types = ["SYSCALL", "CWD", "PROCTITLE", "EOE", "USER_START", "LOGIN"];
  const log = fc.array(
    fc.record({
      type: fc.constantFrom(...types),
      sec: fc.integer({ min: 0, max: 5 }),
      serial: fc.integer({ min: 1, max: 8 }),
    }),
    { minLength: 1, maxLength: 40 },
  ).map((rs) =>
    rs.map((r) => `type=${r.type} msg=audit(${100 + r.sec}.000:${r.serial}): a=1\n`).join("")
  );
  let turns = 0;
  // small reads: many batches, the turns fall between and inside them
  const file = await Deno.makeTempFile({ suffix: ".log" });
  try {
    await fc.assert(
      fc.asyncProperty(
        log,
        fc.constantFrom<AssembleOptions>({}, { order: "ausearch" }, { rules: "ausearch" }),
        fc.func(fc.boolean()),
        async (text, options, pick) => {
          await Deno.writeTextFile(file, text);
          const read = { ...options, chunkBytes: 64 };
          const all: string[] = [];
          for await (const ev of readEvents(file, read)) all.push(ev.id);
          const seen: string[] = [];
          for await (
            const ev of readEvents(file, {
              ...read,
              keep: (ev) => pick(ev.id),
              onTurn: (ev) => {
                strictEqual(ev.records.length, 0);
                seen.push(ev.id);
                turns++;
              },
            })
          ) seen.push(ev.id);
          deepStrictEqual(seen, all, text);
        },
      ),
      { numRuns: 400 },
    );
  } finally {
    await Deno.remove(file);
  }
  ok(turns > 100, `${turns} turns`);
});
