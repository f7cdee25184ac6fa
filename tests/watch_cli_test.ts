import assert from "node:assert/strict";
import { CLI_ENTRY, kernelTest, run, runCli } from "./_helpers.ts";

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

/** Lines of a watch output that name `name`, as events: one per serial (or per line). */
function eventsNaming(format: string, out: string, name: string): number {
  const lines = out.split("\n").filter((l) => l.includes(name));
  if (format === "csv" || format === "text") return lines.length;
  if (format === "json") return new Set(lines.map((l) => JSON.parse(l).serial)).size;
  return new Set(lines.map((l) => /:(\d+)\): /.exec(l)![1])).size;
}

const FORMATS = ["raw", "default", "interpret", "csv", "text", "json"];

kernelTest(
  "watch: N events once in every format, --output read back by search and ausearch, rotation, SIGINT",
  async () => {
    const dir = await Deno.makeTempDir();
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
    for (const r of rules) assert.equal((await run("auditctl", r)).code, 0);
    const N = 40;
    try {
      // the watchers are reading once a probe event reached each of them
      let ready = false;
      for (let i = 0; i < 600 && !ready; i++) {
        await Deno.writeTextFile(probe, "p\n", { append: true });
        await sleep(100);
        const files = [`${dir}/plain/audit.log`, `${dir}/rot/audit.log`].map((f) => {
          try {
            return Deno.readTextFileSync(f);
          } catch {
            return "";
          }
        });
        if (
          watchers.every((w) => w.text().includes("probe")) &&
          files.every((f) => f.includes("probe"))
        ) ready = true;
      }
      assert.ok(ready, "every watcher saw the probe within 60 s");
      const writes = await run("/bin/sh", [
        "-c",
        `for i in $(seq ${N}); do echo x >> '${target}'; done`,
      ]);
      assert.equal(writes.code, 0);
      await sleep(1500);
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
    await Deno.remove(dir, { recursive: true });
  },
  { oracles: ["ausearch", "auditctl"] },
);

kernelTest("watch: a closed output pipe ends it quietly with status 141", async () => {
  const dir = await Deno.makeTempDir();
  const target = `${dir}/t`;
  await Deno.writeTextFile(target, "");
  const key = `auditkit-test-${crypto.randomUUID().slice(0, 8)}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI_ENTRY, "watch", "-k", key],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const rule = ["-w", target, "-p", "wa", "-k", key];
  assert.equal((await run("auditctl", rule)).code, 0);
  try {
    const reader = child.stdout.getReader();
    const first = reader.read();
    let got = false;
    first.then(() => got = true);
    for (let i = 0; i < 100 && !got; i++) {
      await Deno.writeTextFile(target, "x\n", { append: true });
      await sleep(100);
    }
    await reader.cancel();
    for (let i = 0; i < 30; i++) {
      await Deno.writeTextFile(target, "x\n", { append: true });
      await sleep(100);
    }
  } finally {
    await run("auditctl", ["-W", ...rule.slice(1)]);
  }
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const [st, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
  clearTimeout(timer);
  assert.equal(st.code, 141);
  assert.equal(stderr, "");
  await Deno.remove(dir, { recursive: true });
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
