/**
 * The output formats by name. A new format is one module exporting an
 * {@link EventFormatter} and one row here; `auditkit search --format NAME`,
 * the search session and {@link formatEvent} take it from this table.
 *
 * @module
 */

import type { AuditEvent } from "../event/assemble.ts";
import type { EscapeMode } from "../interpret/interpret.ts";
import { CSV } from "./csv.ts";
import { DEFAULT } from "./default.ts";
import { ECS } from "./ecs.ts";
import type { EventFormatter } from "./formatter.ts";
import { INTERPRETED } from "./interpreted.ts";
import { JSON_LINES } from "./json.ts";
import { RAW } from "./raw.ts";
import { TEXT } from "./text.ts";

/** Every output format of `auditkit search`, by its `--format` name. */
export const FORMATS = {
  raw: RAW,
  default: DEFAULT,
  interpret: INTERPRETED,
  csv: CSV,
  text: TEXT,
  json: JSON_LINES,
  ecs: ECS,
} as const satisfies Record<string, EventFormatter>;

/** The name of an output format of `auditkit search` (a key of {@link FORMATS}). */
export type OutputFormat = keyof typeof FORMATS;

/** The formats that print each event alone (csv and text carry a header or names along). */
export type SearchFormat = "raw" | "default" | "interpret" | "json";

/**
 * Whether `name` is an output format.
 *
 * @example
 * ```ts
 * import { isOutputFormat } from "../../mod.ts";
 * isOutputFormat("csv"); // true
 * isOutputFormat("xml"); // false
 * ```
 */
export function isOutputFormat(name: string): name is OutputFormat {
  return Object.hasOwn(FORMATS, name);
}

const decoder = new TextDecoder();

/**
 * Formats an event in one of the search formats.
 *
 * @example
 * ```ts
 * import { formatEvent, readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(formatEvent(ev, "interpret"));
 * ```
 */
export function formatEvent(
  event: AuditEvent,
  format: SearchFormat,
  escape: EscapeMode = "tty",
): string {
  const w = FORMATS[format].open({ escape });
  const text = w.write(event);
  return w.bytes ? decoder.decode(w.bytes.takeView()) + text : text;
}
