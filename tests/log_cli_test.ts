/**
 * `auditkit search` and `auditkit report` as processes: exit statuses,
 * usage errors, stdin input and JSON lines.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { ROOT, runCli } from "./_helpers.ts";

const SAMPLE = `${ROOT}tests/data/log_samples.log`;

Deno.test("search exits 0 with matches, 1 with <no matches> on stderr, 2 on bad usage", async () => {
  const found = await runCli(["search", "-if", SAMPLE, "-k", "exec"]);
  strictEqual(found.code, 0);
  ok(found.stdout.startsWith("----\ntime->"));
  const none = await runCli(["search", "-if", SAMPLE, "-k", "no-such-key"]);
  strictEqual(none.code, 1);
  strictEqual(none.stdout, "");
  strictEqual(none.stderr, "<no matches>\n");
  const bad = await runCli(["search", "-if", SAMPLE, "-sv", "maybe"]);
  strictEqual(bad.code, 2);
  strictEqual(
    bad.stderr,
    'auditkit: Invalid success "maybe": use yes or no (see "auditkit search --help")\n',
  );
  const unknown = await runCli(["search", "--bogus"]);
  strictEqual(unknown.code, 2);
  const event = await runCli(["search", "-if", SAMPLE, "-a", "1junk"]);
  strictEqual(event.code, 2);
});

Deno.test("search --format json writes one parseable event per line; stdin is read with -if -", async () => {
  const text = await Deno.readTextFile(SAMPLE);
  const r = await runCli(["search", "-if", "-", "--format", "json", "-m", "SYSCALL"], {
    stdin: text,
  });
  strictEqual(r.code, 0);
  const events = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
  ok(events.length >= 5);
  for (const ev of events) {
    ok(ev.records.some((rec: { type: string }) => rec.type === "SYSCALL"));
    strictEqual(typeof ev.id, "string");
  }
  const net = events.find((e) => e.node === "web1");
  deepStrictEqual(net.records[0].interpreted.key, ["net", "out"]);
  strictEqual(net.records[0].interpreted.auid, "alice");
});

Deno.test("report prints aureport's summary; --help shows an example", async () => {
  const r = await runCli(["report", "-if", SAMPLE]);
  strictEqual(r.code, 0);
  ok(r.stdout.startsWith("\nSummary Report\n======================\n"));
  const help = await runCli(["report", "--help"]);
  strictEqual(help.code, 0);
  ok(help.stdout.includes("Examples:"));
  const shelp = await runCli(["search", "--help"]);
  ok(shelp.stdout.includes("auditkit search -if"));
});

Deno.test("search -v and report -v answer as ausearch -v and aureport -v do, naming auditkit", async () => {
  const version = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).version;
  for (const [command, tool] of [["search", "ausearch"], ["report", "aureport"]]) {
    // the options before -v are checked, those after it are not read
    const r = await runCli([command, "-if", "/nonexistent", "-v", "--bogus"]);
    strictEqual(r.code, 0, r.stderr);
    strictEqual(r.stdout, `${tool} version 3.0.9 (auditkit ${version})\n`);
    const bad = await runCli([command, "--bogus", "-v"]);
    strictEqual(bad.code, 2);
  }
});
