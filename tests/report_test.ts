import assert from "node:assert/strict";
import { type AuditEvent, readEvents, readReport, Report, type ReportKind } from "../mod.ts";
import { runReport } from "../cli/report.ts";

// a command name with a control character (0x1e), hex-encoded as the kernel logs it
const LOG = new TextEncoder().encode(
  `type=SYSCALL msg=audit(1700000000.000:1): arch=c000003e syscall=59 success=yes exit=0 ` +
    `a0=0 a1=0 a2=0 a3=0 items=0 ppid=1 pid=2 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 ` +
    `egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=611E62 exe="/bin/x" key=(null)\n` +
    `type=EOE msg=audit(1700000000.000:1): \n`,
);

Deno.test("each report escapes in its own mode, whatever another report does meanwhile", async () => {
  const events: AuditEvent[] = [];
  for await (const ev of readEvents(LOG)) events.push(ev);
  assert.equal(events.length, 1);
  const tty = new Report({ kind: "comm", escape: "tty" });
  const raw = new Report({ kind: "comm", escape: "raw" });
  const ttySummary = new Report({ kind: "comm", summary: true, escape: "tty" });
  const rawSummary = new Report({ kind: "comm", summary: true, escape: "raw" });
  // interleaved: a mode held in module state would leak from one report to the next
  for (const r of [tty, raw, ttySummary, rawSummary]) for (const ev of events) r.add(ev);
  const texts = [tty.text(), rawSummary.text(), raw.text(), ttySummary.text()];
  assert.ok(texts[0].includes("a\\036b pts0"), texts[0]);
  assert.ok(texts[2].includes("a\x1eb pts0"), texts[2]);
  assert.ok(texts[3].includes("1  a\\036b\n"), texts[3]);
  assert.ok(texts[1].includes("1  a\x1eb\n"), texts[1]);
});

Deno.test("readReport gives what `auditkit report` prints, messages included, for every kind", async () => {
  const logs = ["tests/data/log_realistic.log", "tests/data/log_samples.log"];
  const kinds: [ReportKind, string[]][] = [
    ["summary", []],
    ["log", ["-t"]],
    ["login", ["-l"]],
    ["file", ["-f"]],
    ["executable", ["-x"]],
    ["avc", ["-a"]],
  ];
  for (const [kind, flags] of kinds) {
    for (const summary of [false, true]) {
      if (kind === "summary" || kind === "log") { if (summary) continue; }
      let cliOut = "", cliErr = "";
      const args = [...flags, ...(summary ? ["--summary"] : []), "--debug"];
      for (const l of logs) args.push("-if", l);
      await runReport(args, (s) => void (cliOut += s), (s) => void (cliErr += s));
      let libErr = "";
      const { report } = await readReport(logs, {
        kind,
        summary,
        debug: true,
        onMessages: (s) => void (libErr += s),
      });
      assert.equal(report.text(), cliOut, `${kind} ${summary}`);
      assert.equal(libErr, cliErr, `${kind} ${summary}`);
    }
  }
});

Deno.test("prepare in any order, then commit in the events' order, gives what add gives, for every kind", async () => {
  const logs = [
    "tests/data/log_realistic.log",
    "tests/data/log_realistic2.log",
    "tests/data/log_samples.log",
  ];
  const kinds: ReportKind[] = [
    "summary",
    "login",
    "file",
    "executable",
    "avc",
    "auth",
    "event",
    "key",
  ];
  const events: AuditEvent[] = [];
  for (const l of logs) {
    for await (const ev of readEvents(l, { order: "ausearch" })) events.push(ev);
  }
  let prepared = 0;
  for (const kind of kinds) {
    for (const summary of kind === "summary" ? [false] : [false, true]) {
      for (const success of [undefined, true, false]) {
        const options = { kind, summary, success, interpret: true };
        const whole = new Report(options);
        for (const ev of events) whole.add(ev);
        // prepared as the events complete (here in reverse), committed in their order
        const split = new Report(options);
        const parts = new Map<AuditEvent, ReturnType<Report["prepare"]>>();
        for (const ev of [...events].reverse()) parts.set(ev, split.prepare(ev));
        for (const ev of events) {
          const part = parts.get(ev);
          if (part === undefined) split.add(ev);
          else {
            split.commit(part, ev);
            prepared++;
          }
        }
        assert.equal(split.text(), whole.text(), `${kind} ${summary} ${success}`);
      }
    }
  }
  assert.ok(prepared > 1000, `${prepared} events prepared`);
});
