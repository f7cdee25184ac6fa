import assert from "node:assert/strict";
import { runSearch } from "../cli/search.ts";
import {
  formatCheckpoint,
  FORMATS,
  isOutputFormat,
  type OutputFormat,
  parseCheckpoint,
  resumeFiles,
  searchLog,
} from "../mod.ts";

const LOGS = ["log_realistic.log", "log_realistic2.log", "log_samples.log"].map((f) =>
  new URL(`./data/${f}`, import.meta.url).pathname
);

async function cli(args: string[]): Promise<{ out: string; err: string; status: number }> {
  let out = "", err = "";
  const status = await runSearch(args, (t) => void (out += t), (t) => void (err += t), {
    notes: false,
  });
  return { out, err, status };
}

Deno.test("searchLog gives auditkit search's output, messages and status in one call", async () => {
  for (const format of Object.keys(FORMATS) as OutputFormat[]) {
    for (const file of LOGS) {
      const lib = await searchLog([file], { format, criteria: { success: false } });
      const c = await cli(["-if", file, "--format", format, "-sv", "no"]);
      assert.equal(lib.output, c.out, `${format} ${file}`);
      assert.equal(lib.status, c.status);
      // the command adds only "<no matches>" to the session's messages
      assert.equal(lib.messages + (c.status === 1 ? "<no matches>\n" : ""), c.err);
      if (format !== "raw") assert.ok(lib.found > 0, `${format} ${file}: nothing found`);
    }
  }
});

Deno.test("searchLog's csv carries the header once and the extra columns asked for", async () => {
  const r = await searchLog(LOGS, { format: "csv", csv: { keys: true } });
  const lines = r.output.split("\n").filter((l) => l !== "");
  assert.equal(lines.filter((l) => l.startsWith("NODE,EVENT,")).length, 1);
  assert.ok(lines[0].endsWith(",HOW,KEY"));
  assert.equal(r.status, 0);
});

Deno.test("the format table: every name is an output format, nothing else is", () => {
  for (const name of Object.keys(FORMATS)) assert.ok(isOutputFormat(name));
  for (const name of ["xml", "", "toString", "constructor"]) assert.ok(!isOutputFormat(name));
});

Deno.test("resumeFiles finds the checkpointed file by device and inode after a rename", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/audit.log`, "a\n");
    const st = await Deno.stat(`${dir}/audit.log`);
    const cp = parseCheckpoint(
      formatCheckpoint({
        dev: st.dev!,
        inode: st.ino!,
        event: { sec: 1, msec: 0, serial: 1, type: 1300 },
      }),
      "cp",
    );
    // rotation: audit.log becomes audit.log.1 and a new audit.log starts
    await Deno.rename(`${dir}/audit.log`, `${dir}/audit.log.1`);
    await Deno.writeTextFile(`${dir}/audit.log`, "b\n");
    const set = [`${dir}/audit.log.2`, `${dir}/audit.log.1`, `${dir}/audit.log`];
    assert.deepEqual(await resumeFiles(set, cp), set.slice(1));
    assert.equal(await resumeFiles([`${dir}/audit.log`], cp), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
