/**
 * auditkit's side of the walk benchmark: reads a log, assembles every event
 * and touches every field of every record (its name and value as strings),
 * or with `interpret` also each field's interpretation, as bench/walk.c does
 * with libauparse.
 *
 * @module
 */

import { eventBatches, interpretField, loadTables } from "../mod.ts";

const [mode, path] = Deno.args;
if (mode === "interpret") await loadTables();
let events = 0, records = 0, fields = 0, bytes = 0;
for await (const batch of eventBatches(path)) {
  for (const ev of batch) {
    events++;
    for (const r of ev.records) {
      records++;
      const n = r.fieldCount;
      for (let i = 0; i < n; i++) {
        fields++;
        bytes += r.fieldName(i).length + r.fieldValue(i).length;
        if (mode === "interpret") bytes += interpretField(ev, r, i).length;
      }
    }
  }
}
console.log(`${events} events ${records} records ${fields} fields ${bytes} bytes`);
