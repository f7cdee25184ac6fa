/**
 * `auditkit search --output FILE`: the same bytes as standard output for every format, appended
 * whole lines only, a cut last line ended first, a clear error for a path that cannot be written.
 */

import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { FORMATS, openLineFile } from "../mod.ts";
import { LineFileOutput } from "../cli/_log_args.ts";
import { concatBytes, ROOT, runCliBytes, tempDir } from "./_helpers.ts";

const LOG = `${ROOT}tests/data/log_realistic.log`;

/** `auditkit search ARGS` with its standard output as bytes. */
const search = (args: string[]) => runCliBytes(["search", ...args]);

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

Deno.test("search --output writes a log's bytes that are not UTF-8 as standard output does", async () => {
  await using dir = await tempDir();
  const log = dir.join("bytes.log");
  // a name, a command and a key with bytes 0xff and 0xfe (hex-encoded, as the kernel logs them)
  await Deno.writeTextFile(
    log,
    "type=SYSCALL msg=audit(1700000001.100:12): arch=c000003e syscall=257 success=yes exit=3 " +
      "a0=ffffff9c a1=1 a2=0 a3=0 items=1 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 " +
      "fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts1 ses=1 comm=6124622763FE exe=2F62696E2F78FF " +
      "key=6BFF\ntype=PATH msg=audit(1700000001.100:12): item=0 name=2F746D702F61FF20242A3B " +
      "inode=1 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n",
  );
  for (const format of Object.keys(FORMATS)) {
    const args = ["-if", log, "--format", format];
    const shown = await search(args);
    assert.equal(shown.code, 0, shown.stderr);
    const path = dir.join(`${format}.out`);
    assert.equal((await search([...args, "--output", path])).code, 0, format);
    assert.deepEqual(await Deno.readFile(path), shown.stdout, format);
  }
  // the interpreted formats show the bytes as they are
  assert.ok((await Deno.readFile(dir.join("interpret.out"))).includes(0xff));
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
    assert.deepEqual(await Deno.readFile(path), concatBytes(shown, shown));

    // a writer killed mid-line left `{"cut` behind: ended with \n (never truncated), reported
    const before = new TextEncoder().encode('{"whole":1}\n{"cut');
    await Deno.writeFile(path, before);
    const r = await search([...args, "--output", path]);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /"[^"]*events\.ndjson" ended in a cut line \(5 bytes at offset 12\)/);
    assert.deepEqual(await Deno.readFile(path), concatBytes(before, new Uint8Array([10]), shown));
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
