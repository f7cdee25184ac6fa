/**
 * Rule files in bounded memory: the lint streams (lines read lazily, findings
 * given as found, a compact entry kept per rule), and a load keeps each rule
 * as the kernel's bytes only.
 */
import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  checkRuleFile,
  checkRuleLines,
  checkRules,
  MAX_RULE_LINE,
  readRuleFile,
  readRuleLines,
  ruleFilePlan,
} from "../mod.ts";
import { RuleLinter } from "../lib/rules/check.ts";
import { keepRuleFile } from "../lib/rules/load.ts";
import { RuleTable } from "../lib/rules/rule_table.ts";
import { CLI_ENTRY, runSnippet } from "./_helpers.ts";

const exists = () => true;
const isDirectory = () => false;

/** Rule `i` of a file of distinct rules: watches and keyed syscall rules in turn. */
function distinct(i: number): string {
  return i % 2
    ? `-a always,exit -F arch=b64 -S openat -F auid=${i} -k k${i}`
    : `-w /etc/f${i} -p wa -k k${i}`;
}

Deno.test("checkRuleLines() reads a line only when the findings before it were taken", async () => {
  let pulled = 0;
  let closed = false;
  function* lines() {
    try {
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield i < 2 ? "-w /etc/passwd -p wa -k a" : distinct(i);
      }
    } finally {
      closed = true;
    }
  }
  for await (const f of checkRuleLines(lines(), { exists, isDirectory })) {
    assert.equal(f.line, 2);
    assert.equal(f.code, "duplicate");
    break;
  }
  assert.equal(pulled, 2);
  assert.ok(closed, "the source is closed when the findings are no longer read");
});

Deno.test("checkRuleLines() finds what checkRules() finds, in the same order", () => {
  const line = fc.constantFrom(
    "-w /etc/passwd -p wa -k a",
    "-W /etc/passwd -p wa -k a",
    "-a never,exit -F arch=b64 -S openat -F auid=5",
    "-d never,exit -F arch=b64 -S openat -F auid=5",
    "-a always,exit -F arch=b64 -S openat -F auid=5 -k x",
    "-A always,exit -F arch=b64 -S openat -F auid=5 -k y",
    "-a always,exit -S open -F exit=EPERM",
    "-a always,exclude -F msgtype=EOE",
    "-a always,bogus",
    "-D -k a",
    "-D",
    "-e 2",
    "-i",
    "# comment",
    "",
  );
  return fc.assert(
    fc.asyncProperty(fc.array(line, { maxLength: 25 }), async (lines) => {
      const options = { exists: (p: string) => p !== "/etc/passwd", isDirectory };
      const streamed = [];
      for await (const f of checkRuleLines(lines, options)) streamed.push(f);
      assert.deepEqual(streamed, checkRules(lines.join("\n"), options));
    }),
    { numRuns: 150 },
  );
});

Deno.test("the lint remembers a compact entry per rule held, nothing per rule deleted", () => {
  const linter = new RuleLinter({ exists, isDirectory });
  let line = 0;
  for (let i = 0; i < 4096; i++) linter.lint(++line, distinct(i));
  const held = linter.remembered;
  assert.equal(held.rules, 4096);
  // hash, line and key place (28 bytes), the index (8) and the key's characters, with slack
  assert.ok(held.bytes / held.rules < 100, `${held.bytes / held.rules} bytes a rule`);

  const cycles = new RuleLinter({ exists, isDirectory });
  line = 0;
  const rule = "never,exit -F arch=b64 -S openat -F auid=7 -k gone";
  const after = (pairs: number) => {
    for (let i = 0; i < pairs; i++) {
      cycles.lint(++line, `-a ${rule}`);
      cycles.lint(++line, `-d ${rule}`);
    }
    return cycles.remembered;
  };
  const few = after(50);
  const many = after(5000);
  assert.deepEqual(many, few);
  assert.deepEqual({ rules: many.rules, neverRules: many.neverRules }, { rules: 0, neverRules: 0 });
  // -D forgets every rule
  for (let i = 0; i < 100; i++) cycles.lint(++line, distinct(i));
  assert.equal(cycles.remembered.rules, 100);
  cycles.lint(++line, "-D -k k5");
  assert.equal(cycles.remembered.rules, 89); // k5 and k50..k59
  cycles.lint(++line, "-D");
  assert.equal(cycles.remembered.rules, 0);
});

Deno.test("checkRules() keeps no rule while it lints: the heap grows by the file's text only", async () => {
  // the lint of the last line (a watch) measures the heap after a full collection, with every
  // earlier line checked and remembered; before, the whole checked file was held at that point
  const r = await runSnippet(
    `
    import { checkRules } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
    const gc = (globalThis as unknown as { gc: () => void }).gc;
    const used = (n: number) => {
      let lines = [];
      for (let i = 0; i < n; i++) {
        lines.push(i % 2 ? "-a always,exit -F arch=b64 -S openat -F auid=" + i + " -k k" + i
          : "-w /etc/f" + i + " -p wa -k k" + i);
      }
      lines.push("-w /measure/here");
      const text = lines.join("\\n");
      lines = [];
      let at = 0;
      checkRules(text, {
        isDirectory: () => false,
        exists: (p) => {
          if (p !== "/measure" && p !== "/measure/here") return true;
          gc();
          at = Deno.memoryUsage().heapUsed;
          return true;
        },
      });
      return at;
    };
    used(2000);
    const small = used(2000);
    const big = used(12000);
    console.log(JSON.stringify({ perLine: (big - small) / 10000 }));
    `,
    { denoArgs: ["-A", "--v8-flags=--expose-gc"] },
  );
  assert.equal(r.code, 0, r.stderr);
  const { perLine } = JSON.parse(r.stdout);
  // the file's own text is ~57 bytes a line (the compact entries are outside the heap, and bound
  // by the test above); the built rules took about 1.9 KB a line of heap, and as much outside it
  assert.ok(perLine < 400, `${perLine} bytes a line`);
});

Deno.test("a load keeps each rule as its kernel bytes only, sent in ruleFilePlan's order", () => {
  const line = fc.oneof(
    fc.nat({ max: 40 }).map(distinct),
    fc.constantFrom(
      "-d always,exit -F arch=b64 -S openat -F auid=3 -k k3",
      "-A always,exit -F arch=b64 -S openat -F auid=99 -k first",
      "--loginuid-immutable",
      "-e 2",
      "-b 8192",
      "-D -k k1",
      "-a always,bogus",
    ),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
      const text = lines.join("\n");
      const options = { isDirectory, allowLock: true, allowLoginuidImmutable: true };
      const checked = checkRuleFile(text, options);
      const { kept, problems, fatal } = keepRuleFile(text, options);
      assert.deepEqual(problems, checked.problems);
      assert.equal(fatal, checked.fatal);
      const plan = ruleFilePlan(checked);
      assert.deepEqual([...kept.plan()].map((i) => kept.line(i)), plan.map((l) => l.line));
      for (const [n, i] of [...kept.plan()].entries()) {
        assert.equal(kept.text(i, text), plan[n].text);
        assert.equal(kept.ignored(i), plan[n].ignored);
        const r = kept.rule(i);
        if (plan[n].command.kind === "rule") assert.deepEqual(r?.rule, plan[n].rule);
        else assert.deepEqual(kept.command(i), plan[n].command);
      }
    }),
    { numRuns: 100 },
  );
  const text = Array.from({ length: 3000 }, (_, i) => distinct(i)).join("\n");
  const { kept } = keepRuleFile(text, { isDirectory });
  const bytes = checkRuleFile(text, { isDirectory }).lines
    .reduce((n, l) => n + l.rule!.bytes.length, 0);
  // the rules' bytes, the unused tail of the last 1 MiB block and 21 bytes a line of arrays
  assert.ok(kept.retainedBytes < bytes + (1 << 20) + 64 * 3000, `${kept.retainedBytes}`);
  assert.ok(kept.retainedBytes >= bytes);
});

Deno.test("readRuleLines() gives the lines of readRuleFile(), a regular binary file before any", async () => {
  const file = await Deno.makeTempFile({ suffix: ".rules" });
  try {
    const text = `-w /etc/passwd\r\n\n-w /${"a".repeat(MAX_RULE_LINE * 2)}\n\u00e9\u20ac x\n-D`;
    await Deno.writeTextFile(file, text);
    const lines = [];
    for await (const l of readRuleLines(file)) lines.push(l);
    assert.equal(lines.length, 5);
    assert.equal(lines[2].length, MAX_RULE_LINE + 1);
    assert.equal(lines.join("\n"), await readRuleFile(file));
    assert.deepEqual(lines.filter((_, i) => i !== 2), [
      "-w /etc/passwd\r",
      "",
      "\u00e9\u20ac x",
      "-D",
    ]);

    // the NUL is far past the first lines, yet no line is given
    await Deno.writeTextFile(file, "-D\n".repeat(50_000) + "\0\n");
    const it = readRuleLines(file);
    await assert.rejects(it.next(), /line 50001 has a NUL byte, so it is not a text file/);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("rules load --check writes each finding before it reads the rest of the file", async () => {
  const dir = await Deno.makeTempDir();
  const fifo = `${dir}/rules`;
  try {
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(made.success);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI_ENTRY, "rules", "load", "--check", fifo],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = await Deno.open(fifo, { write: true });
    await writer.write(new TextEncoder().encode("-w /etc/passwd -p wa -k a\n".repeat(2)));
    // the writer stays open: the finding must come while the file is still being written
    const reader = child.stdout.getReader();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const first = await Promise.race([
      reader.read(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no finding while the file is open")), 30_000);
      }),
    ]).finally(() => clearTimeout(timer));
    assert.match(
      new TextDecoder().decode(first.value),
      /^.*rules:2: error \[duplicate\] .*the same rule as line 1/,
    );
    writer.close();
    reader.releaseLock();
    await child.stdout.cancel();
    const status = await child.status;
    await child.stderr.cancel();
    assert.equal(status.code, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RuleTable holds what a list of (hash, line, key) entries holds, through -d and -D -k", () => {
  const hashOf = (n: number) => new Int32Array([n * 0x9e3779b1, n, ~n, n & 3]);
  const op = fc.oneof(
    fc.record({
      add: fc.nat({ max: 30 }),
      key: fc.constantFrom("", "a", "ab", "b\u00e9", "\u20acx"),
    }),
    fc.record({ del: fc.nat({ max: 30 }) }),
    fc.record({ flush: fc.constantFrom(undefined, "a", "b", "\u00e9", "\u20ac") }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const table = new RuleTable();
      let model: { n: number; line: number; key: string }[] = [];
      let line = 0;
      for (const o of ops) {
        if ("add" in o) {
          table.add(hashOf(o.add), ++line, o.key);
          model.push({ n: o.add, line, key: o.key });
        } else if ("del" in o) {
          const at = model.findIndex((m) => m.n === o.del);
          assert.equal(table.delete(hashOf(o.del)), at >= 0);
          if (at >= 0) model.splice(at, 1);
        } else {
          table.deleteByKey(o.flush);
          model = model.filter((m) => o.flush && !m.key.includes(o.flush));
        }
        assert.equal(table.size, model.length);
      }
      for (let n = 0; n <= 30; n++) {
        assert.equal(table.find(hashOf(n)), model.find((m) => m.n === n)?.line);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("readRuleLines() gives the lines of the whole file decoded at once, whatever the bytes", async () => {
  const file = await Deno.makeTempFile({ suffix: ".rules" });
  try {
    let seed = 7;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const pieces = [[0x0a], [0x41, 0x42], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [
      0xf0,
      0x9f,
      0x98,
      0x80,
    ]];
    for (let run = 0; run < 6; run++) {
      const bytes: number[] = run % 2 ? [0xef, 0xbb, 0xbf] : [];
      while (bytes.length < 200_000) {
        const r = random(100);
        // mostly text, some newlines, characters of 2-4 bytes, cut sequences and stray bytes
        if (r < 70) bytes.push(0x20 + random(95));
        else if (r < 95) {
          const piece = pieces[random(pieces.length)];
          // a mark at the start of a later line is a character (U+FEFF), not a mark
          bytes.push(...piece, ...(run === 4 && piece[0] === 0x0a ? [0xef, 0xbb, 0xbf] : []));
        } else if (r < 98) bytes.push(...pieces[2 + random(3)].slice(0, 1));
        else bytes.push(0x80 + random(128));
      }
      // a line too long, of cut 3-byte sequences: the first MAX_RULE_LINE + 1 characters are kept
      for (let i = 0; run === 2 && i < MAX_RULE_LINE * 3; i++) bytes.push(0xe2 + random(2));
      const data = new Uint8Array(bytes);
      await Deno.writeFile(file, data);
      const want = new TextDecoder().decode(data).split("\n")
        .map((l) => l.length > MAX_RULE_LINE + 1 ? l.slice(0, MAX_RULE_LINE + 1) : l);
      const got = [];
      for await (const l of readRuleLines(file)) got.push(l);
      assert.equal(got.length, want.length);
      assert.deepEqual(got, want, `run ${run}`);
    }
  } finally {
    await Deno.remove(file);
  }
});
