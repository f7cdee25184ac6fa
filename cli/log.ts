/**
 * `auditkit log`: write a user-space audit record, like `auditctl -m`.
 *
 * @module
 */

import { logUserMessage, type RecordOutcome } from "../mod.ts";
import { Command, type CommandUnknownOpts, InvalidArgumentError } from "./deps.ts";
import { out } from "./_common.ts";

function outcome(value: string): RecordOutcome {
  if (value !== "success" && value !== "failed") {
    throw new InvalidArgumentError('must be "success" or "failed"');
  }
  return value;
}

/** Builds the `log` command. */
export function logCommand(): CommandUnknownOpts {
  return new Command("log")
    .description(
      "Write a user-space audit record through audit_log_user_message (like `auditctl -m`)",
    )
    .argument(
      "<message>",
      "the record text, sent as text=MESSAGE exactly like auditctl -m (its fields are yours to get right)",
    )
    .option("--type <type>", "record type, by name or number (1005, 1100-1199, 2100-2999)", "USER")
    .option("--result <result>", "res= of the record: success or failed", outcome, "success")
    .option("--hostname <name>", "hostname= of the record (default ?)")
    .option("--addr <addr>", "addr= of the record, never resolved from the hostname (default ?)")
    .option("--tty <tty>", "terminal= of the record, never probed (default ?)")
    .option("--verify", "read the record back and fail when the kernel did not generate it")
    .option("--json", "print what was written as JSON")
    .addHelpText(
      "after",
      '\nExamples:\n  auditkit log "op=backup-start"\n  auditkit log --type USYS_CONFIG --result failed "op=change-policy"',
    )
    .action(async (message: string, opts) => {
      const w = await logUserMessage(opts.type, `text=${message}`, {
        result: opts.result as RecordOutcome,
        hostname: opts.hostname,
        addr: opts.addr,
        tty: opts.tty,
        verify: opts.verify ?? false,
      });
      if (opts.json) await out(JSON.stringify(w) + "\n");
      if (w.generated === false) throw new Error(`no record was generated: ${w.reason}`);
    });
}
