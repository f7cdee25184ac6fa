/**
 * `auditkit bsm`: BSM audit trails. `print` is OpenBSM's praudit (its
 * options, output, messages and exit statuses), `reduce` its auditreduce.
 *
 * @module
 */

import {
  type AuditEventTable,
  errnoMessage,
  errnoNumber,
  loadEventTable,
  praudit,
  PrauditFormatter,
  type PrauditOptions,
} from "../mod.ts";
import { Command, type CommandUnknownOpts } from "./deps.ts";
import { err, ExitStatus } from "./_common.ts";

/** A result of {@link getopt}: options in order, then operands. */
interface GetoptResult {
  options: [string, string | undefined][];
  operands: string[];
}

/** A command-line error reported the way glibc's getopt reports it. */
class GetoptError extends Error {}

/**
 * glibc `getopt` with argument permutation: `spec` is the option string
 * (`"d:lnprsx"`); `long` names long options that take a value
 * (`--events FILE` or `--events=FILE`) and `flags` long options without
 * one. Operands may come between options; `--` ends the options.
 */
function getopt(
  args: string[],
  spec: string,
  long: readonly string[] = [],
  flags: readonly string[] = [],
): GetoptResult {
  const options: [string, string | undefined][] = [];
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = a.slice(2, eq < 0 ? undefined : eq);
      if (flags.includes(name) && eq < 0) options.push([`--${name}`, undefined]);
      else if (long.includes(name)) {
        let value = eq < 0 ? args[++i] : a.slice(eq + 1);
        if (value === undefined) {
          throw new GetoptError(`option '--${name}' requires an argument`);
        }
        if (eq < 0 && value === undefined) value = "";
        options.push([`--${name}`, value]);
      } else throw new GetoptError(`unrecognized option '${a}'`);
      continue;
    }
    if (!a.startsWith("-") || a === "-") {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      const at = spec.indexOf(c);
      if (c === ":" || at < 0) throw new GetoptError(`invalid option -- '${c}'`);
      if (spec[at + 1] === ":") {
        let value = a.slice(j + 1);
        if (value === "") {
          if (i + 1 >= args.length) throw new GetoptError(`option requires an argument -- '${c}'`);
          value = args[++i];
        }
        options.push([c, value]);
        break;
      }
      options.push([c, undefined]);
    }
  }
  return { options, operands };
}

/** Writes all of `bytes` to stdout; false when the reader has gone (a closed pipe). */
async function write(bytes: Uint8Array): Promise<boolean> {
  try {
    for (let off = 0; off < bytes.length;) off += await Deno.stdout.write(bytes.subarray(off));
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.BrokenPipe) return false;
    throw e;
  }
}

/** `perror(name)`: the name and the errno text of a failed open. */
function perror(name: string, e: unknown): string {
  const code = (e as { code?: string }).code;
  const errno = code ? errnoNumber(code) : undefined;
  return `${name}: ${
    errno !== undefined ? errnoMessage(errno) : e instanceof Error ? e.message : String(e)
  }\n`;
}

/** The event table of `--events FILE`, or the default one. */
async function eventsFrom(prog: string, file: string | undefined): Promise<AuditEventTable> {
  try {
    return await loadEventTable(file === undefined ? {} : { eventFile: file });
  } catch (e) {
    await err(`${prog}: ${perror(file ?? "audit_event", e)}`);
    throw new ExitStatus(1);
  }
}

/** Bytes of an input: a file's, or stdin's. */
function inputOf(file: Deno.FsFile): AsyncIterable<Uint8Array> {
  return file.readable;
}

/** The chunks of `source`, ending quietly if reading fails (praudit stops at a read error). */
async function* quietly(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* chunks;
  } catch (e) {
    if (e instanceof Deno.errors.Interrupted) throw e;
  }
}

const PRINT_USAGE =
  "usage: auditkit bsm print [-lnpx] [-r | -s] [-d del] [--events file] [file ...]\n";

/**
 * Runs `bsm print` on `args` (praudit's options) and returns its exit
 * status: 0 after files, 1 after stdin (as praudit) or on a usage error.
 */
export async function runPrint(args: string[]): Promise<number> {
  const prog = "auditkit bsm print";
  let parsed: GetoptResult;
  try {
    parsed = getopt(args, "d:lnprsx", ["events"]);
  } catch (e) {
    if (!(e instanceof GetoptError)) throw e;
    await err(`${prog}: ${e.message}\n${PRINT_USAGE}`);
    return 1;
  }
  const options: PrauditOptions = {};
  let partial = false;
  let eventFile: string | undefined;
  for (const [opt, value] of parsed.options) {
    switch (opt) {
      case "d":
        options.delimiter = value;
        break;
      case "l":
        options.oneLine = true;
        break;
      case "n":
        options.noResolve = true;
        break;
      case "p":
        partial = true;
        break;
      case "r":
      case "s":
        // -r and -s exclude each other, whichever comes second is the error
        if (options[opt === "r" ? "short" : "raw"]) {
          await err(PRINT_USAGE);
          return 1;
        }
        options[opt === "r" ? "raw" : "short"] = true;
        break;
      case "x":
        options.xml = true;
        break;
      case "--events":
        eventFile = value;
        break;
    }
  }
  options.events = await eventsFrom(prog, eventFile);
  const fmt = new PrauditFormatter(options);
  if (options.xml && !await write(fmt.xmlHeader())) return 0;
  const printOne = async (source: AsyncIterable<Uint8Array>): Promise<boolean> => {
    for await (const chunk of praudit(quietly(source), fmt, { partial })) {
      if (!await write(chunk)) return false;
    }
    return true;
  };
  if (parsed.operands.length === 0) {
    await printOne(Deno.stdin.readable);
    return 1; // praudit returns 1 after stdin, and prints no XML footer
  }
  for (const name of parsed.operands) {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(name);
    } catch (e) {
      await err(perror(name, e));
      continue;
    }
    try {
      if (!await printOne(inputOf(file))) return 0;
    } finally {
      try {
        file.close();
      } catch {
        // the stream closed it
      }
    }
  }
  if (options.xml) await write(fmt.xmlFooter());
  return 0;
}

const PRINT_HELP = `
praudit's options, output, messages and exit statuses (OpenBSM):
  -l         one record per line
  -r         numbers: token ids, events, times, uids, errors (not with -s)
  -s         short event names (AUE_*) (not with -r)
  -x         XML
  -n         uids and gids as numbers
  -p         skip input up to the first header (a stream that starts mid-record)
  -d DEL     field delimiter (default ",")
  --events FILE  audit_event file (default /etc/security/audit_event, else
                 the copy of OpenBSM's table auditkit carries)
Reads stdin when no file is given (and then exits 1, as praudit does).

Examples:
  auditkit bsm print /var/audit/current
  auditkit bsm print -l -n trail.bsm | head
  auditkit bsm print -x trail.bsm > trail.xml
  tail -c +1 -f /var/audit/current | auditkit bsm print -p -l`;

/** `bsm print`. */
function printCommand(): CommandUnknownOpts {
  return new Command("print")
    .description("print BSM trails as OpenBSM's praudit does")
    .argument("[args...]", "praudit's options and files")
    .allowUnknownOption()
    .helpOption(false)
    .passThroughOptions()
    .addHelpText("after", PRINT_HELP)
    .action(async function (this: CommandUnknownOpts, args: string[]) {
      if (args.includes("--help")) {
        this.outputHelp();
        return;
      }
      throw new ExitStatus(await runPrint(args));
    });
}

/** Builds the `bsm` command and its subcommands. */
export function bsmCommand(): CommandUnknownOpts {
  return new Command("bsm")
    .description("BSM audit trails (Solaris, illumos, FreeBSD, macOS): print, reduce, JSON, write")
    .enablePositionalOptions()
    .addCommand(printCommand())
    .addHelpText(
      "after",
      "\nExamples:\n  auditkit bsm print -l trail.bsm\n  auditkit bsm print --help",
    );
}
