/** Runs a search or report in this process and the reference tool on the same arguments, and compares. */

import { strictEqual } from "node:assert/strict";
import { runReport } from "../cli/report.ts";
import { runSearch } from "../cli/search.ts";
import { decodeBytes } from "../lib/event/record.ts";

/** What `auditkit search|report ARGS` writes and returns, run in this process. */
export async function inProcess(
  tool: "ausearch" | "aureport",
  args: string[],
): Promise<{ out: string; err: string; code: number }> {
  let out = "", err = "";
  const fn = tool === "ausearch" ? runSearch : runReport;
  // auditkit's own notes (none of the lines an audit record, ...) are not the tools'
  const code = await fn(args, (s) => {
    out += s;
  }, (s) => {
    err += s;
  }, { notes: false });
  return { out, err, code };
}

/**
 * Asserts that auditkit on `options.ours` (by default `args`) writes the
 * same standard output and standard error, and exits the same, as `tool`
 * on `args`.
 */
export async function assertSameAs(
  tool: "ausearch" | "aureport",
  args: string[],
  options: { ours?: string[]; env?: Record<string, string> } = {},
): Promise<void> {
  // the tool's bytes as auditkit's strings hold bytes: one that is not UTF-8 as U+DC80 + byte
  const r = await new Deno.Command(tool, {
    args,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => decodeBytes(b, 0, b.length);
  const want = { code: r.code, stdout: text(r.stdout), stderr: text(r.stderr) };
  const got = await inProcess(tool, options.ours ?? args);
  const what = `${tool} ${args.join(" ")}`;
  strictEqual(got.out, want.stdout, what);
  strictEqual(got.code, want.code, `exit status of ${what}`);
  strictEqual(got.err, want.stderr, `stderr of ${what}`);
}
