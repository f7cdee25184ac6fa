/**
 * `auditkit search`: ausearch's options and output, much faster.
 *
 * @module
 */

import {
  AUSEARCH_LINE_LIMIT,
  type Checkpoint,
  CheckpointError,
  type CheckpointEvent,
  CheckpointFilter,
  csvHeader,
  type CsvOptions,
  errnoMessage,
  type EscapeMode,
  eventBatches,
  formatCheckpoint,
  formatCsv,
  formatEvent,
  formatText,
  HOST_MACHINE,
  JsonLinesEncoder,
  loadsOwnNames,
  loadTables,
  machineNumber,
  matchEvent,
  namesLeftAfter,
  parseCheckpoint,
  recordTypeNumber,
  regroupAsLibauparse,
  type SearchCriteria,
  type SearchFormat,
  syscallNumber,
} from "../mod.ts";
import { Command, type CommandUnknownOpts } from "./deps.ts";
import { err, ExitStatus, out as stdout, UsageError, withHelpHint } from "./_common.ts";
import {
  type ArgSpec,
  clearingFirst,
  directoryNotes,
  exitArg,
  flag,
  helpAsked,
  idArg,
  inOrder,
  inputsOf,
  intArg,
  last,
  noRecordsNote,
  ORDER,
  OutputBuffer,
  type ParsedArgs,
  Progress,
  type RunOptions,
  scanArgs,
  type Sink,
  spec,
  stampError,
  timeArg,
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
];

/** ausearch's output formats: auditkit's plus the normalised csv and text. */
export type OutputFormat = SearchFormat | "csv" | "text";

/** Turns ausearch arguments into criteria and output settings. */
export function searchSettings(p: ParsedArgs): {
  criteria: SearchCriteria;
  format: OutputFormat;
  csv: CsvOptions;
  escape: EscapeMode;
  justOne: boolean;
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
    c[field] = idArg(v, what, "/etc/passwd");
    if (!/^-?\d/.test(v)) c[`${field}Name`] = v;
  }
  if ((v = one("gid")) !== undefined) c.gid = idArg(v, "gid", "/etc/group");
  if ((v = one("gidEffective")) !== undefined) c.egid = idArg(v, "egid", "/etc/group");
  if ((v = one("gidAll")) !== undefined) c.anyGid = idArg(v, "gid", "/etc/group");
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
      if (!["raw", "default", "interpret", "csv", "text", "json"].includes(v)) {
        throw new UsageError(
          `Invalid format "${v}": use raw, default, interpret, csv, text or json`,
        );
      }
      format = v as OutputFormat;
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
    checkpointTime,
    eoeTimeout: v === undefined ? undefined : intArg(v, "eoe timeout", 0),
  };
}

function eventText(
  ev: Parameters<typeof formatCsv>[0],
  s: ReturnType<typeof searchSettings>,
  csv: { header: boolean },
): string {
  // ausearch feeds each event's records to libauparse for these two, which may split it
  if (s.format === "csv") {
    let out = "";
    for (const part of regroupAsLibauparse(ev)) {
      // the header comes with the first event libauparse hands out
      if (!csv.header) {
        out += csvHeader(s.csv);
        csv.header = true;
      }
      out += formatCsv(part, s.csv, s.escape);
    }
    return out;
  }
  if (s.format === "text") {
    return regroupAsLibauparse(ev).map((e) => formatText(e, s.escape)).join("");
  }
  return formatEvent(ev, s.format, s.escape);
}

/** The message of a file error as C's strerror gives it. */
function why(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return errnoMessage(2);
  if (e instanceof Deno.errors.PermissionDenied) return errnoMessage(13);
  if (e instanceof Deno.errors.IsADirectory) return errnoMessage(21);
  return (e as Error).message;
}

/** Where a `--checkpoint` search reads and what it remembers (ausearch 3.0.9). */
interface CheckpointRun {
  file: string;
  /** The files to read, oldest first. */
  inputs: string[];
  filter: CheckpointFilter;
  /** The last event read (shown or not), saved at the end. */
  last: CheckpointEvent;
}

/**
 * Prepares a `--checkpoint` search: loads the checkpoint and picks the
 * files to read. Returns an exit status when the search cannot go on, and
 * undefined when there is nothing to checkpoint (standard input).
 */
async function checkpointRun(
  file: string,
  p: ParsedArgs,
  timeOnly: boolean,
  errors: Sink,
): Promise<CheckpointRun | number | undefined> {
  const given = (p.get("input") ?? []).filter((x): x is string => typeof x === "string");
  if (given.length > 1) throw new UsageError("--checkpoint takes at most one -if input");
  let inputs = inputsOf(p);
  if (inputs.length === 1 && inputs[0] === "-") {
    await errors("Warning - checkpointing stdin is not supported");
    return undefined;
  }
  let cp: Checkpoint | undefined;
  try {
    cp = parseCheckpoint(await Deno.readTextFile(file), file);
  } catch (e) {
    if (e instanceof CheckpointError) {
      await errors(`${e.message}\n`);
      return 10;
    }
    if (!(e instanceof Deno.errors.NotFound)) {
      await errors(`Cannot open checkpoint file - ${file}: ${why(e)}\n`);
      return 10;
    }
  }
  let isFile = false;
  try {
    isFile = given.length === 1 && !(await Deno.stat(given[0])).isDirectory;
  } catch { /* reported when opened */ }
  if (cp && !isFile && !timeOnly) {
    // a rotated set: the search resumes in the file the checkpoint was taken in,
    // found by its device and inode (it may have been renamed by rotation)
    let at = -1;
    for (let i = 0; i < inputs.length && at < 0; i++) {
      const st = await Deno.stat(inputs[i]).catch(() => undefined);
      if (st && st.dev === cp.dev && st.ino === cp.inode) at = i;
    }
    if (at < 0) return 10;
    inputs = inputs.slice(at);
  }
  return {
    file,
    inputs,
    filter: new CheckpointFilter(cp?.event, timeOnly),
    last: { sec: 0, msec: 0, serial: 0, type: 0 },
  };
}

/** Writes the checkpoint at the end of a search; returns 0, or 11 when it cannot. */
async function saveCheckpoint(run: CheckpointRun, lastFile: string, errors: Sink): Promise<number> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.stat(lastFile);
  } catch (e) {
    await errors(`Cannot stat audit file for checkpoint details - ${lastFile}: ${why(e)}\n`);
    return 11;
  }
  try {
    await Deno.writeTextFile(
      run.file,
      formatCheckpoint({ dev: st.dev ?? 0, inode: st.ino ?? 0, event: run.last }),
    );
  } catch (e) {
    await errors(`Cannot open checkpoint file - ${run.file}: ${why(e)}\n`);
    return 11;
  }
  return 0;
}

const ms3 = (n: number) => String(n).padStart(3, "0");

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
  const checkpointFile = last(p, "checkpoint");
  let cp: CheckpointRun | undefined;
  if (checkpointFile !== undefined) {
    const r = await checkpointRun(checkpointFile, p, s.checkpointTime, errors);
    if (typeof r === "number") return r;
    cp = r;
  }
  const notes = directoryNotes(p);
  if (notes) await errors(notes);
  await loadTables();
  const lineBuffered = flag(p, "lineBuffered");
  // the progress line on a terminal: cleared before other output and at the end
  using progress = Progress.onTerminal();
  errors = clearingFirst(errors, progress);
  const onProgress = progress?.update;
  const out = new OutputBuffer(lineBuffered, sink, progress);
  const json = s.format === "json" ? new JsonLinesEncoder() : undefined;
  // ausearch reads SYSCALL arch= values for its interpreting formats
  const interpreted = s.format === "interpret" || s.format === "csv" || s.format === "text";
  // --debug: ausearch's messages about skipped records, written to stderr after each batch
  const debugLines: string[] = [];
  // ausearch's "error normalizing" messages of csv rows go to stderr with the others
  s.csv.warn = (m) => void debugLines.push(m);
  const debug = flag(p, "debug") ? (m: string) => void debugLines.push(m) : undefined;
  const warn = (m: string) => void debugLines.push(m);
  const { start, end } = s.criteria;
  let found = 0;
  // libauparse writes csv and text, and keeps the ENRICHED names of the last record it went to:
  // ausearch looks the next events' user names up there (see namesLeftAfter)
  let carriedNames: ReadonlyMap<string, string> | undefined;
  // whether the csv header was written (with the first event libauparse hands out)
  const csv = { header: false };
  let corrupt = false;
  let badLines = 0;
  let events = 0;
  let lastFile = "";
  outer: for await (
    const batch of eventBatches(cp?.inputs ?? inputsOf(p), {
      eoeTimeout: s.eoeTimeout,
      // a checkpoint records events as ausearch groups them; the open ones wait for the next run
      rules: cp || flag(p, "exactGrouping") ? "ausearch" : "libauparse",
      flushAtEnd: !cp,
      // records outside -ts/-te are left out before grouping, as ausearch does
      onRecord: (start ?? end) === undefined
        ? undefined
        : (r) => !((start !== undefined && r.sec < start) || (end !== undefined && r.sec > end)),
      onProgress,
      // ausearch's formats read lines as ausearch does (a long line is cut); JSON reads them whole
      lineLimit: json ? undefined : AUSEARCH_LINE_LIMIT,
      onBadLine: (b) => {
        badLines++;
        // ausearch's message for a line whose time stamp it cannot read
        if (b.timeStamp !== undefined) debugLines.push(stampError(b.timeStamp));
      },
      onFile: (f) => lastFile = f,
      // each event is matched and written before the next batch is read: nothing below keeps
      // a record's bytes (the checkpoint keeps numbers, the JSON encoder its own copies)
      reuseBuffers: true,
    })
  ) {
    events += batch.length;
    for (const ev of batch) {
      // JSON has no ausearch output to match: it carries the events ausearch passes over too
      const matched = matchEvent(ev, s.criteria, {
        interpreted,
        debug,
        warn,
        carriedNames,
        lenient: json !== undefined,
      });
      if (debugLines.length) await errors(debugLines.splice(0).join(""));
      if (matched) {
        const decision = cp ? cp.filter.decide(ev) : "output";
        if (decision === "corrupt") {
          const c = cp!.filter.from!;
          await errors(
            `Corrupted checkpoint file. Inode match, but newer complete event ` +
              `(${ev.sec}.${ms3(ev.msec)}:${ev.serial}) found before loaded checkpoint ` +
              `${c.sec}.${ms3(c.msec)}:${c.serial}\n`,
          );
          corrupt = true;
          break outer;
        }
        if (decision === "output") {
          found++;
          if (json) {
            // JSON is encoded straight to bytes: no string per event
            json.encode(ev);
            // the view is written before the encoder returns to its buffer (addBytes waits)
            if (lineBuffered || json.length > 1 << 20) await out.addBytes(json.takeView());
          } else await out.add(eventText(ev, s, csv));
          if ((s.format === "csv" || s.format === "text") && !loadsOwnNames(ev)) {
            carriedNames = namesLeftAfter(ev, s.format, s.csv);
          }
        }
        if (s.justOne) break outer;
      }
      // an event that loads its own names drops them, and with them what libauparse held
      if (loadsOwnNames(ev)) carriedNames = undefined;
      // a checkpoint remembers every event read, shown or not
      if (cp) {
        cp.last = { node: ev.node, sec: ev.sec, msec: ev.msec, serial: ev.serial, type: ev.type };
      }
    }
  }
  if (debugLines.length) await errors(debugLines.splice(0).join(""));
  if (json?.length) await out.addBytes(json.takeView());
  await out.flush();
  if (cp) {
    if (corrupt) return 12;
    const status = await saveCheckpoint(cp, lastFile, errors);
    if (status) return status;
  }
  if (found === 0) {
    if (events === 0 && badLines > 0 && options.notes !== false) {
      await errors(noRecordsNote(badLines));
    }
    // like ausearch: no message in raw format
    if (s.format !== "raw") await errors("<no matches>\n");
    return 1;
  }
  return 0;
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
  --format raw|default|interpret|csv|text|json, --extra-keys, --extra-labels,
  --extra-obj2, --extra-time (csv columns), -ga/-ge/-gi GID, -hn/--host, -i/--interpret,
  -if/--input FILE|DIR|- (repeatable), --just-one, -k/--key, -l/--line-buffered,
  -m/--message TYPE[,TYPE], -n/--node, -p/--pid, -pp/--ppid, -r/--raw,
  -sc/--syscall, -se/--context CTX (subject or object), -su/--subject CTX,
  -o/--object CTX, --session, -sv/--success yes|no, -ts/-te [DATE] [TIME]
  (MM/DD/YY, HH:MM:SS, now recent today yesterday this-week week-ago
  this-month this-year checkpoint), -tm/--terminal, -ua/-ue/-ui/-ul UID, -uu/--uuid UUID,
  -vm/--vm-name NAME, -w/--word, -x/--executable, --escape raw|tty|shell|shell_quote,
  --eoe-timeout SECS, --debug (records ausearch would skip, on stderr), -v/--version.
  --exact-grouping: group records into events exactly as ausearch does (its own
  rules, which differ from libauparse's when records of an event arrive after its
  PROCTITLE or EOE); slower and needs memory for eoe-timeout seconds of log.

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
  auditkit search -m USER_LOGIN -sv no -ts today --format json | jq .id`,
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
