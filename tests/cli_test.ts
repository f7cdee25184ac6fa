import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { openAudit } from "../mod.ts";
import { CLI_ENTRY, kernelTest, ROOT, run, runCli, subscribed, tempDir } from "./_helpers.ts";

// The same smoke tests run on the module and on the one-file bundle that
// `deno task bundle` makes, which is what `deno compile` packs.
const bundleDir = await Deno.makeTempDir();
const BUNDLE = `${bundleDir}/auditkit.js`;
const bundled = await run(Deno.execPath(), [
  "bundle",
  "--platform",
  "deno",
  "-o",
  BUNDLE,
  `${ROOT}cli/main.ts`,
]);
if (bundled.code !== 0) throw new Error(`deno bundle failed: ${bundled.stderr}`);
globalThis.addEventListener("unload", () => Deno.removeSync(bundleDir, { recursive: true }));

const ENTRIES = [["module", CLI_ENTRY], ["bundle", BUNDLE]] as const;

/** Runs `auditctl ARGS` and `auditkit ARGS'` until two runs agree (lost/backlog can move). */
async function sameAs(
  entry: string,
  ours: string[],
  theirs: string[],
): Promise<{ ours: string; theirs: string }> {
  let last = { ours: "", theirs: "" };
  for (let i = 0; i < 3; i++) {
    const t = await run("auditctl", theirs);
    const o = await runCli(ours, { entry });
    assert.equal(o.code, t.code, o.stderr);
    last = { ours: o.stdout, theirs: t.stdout };
    if (o.stdout === t.stdout) break;
  }
  return last;
}

for (const [label, entry] of ENTRIES) {
  kernelTest(`[${label}] watch reads the kernel stream on its reader thread`, async () => {
    using a = openAudit();
    await a.setEnabled(1);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", entry, "watch", "--format", "raw"],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = child.output();
    try {
      // the same rate limit again: no change, but the kernel logs a CONFIG_CHANGE record
      const rate = (await a.status()).rate_limit;
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 250));
        await a.setRateLimit(rate);
      }
    } finally {
      child.kill("SIGINT");
    }
    const r = await output;
    const dec = new TextDecoder();
    assert.match(dec.decode(r.stdout), /^type=CONFIG_CHANGE msg=audit\(.*audit_rate_limit=/m);
    assert.match(dec.decode(r.stderr), /^auditkit watch: \d+ events/m);
  });

  kernelTest(`[${label}] auditkit status equals auditctl -s byte for byte`, async () => {
    using a = openAudit();
    for (const enabled of [0, 1] as const) {
      await a.setEnabled(enabled);
      const r = await sameAs(entry, ["status"], ["-s"]);
      assert.equal(r.ours, r.theirs);
      assert.match(r.ours, /^enabled \d\nfailure \d\npid \d+\n/);
      const i = await sameAs(entry, ["status", "-i"], ["-s", "-i"]);
      assert.equal(i.ours, i.theirs);
    }
  }, { oracles: ["auditctl"] });

  kernelTest(`[${label}] status --json carries every field`, async () => {
    const r = await runCli(["status", "--json"], { entry });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    using a = openAudit();
    const s = await a.status();
    for (const k of ["enabled", "failure", "pid", "rate_limit", "backlog_limit"] as const) {
      assert.equal(j[k], s[k], k);
    }
    for (const k of ["lost", "backlog", "backlog_wait_time", "backlog_wait_time_actual"]) {
      assert.equal(typeof j[k], "number", k);
    }
    assert.deepEqual(j.loginuid_immutable, s.loginuid_immutable);
  });

  kernelTest(`[${label}] enable, disable and set change the kernel`, async () => {
    using a = openAudit();
    let r = await runCli(["disable"], { entry });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await a.status()).enabled, 0);
    r = await runCli(["enable"], { entry });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await a.status()).enabled, 1);
    r = await runCli([
      "set",
      "--rate-limit",
      "123",
      "--backlog-limit",
      "4321",
      "--backlog-wait-time",
      "6000",
      "--failure",
      "0",
    ], { entry });
    assert.equal(r.code, 0, r.stderr);
    const s = await a.status();
    assert.deepEqual(
      [s.rate_limit, s.backlog_limit, s.backlog_wait_time, s.failure],
      [123, 4321, 6000, 0],
    );
  });

  kernelTest(
    `[${label}] dangerous settings are refused without --force and change nothing`,
    async () => {
      using a = openAudit();
      const before = await a.status();
      for (
        const args of [
          ["set", "--failure", "2"],
          ["set", "--enabled", "2"],
          ["set", "--rate-limit", "5", "--failure", "2"],
          ["enable", "--lock"],
        ]
      ) {
        const r = await runCli(args, { entry });
        assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, /^auditkit: refusing to .* without --force/);
      }
      const after = await a.status();
      assert.deepEqual(
        [after.enabled, after.failure, after.rate_limit],
        [before.enabled, before.failure, before.rate_limit],
      );
    },
  );

  Deno.test(`[${label}] usage errors exit 2 with a clear message`, async () => {
    const cases: [string[], RegExp][] = [
      [["bogus"], /^auditkit: Unknown command "bogus" \(see "auditkit --help"\)\n$/],
      [
        ["status", "--bogus"],
        /^auditkit: Unknown option "--bogus" \(see "auditkit status --help"\)/,
      ],
      [["set", "--failure", "x"], /^auditkit: Invalid value "x" for option "--failure/],
      [["set", "--rate-limit", "-1"], /rate-limit/],
      [["set", "--backlog-limit", "99999999999"], /from 0 to 4294967295/],
      [["set"], /nothing to set/],
      [["disable", "extra"], /^auditkit: Too many arguments for "disable"/],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCli(args, { entry });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, pattern, args.join(" "));
    }
  });

  Deno.test(`[${label}] --version and --help`, async () => {
    const v = await runCli(["--version"], { entry });
    assert.equal(v.code, 0);
    assert.equal(v.stdout, `${denoJson.version}\n`);
    const top = await runCli(["--help"], { entry });
    assert.equal(top.code, 0);
    const commands = [...top.stdout.matchAll(/^ {2}(\w[\w-]*)(?: \[options\])?(?: \S+)* {2,}/gm)]
      .map((m) => m[1])
      .filter((c) => c !== "help");
    for (const c of ["status", "enable", "disable", "set"]) assert.ok(commands.includes(c), c);
    for (const c of commands) {
      const h = await runCli([c, "--help"], { entry });
      assert.equal(h.code, 0, c);
      assert.match(h.stdout, new RegExp(`^Usage: auditkit ${c}`), c);
      assert.match(h.stdout, /Examples?:/, `${c} --help has an example`);
    }
  });
}

/** Where `deno compile` can find its runtime without a download, if anywhere. */
function denortAvailable(): string | undefined {
  const fromEnv = Deno.env.get("DENORT_BIN");
  if (fromEnv) return fromEnv;
  const home = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
  const zip = `${home}/dl/release/v${Deno.version.deno}/denort-x86_64-unknown-linux-gnu.zip`;
  try {
    Deno.statSync(zip);
    return zip;
  } catch {
    return undefined;
  }
}

const COMPILE_TEST = "deno compile builds a single binary whose status equals auditctl -s";
const denort = denortAvailable();
if (!denort) {
  // deno compile downloads denort from Deno's own host, which is out of reach here
  console.log(
    `SKIP ${COMPILE_TEST}: no denort runtime (set DENORT_BIN or cache it); the bundle tests cover the same one-file CLI`,
  );
  Deno.test({ name: COMPILE_TEST, ignore: true, fn: () => {} });
} else {
  kernelTest(COMPILE_TEST, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const out = `${dir}/auditkit`;
      const env: Record<string, string> = denort.endsWith(".zip") ? {} : { DENORT_BIN: denort };
      const r = await run(
        Deno.execPath(),
        ["compile", "-A", "--output", out, `${ROOT}cli/main.ts`],
        { env },
      );
      assert.equal(r.code, 0, r.stderr);
      const ours = await run(out, ["status"]);
      const theirs = await run("auditctl", ["-s"]);
      assert.equal(ours.stdout, theirs.stdout);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }, { oracles: ["auditctl"] });
}

kernelTest(
  "the bundle alone (a directory holding only auditkit.js): watch prints live events of a narrow rule, SIGINT ends it",
  async () => {
    const here = await Array.fromAsync(Deno.readDir(bundleDir), (e) => e.name);
    assert.deepEqual(here, ["auditkit.js"]);
    await using tmp = await tempDir();
    const target = tmp.join(`target-${crypto.randomUUID().slice(0, 8)}`);
    await Deno.writeTextFile(target, "");
    const key = `auditkit-test-${crypto.randomUUID().slice(0, 8)}`;
    const rule = ["-w", target, "-p", "wa", "-k", key];
    {
      using a = openAudit();
      // with enabled=0 the kernel makes no syscall records at all
      if ((await a.status()).enabled === 0) await a.setEnabled(1);
    }
    assert.equal((await run("auditctl", rule)).code, 0);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "auditkit.js", "watch", "-k", key, "--format", "raw"],
      cwd: bundleDir,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let out = "";
    const reading = child.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (t) => void (out += t) }),
    );
    // the writes' events (the rule's removal, keyed too, may come after them)
    const syscalls = () =>
      out.split("\n").filter((l) => l.startsWith("type=SYSCALL ") && l.endsWith(` key="${key}"`))
        .length;
    const until = async (what: string, done: () => boolean) => {
      for (const end = Date.now() + 30_000; !done();) {
        if (Date.now() > end) throw new Error(`not within 30 s: ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const N = 5;
    try {
      await until("the watcher subscribed", () => subscribed(child.pid));
      const writes = await run("/bin/sh", [
        "-c",
        `for i in $(seq ${N}); do echo x >> '${target}'; done`,
      ]);
      assert.equal(writes.code, 0);
      await until(`${N} events shown`, () => syscalls() >= N);
    } finally {
      await run("auditctl", ["-W", ...rule.slice(1)]);
      child.kill("SIGINT");
    }
    const [st, stderr] = await Promise.all([
      child.status,
      new Response(child.stderr).text(),
      reading,
    ]);
    assert.ok([0, 3].includes(st.code), stderr);
    assert.match(stderr, /^auditkit watch: \d+ events, \d+ shown, loss: .*\n$/);
    assert.equal(syscalls(), N, out);
  },
  { oracles: ["auditctl"] },
);
