/**
 * `auditkit status`: the kernel's audit status, as `auditctl -s` prints it.
 *
 * @module
 */

import { formatStatus, openAudit } from "../mod.ts";
import { Command, type CommandUnknownOpts } from "./deps.ts";
import { out } from "./_common.ts";

/** Builds the `status` command. */
export function statusCommand(): CommandUnknownOpts {
  return new Command("status")
    .description("Show the kernel's audit status, exactly as `auditctl -s` prints it")
    .option("-i, --interpret", "words instead of numbers for enabled and failure")
    .option("--json", "one JSON object with every field")
    .addHelpText("after", "\nExamples:\n  auditkit status\n  auditkit status --json | jq .backlog")
    .action(async (opts) => {
      using audit = openAudit();
      const status = await audit.status();
      await out(
        opts.json
          ? JSON.stringify(status) + "\n"
          : formatStatus(status, { interpret: opts.interpret ?? false }),
      );
    });
}
