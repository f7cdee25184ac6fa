import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  accountDatabase,
  coalesceEvent,
  ecsBadLine,
  type EcsDocument,
  ecsEvent,
  jsonEventId,
  readEvents,
  useAccountDatabase,
  userName,
} from "../mod.ts";
import { event } from "./_events.ts";
import { damagedLog } from "./_log_mutations.ts";
import { generateTables } from "./ecs_gen_tables.ts";

const data = new URL("./data/ecs/", import.meta.url);
const passwd = { path: new URL("passwd", data) };
const group = { path: new URL("group", data) };

Deno.test("the carried normalisation table is what the generator makes of go-libaudit's YAML", async () => {
  const carried = await Deno.readTextFile(
    new URL("../lib/ecs/_normalizations.ts", import.meta.url),
  );
  assert.equal(carried, await generateTables());
});

Deno.test("event.id: node, time and serial, and a hash that tells events sharing a stamp apart", () => {
  const login = event(
    "type=LOGIN msg=audit(1700000000.123:42): pid=1 uid=0 old-auid=4294967295 auid=1000 tty=(none) old-ses=4294967295 ses=3 res=1",
  );
  const syscall = event(
    'type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=1 success=yes exit=1 a0=1 a1=2 a2=3 a3=4 items=0 ppid=1 pid=2 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=3 comm="x" exe="/x" key=(null)',
  );
  const a = ecsEvent(login).event.id!, b = ecsEvent(syscall).event.id!;
  assert.match(a, /^1700000000\.123:42\/[0-9a-f]{8}$/);
  assert.notEqual(a, b);
  assert.equal(a, jsonEventId(login));
  // the same lines read again: the same id
  assert.equal(ecsEvent(event(login.records[0].raw)).event.id, a);
  const remote = event(`node=web1 ${login.records[0].raw}`);
  const doc = ecsEvent(remote);
  assert.match(doc.event.id!, /^1700000000\.123:42@web1\//);
  assert.deepEqual(doc.host, { name: "web1" });
});

Deno.test("names come from the passwd and group given (text or path), the local files otherwise", () => {
  const ev = event(
    'type=SYSCALL msg=audit(1611091464.740:263): arch=c000003e syscall=260 success=yes exit=0 a0=1 a1=2 a2=3e9 a3=4 items=0 ppid=1 pid=2 auid=1001 uid=9999 gid=1004 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts2 ses=8 comm="chown" exe="/usr/bin/chown" key="access"',
  );
  const byPath = ecsEvent(ev, { passwd, group });
  const byText = ecsEvent(ev, {
    passwd: Deno.readTextFileSync(passwd.path),
    group: Deno.readTextFileSync(group.path),
  });
  assert.deepEqual(byText, byPath);
  const user = byPath.user as Record<string, Record<string, unknown>>;
  assert.equal(byPath.user?.name, "bob");
  assert.equal(user.audit.name, "alice");
  assert.deepEqual(user.group, { id: "1004", name: "testgroup" });
  // a passwd without the ids: no names, but root stays root (as go-libaudit's lookups)
  const other = ecsEvent(ev, { passwd: "nobody:x:65534:65534::/:/bin/false\n" });
  assert.equal(other.user?.name, undefined);
  const effective = (other.user as Record<string, Record<string, unknown>>).effective;
  assert.deepEqual(effective, { id: "0", name: "root", group: { id: "0", name: "root" } });
  assert.throws(
    () => ecsEvent(ev, { passwd: { path: "/nonexistent/passwd" } }),
    Deno.errors.NotFound,
  );
});

Deno.test("useAccountDatabase: the interpretation's names come from the database chosen", () => {
  const db = accountDatabase({ passwd, group });
  useAccountDatabase(db);
  try {
    assert.equal(userName(1002), "oldbob");
    // ecsEvent without its own database names from the one in use
    const ev = event(
      'type=USER_CMD msg=audit(1610876676.623:460): pid=14178 uid=1002 auid=1002 ses=15 msg=\'cwd="/home/alice" cmd="bash" terminal=pts/1 res=success\'',
    );
    assert.equal(ecsEvent(ev).user?.name, "oldbob");
  } finally {
    useAccountDatabase(undefined);
  }
  assert.notEqual(userName(1002), "oldbob");
});

Deno.test("ecsEvent: include or leave out the records' lines", () => {
  const ev = event(
    "type=USER_LOGIN msg=audit(1553452002.231:110276965): pid=10318 uid=0 auid=700 ses=5388 msg='op=login id=700 exe=\"/usr/sbin/sshd\" hostname=1.2.3.4 addr=1.2.3.4 terminal=/dev/pts/0 res=success'",
  );
  assert.deepEqual(ecsEvent(ev).event.original, [ev.records[0].raw]);
  assert.equal(ecsEvent(ev, { original: false }).event.original, undefined);
  assert.equal(ecsEvent(ev).source?.ip, "1.2.3.4");
});

/** Every line of `lines` that is not an audit record, and every event, as ECS. */
async function ecsOf(lines: string[]): Promise<{ docs: EcsDocument[]; records: number }> {
  const docs: EcsDocument[] = [];
  let records = 0;
  const input = new TextEncoder().encode(lines.map((l) => l + "\n").join(""));
  for await (
    const ev of readEvents(input, { onBadLine: (bad) => docs.push(ecsBadLine(bad)) })
  ) {
    records += ev.records.length;
    docs.push(ecsEvent(ev, { passwd, group }));
  }
  return { docs, records };
}

Deno.test("damaged logs: every event and bad line gives a document, its text kept, never a throw", async () => {
  await fc.assert(
    fc.asyncProperty(damagedLog, async (lines) => {
      const { docs, records } = await ecsOf(lines);
      let originals = 0;
      for (const doc of docs) {
        const text = JSON.stringify(doc);
        assert.deepEqual(JSON.parse(text), doc);
        assert.equal(doc.event.kind, "event");
        assert.ok(doc.event.original?.length, "the raw text is kept");
        originals += doc.event.original!.length;
        if (doc.error) assert.ok(doc.error.message.length > 0);
        if (doc.auditd) assert.equal(typeof doc.auditd.sequence, "number");
      }
      const bad = docs.filter((d) => d.log !== undefined).length;
      assert.equal(originals, records + bad);
    }),
    { numRuns: 150 },
  );
});

Deno.test("bad input: a line that is no audit record, a cut event", async () => {
  const { docs } = await ecsOf([
    "this is not an audit log line",
    'type=CWD msg=audit(1700000000.123:42): cwd="/"',
    'type=PATH msg=audit(1700000000.123:42): item=0 name="/etc/shadow" inode=1 dev=fd:00 mode=0100640 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL',
    "type=SYSCALL msg=audit(1700000001.000:43): arch=c000003e sysc",
  ]);
  assert.equal(docs.length, 3);
  const [bad, cut, short] = docs;
  assert.deepEqual(bad.event.original, ["this is not an audit log line"]);
  assert.match(String(bad.error?.message), /^line 1: /);
  assert.equal(cut.error?.message, "missing syscall message in compound event");
  assert.equal(cut.event.original?.length, 2);
  // go-libaudit finds no normalisation without a syscall; libauparse's normaliser names one
  assert.deepEqual(short.error?.message, ["syscall key not found"]);
  assert.equal(short.event.action, "triggered-unknown-audit-rule");
  assert.equal(short.auditd?.message_type, "syscall");
});

Deno.test("no action in go-libaudit's table: libauparse's normaliser fills the summary", () => {
  const ev = event(
    "type=BPF msg=audit(1700000000.123:50): prog-id=75 op=LOAD",
  );
  const doc = ecsEvent(ev);
  assert.equal(doc.event.action, "loaded-bpf-program");
  assert.equal(doc.error, undefined);
  // go-libaudit's own view of it: no normalisation
  assert.deepEqual(coalesceEvent(ev).warnings, ["no normalization found for event"]);
});
