import assert from "node:assert/strict";
import {
  checkRuleFile,
  checkRules,
  MAX_RULE_LINE,
  parseRule,
  quoteExcerpt,
  readRuleFile,
  ruleFilePlan,
  type RuleFinding,
} from "../mod.ts";

const exists = (p: string) => !p.includes("missing");
const isDirectory = () => false;

function codes(text: string): [number, string][] {
  return checkRules(text, { exists, isDirectory }).map((f: RuleFinding) => [f.line, f.code]);
}

Deno.test("checkRules() finds exit=EPERM written without its minus sign", () => {
  const text = [
    "-a always,exit -F arch=b64 -S openat -F exit=EPERM -k x",
    "-a always,exit -F arch=b64 -S openat -F exit=-EPERM -k y",
    "-a always,exit -F arch=b64 -S openat -F exit!=EACCES -k z",
  ].join("\n");
  assert.deepEqual(codes(text), [[1, "errno-sign"], [3, "errno-sign"]]);
  const [f] = checkRules(text, { exists, isDirectory });
  assert.equal(f.severity, "warning");
  assert.match(f.message, /^Line 1: exit=EPERM compares with \+EPERM.*write exit=-EPERM$/);
});

Deno.test("checkRules() finds syscall rules without an arch", () => {
  assert.deepEqual(
    codes(
      "-a always,exit -S openat -k x\n-a always,exit -F arch=b32 -S open -k y\n-w /etc -p wa\n" +
        "-a always,exit -S all -F pid=1",
    ),
    [[1, "no-arch"]],
  );
});

Deno.test("checkRules() finds watches whose path and directory are both missing", () => {
  // the kernel accepts a watch on a missing file in an existing directory (/etc/sudoers on a
  // host without sudo), and refuses it when the directory is missing too
  assert.deepEqual(
    codes(
      "-w /etc/missing-dir/file -p wa -k x\n-w /etc/passwd -p wa -k y\n" +
        "-w /etc/missing-file -p wa -k z\n-w /etc/missing.d/ -p wa -k w",
    ),
    [[1, "missing-watch"]],
  );
  assert.match(
    checkRules("-w /etc/missing-dir/file -p wa", { exists, isDirectory })[0].message,
    /directory "\/etc\/missing-dir"/,
  );
});

Deno.test("checkRules() finds duplicates, but not a rule added again after its deletion or -D", () => {
  const text = [
    "-a always,exit -F arch=b64 -S openat -k x",
    "-a exit,always -F arch=b64 -S openat -k x",
    "-d always,exit -F arch=b64 -S openat -k x",
    "-a always,exit -F arch=b64 -S openat -k x",
    "-D",
    "-a always,exit -F arch=b64 -S openat -k x",
  ].join("\n");
  const f = checkRules(text, { exists, isDirectory });
  assert.deepEqual(f.map((x) => [x.line, x.code, x.severity]), [[2, "duplicate", "error"]]);
  assert.match(f[0].message, /^Line 2: .*the same rule as line 1/);
});

Deno.test("checkRules() finds a rule that an earlier never rule shadows", () => {
  const text = [
    "-a never,exit -F arch=b64 -S all -F auid=unset",
    "-a always,exit -F arch=b64 -S openat -F auid=unset -k shadowed",
    "-a always,exit -F arch=b64 -S openat -F auid>=1000 -k fine",
    "-a never,exit -F arch=b64 -S openat,open -F uid=0",
    "-a always,exit -F arch=b64 -S open -F uid=0 -F euid=0 -k shadowed-too",
    "-a always,exit -F arch=b32 -S open -F uid=0 -k other-arch",
    "-A always,exit -F arch=b64 -S openat -F auid=unset -k prepended",
  ].join("\n");
  assert.deepEqual(codes(text), [[2, "shadowed"], [5, "shadowed"]]);
  assert.match(
    checkRules(text, { exists, isDirectory })[0].message,
    /never rule on line 1 matches everything/,
  );
});

Deno.test("checkRules() finds exclude rules that drop EOE records", () => {
  const text = [
    "-a never,exclude -F msgtype=EOE",
    "-a never,exclude -F msgtype>=1300 -F msgtype<1400",
    "-a never,exclude -F msgtype=CWD",
    "-a always,exclude -F msgtype=EOE",
    "-a never,exclude -F uid=0",
    "-a never,exclude -F msgtype!=SYSCALL",
  ].join("\n");
  // line 4 also comes after a never rule for the same records; on the exclude list an always
  // rule drops what it matches as a never rule does
  assert.deepEqual(codes(text), [
    [1, "drops-eoe"],
    [2, "drops-eoe"],
    [4, "shadowed"],
    [4, "drops-eoe"],
    [5, "drops-eoe"],
    [6, "drops-eoe"],
  ]);
  assert.deepEqual(codes("-a always,exclude -F msgtype>=1300"), [[1, "drops-eoe"]]);
});

Deno.test("checkRules() reports lines that cannot load as errors with their reasons", () => {
  const f = checkRules("-a always,exit -S bogus\n-w /etc -p q\n-w /etc -p wa -k ok\n", {
    exists,
    isDirectory,
  });
  assert.deepEqual(f.map((x) => [x.line, x.code, x.severity]), [
    [1, "invalid", "error"],
    [2, "invalid", "error"],
  ]);
  assert.match(f[0].message, /unknown syscall "bogus"/);
  assert.match(f[1].message, /permission "q"/);
});

Deno.test("checkRuleFile() reads control lines and marks lines after -i as ignorable", () => {
  const c = checkRuleFile("-D\n-b 8192\n-f 1\n--backlog_wait_time 60000\n-i\n-a always,bogus\n", {
    isDirectory,
  });
  assert.deepEqual(c.lines.map((l) => l.command.kind), ["delete_all", "set", "set", "set"]);
  assert.equal(c.fatal, false);
  assert.deepEqual(c.problems.map((p) => p.line), [6]);
  assert.equal(checkRuleFile("-a always,bogus\n-i\n").fatal, true);
  assert.match(checkRuleFile("-R /x\n").problems[0].message, /cannot load other rule files/);
});

const DATA = new URL("./data/rules/", import.meta.url);
const stock = (name: string) => Deno.readTextFileSync(new URL(name, DATA));

Deno.test("checkRules() passes auditd's stock STIG, PCI-DSS and OSPP rule sets", () => {
  // a host without sudo and without pam's opasswd: watches on files it lacks in its directories
  const here = (p: string) => !/sudoers|opasswd/.test(p);
  for (const name of ["10-base-config.rules", "30-stig.rules", "30-pci-dss-v31.rules"]) {
    assert.deepEqual(checkRules(stock(name), { exists: here, isDirectory }), [], name);
  }
  assert.deepEqual(
    checkRules(stock("30-ospp-v42.rules"), { exists: here, isDirectory }).map((f) => f.code),
    [],
  );
});

Deno.test("checkRuleFile() reads --loginuid-immutable and -e 2, refused unless allowed", () => {
  assert.equal(parseRule("--loginuid-immutable").kind, "loginuid_immutable");
  const text = stock("10-base-config.rules") + stock("11-loginuid.rules") +
    stock("99-finalize.rules").replace("#-e 2", "-e 2");
  const refused = checkRuleFile(text, { isDirectory });
  assert.equal(refused.fatal, true);
  assert.deepEqual(refused.problems.map((p) => p.refused), ["loginuid", "lock"]);
  assert.match(refused.problems[0].message, /unchangeable once set, until reboot/);
  assert.match(refused.problems[1].message, /locks the audit configuration until reboot/);

  const skipped = checkRuleFile(text, { isDirectory, skipRefused: true });
  assert.equal(skipped.fatal, false);
  assert.deepEqual(skipped.problems, []);
  assert.deepEqual(skipped.skipped.map((p) => p.refused), ["loginuid", "lock"]);
  assert.ok(skipped.lines.every((l) => l.command.kind !== "loginuid_immutable"));
  assert.deepEqual(skipped.lines.map((l) => l.command.kind), ["delete_all", "set", "set", "set"]);

  const allowed = checkRuleFile(text, {
    isDirectory,
    allowLock: true,
    allowLoginuidImmutable: true,
  });
  assert.deepEqual(allowed.problems, []);
  // what would be sent, in order: what cannot be undone comes last
  assert.deepEqual(ruleFilePlan(allowed).map((l) => l.text.trim()), [
    "-D",
    "-b 8192",
    "--backlog_wait_time 60000",
    "-f 1",
    "--loginuid-immutable",
    "-e 2",
  ]);
});

Deno.test("checkRuleFile() refuses a change after -e 2: the kernel would refuse it", () => {
  const c = checkRuleFile("-e 2\n-w /etc/passwd -p wa\n", { isDirectory, allowLock: true });
  assert.equal(c.fatal, true);
  assert.deepEqual(c.problems.map((p) => p.line), [2]);
  assert.match(c.problems[0].message, /line 1 locks the audit configuration with -e 2/);
});

Deno.test("checkRules() reports refused lines as irreversible warnings, none when allowed", () => {
  const text = "--loginuid-immutable\n-w /etc/passwd -p wa\n-e 2\n";
  assert.deepEqual(
    checkRules(text, { exists, isDirectory }).map((f) => [f.line, f.code, f.severity, f.refused]),
    [[1, "irreversible", "warning", "loginuid"], [3, "irreversible", "warning", "lock"]],
  );
  assert.deepEqual(
    checkRules(text, { exists, isDirectory, allowLock: true, allowLoginuidImmutable: true }),
    [],
  );
});

Deno.test("checkRules() says an empty -F key= or -k sets no key, as auditctl drops it", () => {
  const f = checkRules('-a always,exit -F arch=b64 -S open -F key=\n-w /etc -p wa -k ""', {
    exists,
    isDirectory,
  });
  assert.deepEqual(f.map((x) => [x.line, x.code]), [[1, "empty-key"]]);
  assert.match(f[0].message, /-F key= is empty, so it sets no key/);
  assert.doesNotMatch(f[0].message, /error -?\d/);
});

Deno.test("rule errors name the bad word and say when an option lacks its argument", () => {
  const [missing] = checkRules("-w /etc/shadow -p wa -k", { exists, isDirectory });
  assert.match(missing.message, /option "-k" needs an argument/);
  const [stray] = checkRules("-a always,exit -F arch=b64 stray -S open", { exists, isDirectory });
  assert.match(stray.message, /"stray" is not an option or an option's value/);
});

Deno.test("quoteExcerpt() quotes at most 60 characters, escaped", () => {
  assert.equal(quoteExcerpt("plain"), '"plain"');
  assert.equal(
    quoteExcerpt('a"b\\c\td\x00e\x1b[31m\ufffd'),
    '"a\\"b\\\\c\\td\\x00e\\x1b[31m\\u{fffd}"',
  );
  const long = quoteExcerpt("y".repeat(1_000_000));
  assert.equal(long, `"${"y".repeat(60)}..." (1000000 characters)`);
  // escapes count as what they print: undecodable bytes cannot make an excerpt long
  const escapes = quoteExcerpt("\ufffd\x01".repeat(1000));
  assert.ok(escapes.length < 100, escapes);
  assert.match(escapes, /^"(\\u\{fffd\}\\x01)+.*\.\.\." \(2000 characters\)$/);
});

Deno.test("a huge or binary rule file gets short, escaped messages for every line", () => {
  const huge = "-w /" + "a".repeat(MAX_RULE_LINE * 3);
  const binary = Array.from(
    { length: 300 },
    (_, i) =>
      String.fromCharCode(...Array.from({ length: 200 }, (_, j) => (i * 7 + j * 13) % 256))
        .replaceAll("\n", ""),
  ).join("\n");
  const c = checkRuleFile(`${huge}\n-w /etc/passwd -p wa\n${binary}\n`, { isDirectory });
  assert.equal(c.lines.length, 1);
  assert.equal(c.lines[0].line, 2);
  assert.match(c.problems[0].message, /^Line 1: the line is longer than the 65536 characters/);
  // every other non-blank line of the binary part is reported, each message short and printable
  const reported = new Set(c.problems.map((p) => p.line));
  binary.split("\n").forEach((l, i) => {
    if (l.split(" ").some((w) => w !== "") && !l.trimStart().startsWith("#")) {
      assert.ok(reported.has(i + 3), `line ${i + 3}`);
    }
  });
  for (const p of c.problems) {
    assert.ok(p.message.length < 400, p.message);
    assert.doesNotMatch(p.message, /\p{Cc}/u);
    assert.ok(p.text.length <= 200 || p.line > 1);
  }
});

Deno.test("readRuleFile() keeps at most a rule line's worth of a huge line, refuses binary", async () => {
  const file = await Deno.makeTempFile({ suffix: ".rules" });
  try {
    await Deno.writeTextFile(file, `-w /etc/passwd\n-w /${"a".repeat(5_000_000)}\n-w /etc/group\n`);
    const text = await readRuleFile(file);
    assert.ok(text.length < 2 * MAX_RULE_LINE, `${text.length}`);
    const c = checkRuleFile(text, { isDirectory });
    assert.deepEqual(c.lines.map((l) => l.line), [1, 3]);
    assert.deepEqual(c.problems.map((p) => p.line), [2]);
    assert.ok(c.problems[0].message.length < 200);

    await Deno.writeFile(file, new Uint8Array([45, 68, 10, 10, 0x7f, 0x45, 0x4c, 0x46, 0, 1, 10]));
    await assert.rejects(readRuleFile(file), /line 3 has a NUL byte, so it is not a text file/);
    await assert.rejects(
      readRuleFile(`${file}.none`),
      /Cannot read rule file ".*": it does not exist/,
    );
  } finally {
    await Deno.remove(file);
  }
});
