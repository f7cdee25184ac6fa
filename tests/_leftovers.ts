/**
 * Finds the test files that leave files behind: runs each one alone (`deno test -A FILE`) with
 * `TMPDIR` set to a directory of its own, and lists what is left there when it ends. `.ci/run`
 * checks the whole suite the same way; this names the file.
 *
 * `deno task test:leftovers [FILE...]` (default: every tests/*_test.ts); `-j N` runs N files at
 * once (default 1). Exit status 1 when a file left something or failed.
 *
 * @module
 */

import { ROOT, tempDir } from "./_helpers.ts";

/** Every path under `dir`, relative to it, sorted. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of Deno.readDirSync(rel ? `${dir}/${rel}` : dir)) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      out.push(e.isDirectory ? `${p}/` : p);
      if (e.isDirectory && !e.isSymlink) walk(p);
    }
  };
  walk("");
  return out.sort();
}

/** Runs one test file with a fresh `TMPDIR`; returns its exit status and what it left. */
export async function leftoversOf(file: string): Promise<{ code: number; left: string[] }> {
  await using tmp = await tempDir("auditkit-leftovers-");
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", file],
    cwd: ROOT,
    env: { TMPDIR: tmp.path },
    stdout: "null",
    stderr: "null",
  }).output();
  return { code: r.code, left: listTree(tmp.path) };
}

if (import.meta.main) {
  const args = [...Deno.args];
  const j = args.indexOf("-j");
  const jobs = j >= 0 ? Number(args.splice(j, 2)[1]) || 1 : 1;
  const files = args.length
    ? args
    : [...Deno.readDirSync(`${ROOT}tests`)].map((e) => e.name).filter((n) => n.endsWith("_test.ts"))
      .sort().map((n) => `tests/${n}`);
  let bad = 0;
  const queue = [...files];
  await Promise.all(Array.from({ length: jobs }, async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const { code, left } = await leftoversOf(file);
      if (code !== 0 || left.length) bad++;
      const status = code === 0 ? "" : ` (exit ${code})`;
      console.log(
        left.length
          ? `${file}${status}: left ${left.length}: ${left.slice(0, 8).join(" ")}${
            left.length > 8 ? " ..." : ""
          }`
          : `${file}${status}: nothing left`,
      );
    }
  }));
  Deno.exit(bad ? 1 : 0);
}
