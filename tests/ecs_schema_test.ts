/**
 * auditkit's ECS documents against Elastic's own ECS definitions
 * (`@elastic/ecs`, pinned in deno.json; used by the tests only): every event
 * of the realistic sample logs (tests/data/*.log) is typed as `Ecs`
 * (compile time) and each of its fields checked against `EcsFlat` (run
 * time: types, arrays, allowed values, which the TypeScript types cannot
 * say).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Ecs, EcsError, EcsEvent, EcsFile, EcsUser } from "@elastic/ecs";
import { EcsFlat } from "@elastic/ecs";
import { type EcsDocument, ecsEvent, readEvents, recordTypeName } from "../mod.ts";

/**
 * ECS as Auditbeat's auditd module extends it, the only departures allowed:
 * `event.original` holds one string per record and `error.message` one per
 * warning (ECS: one string);
 * `auditd.*` is the module's own; `user.audit`, `user.saved`,
 * `user.filesystem`, `user.selinux`, `user.<other id field>` and
 * `file.selinux`, `source.path` and `destination.path` (Unix sockets) are
 * Auditbeat's own fields.
 */
type Entity = { id?: string; name?: string };
type IdsWithGroup = Entity & { group?: Entity };
type AuditbeatEcs = Omit<Ecs, "event" | "user" | "file" | "error" | "source" | "destination"> & {
  error?: Omit<EcsError, "message"> & { message?: string | string[] };
  event?: Omit<EcsEvent, "original"> & { original?: string[] };
  user?: EcsUser & {
    audit?: Entity;
    saved?: IdsWithGroup;
    filesystem?: IdsWithGroup;
    selinux?: Record<string, string>;
  };
  file?: EcsFile & { selinux?: Record<string, string> };
  auditd?: EcsDocument["auditd"];
  source?: Ecs["source"] & { path?: string };
  destination?: Ecs["destination"] & { path?: string };
};

/** The compile-time check: an auditkit document is an `Ecs` document (with Auditbeat's extensions). */
function typed(doc: EcsDocument): AuditbeatEcs {
  return doc;
}

type FieldDef = { type: string; normalize: string[]; allowed_values?: { name: string }[] };
const flat = EcsFlat as unknown as Record<string, FieldDef>;

/** Fields ECS does not define that Auditbeat writes (prefixes). */
const EXTENSIONS = [
  "auditd.",
  "user.audit.",
  "user.saved.",
  "user.filesystem.",
  "user.selinux.",
  "file.selinux.",
  // a Unix socket's path
  "source.path",
  "destination.path",
];
/** Fields that are arrays where ECS has one value: one entry per record or warning, as Auditbeat. */
const ARRAYS = new Set(["event.original", "error.message"]);
/**
 * `event.category` when go-libaudit's table has no ECS category for the
 * record type: Auditbeat then writes go-libaudit's own category as a string
 * (`mac`, `user-login`, ...), not an ECS value.
 */
const CATEGORY_FALLBACK = new Set([
  "unknown",
  "user-space",
  "system-services",
  "configuration",
  "TTY",
  "user-account",
  "user-login",
  "audit-daemon",
  "mac-decision",
  "anomaly",
  "integrity",
  "anomaly-response",
  "mac",
  "crypto",
  "virt",
  "audit-rule",
  "dac-decision",
  "group-change",
]);

function leaves(v: unknown, path: string, out: [string, unknown][]): void {
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, path ? `${path}.${k}` : k, out);
  } else out.push([path, v]);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function checkValue(path: string, def: FieldDef, v: unknown): void {
  switch (def.type) {
    case "keyword":
    case "wildcard":
    case "match_only_text":
    case "text":
    case "constant_keyword":
      assert.equal(typeof v, "string", `${path}: a string`);
      break;
    case "long":
    case "integer":
      assert.ok(Number.isInteger(v), `${path}: an integer, not ${JSON.stringify(v)}`);
      break;
    case "ip":
      assert.ok(
        typeof v === "string" && (IPV4.test(v) || (v.includes(":") && /^[0-9a-f:.]+$/i.test(v))),
        `${path}: an IP address, not ${JSON.stringify(v)}`,
      );
      break;
    case "date":
      assert.ok(typeof v === "string" && !Number.isNaN(Date.parse(v)), `${path}: a date`);
      break;
    default:
      assert.fail(`${path}: ECS type ${def.type} not expected`);
  }
  if (def.allowed_values && !(path === "event.category" && CATEGORY_FALLBACK.has(String(v)))) {
    assert.ok(
      def.allowed_values.some((a) => a.name === v),
      `${path}: ${JSON.stringify(v)} is not an ECS value`,
    );
  }
}

function checkDocument(doc: EcsDocument): void {
  const fields: [string, unknown][] = [];
  leaves(doc, "", fields);
  for (const [path, v] of fields) {
    const def = flat[path];
    if (!def) {
      const ext = EXTENSIONS.some((p) => path.startsWith(p)) ||
        /^user\.[a-z_-]+\.(id|name)$/.test(path);
      assert.ok(ext, `${path} is neither ECS nor an Auditbeat field`);
      if (!path.startsWith("auditd.")) {
        assert.equal(typeof v, "string", `${path}: a string`);
      }
      continue;
    }
    if (Array.isArray(v)) {
      assert.ok(
        def.normalize.includes("array") || ARRAYS.has(path),
        `${path}: ECS has one value, not an array`,
      );
      for (const x of v) checkValue(path, def, x);
    } else checkValue(path, def, v);
  }
  assert.equal(doc.ecs.version, (EcsFlat as Record<string, unknown>)["ecs.version"] ? "9.4.0" : "");
}

const LOGS = ["log_samples", "log_realistic", "log_realistic2", "log_contexts"];

Deno.test("ECS of every record type of the sample logs: typed as Ecs, fields as EcsFlat defines them", async () => {
  const types = new Set<string>();
  let events = 0;
  for (const name of LOGS) {
    const path = new URL(`./data/${name}.log`, import.meta.url);
    for await (const ev of readEvents(await Deno.readFile(path))) {
      const doc = ecsEvent(ev);
      const asEcs = typed(doc);
      assert.equal(asEcs.ecs.version, "9.4.0");
      try {
        checkDocument(doc);
      } catch (e) {
        throw new Error(`${name} ${ev.id}: ${(e as Error).message}`);
      }
      for (const r of ev.records) types.add(recordTypeName(r.type));
      events++;
    }
  }
  // the logs are the project's realistic ones: many record types, all covered above
  assert.ok(types.size >= 20, `only ${types.size} record types`);
  assert.ok(events > 100);
});

Deno.test("the runtime check refuses what ECS refuses", () => {
  const base = {
    "@timestamp": "2024-01-01T00:00:00.000Z",
    ecs: { version: "9.4.0" },
    event: { kind: "event" },
  } as EcsDocument;
  checkDocument(base);
  const bad = [
    { ...base, process: { pid: "12" } },
    { ...base, source: { ip: "not-an-ip" } },
    { ...base, event: { kind: "event", outcome: "fail" } },
    { ...base, made_up: { field: "x" } },
    { ...base, host: { name: ["a", "b"] } },
  ];
  for (const doc of bad) assert.throws(() => checkDocument(doc as unknown as EcsDocument));
});
