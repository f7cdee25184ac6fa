/**
 * `auditkit search`: ausearch's options and output, much faster.
 *
 * @module
 */

import {
  type CsvOptions,
  type EscapeMode,
  HOST_MACHINE,
  isOutputFormat,
  machineNumber,
  type OutputFormat,
  recordTypeNumber,
  searchChunks,
  type SearchCriteria,
  syscallNumber,
} from "../mod.ts";
import { Command, type CommandUnknownOpts } from "./deps.ts";
import { err, ExitStatus, out as stdout, UsageError, withHelpHint } from "./_common.ts";
import {
  ACCOUNT_SPECS,
  type ArgSpec,
  clearingFirst,
  exitArg,
  flag,
  helpAsked,
  idArg,
  inOrder,
  inputsOf,
  intArg,
  last,
  noRecordsNote,
  notesText,
  openOutput,
  ORDER,
  OutputBuffer,
  type ParsedArgs,
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

/** ausearch's options (3.0.9 names). */
export const SEARCH_ARGS: ArgSpec[] = [
  spec("-a --event", "one", "event"),
  spec("--arch", "one", "arch"),
  spec("-c --comm", "one", "comm"),
  spec("-e --exit", "one", "exit", true),
  spec("-f --file", "one", "file"),
  spec("--format", "one", "format"),
  spec("-ga --gid-all", "one", "gidAll"),
  spec("-ge --gid-effective", "one", "gidEffective"),
  spec("-gi --gid", "one", "gid"),
  spec("-hn --host", "one", "host"),
  spec("-i --interpret", "none", "interpret"),
  spec("-if --input", "one", "input"),
  spec("--input-logs", "none", "inputLogs"),
  spec("--just-one", "none", "justOne"),
  spec("-k --key", "one", "key"),
  spec("-l --line-buffered", "none", "lineBuffered"),
  spec("-m --message", "one", "message"),
  spec("-n --node", "one", "node"),
  spec("-p --pid", "one", "pid"),
  spec("-pp --ppid", "one", "ppid"),
  spec("-r --raw", "none", "raw"),
  spec("-sc --syscall", "one", "syscall"),
  spec("-se --context", "one", "context"),
  spec("-su --subject", "one", "subject"),
  spec("-o --object", "one", "object"),
  spec("-uu --uuid", "one", "uuid"),
  spec("-vm --vm-name", "one", "vmName"),
  spec("--session", "one", "session", true),
  spec("-sv --success", "one", "success"),
  spec("-te --end", "time", "end"),
  spec("-ts --start", "time", "start"),
  spec("-tm --terminal", "one", "terminal"),
  spec("-ua --uid-all", "one", "uidAll"),
  spec("-ue --uid-effective", "one", "uidEffective"),
  spec("-ui --uid", "one", "uid"),
  spec("-ul --loginuid", "one", "loginuid", true),
  spec("-w --word", "none", "word"),
  spec("-x --executable", "one", "exe"),
  spec("--escape", "one", "escape"),
  spec("--eoe-timeout", "one", "eoeTimeout"),
  spec("--exact-grouping", "none", "exactGrouping"),
  spec("--debug", "none", "debug"),
  spec("--checkpoint", "one", "checkpoint"),
  spec("--extra-keys", "none", "extraKeys"),
  spec("--extra-labels", "none", "extraLabels"),
  spec("--extra-obj2", "none", "extraObj2"),
  spec("--extra-time", "none", "extraTime"),
  spec("--output", "one", "output"),
  ...ACCOUNT_SPECS,
];

/** Turns ausearch arguments into criteria and output settings. */
export function searchSettings(p: ParsedArgs): {
  criteria: SearchCriteria;
  format: OutputFormat;
  csv: CsvOptions;
  escape: EscapeMode;
  justOne: boolean;
  lineBuffered: boolean;
  checkpointTime: boolean;
  eoeTimeout: number | undefined;
} {
  const c: SearchCriteria = {};
  const one = (k: string) => last(p, k);
  let v: string | undefined;
  if ((v = one("event")) !== undefined) c.eventId = intArg(v, "event id", 0);
  if ((v = one("comm")) !== undefined) c.comm = v;
  if ((v = one("exit")) !== undefined) c.exit = exitArg(v);
  if ((v = one("file")) !== undefined) c.file = v;
  if ((v = one("host")) !== undefined) c.host = v;
  if ((v = one("key")) !== undefined) c.key = v;
  if ((v = one("terminal")) !== undefined) c.terminal = v;
  if ((v = one("exe")) !== undefined) c.exe = v;
  if ((v = one("pid")) !== undefined) c.pid = intArg(v, "pid", 0);
  if ((v = one("ppid")) !== undefined) c.ppid = intArg(v, "ppid", 0);
  if ((v = one("session")) !== undefined) c.session = intArg(v, "session") | 0;
  // a name is also compared as a name, as ausearch does
  const users: [string, string, "uid" | "euid" | "anyUid" | "auid"][] = [
    ["uid", "uid", "uid"],
    ["uidEffective", "euid", "euid"],
    ["uidAll", "uid", "anyUid"],
    ["loginuid", "login uid", "auid"],
  ];
  for (const [key, what, field] of users) {
    if ((v = one(key)) === undefined) continue;
    c[field] = idArg(v, what, "user");
    if (!/^-?\d/.test(v)) c[`${field}Name`] = v;
  }
  if ((v = one("gid")) !== undefined) c.gid = idArg(v, "gid", "group");
  if ((v = one("gidEffective")) !== undefined) c.egid = idArg(v, "egid", "group");
  if ((v = one("gidAll")) !== undefined) c.anyGid = idArg(v, "gid", "group");
  if ((v = one("success")) !== undefined) {
    if (v !== "yes" && v !== "no") throw new UsageError(`Invalid success "${v}": use yes or no`);
    c.success = v === "yes";
  }
  let machine: number | undefined;
  if ((v = one("arch")) !== undefined) {
    machine = v === "b64" ? 1 : v === "b32" ? 0 : machineNumber(v);
    if (machine === undefined) {
      throw new UsageError(`Invalid arch "${v}": use b32, b64 or a machine name`);
    }
  }
  if ((v = one("syscall")) !== undefined) {
    if (/^\d+$/.test(v)) c.syscall = Number(v);
    else {
      // as ausearch: a name is looked up for the machine given (this host's by default),
      // and then only events of that machine match
      machine ??= HOST_MACHINE;
      const n = syscallNumber(v, machine);
      if (n < 0) throw new UsageError(`Invalid syscall "${v}": unknown name`);
      c.syscall = n;
    }
  }
  if (machine !== undefined) c.machine = machine;
  const messages = (p.get("message") ?? []).filter((x): x is string => typeof x === "string");
  if (messages.length && !messages.some((m) => m.split(",").includes("ALL"))) {
    c.types = messages.flatMap((m) =>
      m.split(",").map((t) => {
        const n = recordTypeNumber(t);
        if (n === undefined) throw new UsageError(`Invalid message type "${t}"`);
        return n;
      })
    );
  }
  c.nodes = valuesOf(p, "node");
  // -ts checkpoint: the start is the time of the checkpoint's event (see --checkpoint)
  const startWord = p.get("start")?.at(-1);
  const checkpointTime = Array.isArray(startWord) && startWord[0] === "checkpoint" &&
    startWord[1] === undefined;
  if (!checkpointTime) c.start = timeArg(p, "start", "start");
  c.end = timeArg(p, "end", "end");
  if (flag(p, "word")) c.exact = true;
  // -se sets both contexts and makes them alternatives; -su and -o set one each; the last wins
  for (const [k, value] of inOrder(p, ["context", "subject", "object"])) {
    if (k !== "object") c.subject = value;
    if (k !== "subject") c.object = value;
    if (k === "context") c.eitherContext = true;
  }
  if ((v = one("uuid")) !== undefined) c.uuid = v;
  if ((v = one("vmName")) !== undefined) c.vmName = v;
  // as ausearch: one output format; -i and --raw only change the default, --format
  // only comes first (in command-line order)
  let format: OutputFormat = "default";
  let formats = 0;
  for (const k of p.get(ORDER) ?? []) {
    if (k === "raw" || k === "interpret") {
      if (format !== "default") {
        throw new UsageError(`Conflicting output format ${k === "raw" ? "--raw" : "-i"}`);
      }
      format = k;
    } else if (k === "format") {
      if (format !== "default") throw new UsageError("Multiple output formats, use only 1");
      v = p.get("format")![formats++] as string;
      if (!isOutputFormat(v)) {
        throw new UsageError(
          `Invalid format "${v}": use raw, default, interpret, csv, text, json or ecs`,
        );
      }
      format = v;
    }
  }
  const escape = (one("escape") ?? "tty") as EscapeMode;
  if (!["raw", "tty", "shell", "shell_quote"].includes(escape)) {
    throw new UsageError(`Invalid escape "${escape}": use raw, tty, shell or shell_quote`);
  }
  v = one("eoeTimeout");
  return {
    criteria: c,
    format,
    csv: {
      keys: flag(p, "extraKeys"),
      labels: flag(p, "extraLabels"),
      obj2: flag(p, "extraObj2"),
      time: flag(p, "extraTime"),
    },
    escape,
    justOne: flag(p, "justOne"),
    lineBuffered: flag(p, "lineBuffered"),
    checkpointTime,
    eoeTimeout: v === undefined ? undefined : intArg(v, "eoe timeout", 0),
  };
}

/**
 * Runs a search; returns the exit status (0 found, 1 nothing found; with
 * `--checkpoint` also 10 bad checkpoint, 11 checkpoint not written, 12
 * checkpoint from another log). Output goes to `sink` (standard output by
 * default), messages to `errors`.
 */
export async function runSearch(
  args: string[],
  sink?: Sink,
  errors: Sink = err,
  options: RunOptions = {},
): Promise<number> {
  const version = versionAsked(args, SEARCH_ARGS, "ausearch");
  if (version !== undefined) {
    await (sink ?? stdout)(version);
    return 0;
  }
  const p = scanArgs(args, SEARCH_ARGS);
  const s = searchSettings(p);
  useAccountArgs(p);
  const checkpointFile = last(p, "checkpoint");
  const given = (p.get("input") ?? []).filter((x): x is string => typeof x === "string");
  let rotated = true;
  if (checkpointFile !== undefined) {
    if (given.length > 1) throw new UsageError("--checkpoint takes at most one -if input");
    try {
      // one -if file is read as it is; a directory or the default logs are a rotated set
      rotated = given.length === 0 || (await Deno.stat(given[0])).isDirectory;
    } catch { /* reported when opened */ }
  }
  const outputPath = last(p, "output");
  // opened before anything is read: a path that cannot be written fails at once
  using file = outputPath === undefined
    ? undefined
    : await openOutput(outputPath, "search", errors);
  const inputs = inputsOf(p);
  const notes = notesText(inputs.notes);
  if (notes) await errors(notes);
  // the progress line on a terminal: cleared before other output and at the end
  using progress = Progress.onTerminal();
  errors = clearingFirst(errors, progress);
  const out = new OutputBuffer(s.lineBuffered, file ?? sink, progress);
  const run = searchChunks(inputs.files, {
    criteria: s.criteria,
    format: s.format,
    escape: s.escape,
    csv: s.csv,
    justOne: s.justOne,
    eoeTimeout: s.eoeTimeout,
    exactGrouping: flag(p, "exactGrouping"),
    lineBuffered: s.lineBuffered,
    debug: flag(p, "debug"),
    checkpoint: checkpointFile === undefined
      ? undefined
      : { file: checkpointFile, timeOnly: s.checkpointTime },
    onProgress: progress?.update,
  }, rotated);
  let r = await run.next();
  for (; !r.done; r = await run.next()) {
    const c = r.value;
    if ("out" in c) await out.add(c.out);
    // written before the session reuses the bytes' memory (addBytes waits for the write before)
    else if ("bytes" in c) await out.addBytes(c.bytes);
    else await errors(c.message);
  }
  await out.flush();
  const result = r.value;
  if (result.status === 1 && result.found === 0) {
    if (result.events === 0 && result.badLines > 0 && options.notes !== false) {
      await errors(noRecordsNote(result.badLines));
    }
    // like ausearch: no message in raw format
    if (s.format !== "raw") await errors("<no matches>\n");
  }
  return result.status;
}

/** `auditkit search`. */
export function searchCommand(): CommandUnknownOpts {
  return new Command("search")
    .description("Find events in audit logs, with ausearch's options and output")
    .argument("[options...]", "ausearch options (-if FILE, -k KEY, -m TYPE, -ts, -i, ...)")
    .allowUnknownOption()
    .helpOption("--help", "show this help")
    .addHelpText(
      "after",
      `
Options (as ausearch): -a/--event ID, --arch, -c/--comm, -e/--exit, -f/--file,
  --format raw|default|interpret|csv|text|json|ecs, --extra-keys, --extra-labels,
  --extra-obj2, --extra-time (csv columns), -ga/-ge/-gi GID, -hn/--host, -i/--interpret,
  -if/--input FILE|DIR|- (repeatable), --just-one, -k/--key, -l/--line-buffered,
  -m/--message TYPE[,TYPE], -n/--node, -p/--pid, -pp/--ppid, -r/--raw,
  -sc/--syscall, -se/--context CTX (subject or object), -su/--subject CTX,
  -o/--object CTX, --session, -sv/--success yes|no, -ts/-te [DATE] [TIME]
  (MM/DD/YY, HH:MM:SS, now recent today yesterday this-week week-ago
  this-month this-year checkpoint), -tm/--terminal, -ua/-ue/-ui/-ul UID, -uu/--uuid UUID,
  -vm/--vm-name NAME, -w/--word, -x/--executable, --escape raw|tty|shell|shell_quote,
  --eoe-timeout SECS, --debug (records ausearch would skip, on stderr), -v/--version.
  --output FILE: append the output to FILE instead of standard output, whole lines
  only (a shipper tailing FILE never reads half a line; a cut last line left by a
  crash is ended with a newline first).
  --exact-grouping: group records into events exactly as ausearch does (its own
  rules, which differ from libauparse's when records of an event arrive after its
  PROCTITLE or EOE). Either way the events come out in ausearch's order, held for
  eoe-timeout seconds of log as ausearch holds them; without it, json and ecs come
  out in libauparse's order, at once.
  --format ecs: one Elastic Common Schema document per line, as Auditbeat's auditd
  module writes them. --passwd FILE, --group FILE: name ids from another host's
  /etc/passwd and /etc/group (for -i, csv, text, json and ecs).

Input: -if FILE|DIR|-; without -if, standard input when it is a pipe (cat log | auditkit
  search ...), else /var/log/audit/audit.log and its rotated files; --input-logs reads
  those even from a pipe. -h is this help.

--checkpoint FILE: search from after the last complete event of the previous run with the
  same FILE, and remember where this one ended (ausearch's format; with a directory or the
  default logs the checkpointed file is found again after rotation). Events still open at
  the end wait for the next run. -ts checkpoint starts at the checkpoint's time instead.

Exit status: 0 events found, 1 none found or failure, 2 usage error, 141 output pipe
  closed (| head); with --checkpoint
  10 unusable checkpoint or its file not found, 11 checkpoint not written, 12 checkpoint
  from another log.

Examples:
  auditkit search -if /var/log/audit/audit.log -k passwd -i
  auditkit search -m USER_LOGIN -sv no -ts today --format json | jq .id
  auditkit search -if web1.log --format ecs --passwd web1/passwd --group web1/group`,
    )
    .action(async (options: string[], _: unknown, cmd: CommandUnknownOpts) => {
      const code = await withHelpHint("auditkit search", async () => {
        // -h is help, as in ausearch (the options before it are checked)
        if (!helpAsked(options, SEARCH_ARGS)) return await runSearch(options);
        cmd.outputHelp();
        return 0;
      });
      if (code !== 0) throw new ExitStatus(code);
    });
}
