import assert from "node:assert/strict";
import { CLI_ENTRY, runCli } from "./_helpers.ts";
import { fromHex, type PrauditRun, vectors } from "./_bsm_vectors.ts";
import { EVENT_FILE, MODES } from "./_bsm_praudit.ts";

const dir = await Deno.makeTempDir();
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
const env = { TZ: "UTC" };

/** Runs `auditkit bsm ARGS` with binary stdin. */
async function bsm(args: string[], stdin?: Uint8Array) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI_ENTRY, "bsm", ...args],
    env,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const w = child.stdin.getWriter();
    await w.write(stdin);
    await w.close();
  }
  const r = await child.output();
  const text = new TextDecoder();
  return { code: r.code, stdout: text.decode(r.stdout), stderr: text.decode(r.stderr) };
}

async function trailFile(name: string, hex: string): Promise<string> {
  const path = `${dir}/${name}.bsm`;
  await Deno.writeFile(path, fromHex(hex));
  return path;
}

const sample = [
  ["records", "multi_execve"],
  ["trails", "trail_with_file_tokens"],
  ["trails", "hdr_header32_ex_ipv4"],
  ["trails", "bad_text_length_overrun"],
  ["openbsm_reference", "data_record"],
] as const;

Deno.test("bsm print: stored vectors from files print as praudit, exit 0", async () => {
  for (const [set, name] of sample) {
    const v = vectors[set][name];
    const file = await trailFile(name, v.hex);
    for (const mode of ["n", "xn", "lrn_pipe"] as const) {
      const r = await bsm(["print", ...MODES[mode].flags, "--events", EVENT_FILE, file]);
      const stored: PrauditRun = v.praudit![mode];
      assert.equal(r.stdout, stored.stdout, `${name} ${mode}`);
      assert.equal(r.stderr, stored.stderr);
      assert.equal(r.code, stored.exit);
    }
  }
});

Deno.test("bsm print: stdin prints the same, exits 1 and leaves out the XML footer", async () => {
  const v = vectors.trails.trail_with_file_tokens;
  const plain = await bsm(["print", "-n", "--events", EVENT_FILE], fromHex(v.hex));
  assert.equal(plain.stdout, v.praudit!.n.stdout);
  assert.equal(plain.code, 1);
  const xml = await bsm(["print", "-xn", `--events=${EVENT_FILE}`], fromHex(v.hex));
  assert.equal(xml.stdout, v.praudit!.xn.stdout.replace(/<\/audit>\n$/, ""));
  assert.equal(xml.code, 1);
});

Deno.test("bsm print: missing file as perror, empty and random files print nothing", async () => {
  const empty = `${dir}/empty`;
  await Deno.writeFile(empty, new Uint8Array());
  const junk = `${dir}/junk`;
  await Deno.writeFile(junk, crypto.getRandomValues(new Uint8Array(4096)).map((b) => b & 0x0f));
  const good = await trailFile("seq", vectors.records.seq.hex);
  const r = await bsm(["print", "-n", `${dir}/missing`, empty, junk, dir, good]);
  assert.equal(r.stderr, `${dir}/missing: No such file or directory\n`);
  assert.equal(
    r.stdout,
    vectors.records.seq.praudit!.n.stdout.replace("indir system call", "indir system call"),
  );
  assert.equal(r.code, 0);
});

Deno.test("bsm print: usage errors as praudit's (exit 1), --help (exit 0)", async () => {
  const usage = "usage: auditkit bsm print [-lnpx] [-r | -s] [-d del] [--events file] [file ...]\n";
  const rs = await bsm(["print", "-r", "-s"]);
  assert.deepEqual([rs.code, rs.stderr, rs.stdout], [1, usage, ""]);
  const z = await bsm(["print", "-nz"]);
  assert.deepEqual([z.code, z.stderr], [1, `auditkit bsm print: invalid option -- 'z'\n${usage}`]);
  const d = await bsm(["print", "-d"]);
  assert.equal(d.stderr, `auditkit bsm print: option requires an argument -- 'd'\n${usage}`);
  const ev = await bsm(["print", "--events", `${dir}/none`, "x"]);
  assert.deepEqual([ev.code, ev.stderr], [
    1,
    `auditkit bsm print: ${dir}/none: No such file or directory\n`,
  ]);
  const help = await runCli(["bsm", "print", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:/);
});

Deno.test("bsm print: a reader that closes the pipe early ends it quietly", async () => {
  const v = vectors.records.multi_execve;
  const big = new Uint8Array(v.len * 20000);
  for (let i = 0; i < 20000; i++) big.set(fromHex(v.hex), i * v.len);
  const file = `${dir}/big.bsm`;
  await Deno.writeFile(file, big);
  const child = new Deno.Command("sh", {
    args: ["-c", `"${Deno.execPath()}" run -A "${CLI_ENTRY}" bsm print -n "${file}" | head -n 1`],
    env,
    stdout: "piped",
    stderr: "piped",
  });
  const r = await child.output();
  assert.equal(new TextDecoder().decode(r.stdout).split("\n").length, 2);
  assert.equal(new TextDecoder().decode(r.stderr), "");
});
