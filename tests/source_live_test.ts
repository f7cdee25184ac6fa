import assert from "node:assert/strict";
import {
  type AuditClient,
  type AuditEvent,
  interpretField,
  LIVE_RECEIVE_BUFFER,
  type LiveItem,
  type LiveMode,
  type LiveStream,
  logUserMessage,
  openAudit,
  openLive,
  SerialGaps,
} from "../mod.ts";
import { auditdConfig, spawnAuditd, stopAuditd, waitFor } from "../bench/auditd_log.ts";
import { kernelTest, run } from "./_helpers.ts";
import { openAuditSocket, receiveBufferSize } from "../lib/source/_netlink.ts";
import { c } from "../lib/_native.ts";
import { type LiveSink, openLiveFrom } from "../lib/source/live.ts";
import { AuditRecord } from "../lib/event/record.ts";

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
  assert.equal(live.counters.input + live.counters.gap + live.counters.queue, 0);
});

Deno.test("plugin stream: auditd's own records (their own serials) leave no gap in the kernel's", async () => {
  // as auditd 3.0.9 hands them to a plugin: DAEMON_START numbered by auditd, then kernel events
  const lines = [
    "type=DAEMON_START msg=audit(1700000000.000:1837): op=start ver=3.0.9 format=raw " +
    "kernel=6.1.0 auid=4294967295 pid=9614 uid=0 ses=4294967295 res=success\n",
    ...[815001, 815002, 815003].map((n) =>
      `type=USER msg=audit(1700000000.100:${n}): pid=1 uid=0 auid=0 ses=1 msg='op=x res=success'\n`
    ),
    "type=DAEMON_END msg=audit(1700000001.000:1838): op=terminate auid=0 pid=1 res=success\n",
  ];
  await using live = openLive({ mode: "plugin", plugin: { input: bytesStream(lines) } });
  const items = await collect(live);
  assert.equal(events(items).length, 5);
  assert.equal(live.counters.input + live.counters.gap + live.counters.queue, 0);
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

Deno.test("plugin stream: a too long line among good ones in one chunk, and one across chunks", async () => {
  const good = (n: number) => `type=USER msg=audit(1700000001.000:${n}): pid=1 msg='op=${n}'\n`;
  const long = (n: number) => `type=USER msg=audit(1700000001.000:${n}): ` + "y".repeat(70000);
  const input = bytesStream([
    good(1) + long(2) + "\n" + good(3) + long(4).slice(0, 40000),
    long(4).slice(40000) + "\n" + good(5) + "\n\n" + good(6).slice(0, 9),
    good(6).slice(9) + good(7),
  ]);
  await using live = openLive({ mode: "plugin", plugin: { input } });
  const items = await collect(live);
  assert.deepEqual(events(items).map((e) => e.serial), [1, 3, 5, 6, 7]);
  const input_ = items.flatMap((i) =>
    i.kind === "loss" && i.loss.cause === "input" ? [i.loss] : []
  );
  assert.deepEqual(input_.map((l) => [l.count, l.reason]), [
    [1, "a line longer than 65536 bytes"],
    [1, "a line longer than 65536 bytes"],
  ]);
  assert.equal(events(items)[4].records[0].fieldValue(0), "1");
});

Deno.test("batches: the iteration's items as arrays; a consumer of them keeps up with a fast input", async () => {
  const user = (n: number) => `type=USER msg=audit(1700000001.000:${n}): pid=1 msg='op=${n}'\n`;
  const chunks = Array.from(
    { length: 60 },
    (_, c) => user(3 * c + 1) + user(3 * c + 2) + user(3 * c + 3),
  );
  const run = async (batched: boolean) => {
    await using live = openLive({
      mode: "plugin",
      plugin: { input: bytesStream([PLUGIN_LINES.join(""), "garbage\n", ...chunks]) },
      queue: { size: 4 },
    });
    const items: LiveItem[] = [];
    // an await per batch or per item: the reads of a ready input come as fast
    const pause = async () => {
      await null;
    };
    if (batched) {
      for await (const batch of live.batches()) {
        await pause();
        items.push(...batch);
      }
    } else {
      for await (const item of live) {
        await pause();
        items.push(item);
      }
    }
    return { items, queue: live.counters.queue };
  };
  const one = await run(false);
  const many = await run(true);
  assert.equal(many.queue, 0);
  assert.deepEqual(events(many.items).map((e) => e.serial), [
    501,
    502,
    ...Array.from({ length: 180 }, (_, i) => i + 1),
  ]);
  assert.deepEqual(
    many.items.filter((i) => i.kind === "loss").map((i) => i.kind === "loss" && i.loss.cause),
    ["input"],
  );
  // the same events with item-by-item iteration, less those its queue dropped
  assert.ok(one.queue > 0, "the item-by-item consumer falls behind the queue of 4");
  assert.equal(events(one.items).length + one.queue, events(many.items).length);
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

Deno.test("late records of an event the timeout released are reported, not a second event", async () => {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const w = writable.getWriter();
  await using live = openLive({
    mode: "plugin",
    plugin: { input: readable },
    eventTimeoutMs: 2000,
  });
  const collected = collect(live);
  const line = (type: string, stamp: string, rest: string) =>
    `type=${type} msg=audit(1700000000.${stamp}): ${rest}\n`;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // 601 starts; 602 (one record) is complete at once
  await w.write(enc.encode(
    line("SYSCALL", "100:601", "arch=c000003e syscall=2 success=yes exit=3") +
      line("CWD", "100:601", 'cwd="/tmp"') + line("USER", "150:602", "pid=1 uid=0 msg='op=x'"),
  ));
  await sleep(1000);
  // 600 has an older time stamp: open, it holds 601 back once the timeout completed 601
  await w.write(enc.encode(line("SYSCALL", "050:600", "arch=c000003e syscall=2 success=no")));
  await sleep(1500);
  // the rest of 601, 2.5 s after its first record: 601 timed out at 2 s, 600 not yet
  await w.write(enc.encode(
    line("PATH", "100:601", 'item=0 name="/etc/hosts" inode=5') +
      line("PROCTITLE", "100:601", "proctitle=636174") + line("EOE", "100:601", ""),
  ));
  await w.close();
  const items = await collected;
  assert.deepEqual(
    events(items).map((e) => [e.id, e.records.map((r) => r.typeName).join()]).sort(),
    [
      ["1700000000.050:600", "SYSCALL"],
      ["1700000000.100:601", "SYSCALL,CWD"],
      ["1700000000.150:602", "USER"],
    ],
  );
  const input = items.flatMap((i) => i.kind === "loss" && i.loss.cause === "input" ? [i.loss] : []);
  assert.deepEqual(input.map((l) => [l.count, l.reason]), [
    [2, "late records of event 1700000000.100:601: they came after it was released"],
  ]);
  assert.equal(live.counters.input, 2);
});

Deno.test("plugin stream: an event whose records come around 1000 others' is one event, no loss", async () => {
  // as at 4x load: the task writing 601's records was preempted after its CWD while other
  // tasks' events (stamped later, complete) came; the bound on events in flight counts 601 only
  const line = (type: string, serial: number, rest: string) =>
    `type=${type} msg=audit(1700000000.${serial === 601 ? "100" : "200"}:${serial}): ${rest}\n`;
  let text = line("SYSCALL", 601, "arch=c000003e syscall=257 success=no exit=-2 items=1") +
    line("CWD", 601, 'cwd="/tmp"');
  for (let serial = 602; serial < 1602; serial++) {
    text += line("SYSCALL", serial, "arch=c000003e syscall=257 success=yes exit=3 items=1") +
      line("PROCTITLE", serial, "proctitle=636174") + line("EOE", serial, "");
  }
  text += line("PATH", 601, 'item=0 name="/nonexistent" nametype=UNKNOWN') +
    line("PROCTITLE", 601, "proctitle=636174") + line("EOE", 601, "");
  await using live = openLive({ mode: "plugin", plugin: { input: bytesStream([text]) } });
  const items = await collect(live);
  assert.deepEqual(items.filter((i) => i.kind === "loss"), []);
  const got = events(items);
  assert.equal(got.length, 1001);
  assert.deepEqual(got[0].records.map((r) => r.typeName), ["SYSCALL", "CWD", "PATH", "PROCTITLE"]);
  assert.deepEqual(got.map((e) => e.serial), Array.from({ length: 1001 }, (_, i) => 601 + i));
});

Deno.test("late records in the read that released their event (the bound) are late, not a second event", async () => {
  const line = (type: string, serial: number, rest: string) =>
    `type=${type} msg=audit(1700000000.100:${serial}): ${rest}\n`;
  // one chunk: a third open event releases 601 by the bound; 601's rest follows in the same read
  const text = line("SYSCALL", 601, "arch=c000003e syscall=257") +
    line("SYSCALL", 602, "arch=c000003e syscall=257") +
    line("SYSCALL", 603, "arch=c000003e syscall=257") + line("PATH", 601, 'item=0 name="/x"') +
    line("PROCTITLE", 601, "proctitle=78") + line("EOE", 601, "");
  await using live = openLive({
    mode: "plugin",
    plugin: { input: bytesStream([text]) },
    maxInFlight: 2,
  });
  const items = await collect(live);
  assert.deepEqual(
    events(items).map((e) => `${e.serial}:${e.records.map((r) => r.typeName).join()}`),
    ["601:SYSCALL", "602:SYSCALL", "603:SYSCALL"],
  );
  const input = items.flatMap((i) => i.kind === "loss" && i.loss.cause === "input" ? [i.loss] : []);
  assert.deepEqual(input.map((l) => [l.count, l.reason]), [
    [2, "late records of event 1700000000.100:601: they came after it was released"],
  ]);
});

/** Each event as serial and record types, each loss as cause and count, sorted. */
const summary = (items: LiveItem[]): string[] =>
  items.map((i) =>
    i.kind === "event"
      ? `${i.event.serial}:${i.event.records.map((r) => r.typeName).join()}`
      : `loss ${i.loss.cause} ${i.loss.count}`
  ).sort();

/** Keeps this thread busy for `ms` (a consumer busy with a big batch, or starved of CPU). */
function stall(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) { /* busy */ }
}

Deno.test("a consumer stall is not the producer's silence: no event split, no gap", async () => {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const w = writable.getWriter();
  await using live = openLive({ mode: "plugin", plugin: { input: readable }, eventTimeoutMs: 300 });
  const line = (type: string, serial: number, rest: string) =>
    `type=${type} msg=audit(1700000003.000:${serial}): ${rest}\n`;
  // 700 is complete; 601 waits for its PATH; 702 leaves 701 missing
  await w.write(enc.encode(
    line("USER", 700, "pid=1 msg='op=a'") + line("SYSCALL", 601, "arch=c000003e syscall=2") +
      line("USER", 702, "pid=1 msg='op=c'"),
  ));
  const items: LiveItem[] = [];
  for await (const item of live) {
    items.push(item);
    if (item.kind !== "event" || item.event.serial !== 700) continue;
    // the consumer is busy for 3 timeouts; the producer sends the rest meanwhile, which (as
    // from a pipe) the stream can read only once this thread runs the event loop again
    stall(900);
    setTimeout(() => {
      void w.write(enc.encode(
        line("PATH", 601, 'item=0 name="/etc/hosts"') + line("EOE", 601, "") +
          line("USER", 701, "pid=1 msg='op=b'"),
      )).then(() => w.close());
    }, 0);
  }
  assert.deepEqual(
    summary(items),
    ["601:SYSCALL,PATH", "700:USER", "701:USER", "702:USER"],
  );
  assert.equal(live.counters.input + live.counters.gap + live.counters.queue, 0);
});

Deno.test("a serial missing while the producer is silent is a gap after the timeout", async () => {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const w = writable.getWriter();
  await using live = openLive({ mode: "plugin", plugin: { input: readable }, eventTimeoutMs: 300 });
  const it = live[Symbol.asyncIterator]();
  const started = Date.now();
  await w.write(enc.encode(
    "type=USER msg=audit(1700000004.000:800): pid=1 msg='op=a'\n" +
      "type=USER msg=audit(1700000004.000:803): pid=1 msg='op=d'\n",
  ));
  const seen: string[] = [];
  for (;;) {
    const item = (await it.next()).value as LiveItem;
    if (item.kind === "event") seen.push(`${item.event.serial}`);
    else {
      seen.push(`${item.loss.cause} ${item.loss.first}-${item.loss.last}`);
      break;
    }
  }
  const waited = Date.now() - started;
  assert.deepEqual(seen, ["800", "803", "gap 801-802"]);
  assert.ok(waited >= 250 && waited < 1500, `reported after ${waited} ms`);
  await w.close();
  assert.equal((await it.next()).done, true);
  assert.equal(live.counters.gap, 2);
});

Deno.test("a consumer stall while the rest of an event waits in a real pipe does not split it", async () => {
  const line = (type: string, serial: number, rest: string) =>
    `type=${type} msg=audit(1700000007.000:${serial}): ${rest}\n`;
  const first = line("USER", 950, "pid=1 msg='op=a'") + line("SYSCALL", 951, "syscall=2");
  const rest = line("PATH", 951, 'item=0 name="/etc/hosts"') + line("EOE", 951, "");
  // the producer writes the rest 100 ms after the first part, while this thread is busy
  const child = new Deno.Command("sh", {
    args: ["-c", `printf '%s' "$1"; sleep 0.1; printf '%s' "$2"`, "sh", first, rest],
    stdout: "piped",
  }).spawn();
  await using live = openLive({
    mode: "plugin",
    plugin: { input: child.stdout },
    eventTimeoutMs: 300,
  });
  const items: LiveItem[] = [];
  for await (const item of live) {
    items.push(item);
    if (item.kind === "event" && item.event.serial === 950) stall(1000);
  }
  await child.status;
  assert.deepEqual(summary(items), ["950:USER", "951:SYSCALL,PATH"]);
  assert.equal(live.counters.input, 0);
});

Deno.test("a plugin socket that never falls silent: timeouts and gaps while the records flow", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/plugin.sock`;
  const server = Deno.listen({ transport: "unix", path });
  try {
    await using live = openLive({ mode: "plugin", plugin: { input: path }, eventTimeoutMs: 300 });
    const conn = await server.accept();
    const line = (type: string, serial: number, rest: string) =>
      enc.encode(`type=${type} msg=audit(1700000008.000:${serial}): ${rest}\n`);
    // 1001 never gets its end, 1003 never comes; then a record every 20 ms for 1.5 s
    const writer = (async () => {
      await conn.write(line("SYSCALL", 1001, "syscall=2"));
      await conn.write(line("USER", 1002, "pid=1 msg='op=x'"));
      for (let s = 1004; s < 1079; s++) {
        await new Promise((r) => setTimeout(r, 20));
        await conn.write(line("USER", s, "pid=1 msg='op=x'"));
      }
      conn.close();
      return Date.now();
    })();
    const at = new Map<string, number>();
    for await (const item of live) {
      const label = item.kind === "loss"
        ? `${item.loss.cause} ${item.loss.first}`
        : `${item.event.serial}:${item.event.records.length}`;
      at.set(label, Date.now());
    }
    const end = await writer;
    // released while records still came (at the end of the input would be too late)
    for (const label of ["1001:1", "gap 1003"]) {
      assert.ok(at.get(label)! < end - 500, `${label} ${at.get(label)! - end} ms before the end`);
    }
    assert.equal(live.counters.gap, 1);
  } finally {
    server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * A source that takes records as the kernel sources take them from their
 * reader thread's ring: all there is at each take, then "caught up" (the
 * ring was empty); `hold` keeps it from taking (a main thread busy or
 * starved while the reader thread fills the ring).
 */
function ringSource() {
  const ring: AuditRecord[] = [];
  let held: Promise<void> = Promise.resolve();
  let release = () => {};
  let ended = false;
  const read = async (sink: LiveSink) => {
    sink.opened();
    while (!sink.closed) {
      await held;
      const at = Date.now();
      const batch = ring.splice(0);
      if (batch.length > 0) sink.records(batch);
      sink.caughtUp(at);
      if (ended) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    read,
    put: (...lines: string[]) => ring.push(...lines.map((l) => new AuditRecord(enc.encode(l)))),
    hold: () => held = new Promise((r) => release = r),
    release: () => release(),
    end: () => ended = true,
  };
}

Deno.test("kernel-like source: records waiting in the ring are not the producer's silence", async () => {
  const src = ringSource();
  await using live = openLiveFrom(src.read, { eventTimeoutMs: 300 });
  const line = (type: string, serial: number, rest: string) =>
    `type=${type} msg=audit(1700000005.000:${serial}): ${rest}`;
  src.put(
    line("USER", 900, "pid=1 msg='op=a'"),
    line("SYSCALL", 901, "arch=c000003e syscall=2"),
    line("USER", 903, "pid=1 msg='op=c'"),
  );
  const items: LiveItem[] = [];
  for await (const item of live) {
    items.push(item);
    if (item.kind !== "event" || item.event.serial !== 900) continue;
    src.hold();
    stall(900);
    // the reader thread took the rest off the socket meanwhile; this thread takes it only later
    src.put(
      line("PATH", 901, 'item=0 name="/etc/hosts"'),
      line("EOE", 901, ""),
      line("USER", 902, "pid=1 msg='op=b'"),
    );
    setTimeout(() => {
      src.end();
      src.release();
    }, 400);
  }
  assert.deepEqual(
    summary(items),
    ["900:USER", "901:SYSCALL,PATH", "902:USER", "903:USER"],
  );
  assert.equal(live.counters.input + live.counters.gap, 0);
});

Deno.test("kernel-like source: an event and a serial the caught-up source never got time out", async () => {
  const src = ringSource();
  await using live = openLiveFrom(src.read, { eventTimeoutMs: 300 });
  const started = Date.now();
  src.put(
    "type=SYSCALL msg=audit(1700000006.000:910): arch=c000003e syscall=2",
    "type=USER msg=audit(1700000006.000:912): pid=1 msg='op=c'",
  );
  const it = live[Symbol.asyncIterator]();
  const seen: string[] = [];
  while (seen.length < 3) {
    const item = (await it.next()).value as LiveItem;
    seen.push(
      item.kind === "event" ? `${item.event.serial}:${item.event.records.length}` : item.loss.cause,
    );
  }
  const waited = Date.now() - started;
  assert.deepEqual(seen.sort(), ["910:1", "912:1", "gap"]);
  assert.ok(waited >= 250 && waited < 1500, `released after ${waited} ms`);
  src.end();
  assert.equal((await it.next()).done, true);
  assert.equal(live.counters.gap, 1);
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

/**
 * This process's descriptors, without the two the Deno runtime keeps for the
 * event loop of the last worker it ended (an eventfd and an epoll: the kernel
 * sources' reader thread is a worker; they are replaced, not added to, by the
 * next worker's). Audit sockets are never left out.
 */
function openDescriptors(): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync("/proc/self/fd")) {
    let link: string;
    try {
      link = Deno.readLinkSync(`/proc/self/fd/${e.name}`);
    } catch {
      continue; // the directory's own descriptor, gone
    }
    if (link === "anon_inode:[eventfd]" || link === "anon_inode:[eventpoll]") continue;
    out.push(`${e.name} ${link}`);
  }
  return out.sort();
}

/** The inodes of NETLINK_AUDIT sockets this process holds. */
function auditSockets(): string[] {
  const audit = new Set(
    Deno.readTextFileSync("/proc/net/netlink").split("\n").slice(1)
      .map((l) => l.trim().split(/\s+/)).filter((f) => f[1] === "9").map((f) => f[9]),
  );
  return openDescriptors().flatMap((l) => {
    const m = l.match(/socket:\[(\d+)\]$/);
    return m && audit.has(m[1]) ? [m[1]] : [];
  });
}

const fdCount = () => openDescriptors().length;

/** The names of this process's threads that are workers (Deno names them `worker-N`). */
const workerThreads = () =>
  [...Deno.readDirSync("/proc/self/task")].flatMap((e) => {
    try {
      const name = Deno.readTextFileSync(`/proc/self/task/${e.name}/comm`).trim();
      return name.startsWith("worker-") ? [name] : [];
    } catch {
      return []; // ended meanwhile
    }
  });

/**
 * Waits (at most 2 s) until no worker thread runs: a worker's thread ends, and
 * its runtime's descriptors go, shortly after the worker said it is done.
 */
async function workersGone(): Promise<number> {
  for (let i = 0; i < 40 && workerThreads().length > 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return workerThreads().length;
}

for (const mode of ["multicast", "daemon"] as const) {
  kernelTest(`${mode}: N known events arrive once, complete and interpreted`, async () => {
    using a = openAudit();
    await a.setEnabled(1);
    const w = await watchTempFile();
    try {
      const fds = fdCount();
      const sockets = auditSockets();
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
      assert.equal(await workersGone(), 0, "the reader thread ended");
      assert.equal(fdCount(), fds, "no descriptor left open");
      assert.deepEqual(auditSockets(), sockets, "no audit socket left open");
    } finally {
      await w.remove();
    }
  });
}

const MOD = new URL("../mod.ts", import.meta.url).href;

/** A user message burst from other processes while this one's event loop is blocked. */
function blockedBurst(tag: string, n: number): void {
  const r = new Deno.Command("sh", {
    args: [
      "-c",
      `i=0; while [ $i -lt ${n} ]; do auditctl -m "${tag}-$i" || exit 1; i=$((i+1)); done`,
    ],
    stdout: "null",
    stderr: "piped",
  }).outputSync();
  assert.ok(r.success, new TextDecoder().decode(r.stderr));
}

/**
 * The serials a live stream handed out, as events or in reported gaps. A
 * missing serial is known only between two seen ones.
 */
class Serials {
  readonly seen = new Set<number>();
  readonly gaps: [number, number][] = [];

  /** Takes an item of the stream. */
  add(item: LiveItem): void {
    if (item.kind === "event") this.seen.add(item.event.serial);
    else if (item.loss.cause === "gap") this.gaps.push([item.loss.first!, item.loss.last!]);
  }

  #inGap(s: number): boolean {
    return this.gaps.some(([f, l]) => f <= s && s <= l);
  }

  /** Whether every serial from `lo` to `hi` was seen or reported missing. */
  complete(lo: number, hi: number): boolean {
    for (let s = lo; s <= hi; s++) if (!this.seen.has(s) && !this.#inGap(s)) return false;
    return true;
  }

  /**
   * Asserts that each serial from `lo` to `hi` (both seen) was seen or
   * reported missing, never both, and that no reported gap reaches past
   * either or lies after `hi`; gives how many between them were reported missing.
   */
  missing(lo: number, hi: number): number {
    assert.ok(this.seen.has(lo) && this.seen.has(hi), `${lo} and ${hi} seen`);
    for (const [f, l] of this.gaps) {
      assert.ok(l < lo || (lo < f && l < hi), `gap ${f}..${l} across or after ${lo}..${hi}`);
    }
    let n = 0;
    for (let s = lo; s <= hi; s++) {
      const seen = this.seen.has(s), inGap = this.#inGap(s);
      assert.ok(seen !== inGap, `serial ${s}: seen ${seen}, in a gap ${inGap}`);
      if (inGap) n++;
    }
    return n;
  }
}

/**
 * Sends `op=${prefix}-0`, `-1`, ... (at most 20; each `pause` ms after the
 * last was sent or not seen within a second) until `seen()`: a message the
 * stream loses (a full socket or buffer drops it) is sent again.
 */
async function sendUntilSeen(
  a: AuditClient,
  prefix: string,
  seen: () => boolean,
  signal: AbortSignal,
  pause: number,
): Promise<void> {
  for (let k = 0; k < 20 && !seen() && !signal.aborted; k++) {
    if (pause > 0) await new Promise((r) => setTimeout(r, pause));
    if (seen() || signal.aborted) return;
    await logUserMessage("USER", `op=${prefix}-${k}`, { client: a });
    for (let i = 0; i < 10 && !seen() && !signal.aborted; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** What {@link aroundBurst} does. */
interface Burst {
  /** Marks this test's own messages (`op=${tag}-start-K`, `op=${tag}-end-K`). */
  tag: string;
  /** The burst, run on this thread: it takes nothing from the stream meanwhile. */
  burst: () => void;
  /**
   * Whether the message after the burst can be sent (a loss item that says
   * the full buffer was taken); by default 300 ms after the burst.
   */
  endAfter?: (item: LiveItem) => boolean;
  /** Items after the message before the burst, but this test's messages. */
  item: (item: LiveItem) => void;
  /** Aborted once the stream is read far enough (the stream's signal, with a timeout). */
  stop: AbortController;
  signal: AbortSignal;
}

/**
 * Reads `live` around a burst, so that whatever the burst loses lies between
 * two serials the stream saw: sends a message of this test's own until one
 * is received, runs the burst, sends one again until one is received, and
 * reads on until every serial between the two received ones was seen or
 * reported missing (and 300 ms more: nothing is reported twice).
 */
async function aroundBurst(
  live: LiveStream,
  a: AuditClient,
  o: Burst,
): Promise<{ first: number; last: number; serials: Serials }> {
  const serials = new Serials();
  let first = -1, last = -1, complete = false;
  const mine = (item: LiveItem, what: string) =>
    item.kind === "event" && item.event.records[0].get("op")?.startsWith(`${o.tag}-${what}-`);
  const starting = sendUntilSeen(a, `${o.tag}-start`, () => first >= 0, o.signal, 0);
  let ending: Promise<void> | undefined;
  const end = (pause: number) =>
    ending ??= sendUntilSeen(a, `${o.tag}-end`, () => last >= 0, o.signal, pause);
  try {
    for await (const item of live) {
      serials.add(item);
      if (first < 0) {
        if (mine(item, "start")) {
          first = (item as { event: AuditEvent }).event.serial;
          o.burst();
          if (o.endAfter === undefined) end(300);
        }
        continue;
      }
      if (mine(item, "end")) {
        if (last < 0) last = (item as { event: AuditEvent }).event.serial;
      } else if (!mine(item, "start")) {
        o.item(item);
        if (last < 0 && o.endAfter?.(item)) end(0);
      }
      if (last >= 0 && !complete && serials.complete(first, last)) {
        complete = true;
        setTimeout(() => o.stop.abort(), 300);
      }
    }
  } finally {
    await starting;
    await ending;
  }
  assert.ok(
    first > 0 && last > 0,
    `the messages before and after the burst came: ${first} ${last}`,
  );
  return { first, last, serials };
}

kernelTest(
  "a tiny receive buffer: overruns and the exact missing serials are reported",
  async () => {
    using a = openAudit();
    await a.setEnabled(1);
    const tag = `auditkit-test-burst-${crypto.randomUUID().slice(0, 8)}`;
    const N = 200;
    const stop = new AbortController();
    const signal = AbortSignal.any([stop.signal, AbortSignal.timeout(20_000)]);
    // the reader thread keeps up with a burst on its own: it stops reading once its buffer (the
    // smallest, some 100 records) is full ("block"), while this thread is blocked and takes none
    await using live = openLive({
      receiveBufferBytes: 1,
      bufferBytes: 16384,
      queue: { size: 8192, policy: "block" },
      eventTimeoutMs: 200,
      signal,
    });
    await live.ready;
    // the stream's own join (an EVENT_LISTENER event of several records) overruns the socket
    // already, and may take the first message before the burst with it: it is sent again
    let ours = 0, overruns = 0;
    const { first, last, serials } = await aroundBurst(live, a, {
      tag,
      burst: () => blockedBurst(tag, N),
      item: (item) => {
        if (item.kind === "loss") {
          if (item.loss.cause === "socket") overruns += item.loss.count;
        } else if (item.event.records[0].get("text")?.startsWith(`${tag}-`)) ours++;
      },
      stop,
      signal,
    });
    const c = live.counters;
    assert.ok(overruns >= 1, `the burst overran the socket: ${JSON.stringify(c)}`);
    const missing = serials.missing(first, last);
    assert.ok(missing > 0 && ours < N, JSON.stringify({ missing, ours, ...c }));
    // each message of the burst lies between the two: received, or a serial reported missing
    assert.ok(ours + missing >= N, JSON.stringify({ missing, ours, ...c }));
    // the gaps reported are the missing serials between the two, and what was lost before them
    const before = serials.gaps.filter(([, l]) => l < first).reduce(
      (n, [f, l]) => n + l - f + 1,
      0,
    );
    assert.equal(c.gap, missing + before);
  },
);

kernelTest("the kernel's lost counter: its increase while open is reported", async () => {
  using a = openAudit();
  await a.setEnabled(1);
  // the rate limit only once the stream took its first count: records dropped before it (the
  // stream's own EVENT_LISTENER when it joins, anyone's) are not the stream's to count
  const live = openLive({ receiveBufferBytes: 1 << 20 });
  await live.ready;
  const before = (await a.status()).lost;
  await a.setRateLimit(2);
  const tag = `auditkit-test-rate-${crypto.randomUUID().slice(0, 8)}`;
  for (let i = 0; i < 30; i++) {
    await logUserMessage("USER", `op=${tag}-${i}`, { client: a, verify: false });
  }
  await a.setRateLimit(0);
  // kauditd counts what it drops as it works through its queue, after the sends return:
  // wait until the kernel's counter holds still before the stream takes its last count
  let seen = -1, now = (await a.status()).lost;
  for (const end = Date.now() + 10_000; now !== seen && Date.now() < end;) {
    seen = now;
    await new Promise((r) => setTimeout(r, 300));
    now = (await a.status()).lost;
  }
  await live.close();
  const delta = (await a.status()).lost - before;
  assert.ok(delta > 0, "the rate limit dropped records");
  assert.equal(live.counters.kernel, delta);
  const items = await collect(live);
  const kernel = items.flatMap((i) =>
    i.kind === "loss" && i.loss.cause === "kernel" ? [i.loss] : []
  );
  assert.equal(kernel.reduce((n, l) => n + l.count, 0), delta);
});

kernelTest(
  "abort mid-stream in daemon mode: pid released, no descriptor left, process exits on its own",
  async () => {
    using a = openAudit();
    await a.setEnabled(1);
    const r = await runSnippetTimed(
      `import { openLive, logUserMessage, openAudit } from "${MOD}";
     const link = (n: string) => { try { return n + " " + Deno.readLinkSync("/proc/self/fd/" + n); } catch { return ""; } };
     // the runtime keeps the last ended worker's event loop (an eventfd and an epoll) until the next
     const own = (l: string) => l && !/ anon_inode:\\[(eventfd|eventpoll)\\]$/.test(l);
     const fds = () => [...Deno.readDirSync("/proc/self/fd")].map((e) => link(e.name)).filter(own).sort().join();
     // the runtime's own signal pipe (made once, on the first signal listener) is not the stream's
     const f = () => {};
     Deno.addSignalListener("SIGINT", f);
     Deno.removeSignalListener("SIGINT", f);
     const before = fds();
     const ctl = new AbortController();
     const live = openLive({ mode: "daemon", signal: ctl.signal });
     await live.ready;
     { using a = openAudit(); console.log("pid", (await a.status()).pid === Deno.pid);
       await logUserMessage("USER", "op=auditkit-test-abort", { client: a }); }
     const started = Date.now();
     let n = 0;
     for await (const item of live) { if (item.kind === "event" && n++ === 0) ctl.abort(); }
     console.log("ended", Date.now() - started < 1000);
     { using a = openAudit(); console.log("after", (await a.status()).pid); }
     // the reader thread ends (and its runtime's descriptors go) shortly after it said it is done
     const workers = () => [...Deno.readDirSync("/proc/self/task")].filter((t) => {
       try { return Deno.readTextFileSync("/proc/self/task/" + t.name + "/comm").startsWith("worker-"); } catch { return false; } });
     for (let i = 0; i < 40 && workers().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
     const after = fds();
     console.log("fds", after === before ? true : before + " / " + after);`,
    );
    assert.equal(r.stdout.trim(), "pid true\nended true\nafter 0\nfds true", r.stderr);
    assert.ok(r.ms < 5000, `the process ended on its own after ${r.ms} ms`);
    assert.equal((await a.status()).pid, 0);
  },
);

kernelTest("daemon mode: SIGTERM unregisters and ends the stream", async () => {
  using a = openAudit();
  const child = spawnSnippet(
    `import { openLive } from "${MOD}";
     const live = openLive({ mode: "daemon" });
     await live.ready;
     console.log("ready");
     for await (const _ of live) { /* until the signal */ }
     console.log("ended");`,
  );
  try {
    await child.waitFor("ready");
    assert.equal((await a.status()).pid, child.pid);
    child.process.kill("SIGTERM");
    const out = await child.done();
    assert.match(out, /ended/);
    assert.equal((await a.status()).pid, 0);
  } finally {
    await child.done();
  }
});

kernelTest(
  "daemon mode killed by SIGKILL: the kernel drops the registration at its next record",
  async () => {
    using a = openAudit();
    await a.setEnabled(1);
    const child = spawnSnippet(
      `import { openLive } from "${MOD}";
     const live = openLive({ mode: "daemon" });
     await live.ready;
     console.log("ready");
     for await (const _ of live) { /* until killed */ }`,
    );
    try {
      await child.waitFor("ready");
      assert.equal((await a.status()).pid, child.pid);
      child.process.kill("SIGKILL");
      await child.done();
      // the next record the kernel sends finds no socket (ECONNREFUSED): it resets the daemon
      await logUserMessage("USER", "op=auditkit-test-after-kill", { client: a });
      let pid = -1;
      for (let i = 0; i < 50 && pid !== 0; i++) {
        pid = (await a.status()).pid;
        if (pid !== 0) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(pid, 0);
    } finally {
      await child.done();
    }
  },
);

/** Runs a snippet to its end, timed. */
async function runSnippetTimed(
  code: string,
): Promise<{ stdout: string; stderr: string; ms: number }> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, code);
    const started = Date.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", file],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return {
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
      ms: Date.now() - started,
    };
  } finally {
    await Deno.remove(file);
  }
}

/** A snippet running in the background: wait for a line, collect the rest. */
function spawnSnippet(code: string) {
  const file = Deno.makeTempFileSync({ suffix: ".ts" });
  Deno.writeTextFileSync(file, code);
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", file],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const reading = (async () => {
    for await (const chunk of process.stdout.pipeThrough(new TextDecoderStream())) text += chunk;
  })();
  let finished: Promise<string> | undefined;
  return {
    process,
    pid: process.pid,
    async waitFor(line: string): Promise<void> {
      for (let i = 0; i < 300 && !text.includes(line); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(text.includes(line), `the snippet printed ${JSON.stringify(text)}`);
    },
    done(): Promise<string> {
      finished ??= (async () => {
        const timer = setTimeout(() => {
          try {
            process.kill("SIGKILL");
          } catch { /* gone */ }
        }, 10_000);
        await process.status;
        clearTimeout(timer);
        await reading;
        await process.stderr.cancel();
        await Deno.remove(file).catch(() => {});
        return text;
      })();
      return finished;
    },
  };
}

kernelTest(
  "plugin mode fed by a real auditd (stdin plugin and af_unix socket); daemon mode refused beside it",
  async () => {
    using a = openAudit();
    const before = await a.status();
    assert.equal(before.pid, 0, `an audit daemon (pid ${before.pid}) is already registered`);
    const dir = await Deno.makeTempDir({ prefix: "auditkit-live-auditd-" });
    await Deno.mkdir(`${dir}/plugins.d`);
    const sock = `${dir}/events.sock`;
    const out = `${dir}/plugin.jsonl`;
    await Deno.writeTextFile(
      `${dir}/auditd.conf`,
      auditdConfig({ logFile: `${dir}/audit.log`, format: "RAW", flush: "NONE", maxLogFileMb: 0 }),
    );
    const conf = (path: string, type: string, args = "") =>
      `active = yes\ndirection = out\npath = ${path}\ntype = ${type}\n${args}format = string\n`;
    await Deno.writeTextFile(
      `${dir}/plugins.d/af_unix.conf`,
      conf("builtin_af_unix", "builtin", `args = 0600 ${sock}\n`),
      { mode: 0o640 },
    );
    // a plugin as the README says to install one: a program that reads its stdin
    await Deno.writeTextFile(
      `${dir}/plugin.ts`,
      `import { interpretField, openLive } from "${MOD}";
     const file = Deno.openSync("${out}", { append: true, create: true });
     for await (const item of openLive({ mode: "plugin" })) {
       const ev = item.kind === "event" ? item.event : undefined;
       const sc = ev?.record(1300);
       const line = ev
         ? { serial: ev.serial, types: ev.records.map((r) => r.typeName), key: sc?.get("key"),
             syscall: sc ? interpretField(ev, sc, sc.indexOf("syscall")) : undefined,
             op: ev.records[0].get("op") }
         : { loss: item.kind === "loss" ? item.loss : undefined };
       file.writeSync(new TextEncoder().encode(JSON.stringify(line) + "\\n"));
     }`,
    );
    await Deno.writeTextFile(
      `${dir}/plugin.sh`,
      `#!/bin/sh\nexec "${Deno.execPath()}" run -A "${dir}/plugin.ts"\n`,
      { mode: 0o750 },
    );
    await Deno.chmod(`${dir}/plugin.sh`, 0o750);
    await Deno.writeTextFile(`${dir}/plugins.d/auditkit.conf`, conf(`${dir}/plugin.sh`, "always"), {
      mode: 0o640,
    });
    const daemon = spawnAuditd(dir);
    let w: Awaited<ReturnType<typeof watchTempFile>> | undefined;
    let failure: Error | undefined;
    try {
      await waitFor("auditd to register", async () => (await a.status()).pid === daemon.pid);
      await a.setEnabled(1);
      // another daemon is registered and alive: daemon mode refuses
      const refused = openLive({ mode: "daemon" });
      await assert.rejects(collect(refused), /pid \d+ \(auditd\) is the registered audit daemon/);
      assert.equal((await a.status()).pid, daemon.pid, "auditd is still the daemon");
      await waitFor("the af_unix socket", () => Deno.stat(sock).then(() => true, () => false));
      await using live = openLive({ mode: "plugin", plugin: { input: sock } });
      await live.ready;
      w = await watchTempFile();
      const sh = await run("sh", ["-c", `for i in 1 2 3 4 5; do echo $i >> ${w.file}; done`]);
      assert.equal(sh.code, 0);
      const tag = `auditkit-test-plugin-${Deno.pid}`;
      await logUserMessage("USER", `op=${tag}`, { client: a, verify: false });
      const mine: AuditEvent[] = [];
      for await (const item of live) {
        if (item.kind === "loss") continue;
        const ev = item.event;
        if (ev.records[0].get("op") === tag) break;
        if (ev.record(1300)?.get("key") === `"${w.key}"`) mine.push(ev);
      }
      assert.equal(mine.length, 5);
      assert.equal(new Set(mine.map((e) => e.serial)).size, 5);
      for (const ev of mine) {
        const sc = ev.records[0];
        assert.equal(sc.typeName, "SYSCALL");
        assert.equal(ev.records.at(-1)!.typeName, "PROCTITLE");
        assert.equal(interpretField(ev, sc, sc.indexOf("syscall")), "openat");
      }
      assert.deepEqual(live.counters, {
        kernel: 0,
        socket: 0,
        buffer: 0,
        gap: 0,
        queue: 0,
        input: 0,
      });
      // the stdin plugin saw the same events
      let lines: {
        serial?: number;
        key?: string;
        syscall?: string;
        op?: string;
        types?: string[];
      }[] = [];
      await waitFor("the stdin plugin's marker", async () => {
        const text = await Deno.readTextFile(out).catch(() => "");
        lines = text.split("\n").filter((l) => l).map((l) => JSON.parse(l));
        return lines.some((l) => l.op === tag);
      });
      const theirs = lines.filter((l) => l.key === `"${w!.key}"`);
      assert.deepEqual(theirs.map((l) => l.serial), mine.map((e) => e.serial));
      for (const l of theirs) {
        assert.equal(l.syscall, "openat");
        assert.equal(l.types!.at(-1), "PROCTITLE");
      }
      assert.ok(!lines.some((l) => "loss" in l), JSON.stringify(lines.filter((l) => "loss" in l)));
    } finally {
      await w?.remove();
      failure = await stopAuditd(daemon, a, before.pid);
      await Deno.remove(dir, { recursive: true });
    }
    if (failure) throw failure;
  },
);

Deno.test("a kernel source's receive buffer: asked past net.core.rmem_max, given as root", () => {
  if (Deno.uid() !== 0) {
    console.log("skipped: SO_RCVBUFFORCE needs CAP_NET_ADMIN (not root)");
    return;
  }
  const rmemMax = Number(Deno.readTextFileSync("/proc/sys/net/core/rmem_max").trim());
  const ask = Math.max(LIVE_RECEIVE_BUFFER, rmemMax * 2);
  // no group: opening a netlink audit socket needs no capability, so this runs anywhere as root
  const fd = openAuditSocket({ receiveBufferBytes: ask });
  try {
    // the kernel doubles what it grants; SO_RCVBUF alone would stop at rmem_max (doubled)
    assert.equal(receiveBufferSize(fd), ask * 2);
    assert.ok(receiveBufferSize(fd) > rmemMax * 2);
  } finally {
    c().close(fd);
  }
});

/** Blocks this thread (the event loop with it) for `ms`. */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

kernelTest(
  "the reader thread's buffer full: dropped records counted exactly, their serials reported",
  async () => {
    using a = openAudit();
    await a.setEnabled(1);
    const tag = `auditkit-test-ring-${crypto.randomUUID().slice(0, 8)}`;
    const N = 300;
    const stop = new AbortController();
    const signal = AbortSignal.any([stop.signal, AbortSignal.timeout(30_000)]);
    await using live = openLive({
      bufferBytes: 16384, // ~80 user records; the socket's buffer (8 MiB) holds them all
      eventTimeoutMs: 200,
      signal,
    });
    await live.ready;
    const dropped: { count: number; first: number; last: number }[] = [];
    let ours = 0;
    const { first, last, serials } = await aroundBurst(live, a, {
      tag,
      burst: () => {
        blockedBurst(tag, N);
        blockFor(500); // the reader thread reads (and drops) the rest meanwhile
      },
      // the drops are reported once this thread took what the buffer held: the message after
      // the burst then fits (into a full buffer it would be dropped too)
      endAfter: (item) => item.kind === "loss" && item.loss.cause === "buffer",
      item: (item) => {
        if (item.kind === "event") {
          if (item.event.records[0].get("text")?.startsWith(`${tag}-`)) ours++;
        } else if (item.loss.cause === "buffer") {
          const l = item.loss;
          dropped.push({ count: l.count, first: l.first!, last: l.last! });
        }
      },
      stop,
      signal,
    });
    const c = live.counters;
    assert.ok(c.buffer > 0 && ours > 0, JSON.stringify({ ours, ...c }));
    assert.equal(c.socket + c.kernel + c.queue, 0, JSON.stringify(c));
    // every message of the burst was received or counted as dropped (one record each)
    assert.equal(ours + c.buffer, N, JSON.stringify({ ours, ...c }));
    assert.equal(dropped.reduce((n, d) => n + d.count, 0), c.buffer);
    // the dropped records' events are the gaps, serial for serial
    const missing = serials.missing(first, last);
    for (const [f, l] of serials.gaps) {
      for (let s = f; s <= l; s++) {
        assert.ok(dropped.some((d) => d.first <= s && s <= d.last), `serial ${s} not in a drop`);
      }
    }
    assert.equal(missing, c.buffer);
    assert.equal(c.gap, missing);
  },
);

/** The kernel's timer ticks a second (backlog_wait_time's unit): CONFIG_HZ, 250 when unknown. */
async function kernelHz(): Promise<number> {
  try {
    const gz = new Blob([await Deno.readFile("/proc/config.gz")]).stream();
    const text = await new Response(gz.pipeThrough(new DecompressionStream("gzip"))).text();
    const hz = Number(/^CONFIG_HZ=(\d+)$/m.exec(text)?.[1]);
    if (hz > 0) return hz;
  } catch { /* no kernel config to read */ }
  return 250;
}

/** `sh -c` making `n` audited writes to `file`; prints how long they took in ms. */
const timedWrites = (file: string, n: number) =>
  `s=$(date +%s%N); i=0; while [ $i -lt ${n} ]; do echo $i >> ${file}; i=$((i+1)); done; ` +
  `echo $(( ($(date +%s%N) - s) / 1000000 ))`;

kernelTest(
  "daemon mode: a thread blocked longer than daemonWaitMs stalls audited tasks about that long; the drops are counted exactly",
  async () => {
    using a = openAudit();
    await a.setEnabled(1);
    const before = await a.status();
    if (before.backlog_wait_time_actual === undefined) {
      console.log("skipped: the kernel reports no backlog_wait_time_actual");
      return;
    }
    // a small backlog and a full socket: while the reader waits for room, the writer below waits,
    // each audited call up to backlog_wait_time, here 1 s (HZ ticks; from the default 60 s):
    // longer than the bound, and a record that waits all of it is lost (counted by the kernel),
    // so a stall longer than 1 s shows in the kernel's counter
    await a.setBacklogLimit(8);
    await a.setBacklogWaitTime(await kernelHz());
    const w = await watchTempFile();
    const N = 200, BOUND = 500;
    try {
      const threads = workerThreads().length;
      {
        const stop = new AbortController();
        const signal = AbortSignal.any([stop.signal, AbortSignal.timeout(30_000)]);
        await using live = openLive({
          mode: "daemon",
          receiveBufferBytes: 1,
          bufferBytes: 16384, // a few dozen events of five records: full early in the writes
          daemonWaitMs: BOUND,
          eventTimeoutMs: 200,
          signal,
        });
        await live.ready;
        assert.equal(workerThreads().length, threads + 1, "the reader thread runs");
        let ms = -1;
        const dropped: { count: number; first: number; last: number }[] = [];
        const mine: AuditEvent[] = [];
        const { first, last, serials } = await aroundBurst(live, a, {
          tag: `auditkit-test-stuck-${crypto.randomUUID().slice(0, 8)}`,
          burst: () => {
            const started = Date.now();
            // synchronous code: this thread's event loop does not run for 3 s
            const r = new Deno.Command("sh", { args: ["-c", timedWrites(w.file, N)] })
              .outputSync();
            assert.ok(r.success);
            ms = Number(new TextDecoder().decode(r.stdout).trim());
            blockFor(Math.max(0, 3000 - (Date.now() - started)));
          },
          endAfter: (item) => item.kind === "loss" && item.loss.cause === "buffer",
          item: (item) => {
            if (item.kind === "event") {
              if (item.event.record(1300)?.get("key") === `"${w.key}"`) mine.push(item.event);
            } else if (item.loss.cause === "buffer") {
              const l = item.loss;
              dropped.push({ count: l.count, first: l.first!, last: l.last! });
            }
          },
          stop,
          signal,
        });
        const actual = (await a.status()).backlog_wait_time_actual! -
          before.backlog_wait_time_actual;
        const c = live.counters;
        // the audited writes waited for the reader's bound, not for the 3 s block. The kernel can
        // miss the wake-up of a task that went to sleep as kauditd emptied the backlog: that task
        // sleeps all of backlog_wait_time (1 s) once more
        assert.ok(ms >= BOUND * 0.6 && ms < BOUND + 2000, `${N} audited writes took ${ms} ms`);
        assert.ok(actual > 0, "audited tasks waited on the full backlog");
        // nothing was lost by the kernel: the drops are the reader's, counted and reported
        assert.ok(c.buffer > 0 && mine.length > 0, JSON.stringify({ mine: mine.length, ...c }));
        assert.equal(c.kernel + c.socket + c.queue, 0, JSON.stringify(c));
        assert.equal(dropped.reduce((n, d) => n + d.count, 0), c.buffer);
        const missing = serials.missing(first, last);
        for (const [f, l] of serials.gaps) {
          for (let s = f; s <= l; s++) {
            assert.ok(
              dropped.some((d) => d.first <= s && s <= d.last),
              `serial ${s} not in a drop`,
            );
          }
        }
        // every write is an event received or a missing serial
        assert.equal(
          mine.length + missing,
          N,
          JSON.stringify({ mine: mine.length, missing, ...c }),
        );
        assert.equal(c.gap, missing);
      }
      assert.equal((await a.status()).pid, 0, "no daemon left registered");
      assert.equal(threads, 0);
      assert.equal(await workersGone(), 0, "the reader thread is gone");
    } finally {
      await w.remove();
    }
  },
);

kernelTest(
  "daemon mode: a consumer slower than a burst: the audited tasks wait for it, the reader drops nothing",
  async () => {
    using a = openAudit();
    await a.setEnabled(1);
    // a small backlog: the writes below wait for the consumer. The kernel can miss the wake-up of
    // a task that went to sleep as kauditd emptied its queue (checked, then slept): such a task
    // sleeps all of backlog_wait_time, here shortened from 60 s
    await a.setBacklogLimit(8);
    await a.setBacklogWaitTime(1000);
    const w = await watchTempFile();
    const N = 200, PAUSE = 20;
    try {
      const tag = `auditkit-test-slow-${crypto.randomUUID().slice(0, 8)}`;
      const signal = AbortSignal.timeout(60_000);
      // a queue of 64 events and a buffer of a few dozen: far less than the burst. The consumer
      // frees a batch of room (32 events) only every 640 ms, longer than the reader's bound
      await using live = openLive({
        mode: "daemon",
        receiveBufferBytes: 1,
        bufferBytes: 16384,
        queue: { size: 64 },
        daemonWaitMs: 500,
        signal,
      });
      await live.ready;
      const child = new Deno.Command("sh", {
        args: ["-c", timedWrites(w.file, N)],
        stdout: "piped",
      })
        .spawn();
      let ended = false;
      // A send to the full socket that fails puts the kernel's records in its retry queue, which
      // it sends again only when a new record comes: the end marker is sent until it is seen
      const ending = child.output().then(async (out) => {
        await sendUntilSeen(a, `${tag}-end`, () => ended, signal, 200);
        return Number(new TextDecoder().decode(out.stdout).trim());
      });
      const serials: number[] = [];
      let incomplete = 0;
      const losses: string[] = [];
      let late = 0;
      try {
        for await (const item of live) {
          if (item.kind === "loss") {
            losses.push(`${item.loss.cause} ${item.loss.count}`);
            if (item.loss.reason?.startsWith("late records")) late += item.loss.count;
            continue;
          }
          const ev = item.event;
          if (ev.records[0].get("op")?.startsWith(`${tag}-end-`)) break;
          if (ev.record(1300)?.get("key") === `"${w.key}"`) {
            serials.push(ev.serial);
            // SYSCALL, CWD, PATH, PROCTITLE
            if (![1300, 1307, 1302, 1327].every((t) => ev.record(t) !== undefined)) incomplete++;
          }
          await new Promise((r) => setTimeout(r, PAUSE));
        }
      } finally {
        ended = true;
      }
      const ms = await ending;
      const c = live.counters;
      const what = JSON.stringify({ events: serials.length, incomplete, ...c, losses });
      assert.equal(new Set(serials).size, serials.length);
      // the reader and the queue dropped nothing: the kernel waited for them
      assert.equal(c.socket + c.buffer + c.queue, 0, what);
      // what is missing is the kernel's own loss, counted: its retry queue holds backlog_limit
      // records (8 here) and drops what does not fit while the socket stays full. A record it
      // held there longer than the event timeout comes after its event: reported as late
      assert.ok(N - serials.length + incomplete <= c.kernel + late, what);
      assert.ok(c.gap <= c.kernel, what);
      assert.ok(serials.length >= N - 8, what);
      // the writes went at the consumer's pace: the kernel waited for it
      assert.ok(ms > (N - 64 - 100) * PAUSE, `${N} audited writes took ${ms} ms`);
    } finally {
      await w.remove();
    }
  },
);

kernelTest(
  "a consumer that does not iterate for a while: records wait in the reader's buffer, none lost",
  async () => {
    using a = openAudit();
    await a.setEnabled(1);
    const tag = `auditkit-test-wait-${crypto.randomUUID().slice(0, 8)}`;
    const N = 2000;
    // a queue of 16 events: 2000 events would overflow it many times over
    await using live = openLive({ queue: { size: 16 }, eventTimeoutMs: 200 });
    await live.ready;
    for (let i = 0; i < N; i++) {
      await logUserMessage("USER", `op=${tag}-${i}`, { client: a, verify: false });
    }
    const end = `${tag}-end`;
    await logUserMessage("USER", `op=${end}`, { client: a });
    await new Promise((r) => setTimeout(r, 500)); // the consumer is away
    const ops: string[] = [];
    for await (const item of live) {
      if (item.kind === "loss") continue;
      const op = item.event.records[0].get("op") ?? "";
      if (op === end) break;
      if (op.startsWith(`${tag}-`)) ops.push(op);
    }
    assert.deepEqual(ops, Array.from({ length: N }, (_, i) => `${tag}-${i}`));
    const c = live.counters;
    assert.equal(c.socket + c.buffer + c.gap + c.queue + c.kernel, 0, JSON.stringify(c));
  },
);

kernelTest(
  "the reader thread needs no file access; one that cannot start (libc not loadable on its thread) fails the stream at once",
  async () => {
    using a = openAudit();
    const file = await Deno.makeTempFile({ suffix: ".ts" });
    try {
      await Deno.writeTextFile(
        file,
        `import { openLive, openAudit } from "${MOD}";
         import { c } from "${new URL("../lib/_native.ts", import.meta.url).href}";
         /** Open descriptors of audit netlink sockets (SO_DOMAIN AF_NETLINK, SO_PROTOCOL 9). */
         const auditSockets = () => {
           const v = new Uint8Array(4), len = new Uint8Array([4, 0, 0, 0]);
           const get = (fd: number, opt: number) =>
             (len[0] = 4, c().getsockopt(fd, 1, opt, v, len) === 0 ? new DataView(v.buffer).getInt32(0, true) : -1);
           let n = 0;
           for (let fd = 0; fd < 1024; fd++) if (get(fd, 39) === 16 && get(fd, 38) === 9) n++;
           return n;
         };
         const mode = Deno.args[0] as "multicast" | "daemon";
         const out: string[] = [];
         {
           await using first = openLive({ mode });
           await first.ready;
           out.push("first ready");
         }
         // libc is bound on this thread already; the reader thread binds it anew, from this path
         Deno.env.set("AUDITKIT_LIBC", "/nonexistent/libc.so.6");
         const live = openLive({ mode });
         await live.ready.then(() => out.push("ready"), (e) => out.push("ready rejected: " + e.message));
         try {
           for await (const _ of live) out.push("item");
         } catch (e) {
           out.push("iteration threw: " + (e as Error).message);
         }
         { using a = openAudit(); out.push("pid " + (await a.status()).pid); }
         out.push("sockets " + auditSockets());
         console.log(JSON.stringify(out));`,
      );
      for (const mode of ["multicast", "daemon"]) {
        const started = Date.now();
        // FFI and the environment only: no file is read for the reader thread
        const r = await new Deno.Command(Deno.execPath(), {
          args: ["run", "--allow-ffi", "--allow-env", file, mode],
          stdout: "piped",
          stderr: "piped",
        }).output();
        const ms = Date.now() - started;
        const dec = new TextDecoder();
        assert.equal(r.code, 0, dec.decode(r.stderr));
        const out: string[] = JSON.parse(dec.decode(r.stdout));
        assert.equal(out.length, 5, out.join("\n"));
        assert.equal(out[0], "first ready", `${mode}: a reader thread with FFI alone`);
        assert.match(
          out[1],
          /^ready rejected: Cannot run the audit socket's reader thread: .*nonexistent\/libc\.so\.6/,
        );
        assert.equal(out[2], out[1].replace("ready rejected", "iteration threw"));
        assert.equal(out[3], "pid 0", `${mode}: no daemon left registered`);
        assert.equal(out[4], "sockets 0", `${mode}: the reader's descriptor closed`);
        assert.ok(ms < 10_000, `${mode}: ended on its own after ${ms} ms`);
      }
      assert.equal((await a.status()).pid, 0);
    } finally {
      await Deno.remove(file);
    }
  },
);

kernelTest(
  "the reader thread's buffer full: events of several records come complete or as gaps",
  async () => {
    using a = openAudit();
    await a.setEnabled(1);
    const w = await watchTempFile();
    const N = 300;
    try {
      const stop = new AbortController();
      const signal = AbortSignal.any([stop.signal, AbortSignal.timeout(30_000)]);
      await using live = openLive({
        bufferBytes: 16384, // a few dozen events of five records
        eventTimeoutMs: 200,
        signal,
      });
      await live.ready;
      const mine: AuditEvent[] = [];
      const { first, last, serials } = await aroundBurst(live, a, {
        tag: `auditkit-test-whole-${crypto.randomUUID().slice(0, 8)}`,
        burst: () => {
          const r = new Deno.Command("sh", {
            args: ["-c", `i=0; while [ $i -lt ${N} ]; do echo $i >> ${w.file}; i=$((i+1)); done`],
          }).outputSync();
          assert.ok(r.success);
          blockFor(500);
        },
        endAfter: (item) => item.kind === "loss" && item.loss.cause === "buffer",
        item: (item) => {
          if (item.kind === "event" && item.event.record(1300)?.get("key") === `"${w.key}"`) {
            mine.push(item.event);
          }
        },
        stop,
        signal,
      });
      const c = live.counters;
      assert.ok(c.buffer > 0 && mine.length > 0, JSON.stringify(c));
      // only the event the buffer filled up in can be cut
      const cut = mine.filter((e) => e.records.at(-1)!.typeName !== "PROCTITLE");
      assert.ok(
        cut.length <= 1,
        cut.map((e) => e.records.map((r) => r.typeName).join()).join("; "),
      );
      // every write is an event received or a missing serial
      const missing = serials.missing(first, last);
      assert.equal(mine.length + missing, N, JSON.stringify({ mine: mine.length, missing, ...c }));
      assert.equal(c.gap, missing);
    } finally {
      await w.remove();
    }
  },
);

kernelTest(
  "daemon mode: an uncaught error or unhandled rejection unregisters; the reader thread does not hold the process",
  async () => {
    using a = openAudit();
    for (
      const fault of ["throw new Error('boom')", "void Promise.reject(new Error('boom'))"]
    ) {
      const r = await runSnippetTimed(
        `import { openLive, openAudit } from "${MOD}";
         const live = openLive({ mode: "daemon" });
         await live.ready;
         { using a = openAudit(); console.log("pid", (await a.status()).pid === Deno.pid); }
         setTimeout(() => { ${fault}; }, 200);
         for await (const _ of live) { /* until the fault */ }
         console.log("not reached");`,
      );
      assert.equal(r.stdout.trim(), "pid true", r.stderr);
      assert.match(r.stderr, /boom/);
      assert.ok(r.ms < 5000, `${fault}: the process ended after ${r.ms} ms`);
      assert.equal((await a.status()).pid, 0, `${fault}: no daemon left registered`);
    }
  },
);
