/**
 * bench/_repeat.ts: a log repeated as one longer log. The k-th copy's stamps
 * move by exactly k steps (serials by k * 100,000,000, seconds by k times
 * the log's span), every other byte stays; on such a log ausearch and
 * aureport agree with auditkit byte for byte, where plain copies (the same
 * serials and stamps again) make libauparse join events across copies.
 */

import { deepStrictEqual, notStrictEqual, rejects, strictEqual } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { repeatLog, repeatTo, SERIAL_STEP } from "../bench/_repeat.ts";
import { concatBytes, oracleTest, ROOT, run, tempDir } from "./_helpers.ts";
import { assertSameAs, inProcess } from "./_log_parity.ts";

const enc = new TextEncoder();

/** A line of a generated log: a record with its stamp, or a line without one. */
type Line =
  | { node?: string; type: string; sec: number; msec: string; serial: number; rest: Uint8Array }
  | { bare: Uint8Array };

/** `lines` as the k-th copy must read: stamps moved by k steps of `span` seconds. */
function render(lines: Line[], k: number, span: number, lastNewline: boolean): Uint8Array {
  return concatBytes(
    ...lines.flatMap((l, i) => {
      const body = "bare" in l ? l.bare : concatBytes(
        enc.encode(
          `${l.node === undefined ? "" : `node=${l.node} `}type=${l.type} msg=audit(${
            l.sec + k * span
          }.${l.msec}:${l.serial + k * SERIAL_STEP}):`,
        ),
        l.rest,
      );
      return i < lines.length - 1 || lastNewline ? [body, enc.encode("\n")] : [body];
    }),
  );
}

/** Bytes without a newline (and without a stamp of their own, almost surely). */
const noNewline = fc.uint8Array({ maxLength: 40 }).map((b) => b.map((c) => c === 10 ? 32 : c));

const record = fc.record({
  node: fc.option(fc.constantFrom("web1", "db-2.example.org"), { nil: undefined }),
  type: fc.constantFrom("SYSCALL", "PATH", "EOE", "USER_CMD"),
  sec: fc.integer({ min: 1_700_000_000, max: 1_700_000_009 }),
  msec: fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, "0")),
  serial: fc.integer({ min: 1, max: 99_999_999 }),
  // a later msg=audit( on the line (a value quoting one) is not the record's stamp
  rest: fc.tuple(noNewline, fc.boolean()).map(([b, quoted]) =>
    quoted ? concatBytes(b, enc.encode(' a1="msg=audit(1.002:3)"')) : b
  ),
});

Deno.test("repeatLog: copy 0 is the log, the k-th moves serials by k * 10^8 and seconds by k spans", async () => {
  await using tmp = await tempDir();
  const src = tmp.join("src.log"), out = tmp.join("out.log");
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof({ weight: 5, arbitrary: record }, noNewline.map((bare) => ({ bare }))), {
        minLength: 1,
        maxLength: 12,
      }).filter((ls) => ls.some((l) => !("bare" in l))),
      fc.boolean(),
      fc.integer({ min: 1, max: 4 }),
      async (lines, lastNewline, copies) => {
        const last = lines[lines.length - 1];
        // an empty last line without a newline is no line: the file ends with the one before
        if ("bare" in last && last.bare.length === 0 && !lastNewline) return;
        const secs = lines.flatMap((l) => "bare" in l ? [] : [l.sec]);
        const span = Math.max(...secs) - Math.min(...secs) + 1;
        await Deno.writeFile(src, render(lines, 0, span, lastNewline));
        await repeatLog(src, out, copies);
        const want = Array.from({ length: copies }, (_, k) =>
          // a copy without a last newline gets one when another copy follows
          render(lines, k, span, lastNewline || k < copies - 1));
        deepStrictEqual(await Deno.readFile(out), concatBytes(...want));
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("repeatLog: each copy starts after the one before ends; repeatTo reaches the size", async () => {
  await using tmp = await tempDir();
  const src = `${ROOT}tests/data/log_realistic.log`, out = tmp.join("out.log");
  const copies = await repeatTo(src, out, 3 * (await Deno.stat(src)).size - 1);
  strictEqual(copies, 3);
  const stamps = (await Deno.readTextFile(out)).split("\n").filter((l) => l).map((l) =>
    /msg=audit\((\d+)\.(\d+):(\d+)\)/.exec(l)!.slice(1).map(Number)
  );
  const per = stamps.length / 3;
  for (let k = 1; k < 3; k++) {
    const before = stamps.slice((k - 1) * per, k * per),
      copy = stamps.slice(k * per, (k + 1) * per);
    strictEqual(
      Math.min(...copy.map(([s]) => s)),
      Math.max(...before.map(([s]) => s)) + 1,
      `copy ${k} starts the second after copy ${k - 1} ends`,
    );
    const serials = new Set(before.map(([, , n]) => n));
    strictEqual(copy.filter(([, , n]) => serials.has(n)).length, 0, `copy ${k}: serials new`);
  }
});

Deno.test("repeatLog: a stamp that is not SEC.MSEC:SERIAL fails, and writes nothing", async () => {
  await using tmp = await tempDir();
  const src = tmp.join("src.log"), out = tmp.join("out.log");
  await Deno.writeTextFile(
    src,
    "type=SYSCALL msg=audit(1700000000.000:1): a\ntype=PATH msg=audit(1700000000:2): b\n",
  );
  await rejects(repeatLog(src, out, 2), /src\.log: line 2: msg=audit\( not followed by SEC/);
  await rejects(Deno.stat(out), Deno.errors.NotFound);
});

oracleTest(
  "repeatLog: ausearch and aureport agree with auditkit on a repeated log (not on plain copies)",
  ["ausearch", "aureport"],
  async () => {
    await using tmp = await tempDir();
    // every event in the same second: events still open when the next copy begins
    const one = (await Deno.readTextFile(`${ROOT}tests/data/log_realistic.log`)).replace(
      /msg=audit\(\d+\./g,
      "msg=audit(1700000000.",
    );
    const src = tmp.join("one.log"), repeated = tmp.join("repeated.log");
    const plain = tmp.join("plain.log");
    await Deno.writeTextFile(src, one);
    await Deno.writeTextFile(plain, one.repeat(3));
    await repeatLog(src, repeated, 3);
    // the fixture is one where plain copies make ausearch join events across copies
    const want = await run("ausearch", ["-if", plain, "-k", "exec"]);
    notStrictEqual((await inProcess("ausearch", ["-if", plain, "-k", "exec"])).out, want.stdout);
    for (const key of ["exec", "net", "shadow"]) {
      await assertSameAs("ausearch", ["-if", repeated, "-k", key]);
    }
    await assertSameAs("ausearch", ["-if", repeated, "-i"]);
    await assertSameAs("aureport", ["-if", repeated, "--summary"]);
    await assertSameAs("aureport", ["-if", repeated, "-x", "--summary"]);
  },
);
