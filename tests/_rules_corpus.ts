/**
 * The rule corpus (tests/data/rules_corpus.rules) with its placeholders
 * filled in, for the rules tests.
 *
 * @module
 */

import { ROOT } from "./_helpers.ts";

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
