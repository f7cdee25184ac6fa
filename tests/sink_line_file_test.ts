import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { openLineFile, rotatedName } from "../lib/sink/line_file.ts";
import { decodeBytes } from "../events.ts";
import { InodeTailer, lineSeq, numberedLine } from "./_inode_tailer.ts";
import { ROOT, tempDir, tempDirSync } from "./_helpers.ts";

const text = (path: string) => Deno.readTextFileSync(path);
const exists = (path: string) => {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
};

Deno.test("openLineFile() appends whole lines, one batch per flush, and refuses a partial line", () => {
  using tmp = tempDirSync();
  const dir = tmp.path;
  const path = `${dir}/out.log`;
  Deno.writeTextFileSync(path, "old\n");
  const out = openLineFile(path);
  assert.equal(out.repaired, undefined);
  out.write("a\n");
  out.write(new TextEncoder().encode("b\nc\n"));
  assert.equal(text(path), "old\n", "buffered until flush");
  assert.throws(() => out.write("half"), { name: "RangeError", message: /partial line/ });
  out.flush();
  assert.equal(text(path), "old\na\nb\nc\n");
  assert.equal(out.size, 10);
  out.close();
  out.close();
  assert.throws(() => out.write("x\n"), { name: "TypeError" });
});

Deno.test("openLineFile() creates files 0600 and writes a full batch at once", () => {
  using tmp = tempDirSync();
  const dir = tmp.path;
  const path = `${dir}/out.log`;
  using out = openLineFile(path, { batchBytes: 8 });
  assert.equal(Deno.statSync(path).mode! & 0o777, 0o600);
  out.write("1234\n");
  assert.equal(text(path), "");
  out.write("5678\n");
  assert.equal(text(path), "1234\n5678\n");
});

Deno.test("openLineFile() writes text holding a log's bytes that are not UTF-8 as those bytes", () => {
  using tmp = tempDirSync();
  const path = tmp.join("out.log");
  const raw = new Uint8Array([0x61, 0xff, 0x20, 0xc3, 0xa9, 0xfe, 0x0a]);
  {
    using out = openLineFile(path);
    // as the log reader decodes them: 0xff and 0xfe kept as U+DCFF and U+DCFE
    out.write(decodeBytes(raw, 0, raw.length));
    out.write(raw);
  }
  assert.deepEqual(Deno.readFileSync(path), new Uint8Array([...raw, ...raw]));
});

Deno.test("openLineFile() ends a cut last line with a newline and reports it, never truncating", () => {
  using tmp = tempDirSync();
  const dir = tmp.path;
  const path = `${dir}/out.log`;
  Deno.writeTextFileSync(path, "whole\ncut in the mid");
  {
    using out = openLineFile(path);
    assert.deepEqual(out.repaired, { offset: 6, length: 14 });
    out.write("next\n");
  }
  assert.equal(text(path), "whole\ncut in the mid\nnext\n");
  // a cut line longer than the repair's read chunk, and a file that is one cut line
  const long = "y".repeat(200_000);
  Deno.writeTextFileSync(path, long);
  using again = openLineFile(path);
  assert.deepEqual(again.repaired, { offset: 0, length: 200_000 });
  assert.equal(text(path), long + "\n");
});

Deno.test("rotation: auditd's names, the oldest dropped, each file at most maxBytes of whole lines", () => {
  using tmp = tempDirSync();
  const dir = tmp.path;
  const path = `${dir}/audit.log`;
  const lines = Array.from({ length: 200 }, (_, i) => numberedLine(i, (i * 7) % 40));
  {
    using out = openLineFile(path, { rotate: { maxBytes: 300, keep: 3 } });
    for (const [i, l] of lines.entries()) {
      out.write(l);
      if (i % 3 === 0) out.flush();
    }
    assert.ok(out.rotations > 10);
  }
  assert.ok(!exists(rotatedName(path, 4)));
  const files = [3, 2, 1, 0].map((n) => text(rotatedName(path, n)));
  for (const f of files) {
    assert.ok(f.length <= 300 || f.split("\n").length === 2, "over the limit only for one line");
    assert.ok(f.endsWith("\n"));
  }
  const kept = files.join("");
  assert.ok(lines.join("").endsWith(kept), "the newest lines, in order, none twice");
  assert.ok(kept.length > 600);
});

Deno.test("rotation: a line longer than maxBytes gets a file of its own; keep 0 drops the full file", () => {
  using tmp = tempDirSync();
  const dir = tmp.path;
  const path = `${dir}/a.log`;
  using out = openLineFile(path, { rotate: { maxBytes: 10, keep: 0 } });
  out.write("short\n" + "x".repeat(30) + "\nend\n");
  out.flush();
  assert.equal(text(path), "end\n");
  assert.equal(out.rotations, 2);
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a.log"]);
  assert.throws(() => openLineFile(path, { rotate: { maxBytes: 0, keep: 1 } }), RangeError);
  assert.throws(() => openLineFile(path, { rotate: { maxBytes: 1, keep: -1 } }), RangeError);
});

Deno.test("openLineFile() finishes a rotation a crash cut short", () => {
  using tmp = tempDirSync();
  const dir = tmp.path;
  const path = `${dir}/audit.log`;
  Deno.writeTextFileSync(path, "before\n");
  Deno.linkSync(path, `${path}.1`); // crashed after link(FILE, FILE.1)
  Deno.writeTextFileSync(`${dir}/.audit.log.rotating`, "");
  {
    using out = openLineFile(path, { rotate: { maxBytes: 100, keep: 2 } });
    out.write("after\n");
  }
  assert.equal(text(`${path}.1`), "before\n");
  assert.equal(text(path), "after\n");
  assert.ok(!exists(`${dir}/.audit.log.rotating`));
});

Deno.test("a write that fails leaves no partial line: the batch is cut back", () => {
  // /dev/full refuses every write with ENOSPC
  const out = openLineFile("/dev/full");
  out.write("lost\n");
  assert.throws(() => out.flush(), /No space left|ENOSPC/);
  out.close();
});

/** Interleavings of the writer and a tailing shipper: every line read once, none cut. */
Deno.test("property: a shipper following by inode reads every line once through rotations", () => {
  const op = fc.oneof(
    fc.record({ write: fc.array(fc.nat({ max: 90 }), { minLength: 1, maxLength: 4 }) }),
    fc.constant({ scan: true as const }),
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 30, max: 300 }),
      fc.integer({ min: 1, max: 5 }),
      fc.array(op, { maxLength: 60 }),
      (maxBytes, keep, ops) => {
        const dir = Deno.makeTempDirSync();
        const path = `${dir}/audit.log`;
        try {
          const out = openLineFile(path, { rotate: { maxBytes, keep } });
          using tailer = new InodeTailer(path);
          const seen: number[] = [];
          const read = () => {
            for (const l of tailer.poll()) seen.push(lineSeq(l));
          };
          let seq = 0;
          let sinceScan = -1; // the first file is made before any scan
          for (const o of ops) {
            if ("scan" in o) {
              read();
              sinceScan = out.rotations;
              continue;
            }
            // A file is dropped keep + 1 rotations after it was made: a shipper scanning less often
            // loses files (as a real one would). A flush of k lines rotates at most k times.
            for (let i = 0; i < o.write.length; i += keep + 1) {
              const batch = o.write.slice(i, i + keep + 1);
              if (out.rotations - sinceScan + batch.length > keep + 1) {
                read();
                sinceScan = out.rotations;
              }
              for (const pad of batch) out.write(numberedLine(seq++, pad));
              out.flush();
            }
          }
          out.close();
          read();
          assert.deepEqual(seen, Array.from({ length: seq }, (_, i) => i));
          assert.equal(tailer.cutFiles, 0);
          assert.equal(tailer.pendingBytes, 0);
        } finally {
          Deno.removeSync(dir, { recursive: true });
        }
      },
    ),
    { numRuns: 150 },
  );
});

Deno.test("a shipper following by inode counts every line exactly once over thousands of rotations under load", async () => {
  await using tmp = await tempDir();
  const dir = tmp.path;
  const path = `${dir}/audit.log`;
  const count = 30_000;
  using tailer = new InodeTailer(path);
  const writer = new Deno.Command("nice", {
    args: [
      "-n",
      "10",
      Deno.execPath(),
      "run",
      "-A",
      `${ROOT}tests/_line_file_writer.ts`,
      path,
      `${count}`,
      "1024",
      "20",
      "7",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const times = new Uint8Array(count);
  let bad = 0;
  let scans = 0;
  let asked = 0;
  const take = () => {
    for (const l of tailer.poll()) {
      const s = lineSeq(l);
      if (s < 0 || s >= count) bad++;
      else times[s]++;
    }
    scans++;
  };
  // scans race the writer; when it asks (it would otherwise outrun keep), one scan, then the answer
  let rotations = -1;
  const answers = writer.stdin.getWriter();
  const talk = (async () => {
    let text = "";
    for await (const chunk of writer.stdout.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n")) {
        const line = text.slice(0, nl);
        text = text.slice(nl + 1);
        if (line === "scan") {
          take();
          asked++;
          await answers.write(new TextEncoder().encode("ok\n"));
        } else if (line.startsWith("rotations ")) rotations = Number(line.slice(10));
      }
    }
    await answers.close();
  })();
  let done = false;
  const status = writer.status.then((s) => {
    done = true;
    return s;
  });
  while (!done) {
    take();
    await new Promise((r) => setTimeout(r, 0));
  }
  await talk;
  take();
  const out = await status;
  assert.ok(out.success);
  assert.ok(rotations >= 2000, `${rotations} rotations`);
  assert.equal(bad, 0, "damaged lines");
  assert.equal(times.filter((t) => t === 0).length, 0, "lines never read");
  assert.equal(times.filter((t) => t > 1).length, 0, "lines read twice");
  assert.equal(tailer.cutFiles, 0);
  assert.equal(tailer.pendingBytes, 0);
  console.log(`${count} lines, ${rotations} rotations, ${scans} scans (${asked} asked for)`);
});
