/**
 * `auditkit report`: aureport's reports.
 *
 * @module
 */

import { Command, type CommandUnknownOpts } from "./deps.ts";

/** `auditkit report`. */
export function reportCommand(): CommandUnknownOpts {
  return new Command("report").description("Summarise audit logs as aureport does");
}
