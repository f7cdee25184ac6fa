import assert from "node:assert/strict";
import {
  audgen,
  type AuditMessage,
  logAcctMessage,
  logUserAvcMessage,
  logUserCommand,
  logUserCommMessage,
  logUserMessage,
  openAudit,
} from "../mod.ts";
import { kernelTest, run, runCli } from "./_helpers.ts";
import { recordFields } from "./_records.ts";

/** auditd.conf for a daemon that logs RAW records into `dir` and touches nothing else. */
function auditdConf(dir: string): string {
  return [
    "local_events = yes",
    "write_logs = yes",
    `log_file = ${dir}/audit.log`,
    "log_format = RAW",
    "flush = SYNC",
    "freq = 0",
    "max_log_file = 0",
    "num_logs = 2",
    "max_log_file_action = IGNORE",
    "space_left = 2",
    "space_left_action = IGNORE",
    "admin_space_left = 1",
    "admin_space_left_action = IGNORE",
    "disk_full_action = IGNORE",
    "disk_error_action = IGNORE",
    "name_format = NONE",
    `plugin_dir = ${dir}/plugins.d`,
    "q_depth = 2000",
    "overflow_action = IGNORE",
    "end_of_event_timeout = 2",
    "",
  ].join("\n");
}

async function waitFor(what: string, ok: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

kernelTest(
  "records of every wrapper and of audgen are in auditd's log, found by ausearch and auditkit search",
  async () => {
    using a = openAudit();
    const before = await a.status();
    assert.equal(before.pid, 0, `an audit daemon (pid ${before.pid}) is already registered`);
    const dir = await Deno.makeTempDir({ prefix: "auditkit-auditd-" });
    await Deno.mkdir(`${dir}/plugins.d`);
    await Deno.writeTextFile(`${dir}/auditd.conf`, auditdConf(dir));
    const daemon = new Deno.Command("auditd", {
      // -n: no fork, so the test owns the process; not -f, which logs to stderr instead of the file
      args: ["-n", "-s", "nochange", "-c", dir],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    try {
      await waitFor("auditd to register", async () => (await a.status()).pid === daemon.pid);
      await a.setEnabled(1);
      const tag = `auditkit-test-${crypto.randomUUID().slice(0, 8)}`;
      const verify = { client: a, verify: true };
      const written = [
        await logUserMessage("USER_START", { op: tag, acct: "a b" }, { ...verify, tty: "pts/2" }),
        await logUserCommMessage("USER_CMD", `op=${tag}`, { ...verify, comm: "job x" }),
        await logAcctMessage("ADD_USER", tag, { ...verify, name: "new user", addr: "192.0.2.1" }),
        await logUserAvcMessage("USER_AVC", `op=${tag}`, { ...verify, uid: 1000 }),
        await logUserCommand("USER_CMD", `echo ${tag}`, verify),
        await audgen("USER_MGMT", ["string", "uid", "result"], [`${tag} res=success`, 42, false], {
          client: a,
        }),
      ];
      const records: AuditMessage[] = written.map((w) => {
        assert.equal(w.generated, true, `${w.text}: ${w.reason}`);
        return w.record!;
      });
      const log = `${dir}/audit.log`;
      for (const r of records) {
        let line = "";
        await waitFor(`serial ${r.serial} in the log`, async () => {
          const s = await run("ausearch", ["-if", log, "-a", String(r.serial), "--raw"], {
            env: { TZ: "UTC" },
          });
          line = s.stdout.split("\n").find((l) => l.includes(`:${r.serial}): pid=${Deno.pid} `)) ??
            "";
          return line !== "";
        });
        const m = /^type=(\S+) msg=audit\((\d+)\.(\d{3}):(\d+)\): (.*)$/.exec(line);
        assert.ok(m, line);
        const typeName = written[records.indexOf(r)].typeName;
        assert.equal(m[1], typeName);
        assert.equal(Number(m[2]) * 1000 + Number(m[3]), r.timestamp);
        assert.deepEqual(recordFields(m[5]), recordFields(r.body), typeName);
      }
      // auditkit search finds the same records: its text equals ausearch's
      // byte for byte, and its JSON carries every field the record has
      for (const [k, r] of records.entries()) {
        for (const format of [["--raw"], ["-i"], []]) {
          const args = ["-if", log, "-a", String(r.serial), ...format];
          const theirs = await run("ausearch", args, { env: { TZ: "UTC" } });
          const ours = await runCli(["search", ...args], { env: { TZ: "UTC" } });
          assert.equal(ours.code, theirs.code, ours.stderr);
          assert.equal(ours.stdout, theirs.stdout, `search ${args.join(" ")}`);
          assert.match(ours.stdout, new RegExp(`:${r.serial}\\)`), "the record was found");
        }
        const json = await runCli([
          "search",
          "-if",
          log,
          "-a",
          String(r.serial),
          "--format",
          "json",
        ]);
        assert.equal(json.code, 0, json.stderr);
        const events = json.stdout.trim().split("\n").map((l) => JSON.parse(l));
        const rec = events.flatMap((e) => e.records).find((x) =>
          x.type === written[k].typeName && x.raw.pid === String(Deno.pid)
        );
        assert.ok(rec, `record ${r.serial} in auditkit search --format json`);
        for (const [name, value] of recordFields(r.body)) {
          const got = rec.raw[name];
          assert.ok(
            Array.isArray(got) ? got.includes(value) : got === value,
            `${written[k].typeName} ${name}=${value} (got ${JSON.stringify(got)})`,
          );
        }
      }
      // ausearch's own interpretation decodes the encoded values
      const i = await run("ausearch", ["-if", log, "-a", String(records[2].serial), "-i"], {
        env: { TZ: "UTC" },
      });
      assert.match(i.stdout, / acct=new user exe=/);
      assert.match(i.stdout, /addr=192\.0\.2\.1/);
    } finally {
      daemon.kill("SIGTERM");
      const status = await daemon.status;
      const stderr = new TextDecoder().decode(await new Response(daemon.stderr).arrayBuffer());
      await waitFor("auditd to unregister", async () => (await a.status()).pid === before.pid);
      await Deno.remove(dir, { recursive: true });
      assert.ok(status.success || status.signal === "SIGTERM", stderr);
    }
  },
  { oracles: ["auditd", "ausearch"] },
);
