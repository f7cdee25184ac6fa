import assert from "node:assert/strict";
import { checkRuleFile, checkRules, type RuleFinding } from "../mod.ts";

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

Deno.test("checkRules() finds watches on missing paths", () => {
  assert.deepEqual(codes("-w /etc/missing-file -p wa -k x\n-w /etc/passwd -p wa -k y"), [
    [1, "missing-watch"],
  ]);
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
  // line 4 also comes after a never rule for the same records
  assert.deepEqual(codes(text), [
    [1, "drops-eoe"],
    [2, "drops-eoe"],
    [4, "shadowed"],
    [5, "drops-eoe"],
    [6, "drops-eoe"],
  ]);
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
