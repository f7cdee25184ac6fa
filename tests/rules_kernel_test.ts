import assert from "node:assert/strict";
import {
  addRule,
  AuditError,
  deleteAllRules,
  deleteRule,
  formatRules,
  type KernelRule,
  listRules,
  loadRules,
  openAudit,
  RuleFileError,
  ruleIdentity,
} from "../mod.ts";
import { kernelTest, run } from "./_helpers.ts";
import { corpus, corpusDir, guardRules, restoreRules, uniqueKey } from "./_rules_corpus.ts";

guardRules();

/** The corpus filled with a unique key, a temp dir and this pid. */
async function filledCorpus(): Promise<{ text: string; lines: string[]; tmp: string }> {
  const tmp = await corpusDir();
  const key = uniqueKey();
  return { ...corpus({ key, tmp, pid: Deno.pid }), tmp };
}

/** The rules added since `before`, in kernel order. */
function added(before: KernelRule[], after: KernelRule[]): KernelRule[] {
  const old = new Set(before.map(ruleIdentity));
  return after.filter((r) => !old.has(ruleIdentity(r)));
}

async function auditctl(...args: string[]) {
  return await run("auditctl", args);
}

kernelTest(
  "the corpus loads the same kernel rules with auditkit and auditctl, and both list them identically",
  async () => {
    const { text, lines, tmp } = await filledCorpus();
    const file = await Deno.makeTempFile({ suffix: ".rules" });
    using a = openAudit();
    try {
      assert.ok(lines.length >= 150, `${lines.length} corpus lines`);
      await Deno.writeTextFile(file, text);
      const before = await listRules(a);

      // auditctl loads, auditkit lists
      const r = await auditctl("-R", file);
      assert.equal(r.code, 0, r.stderr);
      const byAuditctl = added(before, await listRules(a));
      assert.equal(byAuditctl.length, lines.length);
      const listedByAuditctl = (await auditctl("-l")).stdout;
      assert.deepEqual(
        formatRules(await listRules(a)).split("\n"),
        listedByAuditctl.split("\n"),
      );
      assert.deepEqual(
        formatRules(await listRules(a), { interpret: true }).split("\n"),
        (await auditctl("-l", "-i")).stdout.split("\n"),
      );
      await restoreRules(before);

      // auditkit loads, auditctl lists
      const result = await loadRules(a, text);
      assert.equal(result.applied, lines.length);
      assert.deepEqual(result.problems, []);
      const byAuditkit = added(before, await listRules(a));
      assert.deepEqual((await auditctl("-l")).stdout.split("\n"), listedByAuditctl.split("\n"));
      assert.deepEqual(byAuditkit.map((x) => x.bytes), byAuditctl.map((x) => x.bytes));
    } finally {
      await Deno.remove(file);
      await Deno.remove(tmp, { recursive: true });
    }
  },
  { oracles: ["auditctl"] },
);

/** Identities of the kernel's rules now. */
async function snapshot(a: ReturnType<typeof openAudit>): Promise<string[]> {
  return (await listRules(a)).map(ruleIdentity);
}

kernelTest(
  "invalid rules are refused with a reason and the kernel's rules stay as they were",
  async () => {
    using a = openAudit();
    const k = uniqueKey();
    await addRule(a, `-a always,exit -F arch=b64 -S openat -k ${k}`);
    const before = await snapshot(a);
    const refused: [string, RegExp][] = [
      [`-a always,exit -S bogus -k ${k}`, /unknown syscall "bogus"/],
      [`-a always,bogus -k ${k}`, /is not list,action/],
      [`-a always,exit -F uid=nosuchuser -k ${k}`, /unknown user/],
      [
        `-a always,exit -F arch=b64 -S openat -F path!=/etc/passwd -k ${k}`,
        /Invalid argument \(EINVAL\)/,
      ],
      [`-a always,exit -F arch=b64 -S openat -F uid!=unset -k ${k}`, /Invalid argument \(EINVAL\)/],
      [`-a always,exit -F arch=b64 -S openat -k ${k}`, /the rule exists/],
      [`-w /nonexistent-auditkit-dir/x -p wa -k ${k}`, /No such file or directory|ENOENT/],
      [`-d always,exit -S openat -k ${k}`, /it deletes a rule/],
    ];
    for (const [line, reason] of refused) {
      await assert.rejects(() => addRule(a, line), (e: Error) => {
        assert.match(e.message, /^Cannot (add|parse) rule "/, line);
        assert.match(e.message, reason, line);
        return true;
      });
    }
    await assert.rejects(
      () => deleteRule(a, `-a always,exit -F arch=b64 -S open -k ${k}`),
      (e: AuditError) => e.code === "ENOENT" && /no rule matches/.test(e.message),
    );
    assert.deepEqual(await snapshot(a), before);
    await deleteRule(a, `-d always,exit -F arch=b64 -S openat -k ${k}`);
    assert.equal((await listRules(a)).some((r) => formatRules([r]).includes(k)), false);
  },
);

kernelTest(
  "-A puts a rule first on its list and deleteRule takes -W, -d or the added form",
  async () => {
    using a = openAudit();
    const k = uniqueKey();
    const tmp = await Deno.makeTempDir();
    try {
      await addRule(a, `-a always,exit -F arch=b64 -S openat -k ${k}-a`);
      await addRule(a, `-A always,exit -F arch=b64 -S openat -k ${k}-b`);
      await addRule(a, `-w ${tmp} -p wa -k ${k}-w`);
      const listed = (await auditctl("-l", "-k", k)).stdout;
      assert.equal(
        listed,
        `-a always,exit -F arch=b64 -S openat -F key=${k}-b\n` +
          `-a always,exit -F arch=b64 -S openat -F key=${k}-a\n` +
          `-w ${tmp} -p wa -k ${k}-w\n`,
      );
      assert.equal(formatRules(await listRules(a), { key: k }), listed);
      await deleteRule(a, `-W ${tmp} -p wa -k ${k}-w`);
      await deleteRule(a, `-a always,exit -F arch=b64 -S openat -k ${k}-b`);
      const removed = await deleteAllRules(a, { key: k });
      assert.deepEqual(removed.map((r) => formatRules([r])), [
        `-a always,exit -F arch=b64 -S openat -F key=${k}-a\n`,
      ]);
      assert.equal(formatRules(await listRules(a), { key: k }).includes(k), false);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
  { oracles: ["auditctl"] },
);

kernelTest(
  "loadRules() reports every bad line with its number and reason and sends nothing",
  async () => {
    using a = openAudit();
    const k = uniqueKey();
    const before = await snapshot(a);
    const text = [
      "# hardening",
      `-a always,exit -F arch=b64 -S openat -k ${k}`,
      `-a always,exit -S bogus -k ${k}`,
      "",
      `-w /etc/passwd -p wz -k ${k}`,
      `-a always,exit -F arch=b64 -S openat -k ${k}`,
      "-e 2",
    ].join("\n");
    const err = await loadRules(a, text).then(() => undefined, (e) => e);
    assert.ok(err instanceof RuleFileError, String(err));
    assert.equal(err.unchanged, true);
    assert.deepEqual(err.problems.map((p) => [p.line, p.duplicate ?? false]), [
      [3, false],
      [5, false],
      [6, true],
      [7, false],
    ]);
    assert.match(
      err.problems[0].message,
      /^Line 3: cannot add rule ".*": unknown syscall "bogus"$/,
    );
    assert.match(err.problems[1].message, /^Line 5: cannot parse rule ".*": permission "z"/);
    assert.match(err.problems[2].message, /same rule as line 2/);
    assert.match(err.problems[3].message, /locks the audit configuration/);
    assert.deepEqual(await snapshot(a), before);
  },
);

kernelTest("loadRules() undoes the lines before one the kernel refuses", async () => {
  using a = openAudit();
  const k = uniqueKey();
  const before = await snapshot(a);
  const status = await a.status();
  const text = [
    `-a always,exit -F arch=b64 -S openat -k ${k}`,
    `-b ${status.backlog_limit + 3}`,
    `-a always,exit -F arch=b64 -S openat -F path!=/etc/passwd -k ${k}`,
  ].join("\n");
  const err = await loadRules(a, text).then(() => undefined, (e) => e);
  assert.ok(err instanceof RuleFileError, String(err));
  assert.equal(err.unchanged, true);
  assert.deepEqual(err.problems.map((p) => p.line), [3]);
  assert.match(err.problems[0].message, /^Line 3: Cannot add rule ".*": Invalid argument/);
  assert.equal(err.problems[0].auditctl, "Error sending add rule data request (Invalid argument)");
  assert.deepEqual(await snapshot(a), before);
  assert.equal((await a.status()).backlog_limit, status.backlog_limit);
});

kernelTest(
  "loadRules() with -c skips bad lines, applies the rest and marks the load failed",
  async () => {
    using a = openAudit();
    const k = uniqueKey();
    const text = [
      "-c",
      `-a always,exit -F arch=b64 -S openat -k ${k}-1`,
      `-a always,exit -S bogus -k ${k}`,
      `-a always,exit -F arch=b64 -S openat -F path!=/x -k ${k}`,
      `-a always,exit -F arch=b64 -S open -k ${k}-2`,
    ].join("\n");
    const result = await loadRules(a, text);
    assert.equal(result.applied, 2);
    assert.equal(result.failed, true);
    assert.deepEqual(result.problems.map((p) => p.line), [3, 4]);
    assert.equal(
      formatRules(await listRules(a), { key: k }),
      `-a always,exit -F arch=b64 -S openat -F key=${k}-1\n-a always,exit -F arch=b64 -S open -F key=${k}-2\n`,
    );
    const ignored = await loadRules(a, `-i\n-a always,exit -S bogus -k ${k}\n`);
    assert.equal(ignored.failed, false);
    assert.equal(ignored.problems.length, 1);
    await deleteAllRules(a, { key: k });
  },
);

kernelTest("loadRules() applies -D -k, status lines and comments in file order", async () => {
  using a = openAudit();
  const k = uniqueKey();
  const status = await a.status();
  const text = [
    "# comment",
    `-a always,exit -F arch=b64 -S openat -k ${k}`,
    `-D -k ${k}`,
    "",
    `-a always,exit -F arch=b64 -S openat -k ${k}`,
    `-r ${status.rate_limit + 5}`,
    `--backlog_wait_time ${(status.backlog_wait_time ?? 60000) + 7}`,
  ].join("\n");
  const result = await loadRules(a, text);
  assert.equal(result.applied, 5);
  assert.equal(
    formatRules(await listRules(a), { key: k }),
    `-a always,exit -F arch=b64 -S openat -F key=${k}\n`,
  );
  const after = await a.status();
  assert.equal(after.rate_limit, status.rate_limit + 5);
  assert.equal(after.backlog_wait_time, (status.backlog_wait_time ?? 60000) + 7);
});
