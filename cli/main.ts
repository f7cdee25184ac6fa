/**
 * The auditkit command line.
 *
 * ```sh
 * deno run -A cli/main.ts status
 * ```
 *
 * @module
 */

import denoJson from "../deno.json" with { type: "json" };
import { Command, CommanderError, type CommandUnknownOpts } from "./deps.ts";
import {
  commanderMessage,
  describeFailure,
  err,
  ExitStatus,
  PIPE_CLOSED_STATUS,
} from "./_common.ts";
import { decodeBytes, encodeText } from "../mod.ts";
import { statusCommand } from "./status.ts";
import { disableCommand, enableCommand } from "./enable.ts";
import { setCommand } from "./set.ts";
import { logCommand } from "./log.ts";
import { genCommand } from "./gen.ts";
import { rulesCommand } from "./rules.ts";
import { ctlCommand } from "./ctl.ts";
import { searchCommand } from "./search.ts";
import { watchCommand } from "./watch.ts";
import { reportCommand } from "./report.ts";
import { bsmCommand } from "./bsm.ts";

/** The auditkit version, from deno.json. */
export const VERSION: string = denoJson.version;

/** Builds the whole command tree. */
export function buildProgram(): Command {
  const program = new Command("auditkit")
    .description("Linux audit toolkit: kernel status, rules, logs and records")
    .version(VERSION, "-V, --version")
    .enablePositionalOptions();
  program.addCommand(statusCommand());
  program.addCommand(enableCommand());
  program.addCommand(disableCommand());
  program.addCommand(setCommand());
  program.addCommand(logCommand());
  program.addCommand(genCommand());
  program.addCommand(rulesCommand());
  program.addCommand(ctlCommand());
  program.addCommand(searchCommand());
  program.addCommand(watchCommand());
  program.addCommand(reportCommand());
  program.addCommand(bsmCommand());
  // usage errors of every subcommand go through one handler, in auditkit's own style
  const override = (cmd: CommandUnknownOpts, path: string) => {
    cmd.exitOverride();
    cmd.configureOutput({
      outputError: (text, write) => write(`auditkit: ${commanderMessage(text, path)}\n`),
    });
    cmd.commands.forEach((c) => override(c, `${path} ${c.name()}`));
  };
  override(program, "auditkit");
  return program;
}

/**
 * Runs the CLI on `args` and returns the exit status: 0 success, 1 failure,
 * 2 usage error.
 */
export async function main(args: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(args, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version "errors" are successes; commander printed them
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof ExitStatus) return e.status;
    // the reader of our output went away (`| head`): end quietly, as the C tools do
    if (e instanceof Deno.errors.BrokenPipe) return PIPE_CLOSED_STATUS;
    const { code, message } = describeFailure(e);
    if (message) await err(`auditkit: ${message}\n`);
    return code;
  }
}

/**
 * The arguments with their bytes: Deno replaces bytes that are not UTF-8
 * with U+FFFD, so those arguments are read again from /proc/self/cmdline and
 * decoded as log text is (`-f $'/tmp/a\xff'` then matches that byte only).
 */
export function argumentsAsBytes(args: string[]): string[] {
  if (!args.some((a) => a.includes("\ufffd"))) return args;
  let words: string[];
  try {
    const bytes = Deno.readFileSync("/proc/self/cmdline");
    words = [];
    let from = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) {
        words.push(decodeBytes(bytes, from, i));
        from = i + 1;
      }
    }
  } catch {
    return args;
  }
  const own = words.slice(words.length - args.length);
  // each argument must be the one Deno gave, its bytes aside
  const lossy = (w: string) => new TextDecoder().decode(encodeText(w));
  if (own.length !== args.length || own.some((w, i) => lossy(w) !== args[i])) return args;
  return own;
}

if (import.meta.main) {
  Deno.exit(await main(argumentsAsBytes(Deno.args)));
}
