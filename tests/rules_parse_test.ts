import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  formatCommand,
  parseArgs,
  parseRule,
  type RuleCommand,
  RuleError,
  splitRuleLine,
} from "../mod.ts";
import { corpus } from "./_rules_corpus.ts";

Deno.test("splitRuleLine() splits on spaces, honours \\ escapes and drops comments and blanks", () => {
  assert.deepEqual(splitRuleLine("-w /etc/passwd  -p wa"), ["-w", "/etc/passwd", "-p", "wa"]);
  assert.deepEqual(splitRuleLine("-w /tmp/my\\ dir -k a\\\\b"), [
    "-w",
    "/tmp/my dir",
    "-k",
    "a\\b",
  ]);
  assert.deepEqual(splitRuleLine("   "), []);
  assert.deepEqual(splitRuleLine("# -D"), []);
  assert.deepEqual(splitRuleLine("#comment -w /x"), []);
  assert.deepEqual(splitRuleLine("-D\r"), ["-D"]);
});

Deno.test("parseRule() gives the typed rule with its options in command-line order", () => {
  const cmd = parseRule(
    "-a exit,always -F arch=b64 -S openat,open -S creat -F exit=-EACCES -C auid!=obj_uid -k access",
  );
  assert.deepEqual(cmd, {
    kind: "rule",
    op: "append",
    rule: {
      list: "exit",
      action: "always",
      steps: [
        { kind: "field", field: { name: "arch", op: "=", value: "b64" } },
        { kind: "syscalls", names: ["openat", "open"] },
        { kind: "syscalls", names: ["creat"] },
        { kind: "field", field: { name: "exit", op: "=", value: "-EACCES" } },
        { kind: "compare", comparison: { left: "auid", op: "!=", right: "obj_uid" } },
        { kind: "key", key: "access", option: "-k" },
      ],
    },
  });
});

Deno.test("parseRule() reads watches, -A, -d, -W and every operator", () => {
  assert.deepEqual(parseRule("-w /etc/shadow -p wa -k shadow"), {
    kind: "rule",
    op: "append",
    rule: {
      list: "exit",
      action: "always",
      watch: "/etc/shadow",
      steps: [{ kind: "perms", perms: "wa" }, { kind: "key", key: "shadow", option: "-k" }],
    },
  });
  assert.equal((parseRule("-W /etc/shadow") as { op: string }).op, "delete");
  assert.equal((parseRule("-A never,task") as { op: string }).op, "prepend");
  assert.equal((parseRule("-d always,exit -S all") as { op: string }).op, "delete");
  for (const op of ["=", "!=", "<", ">", "<=", ">=", "&", "&="]) {
    const cmd = parseRule(`-a always,exit -F a0${op}7`);
    assert.equal(cmd.kind, "rule");
    if (cmd.kind === "rule") {
      assert.deepEqual(cmd.rule.steps[0], {
        kind: "field",
        field: { name: "a0", op, value: "7" },
      });
    }
  }
  // auditctl looks for "!=" before "=": the value keeps everything after the operator
  const cmd = parseRule("-a always,exit -F path=/a>b");
  if (cmd.kind === "rule") {
    assert.deepEqual(cmd.rule.steps[0], {
      kind: "field",
      field: { name: "path", op: "=", value: "/a>b" },
    });
  }
});

Deno.test("parseArgs() reads auditctl's control options", () => {
  assert.deepEqual(parseArgs(["-D"]).command, { kind: "delete_all", key: undefined });
  assert.deepEqual(parseArgs(["-D", "-k", "web"]).command, { kind: "delete_all", key: "web" });
  assert.deepEqual(parseArgs(["-b", "8192"]).command, {
    kind: "set",
    settings: [{ name: "backlog_limit", value: 8192 }],
  });
  assert.deepEqual(parseArgs(["-e", "1", "-f", "1", "-r", "0x10"]).command, {
    kind: "set",
    settings: [
      { name: "enabled", value: 1 },
      { name: "failure", value: 1 },
      { name: "rate_limit", value: 16 },
    ],
  });
  assert.deepEqual(parseArgs(["--backlog_wait_time", "60000"]).command, {
    kind: "set",
    settings: [{ name: "backlog_wait_time", value: 60000 }],
  });
  assert.deepEqual(parseArgs(["--backlog_wait=15"]).command, {
    kind: "set",
    settings: [{ name: "backlog_wait_time", value: 15 }],
  });
  assert.deepEqual(parseArgs(["-s", "-i"]).command, { kind: "status", interpret: true });
  assert.deepEqual(parseArgs(["-l", "-k", "x"]).command, {
    kind: "list",
    key: "x",
    interpret: false,
  });
  assert.equal(parseArgs(["-i"]).ignoreErrors, true);
  const c = parseArgs(["-c"]);
  assert.equal(c.ignoreErrors && c.continueOnError, true);
  assert.deepEqual(parseArgs(["-a", "exit,possible"]).command, {
    kind: "deprecated",
    message: "Append rule - possible is deprecated",
  });
  assert.deepEqual(parseArgs([]).command, { kind: "none" });
});

Deno.test("parseArgs() warns like auditctl about relative and wildcard watch paths", () => {
  assert.deepEqual(parseArgs(["-w", "/etc/../etc/*"]).warnings, [
    "Warning - relative path notation is not supported",
    "Warning - wildcard notation is not supported",
  ]);
});

/** [line, the reason auditkit gives, the text auditctl 3.0.9 prints] */
const BAD: [string, RegExp, string][] = [
  [
    "-a always,bogus",
    /"always,bogus" is not list,action/,
    "Append rule - bad keyword always,bogus",
  ],
  ["-A never", /is not list,action/, "Add rule - bad keyword never"],
  ["-d a,b,c", /is not list,action/, "Delete rule - bad keyword a,b,c"],
  ["-a possible,exit", /is not list,action/, "Append rule - bad keyword possible,exit"],
  [
    "-a always,exit -a always,exit",
    /only one -a/,
    "Multiple rule insert/delete operations are not allowed\n",
  ],
  ["-F uid=0", /-F needs -a/, "List must be given before field"],
  ["-k key", /-k needs a watch/, "key option needs a watch or syscall given prior to it"],
  ["-p wa", /-p needs a watch/, "permission option needs a watch given prior to it"],
  ["-a always,exit -F uid", /no operator in "uid"/, "-F missing operation for uid"],
  ["-a always,exit -F =3", /no field name/, "-F missing field name before operator for "],
  ["-a always,exit -F uid=", /no value/, "-F missing value after operation for uid"],
  ["-a always,task -S open", /task list/, "Error: syscall auditing being added to task list"],
  ["-a always,user -S open", /user list/, "Error: syscall auditing being added to user list"],
  [
    "-a never,exclude -S open",
    /exclude list/,
    "Error: syscall auditing cannot be put on exclude list",
  ],
  [
    "-a never,filesystem -S open",
    /filesystem list/,
    "Error: syscall auditing being added to filesystem list",
  ],
  ["-S open -a always,task", /task list/, "Syscall auditing requested for task list"],
  ["-w relative/path", /not absolute/, "The path must start with '/'"],
  [`-w /${"x".repeat(300)}`, /NAME_MAX/, "The base name of the path is too big"],
  [`-w /${"x/".repeat(2100)}`, /PATH_MAX/, "The path passed for the watch is too big"],
  ["-a always,exit -w /etc", /cannot be combined/, "watch option can't be given with a syscall"],
  ["-w /etc -p rwxz", /"z" is not one of/, "Permission z isn't supported"],
  ["-w /etc -p rwxar", /more than rwxa/, "permission rwxar is too long"],
  ["-e 3", /enabled must be 0, 1 or 2/, "Enable must be 0, 1, or 2 was 3"],
  ["-f x", /failure must be 0, 1 or 2/, "Failure must be 0, 1, or 2 was x"],
  ["-b lots", /backlog_limit must be a number/, "Backlog must be a numeric value was lots"],
  ["-r -1", /rate_limit must be a number/, "Rate must be a numeric value was -1"],
  ["-b 99999999999999999999999", /out of range/, "Error converting backlog"],
  ["-x", /unknown option "-x"/, "Option -x is invalid"],
  ["-l -x", /-l takes only/, "Only -k or -i options are allowed"],
  ["-s -l", /-s takes no other option/, "Only -i option is allowed"],
  ["-D -x y", /-D takes only/, "Only the -k option is allowed"],
  ["-a always,exit stray", /"stray" is not an option/, "parameter passed without an option given"],
  ["-w /etc/shadow -p wa -k", /option "-k" needs an argument/, "Option -k is invalid"],
  [
    "--backlog_wait_time",
    /option "--backlog_wait_time" needs an argument/,
    "Option --backlog_wait_time is invalid",
  ],
  ["-w /etc -k " + "k".repeat(257), /longer than 256/, "key option exceeds size limit"],
  ["-m bad\u0001text", /control character/, "Illegal character in audit event"],
];

Deno.test("parseRule() refuses bad lines with a reason and auditctl's own message", () => {
  for (const [line, reason, auditctl] of BAD) {
    const e = (() => {
      try {
        parseRule(line);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    assert.ok(e instanceof RuleError, `${line}: ${e}`);
    assert.match(e.reason, reason, line);
    assert.equal(e.auditctl, auditctl, line);
    assert.match(e.message, /^Cannot parse rule "[^"]*"(?: \(\d+ characters\))?: /, line);
    assert.ok(e.message.length < 300, line);
  }
});

Deno.test("RuleError.atLine() names the line of a rule file", () => {
  try {
    parseRule("-a always,bogus");
    assert.fail("no error");
  } catch (e) {
    assert.ok(e instanceof RuleError);
    assert.equal(
      e.atLine(12).message,
      'Line 12: cannot parse rule "-a always,bogus": "always,bogus" is not list,action (lists: user, task, exit, exclude, filesystem, io_uring; actions: always, never)',
    );
  }
});

const corpusLines = corpus({ key: "k", tmp: "/tmp/auditkit", pid: 1 }).lines;

Deno.test("formatCommand() text parses back to the same command for every corpus line", () => {
  for (const line of corpusLines) {
    const cmd = parseRule(line);
    assert.deepEqual(parseRule(formatCommand(cmd)), cmd, line);
  }
});

const word = fc.stringMatching(/^[a-z][a-z0-9_./ \\-]{0,12}$/);
const operator = fc.constantFrom("=", "!=", "<", ">", "<=", ">=", "&", "&=");
const fieldName = fc.constantFrom(
  "uid",
  "auid",
  "exit",
  "a0",
  "a3",
  "path",
  "dir",
  "exe",
  "msgtype",
  "perm",
  "subj_type",
  "arch",
  "pid",
);
const step = fc.oneof(
  fc.record({
    kind: fc.constant("syscalls" as const),
    names: fc.array(fc.stringMatching(/^[a-z0-9_]{1,10}$/), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constant("field" as const),
    field: fc.record({
      name: fieldName,
      op: operator,
      value: fc.stringMatching(/^[A-Za-z0-9/_.-]{1,12}$/),
    }),
  }),
  fc.record({
    kind: fc.constant("compare" as const),
    comparison: fc.record({
      left: fc.constantFrom("uid", "auid", "euid"),
      op: fc.constantFrom("=", "!="),
      right: fc.constantFrom("obj_uid", "fsuid", "suid"),
    }),
  }),
  fc.record({ kind: fc.constant("perms" as const), perms: fc.constantFrom("r", "wa", "rwxa") }),
  fc.record({
    kind: fc.constant("key" as const),
    key: fc.stringMatching(/^[a-z0-9_-]{1,10}$/),
    option: fc.constantFrom("-k" as const, "-F" as const),
  }),
);
const command: fc.Arbitrary<RuleCommand> = fc.oneof(
  fc.record({
    kind: fc.constant("rule" as const),
    op: fc.constantFrom("append" as const, "prepend" as const, "delete" as const),
    rule: fc.record({
      list: fc.constant("exit" as const),
      action: fc.constantFrom("always" as const, "never" as const),
      steps: fc.array(step, { maxLength: 6 }),
    }),
  }),
  fc.record({
    kind: fc.constant("rule" as const),
    op: fc.constant("append" as const),
    rule: fc.record({
      list: fc.constant("exit" as const),
      action: fc.constant("always" as const),
      watch: word.map((w) => `/${w}`),
      steps: fc.array(step.filter((s) => s.kind !== "syscalls"), { maxLength: 3 }),
    }),
  }),
);

Deno.test("property: parse -> formatCommand -> parse is the identity on typed rules", () => {
  fc.assert(
    fc.property(command, (cmd) => {
      const text = formatCommand(cmd);
      let again: RuleCommand;
      try {
        again = parseRule(text);
      } catch (e) {
        // only limits auditctl enforces may refuse a generated rule
        assert.ok(e instanceof RuleError, String(e));
        assert.match(e.auditctl, /exceeds size limit|too long|too big|isn't supported/);
        return;
      }
      assert.deepEqual(again, JSON.parse(JSON.stringify(cmd)));
      assert.equal(formatCommand(again), text);
    }),
    { numRuns: 500 },
  );
});
