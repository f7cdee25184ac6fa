/**
 * `auditkit search --format ecs` and `--passwd`/`--group` as processes.
 */

import assert from "node:assert/strict";
import { ROOT, runCli } from "./_helpers.ts";

const DATA = `${ROOT}tests/data/ecs/`;
const SAMPLE = `${ROOT}tests/data/log_samples.log`;

Deno.test("search --format ecs: Auditbeat's documents, one per line, names from --passwd/--group", async () => {
  const r = await runCli([
    "search",
    "-if",
    `${DATA}auditbeat/sudo.log`,
    "--format",
    "ecs",
    "--passwd",
    `${DATA}passwd`,
    "--group",
    `${DATA}group`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const docs = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
  const golden = JSON.parse(await Deno.readTextFile(`${DATA}auditbeat/sudo.log-expected.json`));
  assert.equal(docs.length, golden.length);
  // the assembler hands events out by time, Auditbeat by first arrival: compared by serial
  const bySeq = new Map(
    golden.map((g: { auditd: { sequence: number } }) => [g.auditd.sequence, g]),
  );
  for (const doc of docs) {
    assert.equal(doc.ecs.version, "9.4.0");
    assert.match(doc.event.id, /^\d+\.\d{3}:\d+\/[0-9a-f]{8}$/);
    for (const k of ["@timestamp", "ecs"]) delete doc[k];
    for (const k of ["id", "module", "dataset"]) delete doc.event[k];
    assert.deepEqual(doc, bySeq.get(doc.auditd.sequence));
  }
});

Deno.test("--passwd/--group name ids in the interpreting formats of search and in report", async () => {
  const log = `${DATA}auditbeat/sudo.log`;
  const args = ["--passwd", `${DATA}passwd`, "--group", `${DATA}group`];
  const interpreted = await runCli(["search", "-if", log, "-i", "-a", "458", ...args]);
  assert.equal(interpreted.code, 0, interpreted.stderr);
  assert.match(interpreted.stdout, /uid=oldbob auid=oldbob/);
  const text = await runCli(["search", "-if", log, "--format", "text", "-a", "458", ...args]);
  assert.match(text.stdout, /oldbob/);
  const report = await runCli(["report", "-if", log, "-u", "-i", ...args]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /09:44:36 oldbob /);
  // without them, the local database: no user 1002 here
  const local = await runCli(["report", "-if", log, "-u", "-i"]);
  assert.doesNotMatch(local.stdout, /oldbob/);
  const json = await runCli(["search", "-if", log, "--format", "json", "-a", "458", ...args]);
  assert.equal(JSON.parse(json.stdout).records[0].interpreted.auid, "oldbob");
  const missing = await runCli(["search", "-if", SAMPLE, "-i", "--passwd", "/nonexistent/passwd"]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /Cannot read --passwd file "\/nonexistent\/passwd"/);
});

Deno.test("search --format ecs: a line that is no audit record gives an error document", async () => {
  const lines = [
    "garbage that is not audit",
    'type=USER_CMD msg=audit(1610876676.623:460): pid=1 uid=0 auid=0 ses=1 msg=\'cwd="/" cmd="ls" res=success\'',
  ];
  const r = await runCli(["search", "-if", "-", "--format", "ecs"], {
    stdin: lines.join("\n") + "\n",
  });
  assert.equal(r.code, 0, r.stderr);
  const docs = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.equal(docs.length, 2);
  assert.deepEqual(docs[0].event.original, ["garbage that is not audit"]);
  assert.ok(docs[0].error.message);
  assert.equal(docs[1].event.action, "ran-command");
});
