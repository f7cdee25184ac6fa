import assert from "node:assert/strict";
import { openAudit } from "../mod.ts";
import { CLI_ENTRY, kernelTest, run, runCli, subscribed, tempDir } from "./_helpers.ts";
import { runWatch } from "../cli/watch.ts";

const decoder = new TextDecoder();

function watcher(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI_ENTRY, "watch", ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const chunks: Uint8Array[] = [];
  const reading = (async () => {
    for await (const c of child.stdout) chunks.push(c);
  })();
  return {
    child,
    text: () => decoder.decode(new Uint8Array(chunks.flatMap((c) => [...c]))),
    async end() {
      child.kill("SIGINT");
      const [st, err] = await Promise.all([
        child.status,
        new Response(child.stderr).text(),
        reading,
      ]);
      return { code: st.code, stderr: err };
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `done()` holds, checking every 20 ms; fails with `what` after `ms`. */
async function until(what: string, done: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(20);
  }
}

/** Turns auditing on for a kernel test (kernelTest restores the saved state after). */
async function enableAudit(): Promise<void> {
  using a = openAudit();
  // with enabled=0 the kernel makes no syscall records at all
  if ((await a.status()).enabled === 0) await a.setEnabled(1);
}

function readOr(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/**
 * Events of a watch output whose file is `name`: csv and text lines, json
 * events with a PATH record naming it, or the serials of PATH records (the rules' CONFIG_CHANGE events
 * name the file too, in an interpreted PROCTITLE).
 */
function eventsNaming(format: string, out: string, name: string): number {
  const lines = out.split("\n").filter((l) => l.includes(name));
  if (format === "csv" || format === "text") return lines.length;
  if (format === "json") {
    type Json = { serial: number; records: { type: string; raw: { name?: string } }[] };
    const events = lines.map((l) => JSON.parse(l) as Json).filter((e) =>
      e.records.some((r) => r.type === "PATH" && r.raw.name?.includes(name))
    );
    return new Set(events.map((e) => e.serial)).size;
  }
  const paths = lines.filter((l) => l.startsWith("type=PATH "));
  return new Set(paths.map((l) => /:(\d+)\) ?: /.exec(l)![1])).size;
}

const FORMATS = ["raw", "default", "interpret", "csv", "text", "json"];

kernelTest(
  "watch: N events once in every format, --output read back by search and ausearch, rotation, SIGINT",
  async () => {
    await using tmp = await tempDir();
    const dir = tmp.path;
    const probe = `${dir}/probe`;
    const target = `${dir}/target-${crypto.randomUUID().slice(0, 8)}`;
    await Deno.writeTextFile(probe, "");
    await Deno.writeTextFile(target, "");
    const key = `auditkit-test-${crypto.randomUUID().slice(0, 8)}`;
    await Deno.mkdir(`${dir}/plain`);
    await Deno.mkdir(`${dir}/rot`);
    const watchers = FORMATS.map((f) => watcher(["-k", key, "--format", f]));
    const plain = watcher(["-k", key, "--format", "raw", "--output", `${dir}/plain/audit.log`]);
    const rotating = watcher([
      "-k",
      key,
      "--output",
      `${dir}/rot/audit.log`,
      "--format",
      "raw",
      "--rotate-size",
      "1500",
      "--rotate-count",
      "200",
    ]);
    const all = [...watchers, plain, rotating];
    const rules = [["-w", probe, "-p", "wa", "-k", key], ["-w", target, "-p", "wa", "-k", key]];
    await enableAudit();
    for (const r of rules) assert.equal((await run("auditctl", r)).code, 0);
    const N = 40;
    try {
      await until("every watcher subscribed", () => all.every((w) => subscribed(w.child.pid)));
      const writes = await run("/bin/sh", [
        "-c",
        `for i in $(seq ${N}); do echo x >> '${target}'; done`,
      ]);
      assert.equal(writes.code, 0);
      // a probe made after that process ended: seen, the N events before it were received
      assert.equal((await run("/bin/sh", ["-c", `echo p >> '${probe}'`])).code, 0);
      // (the rotating output's probe may be in any of its files)
      const files = () =>
        [`${dir}/plain`, `${dir}/rot`].map((d) =>
          [...Deno.readDirSync(d)].map((e) => readOr(`${d}/${e.name}`)).join("")
        );
      await until(
        "every output shows the closing probe",
        () =>
          watchers.every((w) => w.text().includes("probe")) &&
          files().every((f) => f.includes("probe")),
      );
    } finally {
      for (const r of rules) await run("auditctl", [r[0] === "-w" ? "-W" : r[0], ...r.slice(1)]);
    }
    const ends = await Promise.all(all.map((w) => w.end()));
    for (const e of ends) {
      assert.ok([0, 3].includes(e.code), e.stderr);
      assert.match(e.stderr, /^auditkit watch: \d+ events, \d+ shown, loss: .*\n$/);
    }
    const name = target.slice(target.lastIndexOf("/") + 1);
    for (const [i, f] of FORMATS.entries()) {
      assert.equal(eventsNaming(f, watchers[i].text(), name), N, `format ${f}`);
    }
    // the file: whole audit.log lines that search and ausearch read alike
    const search = await runCli(["search", "-if", `${dir}/plain/audit.log`, "-f", target, "--raw"]);
    const ausearch = await run("ausearch", [
      "-if",
      `${dir}/plain/audit.log`,
      "-f",
      target,
      "--raw",
    ]);
    assert.equal(search.stdout, ausearch.stdout);
    assert.equal(eventsNaming("raw", search.stdout, name), N);
    // rotated: FILE.1 ... FILE.N in auditd's naming, read as a rotated set
    const names = (await Array.fromAsync(Deno.readDir(`${dir}/rot`))).map((e) => e.name);
    assert.ok(names.includes("audit.log.1"), names.join(" "));
    assert.ok(names.every((n) => /^audit\.log(\.\d+)?$/.test(n)));
    const rotated = await runCli(["search", "-if", `${dir}/rot`, "-f", target, "--raw"]);
    assert.equal(eventsNaming("raw", rotated.stdout, name), N);
    const ausearchRot = await run("ausearch", ["-if", `${dir}/rot`, "-f", target, "--raw"]);
    assert.equal(rotated.stdout, ausearchRot.stdout);
  },
  { oracles: ["ausearch", "auditctl"] },
);

kernelTest("watch: a closed output pipe ends it quietly with status 141", async () => {
  await using tmp = await tempDir();
  const target = tmp.join("t");
  await Deno.writeTextFile(target, "");
  const key = `auditkit-test-${crypto.randomUUID().slice(0, 8)}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI_ENTRY, "watch", "-k", key],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const rule = ["-w", target, "-p", "wa", "-k", key];
  await enableAudit();
  assert.equal((await run("auditctl", rule)).code, 0);
  let exited = false;
  const status = child.status.then((st) => {
    exited = true;
    return st;
  });
  try {
    await until("the watcher subscribed", () => subscribed(child.pid));
    await Deno.writeTextFile(target, "x\n", { append: true });
    const reader = child.stdout.getReader();
    assert.equal((await reader.read()).done, false);
    await reader.cancel();
    // the next event it prints meets the closed pipe
    await Deno.writeTextFile(target, "x\n", { append: true });
    await until("the watcher ended", () => exited, 10_000).catch((e) => {
      child.kill("SIGKILL");
      throw e;
    });
  } finally {
    await run("auditctl", ["-W", ...rule.slice(1)]);
  }
  const [st, stderr] = await Promise.all([status, new Response(child.stderr).text()]);
  assert.equal(st.code, 141);
  assert.equal(stderr, "");
}, { oracles: ["auditctl"] });

Deno.test("watch --plugin: records from auditd's plugin stream, bad lines counted as loss (status 3)", async () => {
  const lines = [
    'type=SYSCALL msg=audit(1700000000.100:7): arch=c000003e syscall=2 success=yes exit=3 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=42 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm="cat" exe="/usr/bin/cat" key="k1"',
    'type=PATH msg=audit(1700000000.100:7): item=0 name="/etc/hostname" inode=1 dev=00:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0',
    "type=PROCTITLE msg=audit(1700000000.100:7): proctitle=636174",
    "type=EOE msg=audit(1700000000.100:7): ",
    "this is not an audit record",
    "type=USER msg=audit(1700000001.000:8): pid=1 uid=0 auid=0 ses=1 msg='text=hi exe=\"/bin/x\" hostname=? addr=? terminal=? res=success'",
  ];
  const r = await runCli(["watch", "--plugin", "--format", "json"], {
    stdin: lines.join("\n") + "\n",
  });
  assert.equal(r.code, 3, r.stderr);
  const out = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const events = out.filter((o) => !("loss" in o));
  assert.deepEqual(events.map((e) => e.serial), [7, 8]);
  assert.deepEqual(events[0].records.map((x: { type: string }) => x.type), [
    "SYSCALL",
    "PATH",
    "PROCTITLE",
  ]);
  const loss = out.filter((o) => "loss" in o).map((o) => o.loss);
  assert.equal(loss.length, 1);
  assert.equal(loss[0].cause, "input");
  assert.match(r.stderr, /^auditkit watch: 2 events, 2 shown, loss: input 1\n$/);
  // the selection is search's: -k k1 keeps the first event only, raw is the log's lines
  const raw = await runCli(["watch", "--plugin", "-k", "k1", "--format", "raw"], {
    stdin: lines.slice(0, 4).join("\n") + "\n",
  });
  assert.equal(raw.code, 0, raw.stderr);
  assert.equal(raw.stdout, lines.slice(0, 3).join("\n") + "\n");
});

Deno.test("watch --plugin --format json: loss lines keep their place among events, to stdout and to a file", async () => {
  const user = (n: number) =>
    `type=USER msg=audit(1700000001.000:${n}): pid=1 uid=0 auid=0 ses=1 msg='op=${n} res=success'\n`;
  // one read each, a pause between them: event 1, a bad line, events 2 and 3, a bad line
  const input = () =>
    new ReadableStream<Uint8Array>({
      async start(c) {
        for (const chunk of [user(1), "not a record\n", user(2) + user(3), "bad again\n"]) {
          c.enqueue(new TextEncoder().encode(chunk));
          await new Promise((r) => setTimeout(r, 20));
        }
        c.close();
      },
    });
  const order = (text: string) =>
    // (the kernel's lost counter is the real one: loss it counts meanwhile is left out)
    text.trim().split("\n").map((l) => JSON.parse(l)).filter((o) => o.loss?.cause !== "kernel")
      .map((o) => o.loss ? "loss" : o.serial);
  const expected = [1, "loss", 2, 3, "loss"];
  let stdout = "";
  const errors: string[] = [];
  const code = await runWatch(
    ["--plugin", "--format", "json"],
    (piece) => {
      stdout += typeof piece === "string" ? piece : new TextDecoder().decode(piece);
      return Promise.resolve();
    },
    (m) => Promise.resolve(void errors.push(m)),
    { pluginInput: input() },
  );
  assert.equal(code, 3, errors.join(""));
  assert.deepEqual(order(stdout), expected);
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/events.json`;
    await runWatch(
      ["--plugin", "--format", "json", "--output", file],
      () => Promise.resolve(),
      () => Promise.resolve(),
      { pluginInput: input() },
    );
    assert.deepEqual(order(await Deno.readTextFile(file)), expected);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("watch --plugin --format ecs gives what search --format ecs gives for the same records", async () => {
  for (const log of ["tests/data/log_realistic.log", "tests/data/log_realistic2.log"]) {
    const text = await Deno.readTextFile(log);
    const live = await runCli(["watch", "--plugin", "--format", "ecs"], { stdin: text });
    const file = await runCli(["search", "-if", log, "--format", "ecs"]);
    assert.equal(file.code, 0, file.stderr);
    assert.ok(live.code === 0 || live.code === 3, live.stderr);
    assert.ok(live.stdout.length > 1000);
    assert.equal(live.stdout, file.stdout, log);
  }
});

Deno.test("watch: bad arguments are usage errors (status 2) that name the help", async () => {
  for (
    const args of [
      ["--daemon", "--plugin"],
      ["--rotate-size", "100"],
      ["--output", "/tmp/x", "--rotate-count", "3"],
      ["--output", "/tmp/x", "--rotate-size", "0"],
      ["--format", "bogus"],
      ["-if", "/var/log/audit/audit.log"],
      ["-sv", "maybe"],
    ]
  ) {
    const r = await runCli(["watch", ...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^auditkit: .*auditkit watch --help/, args.join(" "));
    assert.equal(r.stdout, "");
  }
  const help = await runCli(["watch", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:/);
});
