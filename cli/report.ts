/**
 * `auditkit report`: aureport's reports, much faster.
 *
 * @module
 */

import {
  type EscapeMode,
  loadTables,
  readReport,
  Report,
  type ReportKind,
  type ReportReadOptions,
} from "../mod.ts";
import { Command, type CommandUnknownOpts } from "./deps.ts";
import { err, ExitStatus, out as stdout, UsageError, withHelpHint } from "./_common.ts";
import {
  ACCOUNT_SPECS,
  type ArgSpec,
  clearingFirst,
  flag,
  inputsOf,
  intArg,
  last,
  noRecordsNote,
  notesText,
  openOutput,
  OutputBuffer,
  Progress,
  type RunOptions,
  scanArgs,
  type Sink,
  spec,
  timeArg,
  useAccountArgs,
  valuesOf,
  versionAsked,
} from "./_log_args.ts";

const KINDS: [string, ReportKind][] = [
  ["-au --auth", "auth"],
  ["-l --login", "login"],
  ["-a --avc", "avc"],
  ["-x --executable", "executable"],
  ["-k --key", "key"],
  ["-e --event", "event"],
  ["-f --file", "file"],
  ["-s --syscall", "syscall"],
  ["-u --user", "user"],
  ["-p --pid", "pid"],
  ["-c --config", "config"],
  ["-tm --terminal", "terminal"],
  ["-h --host", "host"],
  ["--comm", "comm"],
  ["-t --log", "log"],
  ["-m --mods", "acct_mod"],
  ["-n --anomaly", "anomaly"],
  ["-r --response", "response"],
  ["-cr --crypto", "crypto"],
  ["-ma --mac", "mac"],
  ["--integrity", "integrity"],
  ["--virt", "virt"],
  ["--tty", "tty"],
];

/** aureport's options (3.0.9 names) that auditkit supports. */
export const REPORT_ARGS: ArgSpec[] = [
  ...KINDS.map(([names, kind]) => spec(names, "none", `kind:${kind}`)),
  spec("--summary", "none", "summary"),
  spec("--failed", "none", "failed"),
  spec("--success", "none", "success"),
  spec("-i --interpret", "none", "interpret"),
  spec("-if --input", "one", "input"),
  spec("--input-logs", "none", "inputLogs"),
  spec("-ts --start", "time", "start"),
  spec("-te --end", "time", "end"),
  spec("--eoe-timeout", "one", "eoeTimeout"),
  spec("--exact-grouping", "none", "exactGrouping"),
  spec("--escape", "one", "escape"),
  spec("--debug", "none", "debug"),
  spec("--node", "one", "node"),
  spec("--add", "none", "add"),
  spec("--delete", "none", "delete"),
  spec("-nc --no-config", "none", "noConfig"),
  spec("--output", "one", "output"),
  ...ACCOUNT_SPECS,
];

/** `--escape raw|tty|shell|shell_quote`, as aureport takes it. */
function escapeArg(v: string | undefined): EscapeMode | undefined {
  if (v === undefined) return undefined;
  if (v === "raw" || v === "tty" || v === "shell" || v === "shell_quote") return v;
  throw new UsageError(`Invalid escape "${v}": use raw, tty, shell or shell_quote`);
}

/**
 * Runs a report; returns the exit status. Output goes to `sink` (standard
 * output by default), messages to `errors` (standard error by default).
 */
export async function runReport(
  args: string[],
  sink?: Sink,
  errors: Sink = err,
  options: RunOptions = {},
): Promise<number> {
  const version = versionAsked(args, REPORT_ARGS, "aureport");
  if (version !== undefined) {
    await (sink ?? stdout)(version);
    return 0;
  }
  const p = scanArgs(args, REPORT_ARGS);
  useAccountArgs(p);
  let kind: ReportKind = "summary";
  // as aureport: one report selector, given once
  const selectors = args.filter((a) => KINDS.some(([names]) => names.split(" ").includes(a)));
  for (const [, k] of KINDS) if (flag(p, `kind:${k}`)) kind = k;
  if (selectors.length > 1) {
    throw new UsageError(
      `Only one report can be specified: ${
        selectors.map((a) => `"${a}"`).join(", ").replace(/, ([^,]*)$/, " and $1")
      } were given`,
    );
  }
  const outputPath = last(p, "output");
  // opened before anything is read: a path that cannot be written fails at once
  using file = outputPath === undefined
    ? undefined
    : await openOutput(outputPath, "report", errors);
  if (kind === "tty" && flag(p, "summary")) {
    // aureport has no TTY summary: an empty title, a message, exit 1
    const out = new OutputBuffer(false, file ?? sink);
    await out.add("\n");
    await out.flush();
    await errors("Unimplemented option\n");
    return 1;
  }
  const inputs = inputsOf(p);
  const notes = notesText(inputs.notes);
  if (notes) await errors(notes);
  await loadTables();
  const eoe = last(p, "eoeTimeout");
  const reportOptions: ReportReadOptions = {
    kind,
    summary: flag(p, "summary"),
    success: flag(p, "failed") ? false : flag(p, "success") ? true : undefined,
    interpret: flag(p, "interpret"),
    escape: escapeArg(last(p, "escape")),
    nodes: valuesOf(p, "node"),
    noConfig: flag(p, "noConfig"),
    changes: flag(p, "delete") ? "delete" : flag(p, "add") ? "add" : undefined,
    debug: flag(p, "debug"),
    start: timeArg(p, "start", "start"),
    end: timeArg(p, "end", "end"),
    eoeTimeout: eoe === undefined ? undefined : intArg(eoe, "eoe timeout", 0),
    exactGrouping: flag(p, "exactGrouping"),
  };
  // the progress line on a terminal: cleared before other output and at the end
  using progress = Progress.onTerminal();
  errors = clearingFirst(errors, progress);
  let read;
  try {
    read = await readReport(inputs.files, {
      ...reportOptions,
      onProgress: progress?.update,
      onMessages: errors,
    });
  } catch (e) {
    // aureport prints the report's heading before it reads, and nothing more when a log fails
    const out = new OutputBuffer(false, file ?? sink, progress);
    await out.add(new Report({ ...reportOptions, debug: undefined }).heading());
    await out.flush();
    throw e;
  }
  const { report, events, badLines } = read;
  const out = new OutputBuffer(false, file ?? sink, progress);
  await out.add(report.text());
  await out.flush();
  if (events === 0 && badLines > 0 && options.notes !== false) {
    await errors(noRecordsNote(badLines));
  }
  return report.nothingFound ? 1 : 0;
}

/** `auditkit report`. */
export function reportCommand(): CommandUnknownOpts {
  return new Command("report")
    .description("Summarise audit logs, with aureport's options and output")
    .argument("[options...]", "aureport options (-if FILE, -x, -k, --summary, -i, ...)")
    .allowUnknownOption()
    .helpOption("--help", "show this help")
    .addHelpText(
      "after",
      `
Reports (as aureport, one at most; -h is the host report): no selector (summary),
  -au/--auth, -l/--login, -a/--avc, -x/--executable, -k/--key, -e/--event, -f/--file, -s/--syscall, -u/--user, -p/--pid, -c/--config,
  -tm/--terminal, -h/--host, --comm, -t/--log, -m/--mods, -n/--anomaly,
  -r/--response, -cr/--crypto, -ma/--mac, --integrity, --virt, --tty.
Modifiers: --summary, --failed, --success, -i/--interpret, --escape raw|tty|shell|shell_quote,
  --node NAME, -nc/--no-config (no CONFIG_CHANGE events), --add/--delete (only additions
  or removals of users, groups and MAC settings), --debug (skipped records on stderr), -v,
  -if/--input FILE|DIR|- (without it: a piped standard input, else the system's logs;
  --input-logs: the system's logs even then),
  -ts/-te [DATE] [TIME], --eoe-timeout SECS, --exact-grouping (group records into
  events exactly as aureport does; see auditkit search --help), --passwd FILE and
  --group FILE (name ids from another host's /etc/passwd and /etc/group).
  --output FILE: append the report to FILE instead of standard output, whole lines only
  (as auditkit search --output).

Examples:
  auditkit report -if /var/log/audit/audit.log --summary
  auditkit report -x --summary --failed -ts today`,
    )
    .action(async (options: string[]) => {
      const code = await withHelpHint("auditkit report", () => runReport(options));
      if (code !== 0) throw new ExitStatus(code);
    });
}
