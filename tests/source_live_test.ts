import assert from "node:assert/strict";
import {
  type AuditEvent,
  interpretField,
  type LiveItem,
  type LiveMode,
  type LiveStream,
  logUserMessage,
  openAudit,
  openLive,
  SerialGaps,
} from "../mod.ts";
import { kernelTest, run } from "./_helpers.ts";

const enc = new TextEncoder();

/** A stream that hands out `chunks` and then ends. */
function bytesStream(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(chunks.map((c) => typeof c === "string" ? enc.encode(c) : c));
}

async function collect(live: LiveStream): Promise<LiveItem[]> {
  const out: LiveItem[] = [];
  for await (const item of live) out.push(item);
  return out;
}

const events = (items: LiveItem[]): AuditEvent[] =>
  items.flatMap((i) => i.kind === "event" ? [i.event] : []);

Deno.test("SerialGaps: exact ranges, late records fill them, wrap-around and restarts", () => {
  const g = new SerialGaps();
  for (const s of [10, 11, 14, 12, 20]) g.see(s, 0);
  // 13 and 15..19 are missing; 12 came late
  assert.deepEqual(g.due(5, 10), []);
  assert.deepEqual(g.due(10, 10), [{ first: 13, last: 13, count: 1 }, {
    first: 15,
    last: 19,
    count: 5,
  }]);
  const w = new SerialGaps();
  for (const s of [4294967294, 1, 4294967295]) w.see(s, 0);
  assert.deepEqual(w.due(0, 0, true), [{ first: 0, last: 0, count: 1 }]);
  const r = new SerialGaps();
  for (const s of [5, 5, 4, 2 ** 31, 2 ** 31 + 1]) r.see(s, 0);
  assert.deepEqual(r.due(0, 0, true), [], "duplicates, old and restarted serials are no gap");
});

Deno.test("openLive refuses bad options before opening anything", () => {
  assert.throws(() => openLive({ mode: "tcp" as LiveMode }), RangeError);
  assert.throws(() => openLive({ maxInFlight: 0 }), RangeError);
  assert.throws(() => openLive({ queue: { size: 1.5 } }), RangeError);
  assert.throws(() => openLive({ receiveBufferBytes: -1 }), RangeError);
  assert.throws(
    () => openLive({ mode: "daemon", queue: { policy: "block" } }),
    /stalls every audited process/,
  );
});

const PLUGIN_LINES = [
  'type=SYSCALL msg=audit(1700000000.100:501): arch=c000003e syscall=2 success=yes exit=3 key="k"\n',
  'type=CWD msg=audit(1700000000.100:501): cwd="/tmp"\n',
  'type=PATH msg=audit(1700000000.100:501): item=0 name="/etc/hosts" inode=5\n',
  "type=PROCTITLE msg=audit(1700000000.100:501): proctitle=636174\n",
  "type=EOE msg=audit(1700000000.100:501): \n",
  "node=web1 type=USER msg=audit(1700000000.200:502): pid=1 uid=0 msg='op=x'\n",
];

Deno.test("plugin stream: records as auditd hands them out, events interpreted as from a log", async () => {
  const split = PLUGIN_LINES.join("");
  // cut anywhere: lines across chunks are joined
  const chunks = [split.slice(0, 37), split.slice(37, 200), split.slice(200)];
  await using live = openLive({ mode: "plugin", plugin: { input: bytesStream(chunks) } });
  const items = await collect(live);
  const evs = events(items);
  assert.deepEqual(evs.map((e) => [e.id, e.node, e.records.map((r) => r.typeName).join()]), [
    ["1700000000.100:501", undefined, "SYSCALL,CWD,PATH,PROCTITLE"],
    ["1700000000.200:502", "web1", "USER"],
  ]);
  const sc = evs[0].records[0];
  assert.equal(interpretField(evs[0], sc, sc.indexOf("syscall")), "open");
  assert.equal(interpretField(evs[0], evs[0].records[3], 0), "cat");
  assert.deepEqual(live.counters, { kernel: 0, socket: 0, gap: 0, queue: 0, input: 0 });
});

Deno.test("plugin stream: garbage, a 1 MB line and a cut line are reported and skipped", async () => {
  const garbage = new Uint8Array(300);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 97 + 13) % 256;
  garbage[299] = 0x0a;
  const good = (n: number) => `type=USER msg=audit(1700000001.000:${n}): pid=1 msg='op=${n}'\n`;
  const input = bytesStream([
    good(1),
    garbage.map((b) => b === 0x0a ? 0x20 : b).slice(0, 299),
    "\n",
    good(2),
    "type=USER msg=audit(1700000001.000:3): " + "x".repeat(1 << 20) + "\n",
    good(4),
    "type=SYSCALL msg=audit(17000",
    "\n",
    good(5),
    "type=USER msg=audit(1700000001.000:6): pid=1 msg='cut",
  ]);
  await using live = openLive({ mode: "plugin", plugin: { input } });
  const items = await collect(live);
  assert.deepEqual(events(items).map((e) => e.serial), [1, 2, 4, 5]);
  const losses = items.flatMap((i) => i.kind === "loss" ? [i.loss] : []);
  const input_ = losses.filter((l) => l.cause === "input");
  assert.equal(input_.length, 4, JSON.stringify(losses));
  assert.match(input_[0].reason!, /not an audit record/);
  assert.match(input_[1].reason!, /longer than 65536 bytes/);
  assert.match(input_[2].reason!, /not an audit record/);
  assert.match(input_[3].reason!, /cut by the end of the input/);
  assert.equal(live.counters.input, 4);
  // serial 3 (the long line) and 6 (the cut one) never came: a gap of one, then none at the end
  assert.deepEqual(losses.filter((l) => l.cause === "gap").map((l) => [l.first, l.last]), [[3, 3]]);
});

Deno.test("an event without its EOE is released by the wall-clock timeout", async () => {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const w = writable.getWriter();
  await using live = openLive({ mode: "plugin", plugin: { input: readable }, eventTimeoutMs: 300 });
  const it = live[Symbol.asyncIterator]();
  const started = Date.now();
  await w.write(enc.encode(PLUGIN_LINES[0] + PLUGIN_LINES[1]));
  const first = await it.next();
  const waited = Date.now() - started;
  assert.equal(first.done, false);
  const item = first.value as LiveItem;
  assert.equal(item.kind, "event");
  if (item.kind === "event") assert.equal(item.event.records.length, 2);
  assert.ok(waited >= 250 && waited < 1500, `released after ${waited} ms`);
  await w.close();
  assert.equal((await it.next()).done, true);
});

Deno.test("a paused consumer: drop-oldest keeps the newest events and counts the rest", async () => {
  const lines = Array.from(
    { length: 20 },
    (_, i) => `type=USER msg=audit(1700000002.000:${100 + i}): pid=1 msg='op=${i}'\n`,
  );
  for (
    const [policy, kept] of [["drop-oldest", [115, 116, 117, 118, 119]], [
      "drop-newest",
      [100, 101, 102, 103, 104],
    ]] as const
  ) {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    await using live = openLive({
      mode: "plugin",
      plugin: { input: readable },
      queue: { size: 5, policy },
    });
    const w = writable.getWriter();
    await w.write(enc.encode(lines.join("")));
    await w.close();
    await new Promise((r) => setTimeout(r, 50)); // the consumer is away
    const items = await collect(live);
    assert.deepEqual(events(items).map((e) => e.serial), kept, policy);
    const q = items.flatMap((i) => i.kind === "loss" && i.loss.cause === "queue" ? [i.loss] : []);
    assert.equal(q.reduce((n, l) => n + l.count, 0), 15, policy);
    assert.equal(live.counters.queue, 15);
    assert.deepEqual(
      [q[0].first, q.at(-1)!.last],
      policy === "drop-oldest" ? [100, 114] : [105, 119],
    );
  }
});

/** Adds a write watch on a new temp file with a unique key; removed by the returned function. */
async function watchTempFile(): Promise<
  { file: string; key: string; remove: () => Promise<void> }
> {
  const file = await Deno.makeTempFile({ prefix: "auditkit-live-" });
  const key = `auditkit-test-${crypto.randomUUID().slice(0, 8)}`;
  const add = await run("auditctl", ["-w", file, "-p", "w", "-k", key]);
  assert.equal(add.code, 0, add.stderr);
  return {
    file,
    key,
    remove: async () => {
      await run("auditctl", ["-W", file, "-p", "w", "-k", key]);
      await Deno.remove(file);
    },
  };
}

const fdCount = () => [...Deno.readDirSync("/proc/self/fd")].length;

for (const mode of ["multicast", "daemon"] as const) {
  kernelTest(`${mode}: N known events arrive once, complete and interpreted`, async () => {
    using a = openAudit();
    await a.setEnabled(1);
    const w = await watchTempFile();
    try {
      const fds = fdCount();
      {
        await using live = openLive({ mode, receiveBufferBytes: 1 << 20 });
        await live.ready;
        if (mode === "daemon") assert.equal((await a.status()).pid, Deno.pid);
        const N = 5;
        const sh = await run("sh", ["-c", `for i in 1 2 3 4 5; do echo $i >> ${w.file}; done`]);
        assert.equal(sh.code, 0);
        const tag = `auditkit-test-live-${Deno.pid}`;
        await logUserMessage("USER", `op=${tag}`, { client: a });
        const mine: AuditEvent[] = [];
        for await (const item of live) {
          if (item.kind === "loss") continue;
          const ev = item.event;
          if (ev.records[0].get("msg") === tag || ev.records.some((r) => r.get("op") === tag)) {
            break;
          }
          if (ev.record(1300)?.get("key") === `"${w.key}"`) mine.push(ev);
        }
        assert.equal(mine.length, N);
        assert.equal(new Set(mine.map((e) => e.serial)).size, N);
        for (const ev of mine) {
          const types = ev.records.map((r) => r.typeName);
          assert.deepEqual([types[0], types[1], types.at(-1)], ["SYSCALL", "CWD", "PROCTITLE"]);
          assert.ok(!types.includes("EOE"));
          const sc = ev.records[0];
          assert.equal(interpretField(ev, sc, sc.indexOf("syscall")), "openat");
          const path = ev.records.find((r) =>
            r.typeName === "PATH" && r.get("name") === `"${w.file}"`
          );
          assert.ok(path, types.join());
          assert.match(
            interpretField(ev, ev.records.at(-1)!, 0),
            /^\S*sh -c for i in 1 2 3 4 5; do echo/,
          );
        }
        assert.equal(live.counters.socket + live.counters.gap + live.counters.queue, 0);
      }
      assert.equal((await a.status()).pid, 0, "no daemon left registered");
      assert.equal(fdCount(), fds, "no descriptor left open");
    } finally {
      await w.remove();
    }
  });
}
