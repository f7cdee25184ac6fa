/**
 * What the rules tests share: the rule corpus (tests/data/rules_corpus.rules)
 * with its placeholders filled in, unique keys, and the state guard that puts
 * the kernel's rule list back after each kernel test.
 *
 * @module
 */

import {
  addRule,
  deleteRule,
  type KernelRule,
  listRules,
  openAudit,
  ruleIdentity,
} from "../mod.ts";
import { addStateGuard, ROOT } from "./_helpers.ts";

/** A key no other test or host rule carries. */
export function uniqueKey(): string {
  return `auditkit-test-${crypto.randomUUID().slice(0, 8)}`;
}

/** Puts the kernel's rule list back to `saved`: deletes added rules, re-adds removed ones. */
export async function restoreRules(saved: KernelRule[]): Promise<void> {
  using a = openAudit();
  const want = new Set(saved.map(ruleIdentity));
  const now = await listRules(a);
  const have = new Set(now.map(ruleIdentity));
  for (const r of now) if (!want.has(ruleIdentity(r))) await deleteRule(a, r);
  for (const r of saved) if (!have.has(ruleIdentity(r))) await addRule(a, r);
}

let guarded = false;

/** Saves the rule list before each kernel test and restores it after (registered once). */
export function guardRules(): void {
  if (guarded) return;
  guarded = true;
  addStateGuard({
    async save() {
      using a = openAudit();
      return await listRules(a);
    },
    restore: (saved) => restoreRules(saved as KernelRule[]),
  });
}

const CORPUS = await Deno.readTextFile(`${ROOT}tests/data/rules_corpus.rules`);

/** What replaces the corpus placeholders. */
export interface CorpusFill {
  /** Prefix of the unique key of each line (the line number is appended). */
  key: string;
  /** The directory holding f1..f9 and d1..d9. */
  tmp: string;
  /** The pid for narrow rules. */
  pid: number;
}

/** The corpus as a rule file text, and its rule lines. */
export function corpus(fill: CorpusFill): { text: string; lines: string[] } {
  const all = CORPUS.split("\n").map((l, i) =>
    l.replaceAll("@KEY@", `${fill.key}-${i + 1}`).replaceAll("@TMP@", fill.tmp)
      .replaceAll("@PID@", String(fill.pid))
  );
  return { text: all.join("\n"), lines: all.filter((l) => l && !l.startsWith("#")) };
}

/** A temporary directory with the files and directories the corpus watches. */
export async function corpusDir(): Promise<string> {
  const tmp = await Deno.makeTempDir({ prefix: "auditkit-rules-" });
  for (let i = 1; i <= 9; i++) {
    await Deno.writeTextFile(`${tmp}/f${i}`, "");
    await Deno.mkdir(`${tmp}/d${i}`);
  }
  return tmp;
}
