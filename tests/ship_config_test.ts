/**
 * The README's Shipping section: the Filebeat, Vector and OpenTelemetry Collector configurations
 * parsed as YAML and checked against the keys those tools document (none of the tools is
 * installable here: not on npm, not in Debian), the index template compared with the one
 * generated from auditkit's documents, and a file written by `search --format ecs --output` read
 * as the shippers read it.
 */

import assert from "node:assert/strict";
import { parse } from "yaml";
import { CLI_ENTRY, ROOT } from "./_helpers.ts";
import { fieldMappings, indexTemplate, isDynamic, templateDocuments } from "./_ecs_template.ts";

const README = await Deno.readTextFile(`${ROOT}README.md`);
const OUTPUT = "/var/log/auditkit/events.ndjson";
const PATTERNS = [OUTPUT, `${OUTPUT}.*`];

/** The fenced block after `<!-- shipping:NAME -->`. */
function block(name: string): string {
  const m = new RegExp(`<!-- shipping:${name} -->\\s*\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(
    README,
  );
  assert.ok(m, `README has no shipping:${name} block`);
  return m[1];
}

// deno-lint-ignore no-explicit-any
type Yaml = any;

function yaml(name: string): Yaml {
  const doc = parse(block(name), { strict: true, uniqueKeys: true });
  assert.equal(typeof doc, "object");
  return doc;
}

/** The index pattern of the template, as a regular expression. */
function indexPattern(): RegExp {
  const t = JSON.parse(block("index-template"));
  assert.deepEqual(t.index_patterns, ["auditkit-*"]);
  return /^auditkit-[^*]+$/;
}

Deno.test("README Filebeat configuration: filestream + ndjson into Elasticsearch, _id from event.id", () => {
  const c = yaml("filebeat");
  const inputs = c["filebeat.inputs"];
  assert.equal(inputs.length, 1);
  const input = inputs[0];
  assert.equal(input.type, "filestream");
  assert.match(input.id, /^\S+$/, "filestream inputs need an id");
  assert.deepEqual(input.paths, PATTERNS);
  // the fingerprint identity needs the scanner's fingerprint; 512 bytes: see the README
  assert.ok("file_identity.fingerprint" in input);
  assert.equal(input["file_identity.fingerprint"], null);
  const fp = input["prospector.scanner.fingerprint"];
  assert.deepEqual(fp, { enabled: true, offset: 0, length: 512 });
  assert.equal(input["close.on_state_change.renamed"], false);
  assert.equal(input.parsers.length, 1);
  const ndjson = input.parsers[0].ndjson;
  assert.equal(ndjson.target, "");
  assert.equal(ndjson.overwrite_keys, true);
  assert.equal(ndjson.add_error_key, true);
  const copy = input.processors.map((p: Yaml) => p.copy_fields).find(Boolean);
  assert.deepEqual(copy.fields, [{ from: "event.id", to: "@metadata._id" }]);
  const out = c["output.elasticsearch"];
  assert.ok(out.hosts.length > 0 && out.hosts.every((h: string) => /^https?:\/\//.test(h)));
  assert.match(out.index, indexPattern());
  // a custom index: Filebeat wants the template name and pattern set, and ILM off
  assert.equal(c["setup.template.name"], "auditkit");
  assert.equal(c["setup.template.pattern"], "auditkit-*");
  assert.equal(c["setup.ilm.enabled"], false);
});

Deno.test("README Vector configuration: a connected graph, file source, parse_json, ES and Kafka sinks keyed by event.id", () => {
  const c = yaml("vector");
  assert.equal(typeof c.data_dir, "string");
  const components = new Map<string, Yaml>();
  for (const kind of ["sources", "transforms", "sinks"]) {
    for (const [id, v] of Object.entries(c[kind] ?? {})) {
      assert.ok(!components.has(id), `component id ${id} used twice`);
      components.set(id, { kind, ...(v as object) });
    }
  }
  for (const [id, v] of components) {
    assert.equal(typeof v.type, "string", `${id}: a type`);
    if (v.kind === "sources") continue;
    assert.ok(Array.isArray(v.inputs) && v.inputs.length > 0, `${id}: inputs`);
    for (const i of v.inputs) {
      assert.ok(components.has(i) && components.get(i).kind !== "sinks", `${id}: input ${i}`);
    }
  }
  const file = c.sources.auditkit_file;
  assert.equal(file.type, "file");
  assert.deepEqual(file.include, PATTERNS);
  assert.equal(file.read_from, "beginning");
  assert.equal(file.fingerprint.strategy, "checksum");
  const remap = c.transforms.auditkit_ecs;
  assert.equal(remap.type, "remap");
  assert.match(remap.source, /^\. = parse_json!\(string!\(\.message\)\)$/m);
  const es = c.sinks.elasticsearch;
  assert.equal(es.type, "elasticsearch");
  assert.equal(es.mode, "bulk");
  assert.ok(["index", "create"].includes(es.bulk.action));
  assert.match(es.bulk.index, indexPattern());
  assert.equal(es.id_key, "event.id");
  assert.ok(es.endpoints.length > 0);
  const kafka = c.sinks.kafka;
  assert.equal(kafka.type, "kafka");
  assert.equal(typeof kafka.bootstrap_servers, "string");
  assert.equal(typeof kafka.topic, "string");
  assert.equal(kafka.key_field, "event.id");
  assert.equal(kafka.encoding.codec, "json");
});

Deno.test("README OpenTelemetry Collector configuration: filelog + json_parser, a defined pipeline, _id from event.id", () => {
  const c = yaml("otelcol");
  const pipelines = c.service.pipelines;
  assert.deepEqual(Object.keys(pipelines), ["logs"]);
  for (
    const [kind, key] of [["receivers", "receivers"], ["processors", "processors"], [
      "exporters",
      "exporters",
    ]]
  ) {
    const used: string[] = pipelines.logs[key];
    assert.ok(used.length > 0 || kind === "processors");
    for (const id of used) assert.ok(id in c[kind], `${kind}: ${id} not defined`);
    // each component id is `type` or `type/name`
    for (const id of Object.keys(c[kind])) assert.match(id, /^[a-z_]+(\/[\w-]+)?$/);
  }
  const receiver = c.receivers["filelog/auditkit"];
  assert.deepEqual(receiver.include, PATTERNS);
  assert.equal(receiver.start_at, "beginning");
  assert.equal(receiver.fingerprint_size, 512);
  assert.ok(receiver.storage in c.extensions, "the storage extension is defined");
  assert.ok(c.service.extensions.includes(receiver.storage), "and enabled");
  assert.equal(typeof c.extensions[receiver.storage].directory, "string");
  const [parser, copy] = receiver.operators;
  assert.deepEqual(parser, { type: "json_parser", parse_from: "body", parse_to: "body" });
  assert.deepEqual(copy, {
    type: "copy",
    from: "body.event.id",
    to: 'attributes["elasticsearch.document_id"]',
  });
  const es = c.exporters.elasticsearch;
  assert.ok(es.endpoints.length > 0);
  assert.match(es.logs_index, indexPattern());
  assert.equal(es.logs_dynamic_id.enabled, true);
  assert.equal(es.mapping.mode, "bodymap");
});

Deno.test("README index template: generated from auditkit's ECS documents, typed by @elastic/ecs", async () => {
  const generated = indexTemplate(fieldMappings(await templateDocuments()));
  const inReadme = JSON.parse(block("index-template"));
  assert.deepEqual(
    inReadme,
    generated,
    `the README's template differs; the generated one:\n${JSON.stringify(generated, null, 2)}`,
  );
});

Deno.test("a file from search --format ecs --output, read as the shippers read it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/events.ndjson`;
    const run = (log: string) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", CLI_ENTRY, "search", "-if", log, "--format", "ecs", "--output", path],
        stdout: "null",
        stderr: "piped",
      }).output();
    // every sample log, then all of them again (a shipper re-reading the same lines)
    const logs = ["log_samples", "log_realistic", "log_realistic2", "log_contexts"]
      .map((n) => `${ROOT}tests/data/${n}.log`);
    for (const log of logs) assert.equal((await run(log)).code, 0);
    const once = await Deno.readTextFile(path);
    for (const log of logs) assert.equal((await run(log)).code, 0);
    const text = await Deno.readTextFile(path);
    assert.ok(text.startsWith(once) && text.length === 2 * once.length);
    assert.ok(text.endsWith("\n"));
    const lines = text.slice(0, -1).split("\n");
    const template = JSON.parse(block("index-template"));
    const mapped = new Set(Object.keys(template.template.mappings.properties));
    const ids = lines.map((line) => {
      const doc = JSON.parse(line);
      // a line that is no record: no id, and the time it was read (differs between the copies)
      if (doc.error && !doc.event.id) return "bad line";
      // the fingerprints of 512 bytes hold the time stamp and the first record's serial
      assert.match(line.slice(0, 512), /^\{"@timestamp":"[^"]+".*msg=audit\(\d+\.\d{3}:\d+\)/);
      const fields: string[] = [];
      const walk = (v: unknown, p: string): void => {
        if (Array.isArray(v)) v.forEach((x) => walk(x, p));
        else if (typeof v === "object" && v !== null) {
          for (const [k, x] of Object.entries(v)) walk(x, p ? `${p}.${k}` : k);
        } else fields.push(p);
      };
      walk(doc, "");
      for (const f of fields) assert.ok(mapped.has(f) || isDynamic(f), `${f} not in the template`);
      return doc.event.id as string;
    });
    const half = lines.length / 2;
    assert.deepEqual(ids.slice(half), ids.slice(0, half));
    const events = ids.slice(0, half).filter((id) => id !== "bad line");
    assert.ok(events.length > 100 && events.length < half, `${events.length} of ${half}`);
    assert.equal(new Set(events).size, events.length, "one id per event");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
