/**
 * The Elasticsearch index template for auditkit's ECS documents, derived from the documents
 * themselves: every field of the ECS documents of the project's sample logs and Auditbeat's test
 * inputs (tests/data/), typed from `@elastic/ecs`'s `EcsFlat` where ECS defines the field and from
 * the values where it is Auditbeat's own (`auditd.*`, `user.audit.*`, ...). The README's template
 * is compared with this one by tests/ship_config_test.ts, so the two cannot drift.
 *
 * @module
 */

import assert from "node:assert/strict";
import { EcsFlat } from "@elastic/ecs";
import { ecsBadLine, ecsEvent, type EcsOptions, readEvents } from "../mod.ts";

const DATA = new URL("./data/", import.meta.url);

type FieldDef = { type: string; index?: boolean; doc_values?: boolean };
const flat = EcsFlat as unknown as Record<string, FieldDef>;

/** The logs whose documents make the template. */
export const TEMPLATE_LOGS: string[] = [
  "log_samples.log",
  "log_realistic.log",
  "log_realistic2.log",
  "log_contexts.log",
  ...[...Deno.readDirSync(new URL("ecs/auditbeat/", DATA))]
    .filter((e) => e.name.endsWith(".log")).map((e) => `ecs/auditbeat/${e.name}`).sort(),
];

/**
 * Fields mapped by the template's dynamic template (strings as keyword) rather than one by one:
 * the records' own fields and PATH records, and `user.<field>.id/name` for an id field ECS and
 * Auditbeat do not name (`old_auid`, `new_auid`, ...), whose names depend on the record types.
 */
export function isDynamic(path: string): boolean {
  return path.startsWith("auditd.data.") || path.startsWith("auditd.paths.") ||
    (/^user\.[a-z_-]+\.(id|name)$/.test(path) && !(path in flat) &&
      !/^user\.(audit|saved|filesystem)\./.test(path));
}

/** One field's mapping. */
export type FieldMapping = { type: string; index?: false; doc_values?: false };

function walk(v: unknown, path: string, out: [string, unknown][]): void {
  if (Array.isArray(v)) { for (const x of v) walk(x, path, out); }
  else if (typeof v === "object" && v !== null) {
    for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k, out);
  } else out.push([path, v]);
}

/** The ECS documents of {@link TEMPLATE_LOGS} (names from the fixed tables), and a bad line's. */
export async function templateDocuments(): Promise<unknown[]> {
  const options: EcsOptions = {
    passwd: { path: new URL("ecs/passwd", DATA).pathname },
    group: { path: new URL("ecs/group", DATA).pathname },
  };
  const docs: unknown[] = [
    ecsBadLine({ file: "audit.log", line: 1, reason: "not an audit record", text: "junk" }),
  ];
  for (const name of TEMPLATE_LOGS) {
    for await (const ev of readEvents(await Deno.readFile(new URL(name, DATA)))) {
      docs.push(ecsEvent(ev, options));
    }
  }
  return docs;
}

/** Field name (dotted) to mapping, sorted by name, for the fields `docs` use. */
export function fieldMappings(docs: unknown[]): Record<string, FieldMapping> {
  const seen = new Map<string, FieldMapping>();
  for (const doc of docs) {
    const fields: [string, unknown][] = [];
    walk(doc, "", fields);
    for (const [path, v] of fields) {
      if (isDynamic(path)) {
        assert.equal(typeof v, "string", `${path}: the dynamic template maps strings only`);
        continue;
      }
      const def = flat[path];
      let mapping: FieldMapping;
      if (def) {
        mapping = { type: def.type };
        if (def.index === false) mapping.index = false;
        if (def.doc_values === false) mapping.doc_values = false;
      } else if (typeof v === "string") mapping = { type: "keyword" };
      else if (Number.isSafeInteger(v)) mapping = { type: "long" };
      else throw new Error(`${path}: no type for ${JSON.stringify(v)}`);
      const before = seen.get(path);
      if (before) assert.deepEqual(before, mapping, `${path}: one type`);
      seen.set(path, mapping);
    }
  }
  return Object.fromEntries([...seen].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0));
}

/** The composable index template (`PUT _index_template/auditkit`) for `auditkit-*` indices. */
export function indexTemplate(fields: Record<string, FieldMapping>): unknown {
  return {
    index_patterns: ["auditkit-*"],
    priority: 200,
    template: {
      mappings: {
        dynamic_templates: [{
          strings_as_keyword: {
            match_mapping_type: "string",
            mapping: { type: "keyword", ignore_above: 1024 },
          },
        }],
        properties: fields,
      },
    },
  };
}
