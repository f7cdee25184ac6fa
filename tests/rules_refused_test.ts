/**
 * Hardened rule files: `--loginuid-immutable`, `-e 2` and `-f 2` are read,
 * refused unless a flag allows them, and skippable. Nothing here ever sends
 * them to the kernel: what would be sent is checked with `--dry-run`, with a
 * recording client, or inside a new user namespace, where the kernel refuses
 * every audit request (so even a broken refusal could not reach it).
 */

import assert from "node:assert/strict";
import {
  type AuditClient,
  checkRuleFile,
  listRules,
  loadRules,
  openAudit,
  RuleFileError,
} from "../mod.ts";
import { CLI_ENTRY, kernelTest, run, runCli, tempDir } from "./_helpers.ts";
import { guardRules, uniqueKey } from "./_rules_corpus.ts";

guardRules();

const DATA = new URL("./data/rules/", import.meta.url).pathname;
const stock = (name: string) => Deno.readTextFileSync(DATA + name);

/** What augenrules assembles from the stock files, with 99-finalize's `-e 2` switched on. */
const HARDENED = stock("10-base-config.rules").replace("-D\n", "") +
  stock("11-loginuid.rules") + stock("99-finalize.rules").replace("#-e 2", "-e 2");

async function tempRules(text: string): Promise<string> {
  const file = await Deno.makeTempFile({ suffix: ".rules" });
  await Deno.writeTextFile(file, text);
  return file;
}

Deno.test("rules load --check reads 11-loginuid.rules and names the flag that allows it", async () => {
  const file = DATA + "11-loginuid.rules";
  const plain = await runCli(["rules", "load", "--check", file]);
  assert.equal(plain.code, 3, plain.stderr);
  assert.match(plain.stdout, /:2: warning \[irreversible\] .*until reboot/);
  assert.match(plain.stdout, /refused without --allow-loginuid-immutable/);
  assert.doesNotMatch(plain.stdout + plain.stderr, /not supported|allowLock/);
  const relaxed = await runCli(["rules", "load", "--check", "--allow-warnings", file]);
  assert.equal(relaxed.code, 0);
  const allowed = await runCli(["rules", "load", "--check", "--allow-loginuid-immutable", file]);
  assert.deepEqual([allowed.code, allowed.stdout], [0, ""]);
});

Deno.test("rules load --check exits 1 on errors, 3 on warnings only, 0 on the stock STIG set", async () => {
  const bad = await tempRules("-a always,exit -S bogus\n-a always,exit -S open -k x\n");
  const warn = await tempRules("-a always,exit -S open -k x\n");
  try {
    assert.equal((await runCli(["rules", "load", "--check", bad])).code, 1);
    assert.equal((await runCli(["rules", "load", "--check", "--allow-warnings", bad])).code, 1);
    assert.equal((await runCli(["rules", "load", "--check", warn])).code, 3);
    assert.equal((await runCli(["rules", "load", "--check", "--allow-warnings", warn])).code, 0);
  } finally {
    await Deno.remove(bad);
    await Deno.remove(warn);
  }
  // /etc/sudoers may be missing here, its directory is not: the kernel takes such a watch
  const stig = await runCli(["rules", "load", "--check", DATA + "30-stig.rules"]);
  assert.deepEqual([stig.code, stig.stdout], [0, ""]);
});

Deno.test("rules load --dry-run refuses -e 2 and --loginuid-immutable, or skips or allows them", async () => {
  const file = await tempRules(HARDENED);
  try {
    const refused = await runCli(["rules", "load", "--dry-run", file]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, "");
    assert.match(refused.stderr, /nothing was changed/);
    assert.match(refused.stderr, /Line \d+: --loginuid-immutable .*--allow-loginuid-immutable/);
    assert.match(refused.stderr, /Line \d+: -e 2 locks .*refused without --allow-lock/);
    assert.match(refused.stderr, /--skip-refused/);
    assert.doesNotMatch(refused.stderr, /allowLock/);

    const skipped = await runCli(["rules", "load", "--dry-run", "--skip-refused", file]);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.doesNotMatch(skipped.stdout, /loginuid|-e 2/);
    assert.match(skipped.stdout, /-b 8192/);
    assert.match(skipped.stderr, /skipped: --loginuid-immutable .*\(--allow-loginuid-immutable/);
    assert.match(skipped.stderr, /skipped: -e 2 .*\(--allow-lock applies it\)/);

    const allowed = await runCli([
      "rules",
      "load",
      "--dry-run",
      "--allow-lock",
      "--allow-loginuid-immutable",
      file,
    ]);
    assert.equal(allowed.code, 0, allowed.stderr);
    const sent = allowed.stdout.trim().split("\n").map((l) => l.replace(/^.*?:\d+: /, ""));
    assert.deepEqual(sent.slice(-2), ["--loginuid-immutable", "-e 2"]);
  } finally {
    await Deno.remove(file);
  }
});

/** A client that records what loadRules would send; it has only the calls control lines make. */
function recordingClient(sent: string[]): AuditClient {
  const status = { enabled: 1, failure: 1, backlog_limit: 64, rate_limit: 0 };
  return {
    status: () => Promise.resolve(status),
    setEnabled: (v: number, o: { allowLock?: boolean }) => {
      sent.push(`enabled=${v}${o.allowLock ? " allowLock" : ""}`);
      return Promise.resolve();
    },
    setFailure: (v: number) => Promise.resolve(void sent.push(`failure=${v}`)),
    setBacklogLimit: (v: number) => Promise.resolve(void sent.push(`backlog_limit=${v}`)),
    setBacklogWaitTime: (v: number) => Promise.resolve(void sent.push(`backlog_wait_time=${v}`)),
    setLoginuidImmutable: (o: { allowLock?: boolean }) =>
      Promise.resolve(void sent.push(`loginuid_immutable${o.allowLock ? " allowLock" : ""}`)),
  } as unknown as AuditClient;
}

Deno.test("loadRules() sends --loginuid-immutable and -e 2 last, and only when allowed", async () => {
  const text = "-b 100\n--loginuid-immutable\n-e 2\n";
  const refused: string[] = [];
  const err = await loadRules(recordingClient(refused), text).then(() => undefined, (e) => e);
  assert.ok(err instanceof RuleFileError);
  assert.deepEqual(err.problems.map((p) => p.refused), ["loginuid", "lock"]);
  assert.deepEqual(refused, []);

  const skipped: string[] = [];
  const r = await loadRules(recordingClient(skipped), text, { skipRefused: true });
  assert.deepEqual(skipped, ["backlog_limit=100"]);
  assert.deepEqual(r.skipped.map((p) => p.line), [2, 3]);

  const allowed: string[] = [];
  await loadRules(recordingClient(allowed), "--loginuid-immutable\n-b 100\n-e 2\n", {
    allowLock: true,
    allowLoginuidImmutable: true,
  });
  assert.deepEqual(allowed, [
    "backlog_limit=100",
    "loginuid_immutable allowLock",
    "enabled=2 allowLock",
  ]);
});

/** Runs the CLI in a new user namespace, where the kernel refuses every audit request. */
async function inUserNamespace(args: string[]) {
  return await run("unshare", [
    "--user",
    "--map-root-user",
    Deno.execPath(),
    "run",
    "-A",
    CLI_ENTRY,
    ...args,
  ]);
}

const userNamespaces = await run("unshare", ["--user", "--map-root-user", "true"]).then(
  (r) => r.code === 0 ? undefined : `unshare --user failed: ${r.stderr.trim()}`,
  (e) => `unshare is not available: ${e.message}`,
);
if (userNamespaces) console.log(`SKIP ctl refusals in a user namespace: ${userNamespaces}`);

Deno.test({
  name: "ctl refuses -e 2, -f 2 and --loginuid-immutable unless the flag named comes first",
  ignore: userNamespaces !== undefined,
  fn: async () => {
    for (
      const [args, flag] of [
        [["-e", "2"], "--allow-lock"],
        [["-f", "2"], "--allow-panic"],
        [["--loginuid-immutable"], "--allow-loginuid-immutable"],
      ] as const
    ) {
      const refused = await inUserNamespace(["ctl", ...args]);
      assert.equal(refused.code, 255, args.join(" "));
      assert.match(refused.stderr, new RegExp(`^auditkit: .*refused without ${flag} before`));
      // with the flag the request goes out, and the kernel of the namespace refuses it
      const sent = await inUserNamespace(["ctl", flag, ...args]);
      assert.equal(sent.code, 255, args.join(" "));
      assert.doesNotMatch(sent.stderr, /refused without/);
      assert.match(sent.stderr, /Error (sending|setting) .*\(Connection refused\)/);
    }
  },
});

kernelTest(
  "rules load of a hardened file that is refused changes nothing in the kernel",
  async () => {
    const k = uniqueKey();
    await using dir = await tempDir();
    const tmp = dir.path;
    const text = `-w ${tmp} -p wa -k ${k}\n--loginuid-immutable\n-e 2\n`;
    // the very check loadRules makes first: only then may the file reach the CLI below
    assert.deepEqual(checkRuleFile(text).problems.map((p) => p.refused), ["loginuid", "lock"]);
    const file = await tempRules(text);
    try {
      using a = openAudit();
      const before = [await a.status(), (await listRules(a)).length] as const;
      const r = await runCli(["rules", "load", file]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /nothing was changed/);
      const after = await a.status();
      assert.deepEqual(
        [after.enabled, after.loginuid_immutable, (await listRules(a)).length],
        [before[0].enabled, before[0].loginuid_immutable, before[1]],
      );
    } finally {
      await Deno.remove(file);
    }
  },
);
