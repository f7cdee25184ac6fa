import assert from "node:assert/strict";
import { listRules, openAudit } from "../mod.ts";
import { kernelTest, run, runCli } from "./_helpers.ts";
import { corpus, corpusDir, guardRules, restoreRules, uniqueKey } from "./_rules_corpus.ts";

guardRules();

kernelTest(
  "rules list, rules list --json, ctl -l and ctl -l -i print what auditctl prints for the corpus",
  async () => {
    const tmp = await corpusDir();
    const file = await Deno.makeTempFile({ suffix: ".rules" });
    try {
      const key = uniqueKey();
      using a = openAudit();
      const before = await listRules(a);
      const backlog = (await a.status()).backlog_limit;
      // a status line at the end: both tools print the status block for it
      const text = corpus({ key, tmp, pid: Deno.pid }).text + `\n-b ${backlog}\n`;
      await Deno.writeTextFile(file, text);
      const byTool: [number, string, string, string][] = [];
      for (const cmd of [["auditctl", "-R", file], ["ctl", "-R", file]]) {
        const r = cmd[0] === "auditctl" ? await run("auditctl", cmd.slice(1)) : await runCli(cmd);
        byTool.push([r.code, r.stdout, r.stderr, (await run("auditctl", ["-l"])).stdout]);
        await restoreRules(before);
      }
      assert.deepEqual(byTool[1], byTool[0]);
      assert.equal(byTool[0][0], 0);
      assert.match(byTool[0][2], /^WARNING - 32\/64 bit syscall mismatch in line \d+/);

      const load = await runCli(["rules", "load", file]);
      assert.equal(load.code, 0, load.stderr);
      const listed = await run("auditctl", ["-l"]);
      assert.equal((await runCli(["rules", "list"])).stdout, listed.stdout);
      assert.equal((await runCli(["ctl", "-l"])).stdout, listed.stdout);
      assert.equal(
        (await runCli(["ctl", "-l", "-i"])).stdout,
        (await run("auditctl", ["-l", "-i"])).stdout,
      );
      assert.equal(
        (await runCli(["ctl", "-l", "-k", key])).stdout,
        (await run("auditctl", ["-l", "-k", key])).stdout,
      );
      const json = JSON.parse((await runCli(["rules", "list", "--json"])).stdout);
      assert.deepEqual(json.map((r: { text: string }) => r.text + "\n").join(""), listed.stdout);
      const flushed = await runCli(["ctl", "-D", "-k", key]);
      assert.equal(flushed.code, 0);
      assert.equal((await run("auditctl", ["-l", "-k", key])).stdout, "");
    } finally {
      await Deno.remove(file);
      await Deno.remove(tmp, { recursive: true });
    }
  },
  { oracles: ["auditctl"] },
);

/** auditctl command lines that change nothing: same stdout, stderr and exit status from both. */
const SAME: string[][] = [
  [],
  ["-s"],
  ["-s", "-i"],
  ["-l", "-x"],
  ["-s", "-l"],
  ["-a", "always,exit", "-S", "bogus"],
  ["-a", "always,exit", "-F", "arch=b64", "-S", "open", "-F", "uid=nosuchuser"],
  ["-a", "always,exit", "-S", "open", "-F", "arch=b64"],
  ["-a", "always,bogus"],
  ["-A", "never"],
  ["-a", "always,exit", "-a", "always,exit"],
  ["-a", "possible,exit"],
  ["-a", "exit,possible"],
  ["-a", "always,exit", "-F", "msgtype=EOE"],
  ["-a", "always,exit", "-F", "exit=EFOO"],
  ["-a", "always,exit", "-C", "uid<auid"],
  ["-a", "always,exit", "-F", "uid"],
  ["-a", "always,task", "-S", "open"],
  ["-a", "always,exit", "-k", "x"],
  ["-k", "x"],
  ["-p", "wa"],
  ["-w", "relative"],
  ["-w", "/etc", "-p", "rwxz"],
  ["-e", "7"],
  ["-b", "lots"],
  ["-x"],
  ["-D", "-x", "y"],
  ["-a", "always,exit", "stray"],
  // lists that libaudit 3.0.9 does not know
  ["-a", "always,io_uring", "-S", "openat"],
  ["-a", "always,entry"],
  ["-a", "always,exit", "-C", "uidauid"],
  ["-a", "always,exit", "-C", "uid="],
  ["-a", "always,exit", "-C", "=auid"],
  ["-a", "always,exit", "-w", "/etc"],
  ["-w", "/etc", "-w", "/tmp"],
  ["-a", "always,exit", "-p", "wa"],
  ["-F", "uid=0"],
  ["-m", "x", "-m", "y"],
  // the kernel refuses more than ten minutes of ticks: nothing changes
  ["--backlog_wait_time", "999999999"],
];

kernelTest(
  "ctl gives auditctl's output and exit status for commands that change nothing",
  async () => {
    for (const args of SAME) {
      const [ours, theirs] = [await runCli(["ctl", ...args]), await run("auditctl", args)];
      assert.deepEqual(
        [ours.code, ours.stdout, ours.stderr],
        [theirs.code, theirs.stdout, theirs.stderr],
        args.join(" "),
      );
    }
  },
  { oracles: ["auditctl"] },
);

kernelTest("ctl -b and -e print auditctl's status block (without loginuid_immutable)", async () => {
  using a = openAudit();
  const s = await a.status();
  for (const args of [["-b", String(s.backlog_limit)], ["-e", String(s.enabled)]]) {
    const ours = await runCli(["ctl", ...args]);
    const theirs = await run("auditctl", args);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout, theirs.stdout, args.join(" "));
    assert.doesNotMatch(ours.stdout, /loginuid_immutable/);
  }
}, { oracles: ["auditctl"] });

kernelTest(
  "ctl adds, lists and deletes rules as auditctl does, and -R stops at the first bad line",
  async () => {
    const k = uniqueKey();
    const tmp = await Deno.makeTempDir();
    const file = `${tmp}/r.rules`;
    try {
      assert.equal((await runCli(["ctl", "-w", tmp, "-p", "wa", "-k", k])).code, 0);
      const dup = await runCli(["ctl", "-w", tmp, "-p", "wa", "-k", k]);
      const dupRef = await run("auditctl", ["-w", tmp, "-p", "wa", "-k", k]);
      assert.deepEqual([dup.code, dup.stderr], [dupRef.code, dupRef.stderr]);
      assert.equal((await run("auditctl", ["-l", "-k", k])).stdout, `-w ${tmp} -p wa -k ${k}\n`);
      assert.equal((await runCli(["ctl", "-W", tmp, "-p", "wa", "-k", k])).code, 0);
      const gone = await runCli(["ctl", "-W", tmp, "-p", "wa", "-k", k]);
      const goneRef = await run("auditctl", ["-W", tmp, "-p", "wa", "-k", k]);
      assert.deepEqual([gone.code, gone.stderr], [goneRef.code, goneRef.stderr]);

      await Deno.writeTextFile(
        file,
        [
          `-a always,exit -F arch=b64 -S openat -k ${k}-1`,
          `-a always,exit -S bogus -k ${k}`,
          `-a always,exit -F arch=b64 -S open -k ${k}-2`,
        ].join("\n") + "\n",
      );
      const results: [number, string, string][] = [];
      for (const tool of [["auditctl"], [Deno.execPath(), "run", "-A", "cli/main.ts", "ctl"]]) {
        const [cmd, ...pre] = tool;
        const r = await run(cmd, [...pre, "-R", file], {
          cwd: new URL("..", import.meta.url).pathname,
        });
        results.push([r.code, r.stderr, (await run("auditctl", ["-l", "-k", k])).stdout]);
        await run("auditctl", `-d always,exit -F arch=b64 -S openat -k ${k}-1`.split(" "));
      }
      assert.deepEqual(results[1], results[0]);
      assert.equal(results[0][0], 1);
      assert.equal(results[0][2], `-a always,exit -F arch=b64 -S openat -F key=${k}-1\n`);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
  { oracles: ["auditctl"] },
);

kernelTest(
  "rules add/delete/load/flush work, and a bad rule file changes nothing (exit 1)",
  async () => {
    const k = uniqueKey();
    const tmp = await Deno.makeTempDir();
    try {
      assert.equal((await runCli(["rules", "add", `-w ${tmp} -p wa -k ${k}`])).code, 0);
      assert.equal(
        (await runCli([
          "rules",
          "add",
          "--",
          ...`-a always,exit -F arch=b64 -S openat -k ${k}`.split(" "),
        ]))
          .code,
        0,
      );
      const listed = (await run("auditctl", ["-l", "-k", k])).stdout;
      assert.equal(
        listed,
        `-w ${tmp} -p wa -k ${k}\n-a always,exit -F arch=b64 -S openat -F key=${k}\n`,
      );
      const bad = await runCli(["rules", "add", "-a always,exit -S bogus"]);
      assert.equal(bad.code, 1);
      assert.match(
        bad.stderr,
        /^auditkit: Cannot add rule "-a always,exit -S bogus": unknown syscall "bogus"\n$/,
      );

      const file = `${tmp}/bad.rules`;
      await Deno.writeTextFile(
        file,
        `-a always,exit -F arch=b64 -S open -k ${k}\n-a always,exit -S nope\n`,
      );
      const load = await runCli(["rules", "load", file]);
      assert.equal(load.code, 1);
      assert.match(load.stderr, /Line 2: cannot add rule ".*": unknown syscall "nope"/);
      assert.equal((await run("auditctl", ["-l", "-k", k])).stdout, listed);

      const check = await runCli(["rules", "load", "--check", file]);
      assert.equal(check.code, 1);
      assert.match(
        check.stdout,
        /bad\.rules:1: warning \[no-arch\]|bad\.rules:2: error \[invalid\]/,
      );

      assert.equal((await runCli(["rules", "delete", `-w ${tmp} -p wa -k ${k}`])).code, 0);
      assert.equal((await runCli(["rules", "flush", "--key", k])).code, 0);
      assert.doesNotMatch((await run("auditctl", ["-l"])).stdout, new RegExp(k));
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
  { oracles: ["auditctl"] },
);
