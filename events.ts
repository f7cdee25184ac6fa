/**
 * auditkit's log reader alone: audit log files, stdin and streams read into
 * records and assembled into events as libauparse assembles them. The same
 * API as in `mod.ts`, for scripts that only walk logs: this module loads the
 * reader's six modules where `mod.ts` loads some fifty (about 15 ms less
 * start-up), and needs no permission beyond reading the log.
 *
 * @example
 * ```ts
 * import { eventBatches } from "./events.ts";
 *
 * let records = 0;
 * for await (const batch of eventBatches("/var/log/audit/audit.log", { reuseBuffers: true })) {
 *   for (const ev of batch) records += ev.records.length;
 * }
 * console.log(records);
 * ```
 *
 * @module
 */
export {
  type AssembleOptions,
  type AssemblyRules,
  AuditEvent,
  EventAssembler,
  eventBatches,
  eventStream,
  readEvents,
  type ReadEventsOptions,
  regroupAsLibauparse,
} from "./lib/event/assemble.ts";
export {
  AuditRecord,
  BadLineError,
  decodeBytes,
  encodeText,
  includesBytes,
} from "./lib/event/record.ts";
export {
  AUSEARCH_LINE_LIMIT,
  type BadLine,
  type DirectoryNote,
  logFiles,
  type LogInput,
  LogReadError,
  type LogSelection,
  type ReadOptions,
  readRecords,
  recordBatches,
  rotatedLogSet,
  selectLogFiles,
} from "./lib/source/file.ts";
export { endsEvent, recordTypeName, recordTypeNumber } from "./lib/event/types.ts";
