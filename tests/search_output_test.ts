/**
 * `auditkit search --output FILE`: the same bytes as standard output for every format, appended
 * whole lines only, a cut last line ended first, a clear error for a path that cannot be written.
 */

import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { FORMATS, openLineFile } from "../mod.ts";
import { LineFileOutput } from "../cli/_log_args.ts";
import { CLI_ENTRY, ROOT } from "./_helpers.ts";

const LOG = `${ROOT}tests/data/log_realistic.log`;

/** `auditkit search ARGS` with its standard output as bytes. */
async function search(args: string[]) {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI_ENTRY, "search", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, stdout: r.stdout, stderr: new TextDecoder().decode(r.stderr) };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

Deno.test("search --output: the file holds exactly what standard output gets, for every format", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const format of Object.keys(FORMATS)) {
      const args = ["-if", LOG, "--format", format];
      const shown = await search(args);
      assert.equal(shown.code, 0, shown.stderr);
      assert.ok(shown.stdout.length > 1000, format);
      const path = `${dir}/${format}.out`;
      const written = await search([...args, "--output", path]);
      assert.equal(written.code, shown.code, format);
      assert.equal(written.stdout.length, 0, format);
      assert.equal(written.stderr, shown.stderr, format);
      assert.deepEqual(await Deno.readFile(path), shown.stdout, format);
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    }
    // nothing found: the same status 1 and message; the file is created and stays empty
    const none = await search(["-if", LOG, "-k", "no-such-key", "--output", `${dir}/none`]);
    assert.equal(none.code, 1);
    assert.equal(none.stderr, "<no matches>\n");
    assert.equal((await Deno.readFile(`${dir}/none`)).length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("search --output appends to an existing file, and ends a cut last line first", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const args = ["-if", LOG, "--format", "ecs", "-m", "USER_LOGIN"];
    const shown = (await search(args)).stdout;
    assert.ok(shown.length > 0);
    const path = `${dir}/events.ndjson`;
    assert.equal((await search([...args, "--output", path])).code, 0);
    assert.equal((await search([...args, "--output", path])).code, 0);
    assert.deepEqual(await Deno.readFile(path), concat(shown, shown));

    // a writer killed mid-line left `{"cut` behind: ended with \n (never truncated), reported
    const before = new TextEncoder().encode('{"whole":1}\n{"cut');
    await Deno.writeFile(path, before);
    const r = await search([...args, "--output", path]);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /"[^"]*events\.ndjson" ended in a cut line \(5 bytes at offset 12\)/);
    assert.deepEqual(await Deno.readFile(path), concat(before, new Uint8Array([10]), shown));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("search --output: a path that cannot be written is an error, nothing read or made", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const [path, reason] of [
        [`${dir}/missing/out`, "no such file or directory"],
        [dir, "is a directory"],
      ]
    ) {
      const r = await search(["-if", LOG, "--output", path]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout.length, 0);
      assert.equal(r.stderr, `auditkit: Cannot write --output file "${path}": ${reason}\n`);
    }
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), []);
    // the output file is checked before the input: a bad input with a bad output names the output
    const both = await search(["-if", `${dir}/no-log`, "--output", `${dir}/missing/out`]);
    assert.match(both.stderr, /--output file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LineFileOutput: pieces cut anywhere reach the file as whole lines, in order", () => {
  const dir = Deno.makeTempDirSync();
  try {
    let n = 0;
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom("a", "\n", "\u00e9") }), { maxLength: 12 }),
        fc.boolean(),
        (pieces, asBytes) => {
          const path = `${dir}/f${n++}`;
          const output = new LineFileOutput(openLineFile(path, { batchBytes: 4 }));
          const encoder = new TextEncoder();
          let sent = "";
          for (const piece of pieces) {
            // the caller's memory is reused after each call: the output must have copied it
            const bytes = encoder.encode(piece);
            output.write(asBytes ? bytes : piece);
            bytes.fill(0x58);
            sent += piece;
            output.file.flush();
            const now = Deno.readTextFileSync(path);
            assert.ok(now === "" || now.endsWith("\n"));
            assert.ok(sent.startsWith(now));
          }
          output[Symbol.dispose]();
          const expected = sent === "" || sent.endsWith("\n") ? sent : sent + "\n";
          assert.equal(Deno.readTextFileSync(path), expected);
        },
      ),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
