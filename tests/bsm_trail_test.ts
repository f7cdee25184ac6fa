import assert from "node:assert/strict";
import {
  AU_TO_WRITE,
  auClose,
  auOpen,
  auToPath,
  auToText,
  auWrite,
  BsmError,
  BsmTrailWriter,
  decodeToken,
  parseBsmRecords,
  parsePrauditRecords,
} from "../mod.ts";
import { recordOf } from "./_bsm_arbitrary.ts";
import { fromHex, vectors } from "./_bsm_vectors.ts";

const now = () => ({ sec: 1700000000, msec: 500 });

const dir = await Deno.makeTempDir();
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
let files = 0;

function tempPath(): Promise<string> {
  return Promise.resolve(`${dir}/${files++}.trail`);
}

Deno.test("a new trail: file token, the records auClose wrote, file token", async () => {
  const path = await tempPath();
  {
    await using trail = await BsmTrailWriter.create(path, { now, fsync: "record" });
    await Promise.all([1, 2, 3].map(async (i) => {
      const d = auOpen();
      auWrite(d, auToText(`record ${i}`));
      auWrite(d, auToPath("/etc/passwd"));
      await auClose(d, AU_TO_WRITE, 6152, { sink: trail });
    }));
  }
  const bytes = await Deno.readFile(path);
  const records = [...parseBsmRecords(bytes)];
  assert.deepEqual(records.map((r) => r.tokens[0].type), [
    "file",
    "header32",
    "header32",
    "header32",
    "file",
  ]);
  const file = decodeToken(bytes, 0).token;
  assert.deepEqual(file, {
    type: "file",
    sec: 1700000000,
    msec: 500,
    name: new TextEncoder().encode(path + "\0"),
  });
  // praudit reads the same records
  assert.equal([...parsePrauditRecords(bytes)].length, 5);
  await assert.rejects(() => BsmTrailWriter.create(path), Deno.errors.AlreadyExists);
});

Deno.test("append: adds whole records to a trail; refuses a file that is not one, unchanged", async () => {
  const path = await tempPath();
  await Deno.writeFile(path, fromHex(vectors.trails.trail_with_file_tokens.hex));
  const w = await BsmTrailWriter.append(path, { now });
  await w.writeRecord(recordOf([auToText("appended")]));
  await w.close();
  await w.close();
  await assert.rejects(() => w.writeRecord(recordOf([])), TypeError);
  const records = [...parseBsmRecords(await Deno.readFile(path))];
  assert.equal(records.length, 5 + 2);
  assert.equal(records[5].tokens[1].type, "text");

  for (const bad of ["bad_trailing_garbage", "bad_truncated"] as const) {
    const other = await tempPath();
    const original = fromHex(vectors.trails[bad].hex);
    await Deno.writeFile(other, original);
    await assert.rejects(
      () => BsmTrailWriter.append(other),
      (e) => e instanceof BsmError && e.message.includes("is not a BSM trail"),
    );
    assert.deepEqual(await Deno.readFile(other), original);
  }
  const text = await tempPath();
  await Deno.writeTextFile(text, "type=SYSCALL msg=audit(1.2:3): x\n");
  await assert.rejects(() => BsmTrailWriter.append(text), BsmError);
  assert.equal(await Deno.readTextFile(text), "type=SYSCALL msg=audit(1.2:3): x\n");
});

Deno.test("writeRecord refuses anything but one whole record, writing nothing", async () => {
  const path = await tempPath();
  const w = await BsmTrailWriter.create(path, { now });
  const rec = recordOf([auToText("x")]);
  const size = (await Deno.stat(path)).size;
  for (
    const bad of [
      rec.subarray(0, rec.length - 1),
      new Uint8Array([...rec, ...rec]),
      fromHex(vectors.tokens.text.hex),
      new Uint8Array(0),
    ]
  ) {
    await assert.rejects(() => w.writeRecord(bad), BsmError);
  }
  assert.equal((await Deno.stat(path)).size, size);
  await w.close();
});

Deno.test("append to an empty file starts it with a file token", async () => {
  const path = await tempPath();
  await Deno.writeFile(path, new Uint8Array(0));
  const w = await BsmTrailWriter.append(path, { now, fsync: "never" });
  await w.close();
  const records = [...parseBsmRecords(await Deno.readFile(path))];
  assert.deepEqual(records.map((r) => r.tokens[0].type), ["file", "file"]);
});
