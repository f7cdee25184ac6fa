/**
 * How the CLI behaves as a command-line tool: where `search` and `report`
 * read from, a closed output pipe, input that is not an audit log, one
 * report at a time, help, and the style of its error messages.
 */

import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { CLI_ENTRY, ROOT, runCli } from "./_helpers.ts";
import { inputsOf, scanArgs } from "../cli/_log_args.ts";
import { SEARCH_ARGS } from "../cli/search.ts";
import { commanderMessage, fileErrorMessage } from "../cli/_common.ts";

const SAMPLE = `${ROOT}tests/data/log_samples.log`;

Deno.test("search and report read piped standard input without -if, as ausearch does", async () => {
  const text = await Deno.readTextFile(SAMPLE);
  const search = await runCli(["search", "-k", "exec", "--format", "raw"], { stdin: text });
  strictEqual(search.code, 0, search.stderr);
  ok(search.stdout.includes('key="exec"'));
  const report = await runCli(["report", "-k"], { stdin: text });
  strictEqual(report.code, 0, report.stderr);
  ok(report.stdout.includes("exec"));
  // --input-logs reads the system's logs even then: the piped events are not found there
  const logs = await runCli(["search", "--input-logs", "-k", "exec", "--format", "raw"], {
    stdin: text,
  });
  strictEqual(logs.code, 1);
  ok(!logs.stdout.includes('key="exec"'));
});

Deno.test("inputsOf: -if first, then a pipe unless --input-logs, then the system's logs", () => {
  const pipe = () => true, noPipe = () => false;
  const log = `${ROOT}tests/data/no_such_dir/audit.log`;
  deepStrictEqual(inputsOf(scanArgs([], SEARCH_ARGS), log, pipe).files, ["-"]);
  deepStrictEqual(inputsOf(scanArgs([], SEARCH_ARGS), log, noPipe).files, [log]);
  deepStrictEqual(inputsOf(scanArgs(["--input-logs"], SEARCH_ARGS), log, pipe).files, [log]);
  deepStrictEqual(inputsOf(scanArgs(["-if", SAMPLE], SEARCH_ARGS), log, pipe).files, [SAMPLE]);
});

/** A log of `copies` copies of the sample log, in a temporary file. */
async function bigLog(copies: number): Promise<string> {
  const text = await Deno.readTextFile(SAMPLE);
  const file = await Deno.makeTempFile({ suffix: ".log" });
  await Deno.writeTextFile(file, text.repeat(copies));
  return file;
}

Deno.test("a reader that closes the pipe early ends the command quietly with status 141", async () => {
  const log = await bigLog(400);
  try {
    for (
      const args of [
        ["search", "-if", log],
        ["search", "-if", log, "--format", "json"],
        ["search", "-if", log, "--format", "csv", "-l"],
        ["report", "-if", log, "-e"],
      ]
    ) {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", CLI_ENTRY, ...args],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // read a little, as `| head -c 100` does, and go away
      const reader = child.stdout.getReader();
      const first = await reader.read();
      ok(first.value && first.value.length > 0);
      await reader.cancel();
      const stderr = new TextDecoder().decode(
        await new Response(child.stderr).arrayBuffer(),
      );
      const { code } = await child.status;
      strictEqual(stderr, "", args.join(" "));
      // what a shell reports for ausearch and aureport, killed by SIGPIPE
      strictEqual(code, 141, args.join(" "));
    }
  } finally {
    await Deno.remove(log);
  }
});

Deno.test("input without audit records says so on stderr, beside <no matches>", async () => {
  const file = await Deno.makeTempFile();
  try {
    const noise = new Uint8Array(50_000);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + (i >> 5)) & 0xff;
    await Deno.writeFile(file, noise);
    const lines = noise.filter((b) => b === 0x0a).length + 1;
    const search = await runCli(["search", "-if", file]);
    strictEqual(search.code, 1);
    match(
      search.stderr,
      /^auditkit: None of the (\d+) lines read is an audit record\n<no matches>\n$/,
    );
    // pieces of lines longer than ausearch's buffer count as lines, as ausearch reads them
    ok(Number(/(\d+)/.exec(search.stderr)![1]) >= lines);
    const report = await runCli(["report", "-if", file, "-x"]);
    strictEqual(report.code, 1);
    match(report.stderr, /^auditkit: None of the \d+ lines read is an audit record\n$/);
    await Deno.writeTextFile(file, "hello\n");
    const one = await runCli(["search", "-if", file]);
    strictEqual(one.stderr, "auditkit: The only line read is not an audit record\n<no matches>\n");
    // a log with records and a bad line gets no note: ausearch's output stays as it is
    await Deno.writeTextFile(file, "hello\n" + await Deno.readTextFile(SAMPLE));
    const mixed = await runCli(["search", "-if", file, "-k", "no-such-key"]);
    strictEqual(mixed.stderr, "<no matches>\n");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("report takes one report selector, as aureport; -h is search's help", async () => {
  const two = await runCli(["report", "-if", SAMPLE, "-x", "-k"]);
  strictEqual(two.code, 2);
  strictEqual(
    two.stderr,
    'auditkit: Only one report can be specified: "-x" and "-k" were given ' +
      '(see "auditkit report --help")\n',
  );
  strictEqual(two.stdout, "");
  const twice = await runCli(["report", "-if", SAMPLE, "--executable", "-x"]);
  strictEqual(twice.code, 2);
  const help = await runCli(["search", "-h"]);
  strictEqual(help.code, 0, help.stderr);
  ok(help.stdout.startsWith("Usage: auditkit search"));
  strictEqual(help.stdout, (await runCli(["search", "--help"])).stdout);
  // report -h stays aureport's host report; its errors say where the help is
  const host = await runCli(["report", "-if", SAMPLE, "-h"]);
  strictEqual(host.code, 0, host.stderr);
  ok(host.stdout.includes("Host Report"));
  const unknown = await runCli(["report", "--bogus"]);
  strictEqual(
    unknown.stderr,
    'auditkit: Unknown option "--bogus" (see "auditkit report --help")\n',
  );
});

Deno.test("usage errors name what is wrong, in one style for every command", async () => {
  const cases: [string[], string][] = [
    [
      ["search", "-if", SAMPLE, "-ts", "11/14/23", "garbage"],
      'auditkit: Invalid start time "garbage": expected HH:MM:SS (see "auditkit search --help")\n',
    ],
    [
      ["search", "-if", SAMPLE, "-ui", "-5"],
      'auditkit: Option "-ui" needs a value: "-5" starts with "-" and is read as an option ' +
      '(only -e, --session and -ul take negative numbers) (see "auditkit search --help")\n',
    ],
    [
      ["search", "-if", SAMPLE, "-ui", "-k", "x"],
      'auditkit: Option "-ui" needs a value before "-k" (see "auditkit search --help")\n',
    ],
    [["--bogus"], 'auditkit: Unknown option "--bogus" (see "auditkit --help")\n'],
    [["bogus"], 'auditkit: Unknown command "bogus" (see "auditkit --help")\n'],
    [["status", "--bogus"], 'auditkit: Unknown option "--bogus" (see "auditkit status --help")\n'],
    [
      ["rules", "load"],
      'auditkit: Missing required argument "file" (see "auditkit rules load --help")\n',
    ],
    [
      ["set", "--backlog-limit", "x"],
      'auditkit: Invalid value "x" for option "--backlog-limit <n>": must be an integer from 0 ' +
      'to 4294967295 (see "auditkit set --help")\n',
    ],
  ];
  for (const [args, stderr] of cases) {
    const r = await runCli(args);
    strictEqual(r.stderr, stderr, args.join(" "));
    strictEqual(r.code, 2, args.join(" "));
  }
  // -ts takes its second word as ausearch does: a time then a date is fine
  const swapped = await runCli(["search", "-if", SAMPLE, "-ts", "00:00:00", "11/14/23", "-r"]);
  strictEqual(swapped.code, 0, swapped.stderr);
  const missing = await runCli(["rules", "load", "--check", "/nonexistent/x.rules"]);
  match(missing.stderr, /^auditkit: Cannot read [a-z ]*"\/nonexistent\/x\.rules": [^(]*\n$/);
  strictEqual(missing.code, 1);
});

Deno.test("messages of Deno and commander become auditkit sentences", () => {
  strictEqual(
    fileErrorMessage("Is a directory (os error 21): readfile '/tmp'"),
    'Cannot read "/tmp": is a directory',
  );
  strictEqual(fileErrorMessage("something else"), "something else");
  strictEqual(
    commanderMessage("error: option '-k, --key <text>' argument missing", "auditkit rules list"),
    'Option "-k, --key <text>" needs a value (see "auditkit rules list --help")',
  );
  strictEqual(
    commanderMessage(
      "error: too many arguments for 'status'. Expected 0 arguments but got 1.",
      "auditkit status",
    ),
    'Too many arguments for "status": expected 0 arguments but got 1 (see "auditkit status --help")',
  );
});

/** Whether `script` (util-linux) can give a command a terminal here. */
const noScript = await new Deno.Command("script", { args: ["-V"], stdout: "null", stderr: "null" })
  .output().then((r) => !r.success, () => true);

/** Progress lines drawn and not cleared before something else was written after them. */
function gluedProgress(transcript: string): string[] {
  const glued: string[] = [];
  for (let at = transcript.indexOf("reading "); at >= 0; at = transcript.indexOf("reading ", at)) {
    // a drawn line ends with ESC [ K (erase to the end of the line)
    const end = transcript.indexOf("\x1b[K", at);
    if (end < 0) break;
    at = end + 3;
    const after = transcript.slice(at, at + 12);
    if (!after.startsWith("\r\x1b[K") && !after.startsWith("\rreading")) glued.push(after);
  }
  return glued;
}

Deno.test({
  name: "on a terminal the progress line is cleared before output and not left behind",
  ignore: noScript,
  fn: async () => {
    const log = await bigLog(400);
    try {
      for (const args of [["search", "-k", "exec", "-l"], ["search", "-k", "exec"], ["report"]]) {
        const cmd = [Deno.execPath(), "run", "-A", CLI_ENTRY, ...args, "-if", log].join(" ");
        const r = await new Deno.Command("script", {
          args: ["-qec", cmd, "/dev/null"],
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
        const transcript = new TextDecoder().decode(r.stdout);
        ok(transcript.includes("reading "), `${args.join(" ")}: no progress drawn`);
        deepStrictEqual(gluedProgress(transcript), [], args.join(" "));
        strictEqual(r.code, 0, args.join(" "));
      }
    } finally {
      await Deno.remove(log);
    }
  },
});

Deno.test({
  name: "Ctrl-C during a search on a terminal clears the progress line and exits 130",
  ignore: noScript,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const fifo = `${dir}/log`;
    try {
      await new Deno.Command("mkfifo", { args: [fifo] }).output();
      const cmd = ["exec", Deno.execPath(), "run", "-A", CLI_ENTRY, "search", "-if", fifo].join(
        " ",
      );
      const script = new Deno.Command("script", {
        args: ["-qec", cmd, "/dev/null"],
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      // a writer that sends some records and keeps the pipe open: the search waits for more
      using writer = await Deno.open(fifo, { write: true });
      await writer.write(new TextEncoder().encode(await Deno.readTextFile(SAMPLE)));
      let transcript = "";
      const reader = script.stdout.getReader();
      while (!transcript.includes("reading ")) {
        const { value, done } = await reader.read();
        if (done) break;
        transcript += new TextDecoder().decode(value);
      }
      // the search is script's child (exec'd by its shell)
      const children = await new Deno.Command("pgrep", { args: ["-P", String(script.pid)] })
        .output();
      const pid = Number(new TextDecoder().decode(children.stdout).trim().split("\n")[0]);
      ok(pid > 0);
      Deno.kill(pid, "SIGINT");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        transcript += new TextDecoder().decode(value);
      }
      const status = await script.status;
      deepStrictEqual(gluedProgress(transcript), []);
      ok(transcript.endsWith("\r\x1b[K"), JSON.stringify(transcript.slice(-40)));
      strictEqual(status.code, 130);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
