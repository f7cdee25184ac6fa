/**
 * auditkit's side of the walk benchmark: reads a log, assembles every event
 * and touches every field of every record, as bench/walk.c does with
 * libauparse (which reads each name and value through a pointer).
 *
 * `walk.ts MODE LOG [--fresh]`. Modes: `walk` takes each name as a string
 * and reads every byte of each value in place (like C's strlen on the
 * value); `strings` also makes each value a JS string; `interpret` also
 * interprets each field (and loads mod.ts for it). The log is read with
 * reused buffers (a batch's records are read before the next is asked
 * for, as walk.c reads libauparse's fields before its next event), or into
 * fresh memory with `--fresh`.
 *
 * @module
 */

import { eventBatches } from "../events.ts";

const [mode, path, fresh] = Deno.args;
// the mode decided once, as walk.c does (a string comparison per field would cost more than the field)
const inPlace = mode === "walk";
const charBytes = mode === "interpret" ? 2 : 1;
// mod.ts by a computed name: Deno loads every module a literal import() names when the script
// starts, and a walk-only script would not load the other 40-odd modules of the library
const modTs = new URL("../mod.ts", import.meta.url).href;
const lib: typeof import("../mod.ts") | undefined = mode === "interpret"
  ? await import(modTs)
  : undefined;
await lib?.loadTables();
let events = 0, records = 0, fields = 0, bytes = 0;
for await (const batch of eventBatches(path, { reuseBuffers: fresh !== "--fresh" })) {
  for (const ev of batch) {
    events++;
    for (const r of ev.records) {
      records++;
      // libauparse lists the node and the record type as fields: touched as walk.c does
      if (r.node !== undefined) {
        fields++;
        bytes += 4 + r.node.length * charBytes;
      }
      fields++;
      bytes += 4 + r.typeName.length * charBytes;
      const n = r.fieldCount;
      const buf = r.buffer;
      for (let i = 0; i < n; i++) {
        fields++;
        bytes += r.fieldName(i).length;
        if (inPlace) {
          const start = r.fieldValueStart(i);
          if (start < 0) bytes += r.fieldValue(i).length;
          else {
            const end = r.fieldValueEnd(i);
            for (let k = start; k < end; k++) if (buf[k] !== 0) bytes++;
          }
        } else bytes += r.fieldValue(i).length;
        if (lib) bytes += lib.interpretField(ev, r, i).length;
      }
    }
  }
}
console.log(`${events} events ${records} records ${fields} fields ${bytes} bytes`);
