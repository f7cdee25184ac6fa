/**
 * Golden tests of the ECS emitter against Elastic's own expected output
 * (tests/data/ecs/, see its README): every go-libaudit `aucoalesce` case
 * (the coalesced event, compared as go-libaudit's test compares it) and
 * every Auditbeat auditd case (the ECS document, compared as Auditbeat's
 * test compares it: parsed JSON, the fields the publishing pipeline adds
 * later absent on both sides).
 *
 * @module
 */

import assert from "node:assert/strict";
import { parse } from "yaml";
import { AuditEvent } from "../lib/event/assemble.ts";
import { AuditRecord } from "../lib/event/record.ts";
import { type CoalescedEvent, coalesceEvent } from "../lib/ecs/coalesce.ts";
import { ecsEvent } from "../lib/ecs/ecs.ts";
import { accountDatabase } from "../lib/accounts.ts";

const data = new URL("./data/ecs/", import.meta.url);
const enc = new TextEncoder();

/** The records of `lines` grouped by serial, in order of each serial's first line (Auditbeat's order). */
export function eventsOf(text: string): AuditEvent[] {
  const bySerial = new Map<number, AuditEvent>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const r = new AuditRecord(enc.encode(line));
    const ev = bySerial.get(r.serial);
    if (ev) ev.records.push(r);
    else bySerial.set(r.serial, new AuditEvent(r));
  }
  return [...bySerial.values()];
}

/** RFC 3339 as go writes it: trailing zeros of the fraction trimmed. */
function goTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, "Z").replace(/\.000Z$/, "Z");
}

const obj = (m: Map<string, string>) => Object.fromEntries(m);
const nonEmpty = <T extends object>(o: T | undefined) => o && Object.keys(o).length ? o : undefined;

/** A coalesced event in go-libaudit's JSON shape (`json.Marshal` of its Event). */
function goJson(ev: CoalescedEvent): unknown {
  const out: Record<string, unknown> = {
    "@timestamp": goTime(ev.time),
    sequence: ev.sequence,
    category: ev.category,
    record_type: ev.recordType.toLowerCase(),
  };
  if (ev.result) out.result = ev.result;
  out.session = ev.session;
  if (ev.tags?.length) out.tags = ev.tags;
  out.summary = ev.summary;
  out.user = JSON.parse(JSON.stringify(ev.user));
  out.process = ev.process;
  if (ev.file) out.file = ev.file;
  if (ev.source) out.source = ev.source;
  if (ev.destination) out.destination = ev.destination;
  if (ev.direction) out.network = { direction: ev.direction };
  if (ev.data.size) out.data = obj(ev.data);
  if (ev.paths?.length) out.paths = ev.paths.map(obj);
  out.ecs = ev.ecs;
  return JSON.parse(JSON.stringify(out, (_k, v) => nonEmpty(v) ?? (Array.isArray(v) ? v : v)));
}

const goFiles = [...Deno.readDirSync(new URL("go-libaudit/testdata/", data))]
  .map((e) => e.name).filter((n) => n.endsWith(".yaml")).sort();

let goCases = 0, goPassed = 0;
for (const file of goFiles) {
  Deno.test(`go-libaudit golden: ${file}`, async () => {
    const dir = new URL("go-libaudit/testdata/", data);
    const cases = (parse(await Deno.readTextFile(new URL(file, dir))) as {
      tests: Record<string, string>;
    }).tests;
    const golden = JSON.parse(
      await Deno.readTextFile(new URL(file.replace(/\.yaml$/, ".json.golden"), dir)),
    ) as { test_name: string; event: unknown; warnings?: string[] }[];
    const names = Object.keys(cases).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    assert.equal(golden.length, names.length, "one golden item per case");
    const failures: string[] = [];
    names.forEach((name, i) => {
      goCases++;
      const [event] = eventsOf(cases[name]);
      const ev = coalesceEvent(event);
      try {
        assert.equal(golden[i].test_name, name);
        assert.deepEqual(goJson(ev), golden[i].event);
        assert.deepEqual([...ev.warnings].sort(), golden[i].warnings ?? []);
        goPassed++;
      } catch (e) {
        failures.push(`${name}: ${(e as Error).message}`);
      }
    });
    assert.deepEqual(failures, []);
  });
}

/** The fixed user and group table of Auditbeat's golden test (tests/data/ecs/passwd, group). */
const accounts = accountDatabase({
  passwd: { path: new URL("passwd", data) },
  group: { path: new URL("group", data) },
});

/**
 * What auditkit adds that Auditbeat's golden test never sees: the publishing
 * pipeline adds `@timestamp`, `ecs.version`, `event.module`,
 * `event.dataset` and `host.*` after the module (shared/ecs/README.md), and
 * `event.id` is auditkit's own.
 */
function withoutPipelineFields(doc: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(doc) as Record<string, Record<string, unknown>>;
  delete out["@timestamp"];
  delete out.ecs;
  delete out.host;
  for (const k of ["id", "module", "dataset"]) delete out.event[k];
  return out;
}

const beatFiles = [...Deno.readDirSync(new URL("auditbeat/", data))]
  .map((e) => e.name).filter((n) => n.endsWith(".log")).sort();

for (const file of beatFiles) {
  Deno.test(`auditbeat golden: ${file}`, async () => {
    const dir = new URL("auditbeat/", data);
    const events = eventsOf(await Deno.readTextFile(new URL(file, dir)));
    const golden = JSON.parse(await Deno.readTextFile(new URL(`${file}-expected.json`, dir)));
    const docs = events.map((ev) =>
      withoutPipelineFields(
        JSON.parse(JSON.stringify(ecsEvent(ev, { accounts }))) as Record<string, unknown>,
      )
    );
    assert.equal(docs.length, golden.length);
    docs.forEach((doc, i) => assert.deepEqual(doc, golden[i], `${file} event ${i}`));
  });
}
