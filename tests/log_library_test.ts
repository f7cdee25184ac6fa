/**
 * The log library as a program sees it: the public event type, errors for
 * logs that cannot be read, and search criteria given by name.
 */

import { deepStrictEqual, ok, rejects, strictEqual, throws } from "node:assert/strict";
import {
  AuditEvent,
  criteriaFlags,
  LogReadError,
  matchEvent,
  readEvents,
  type SearchCriteria,
} from "../mod.ts";
import { ROOT } from "./_helpers.ts";
import { event } from "./_events.ts";

const SAMPLE = `${ROOT}tests/data/log_samples.log`;

Deno.test("AuditEvent carries its time stamp, node and records, and no bookkeeping", async () => {
  const ev = event('type=CWD msg=audit(1700000000.000:1): cwd="/"');
  deepStrictEqual(Object.keys(ev).sort(), ["msec", "node", "records", "sec", "serial"]);
  for await (const read of readEvents(SAMPLE)) {
    // @ts-expect-error: the assembler's slot is not part of the public type
    void read.slot;
    // @ts-expect-error: nor is the interpretation cache
    void read.cache;
    ok(read instanceof AuditEvent);
    break;
  }
});

Deno.test("readEvents says why a log cannot be read: a directory, a missing file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const [path, code, text] of [
        [dir, "EISDIR", `Cannot read log "${dir}": it is a directory`],
        [`${dir}/none.log`, "ENOENT", `Cannot read log "${dir}/none.log": no such file`],
      ]
    ) {
      await rejects(async () => {
        for await (const _ of readEvents(path)) { /* nothing */ }
      }, (e: unknown) => {
        ok(e instanceof LogReadError, String(e));
        strictEqual(e.code, code);
        strictEqual(e.path, path);
        ok(e.message.startsWith(text), e.message);
        return true;
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The ids of the sample log's events that match `c`. */
async function ids(c: SearchCriteria): Promise<string[]> {
  const out: string[] = [];
  for await (const ev of readEvents(SAMPLE)) if (matchEvent(ev, c)) out.push(ev.id);
  return out;
}

Deno.test("SearchCriteria take record types, syscalls and machines by name", async () => {
  const byNumber = await ids({ types: [1300, 1112] });
  ok(byNumber.length > 2);
  deepStrictEqual(await ids({ types: ["SYSCALL", "USER_LOGIN"] }), byNumber);
  deepStrictEqual(await ids({ types: ["syscall", 1112] }), byNumber);
  // a syscall name is this host's machine's, and then only that machine's events match
  const openat = await ids({ syscall: 257, machine: 1 });
  ok(openat.length > 0);
  deepStrictEqual(await ids({ syscall: "openat", machine: "x86_64" }), openat);
  deepStrictEqual(await ids({ syscall: 257, machine: "x86_64" }), openat);
  ok(criteriaFlags({ syscall: "openat" }).arch);
  throws(() => matchEvent(event('type=CWD msg=audit(1.000:1): cwd="/"'), { types: ["NOPE"] }), {
    name: "RangeError",
    message: 'Cannot search for record type "NOPE": unknown name',
  });
  throws(() => criteriaFlags({ syscall: "nosuchcall", machine: "x86_64" }), RangeError);
  throws(() => criteriaFlags({ machine: "vax" }), RangeError);
});
