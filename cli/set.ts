/**
 * `auditkit set`: the kernel's audit configuration.
 *
 * @module
 */

import { openAudit } from "../mod.ts";
import { Command, type CommandUnknownOpts } from "./deps.ts";
import { oneOf, u32, UsageError } from "./_common.ts";

/** Builds the `set` command. */
export function setCommand(): CommandUnknownOpts {
  return new Command("set")
    .description("Change the kernel's audit configuration")
    .option(
      "--enabled <n>",
      "0 off, 1 on, 2 on and locked until reboot (needs --force)",
      oneOf(0, 1, 2),
    )
    .option(
      "--failure <n>",
      "on a lost record: 0 silent, 1 printk, 2 panic (needs --force)",
      oneOf(0, 1, 2),
    )
    .option("--rate-limit <n>", "records per second, 0 unlimited", u32)
    .option("--backlog-limit <n>", "queued records, 0 unlimited", u32)
    .option("--backlog-wait-time <n>", "kernel ticks to wait on a full backlog", u32)
    .option("--force", "confirm --failure 2 or --enabled 2")
    .addHelpText(
      "after",
      "\nExamples:\n  auditkit set --backlog-limit 8192 --failure 1\n  auditkit set --rate-limit 0",
    )
    .action(async (opts) => {
      const any = [
        opts.enabled,
        opts.failure,
        opts.rateLimit,
        opts.backlogLimit,
        opts.backlogWaitTime,
      ].some((v) => v !== undefined);
      if (!any) throw new UsageError("nothing to set: give at least one option (see --help)");
      if (opts.failure === 2 && !opts.force) {
        throw new UsageError(
          "refusing to set failure 2 without --force: the kernel would panic on any lost record",
        );
      }
      if (opts.enabled === 2 && !opts.force) {
        throw new UsageError(
          "refusing to set enabled 2 without --force: it locks the audit configuration until reboot",
        );
      }
      using audit = openAudit();
      if (opts.failure !== undefined) {
        await audit.setFailure(opts.failure as 0 | 1 | 2, { allowPanic: opts.force ?? false });
      }
      if (opts.rateLimit !== undefined) await audit.setRateLimit(opts.rateLimit);
      if (opts.backlogLimit !== undefined) await audit.setBacklogLimit(opts.backlogLimit);
      if (opts.backlogWaitTime !== undefined) await audit.setBacklogWaitTime(opts.backlogWaitTime);
      // enabled last: locking first would make every other change fail
      if (opts.enabled !== undefined) {
        await audit.setEnabled(opts.enabled as 0 | 1 | 2, { allowLock: opts.force ?? false });
      }
    });
}
