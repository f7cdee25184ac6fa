/**
 * Event assembly follows libauparse 3.0.9: same time stamp, serial and
 * node; completion by record type, by log time and at end of input.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { AuditRecord, EventAssembler, eventStream, readEvents } from "../mod.ts";

const enc = new TextEncoder();
const rec = (line: string) => new AuditRecord(enc.encode(line));

async function events(text: string, eoeTimeout?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const ev of readEvents(enc.encode(text), { eoeTimeout })) {
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
    ["10.000:1@a SYSCALL,PROCTITLE", "10.000:1 SYSCALL,CWD,PROCTITLE", "10.001:1 SYSCALL"],
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
