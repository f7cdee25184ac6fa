import assert from "node:assert/strict";
import {
  addRule,
  deleteRule,
  formatRules,
  type KernelRule,
  listRules,
  loadRules,
  openAudit,
  ruleIdentity,
} from "../mod.ts";
import { addStateGuard, kernelTest, run } from "./_helpers.ts";
import { corpus, corpusDir } from "./_rules_corpus.ts";

/** Saves the kernel's rule list and puts it back: removes added rules, re-adds removed ones. */
async function restoreRules(saved: KernelRule[]): Promise<void> {
  using a = openAudit();
  const want = new Set(saved.map(ruleIdentity));
  const now = await listRules(a);
  const have = new Set(now.map(ruleIdentity));
  for (const r of now) if (!want.has(ruleIdentity(r))) await deleteRule(a, r);
  for (const r of saved) if (!have.has(ruleIdentity(r))) await addRule(a, r);
}

addStateGuard({
  async save() {
    using a = openAudit();
    return await listRules(a);
  },
  restore: (saved) => restoreRules(saved as KernelRule[]),
});

/** The corpus filled with a unique key, a temp dir and this pid. */
async function filledCorpus(): Promise<{ text: string; lines: string[]; tmp: string }> {
  const tmp = await corpusDir();
  const key = `auditkit-test-${crypto.randomUUID().slice(0, 8)}`;
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
