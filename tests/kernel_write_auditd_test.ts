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
import { auditdConfig, spawnAuditd, stopAuditd, waitFor } from "../bench/auditd_log.ts";
import { kernelTest, run, runCli } from "./_helpers.ts";
import { recordFields } from "./_records.ts";

kernelTest(
  "records of every wrapper and of audgen are in auditd's log, found by ausearch and auditkit search",
  async () => {
    using a = openAudit();
    const before = await a.status();
    assert.equal(before.pid, 0, `an audit daemon (pid ${before.pid}) is already registered`);
    const dir = await Deno.makeTempDir({ prefix: "auditkit-auditd-" });
    await Deno.mkdir(`${dir}/plugins.d`);
    const log = `${dir}/audit.log`;
    await Deno.writeTextFile(
      `${dir}/auditd.conf`,
      auditdConfig({ logFile: log, format: "RAW", flush: "SYNC", maxLogFileMb: 0 }),
    );
    const daemon = spawnAuditd(dir);
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
      const failure = await stopAuditd(daemon, a, before.pid);
      await Deno.remove(dir, { recursive: true });
      assert.equal(failure, undefined);
    }
  },
  { oracles: ["auditd", "ausearch"] },
);
