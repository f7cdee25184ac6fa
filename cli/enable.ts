/**
 * `auditkit enable` and `auditkit disable`.
 *
 * @module
 */

import { openAudit } from "../mod.ts";
import { Command, type CommandUnknownOpts } from "./deps.ts";
import { UsageError } from "./_common.ts";

/** Builds the `enable` command. */
export function enableCommand(): CommandUnknownOpts {
  return new Command("enable")
    .description("Turn kernel auditing on (enabled=1)")
    .option("--lock", "turn it on and lock the configuration until reboot (enabled=2)")
    .option("--force", "confirm --lock")
    .addHelpText("after", "\nExamples:\n  auditkit enable\n  auditkit enable --lock --force")
    .action(async (opts) => {
      if (opts.lock && !opts.force) {
        throw new UsageError(
          "refusing to lock the audit configuration (enabled=2) without --force: only a reboot undoes it",
        );
      }
      using audit = openAudit();
      await audit.setEnabled(opts.lock ? 2 : 1, { allowLock: opts.lock ?? false });
    });
}

/** Builds the `disable` command. */
export function disableCommand(): CommandUnknownOpts {
  return new Command("disable")
    .description("Turn kernel auditing off (enabled=0)")
    .addHelpText("after", "\nExample:\n  auditkit disable")
    .action(async () => {
      using audit = openAudit();
      await audit.setEnabled(0);
    });
}
