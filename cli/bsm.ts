/**
 * `auditkit bsm`: BSM audit trails. `print` is OpenBSM's praudit (its
 * options, output, messages and exit statuses), `reduce` its auditreduce,
 * `json` the records as JSON lines, `write` one record with
 * au_open/au_write/au_close.
 *
 * @module
 */

import {
  AU_TO_NO_WRITE,
  AU_TO_WRITE,
  auClose,
  type AuditEventTable,
  auOpen,
  auWrite,
  BsmError,
  BsmKernelSink,
  type BsmRecord,
  type BsmSink,
  type BsmToken,
  BsmTrailWriter,
  errnoMessage,
  errnoNumber,
  eventLookup,
  gidOfName,
  loadClassTable,
  loadEventTable,
  parseFilePatterns,
  parseReduceDate,
  parseTokenSpec,
  praudit,
  PrauditFormatter,
  type PrauditOptions,
  readBsmRecords,
  readPrauditRecords,
  RecordSelector,
  recordToJson,
  type SelectCriteria,
  TOKEN_SPEC_TYPES,
  uidOfName,
} from "../mod.ts";
import { Command, type CommandUnknownOpts, InvalidArgumentError } from "./deps.ts";
import { err, ExitStatus, UsageError } from "./_common.ts";

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
    for await (const chunk of praudit(ReadableStream.from(quietly(source)), fmt, { partial })) {
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

const REDUCE_USAGE =
  "usage: auditkit bsm reduce [-Av] [-a|-b date] [-d date] [-c classes] [-m event] [-e|-f|-g|-r|-u id]\n" +
  "         [-j pid] [-o file=re|pid=n|msgqid=n|semid=n|shmid=n] [-z zone] [--events file]\n" +
  "         [--classes file] [--format bsm|json] [file ...]\n";

/** An id option's value: a number, or a name the database knows. */
function idValue(value: string, lookup: (name: string) => number | undefined): number | undefined {
  if (/^[+-]?\d+$/.test(value)) return Number(value) >>> 0;
  return lookup(value);
}

/**
 * Runs `bsm reduce` on `args` (auditreduce's options): writes the selected
 * records to stdout as BSM. Returns 0, 1 when a file cannot be read, 2 on
 * a usage error.
 */
export async function runReduce(args: string[]): Promise<number> {
  const prog = "auditkit bsm reduce";
  const usage = async (message: string) => {
    await err(`${prog}: ${message}\n${REDUCE_USAGE}`);
    return 2;
  };
  let parsed: GetoptResult;
  try {
    parsed = getopt(args, "Aa:b:c:d:e:f:g:j:m:o:r:u:vz:", ["events", "classes", "format"]);
  } catch (e) {
    if (!(e instanceof GetoptError)) throw e;
    return await usage(e.message);
  }
  const files: { eventFile?: string; classFile?: string } = {};
  let format = "bsm";
  for (const [opt, value] of parsed.options) {
    if (opt === "--events") files.eventFile = value;
    if (opt === "--classes") files.classFile = value;
    if (opt === "--format") format = value ?? "";
  }
  if (format !== "bsm" && format !== "json") {
    return await usage(`invalid format "${format}": bsm or json`);
  }
  let events: AuditEventTable;
  let classes;
  try {
    classes = await loadClassTable(files);
    events = await loadEventTable(files);
  } catch (e) {
    await err(`${prog}: ${perror(files.eventFile ?? files.classFile ?? "", e)}`);
    return 1;
  }
  const c: SelectCriteria = {};
  const eventList: number[] = [];
  for (const [opt, v] of parsed.options) {
    const value = v ?? "";
    switch (opt) {
      case "A":
        c.all = true;
        break;
      case "v":
        c.invert = true;
        break;
      case "a":
      case "b": {
        if (c[opt === "a" ? "after" : "before"] !== undefined) {
          return await usage("d is exclusive with a and b");
        }
        const t = parseReduceDate(value);
        if (t === undefined) return await usage(`invalid date "${value}": YYYYMMDD[HH[MM[SS]]]`);
        c[opt === "a" ? "after" : "before"] = t;
        break;
      }
      case "d": {
        if (c.after !== undefined || c.before !== undefined) {
          return await usage("'d' is exclusive with 'a' and 'b'");
        }
        const day = /^\d{8}$/.test(value) ? parseReduceDate(value) : undefined;
        if (day === undefined) return await usage(`invalid date "${value}": YYYYMMDD`);
        c.after = day;
        c.before = parseReduceDate(`${value}235959`);
        break;
      }
      case "c": {
        const mask = classes.parseFlags(value);
        if (!mask) return await usage(`Incorrect class "${value}"`);
        c.classes = mask;
        break;
      }
      case "m": {
        const n = /^\d+$/.test(value) ? Number(value) : events.byName(value)?.number;
        if (n === undefined || n > 0xffff) return await usage(`Incorrect event name "${value}"`);
        eventList.push(n);
        c.events = eventList;
        break;
      }
      case "e":
      case "r":
      case "u":
      case "f":
      case "g":
      case "j": {
        const user = opt === "e" || opt === "r" || opt === "u";
        const id = opt === "j"
          ? (/^\d+$/.test(value) ? Number(value) : undefined)
          : idValue(value, user ? uidOfName : gidOfName);
        if (id === undefined) {
          return await usage(
            `unknown ${opt === "j" ? "process id" : user ? "user" : "group"} "${value}"`,
          );
        }
        const key =
          ({ e: "euid", r: "ruid", u: "auid", f: "egid", g: "rgid", j: "subjectPid" } as const)[
            opt
          ];
        c[key] = id;
        break;
      }
      case "o": {
        const eq = value.indexOf("=");
        const kind = value.slice(0, eq);
        const obj = value.slice(eq + 1);
        if (eq < 0) return await usage(`-o needs type=value, not "${value}"`);
        if (kind === "file") {
          try {
            c.files = parseFilePatterns(obj);
          } catch (e) {
            return await usage((e as Error).message);
          }
        } else if (kind === "pid" || kind === "msgqid" || kind === "semid" || kind === "shmid") {
          if (!/^\d+$/.test(obj)) return await usage(`invalid ${kind} "${obj}"`);
          c[kind] = Number(obj) >>> 0;
        } else return await usage("unknown value for -o");
        break;
      }
      case "z":
        c.zone = value;
        break;
    }
  }
  const selector = new RecordSelector(c, events);
  const json = format === "json" ? new JsonLines(events) : undefined;
  const reduce = async (source: AsyncIterable<Uint8Array>): Promise<boolean> => {
    for await (const record of readPrauditRecords(ReadableStream.from(quietly(source)))) {
      if (!selector.matches(record.tokens, record.complete)) continue;
      if (!await (json ? json.add(record) : write(record.bytes))) return false;
    }
    return json ? await json.flush() : true;
  };
  if (parsed.operands.length === 0) {
    await reduce(Deno.stdin.readable);
    return 0;
  }
  for (const name of parsed.operands) {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(name);
    } catch {
      await err(`${prog}: Couldn't open ${name}\n`);
      return 1;
    }
    if (!await reduce(file.readable)) return 0;
  }
  return 0;
}

const REDUCE_HELP = `
auditreduce's selection (OpenBSM); the selected records are written as BSM:
  -a DATE    records at or after DATE (YYYYMMDD[HH[MM[SS]]], local time)
  -b DATE    records at or before DATE
  -d DAY     records of that day (YYYYMMDD)
  -A         ignore -a, -b and -d
  -c CLASSES event classes from audit_class (fr,fw,-ex: failures only, +lo: successes)
  -m EVENT   event number or name (AUE_EXECVE); repeat for several
  -u ID      audit user, -e effective user, -r real user (number or name)
  -f ID      effective group, -g real group (number or name)
  -j PID     subject process id
  -o file=RE[,~RE...]  path patterns (~ excludes); pid=N (process token),
             msgqid=N, semid=N, shmid=N (IPC objects)
  -z ZONE    zone name glob
  -v         select the records that do not match
  --events FILE, --classes FILE  audit_event and audit_class files
  --format bsm|json  write the records as BSM (default) or as JSON lines
                     (the schema of \`auditkit bsm json\`)
Every criterion needs a token that carries its field; all must match.

Examples:
  auditkit bsm reduce -m AUE_EXECVE -u alice trail.bsm | auditkit bsm print -l
  auditkit bsm reduce -c lo,aa -a 20240101 /var/audit/* > logins.bsm
  auditkit bsm reduce -o file=^/etc/ -v trail.bsm | auditkit bsm print
  auditkit bsm reduce --format json -m AUE_EXECVE trail.bsm | jq .tokens`;

/** `bsm reduce`. */
function reduceCommand(): CommandUnknownOpts {
  return new Command("reduce")
    .description("select BSM records as OpenBSM's auditreduce does")
    .argument("[args...]", "auditreduce's options and files")
    .allowUnknownOption()
    .helpOption(false)
    .passThroughOptions()
    .addHelpText("after", REDUCE_HELP)
    .action(async function (this: CommandUnknownOpts, args: string[]) {
      if (args.includes("--help")) {
        this.outputHelp();
        return;
      }
      throw new ExitStatus(await runReduce(args));
    });
}

/** Records as JSON lines on stdout, written in chunks of about 64 KiB. */
class JsonLines {
  readonly #lookupEvent;
  #parts: string[] = [];
  #size = 0;
  readonly #encoder = new TextEncoder();

  constructor(events: AuditEventTable) {
    this.#lookupEvent = eventLookup(events);
  }

  /** Adds one record; false once stdout's reader has gone. */
  add(record: BsmRecord): Promise<boolean> | boolean {
    const line = JSON.stringify(recordToJson(record, { lookupEvent: this.#lookupEvent }));
    this.#parts.push(line);
    this.#size += line.length + 1;
    return this.#size >= 65536 ? this.flush() : true;
  }

  /** Writes what is pending; false once stdout's reader has gone. */
  flush(): Promise<boolean> {
    if (this.#parts.length === 0) return Promise.resolve(true);
    this.#parts.push("");
    const bytes = this.#encoder.encode(this.#parts.join("\n"));
    this.#parts = [];
    this.#size = 0;
    return write(bytes);
  }
}

/**
 * Runs `bsm json`: every record of each file (stdin when none) as one JSON
 * line, read under the strict rules. Returns 0, or 1 when a file is
 * missing or holds a fault (reported with its byte offset, after every
 * record before it; with `resync` reading goes on after it).
 */
export async function runJson(
  files: string[],
  options: { events?: string; resync?: boolean },
): Promise<number> {
  const prog = "auditkit bsm json";
  const events = await eventsFrom(prog, options.events);
  const json = new JsonLines(events);
  let status = 0;
  const convert = async (name: string, source: ReadableStream<Uint8Array>): Promise<boolean> => {
    const faults: BsmError[] = [];
    let written = true;
    try {
      for await (
        const record of readBsmRecords(source, {
          resync: options.resync,
          onError: (e) => faults.push(e),
        })
      ) {
        if (!await json.add(record)) return false;
      }
    } catch (e) {
      if (!(e instanceof BsmError)) throw e;
      faults.push(e);
    } finally {
      written = await json.flush();
    }
    for (const e of faults) await err(`${prog}: ${name}: ${e.message}\n`);
    if (faults.length) status = 1;
    return written;
  };
  if (files.length === 0) {
    await convert("stdin", Deno.stdin.readable);
    return status;
  }
  for (const name of files) {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(name);
    } catch (e) {
      await err(`${prog}: ${perror(name, e)}`);
      status = 1;
      continue;
    }
    if (!await convert(name, file.readable)) return status;
  }
  return status;
}

const JSON_HELP = `
One JSON object per record and per line, in trail order (schema: README,
"BSM JSON"): offset, event number, event_name, event_description and
classes from the audit_event table, time (ISO 8601 UTC), and tokens, each
{"type": ..., fields}. Strings that are not UTF-8 are {"hex": "..."}.
Records are read under the strict rules: a fault is reported on stderr
with its byte offset after every record before it (exit status 1).

Examples:
  auditkit bsm json /var/audit/current | jq -c 'select(.event_name == "AUE_EXECVE")'
  auditkit bsm json --events /etc/security/audit_event trail.bsm > trail.jsonl
  cat trail.bsm | auditkit bsm json | head -n 3
  auditkit bsm json --resync damaged.bsm   # skip to the next whole record after a fault`;

/** `bsm json`. */
function jsonCommand(): CommandUnknownOpts {
  return new Command("json")
    .description("BSM records as JSON lines (stdin when no file)")
    .argument("[files...]", "BSM trail files")
    .option(
      "--events <file>",
      "audit_event file (default /etc/security/audit_event, else built in)",
    )
    .option("--resync", "after a fault, go on at the next whole record")
    .addHelpText("after", JSON_HELP)
    .action(async (files: string[], opts: { events?: string; resync?: boolean }) => {
      throw new ExitStatus(await runJson(files, opts));
    });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The event number of `--event`: a number (0-65535) or a name from the table. */
function eventNumber(value: string, events: AuditEventTable): number {
  const n = /^\d+$/.test(value) ? Number(value) : events.byName(value)?.number;
  if (n === undefined || n > 0xffff) {
    throw new UsageError(
      `Invalid event "${value}": a number from 0 to 65535 or a name in the audit_event table`,
    );
  }
  return n;
}

/**
 * Runs `bsm write`: one record of `--token`s with au_open/au_write/au_close,
 * appended to `--trail` (created when missing) or sent to the kernel. Bad
 * input is an error before anything is written.
 */
export async function runWrite(opts: {
  trail?: string;
  kernel?: boolean;
  event: string;
  token?: string[];
  events?: string;
  type?: string;
}): Promise<void> {
  if ((opts.trail === undefined) === !opts.kernel) {
    throw new UsageError("Give --trail FILE or --kernel (one of them)");
  }
  const events = await eventsFrom("auditkit bsm write", opts.events);
  const event = eventNumber(opts.event, events);
  let tokens: BsmToken[];
  try {
    tokens = (opts.token ?? []).map(parseTokenSpec);
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) throw new UsageError(e.message);
    throw e;
  }
  const d = auOpen();
  try {
    for (const t of tokens) auWrite(d, t);
  } catch (e) {
    await auClose(d, AU_TO_NO_WRITE, event);
    throw e;
  }
  // the trail is opened only once au_close has built the record: a record
  // refused there leaves no file behind
  const sink: BsmSink = opts.kernel ? new BsmKernelSink({ events, type: opts.type }) : {
    async writeRecord(record) {
      const path = opts.trail!;
      const exists = await Deno.lstat(path).then(() => true, () => false);
      await using trail = exists
        ? await BsmTrailWriter.append(path)
        : await BsmTrailWriter.create(path);
      await trail.writeRecord(record);
    },
  };
  await auClose(d, AU_TO_WRITE, event, { sink });
}

const WRITE_HELP = `
Tokens (--token TYPE=VALUE, repeatable, in record order; fields in the order
praudit prints them, separated by ':', the last field takes the rest):
  text=TEXT  path=PATH  zonename=NAME
  arg32=N:VALUE:NAME  arg64=N:VALUE:NAME     (VALUE decimal, 0x hex or negative)
  return32=ERRNO:VALUE  return64=ERRNO:VALUE (BSM errno, 0 = success; VALUE may be -1)
  exit=ERROR:RETVAL
  subject  process                           (this process's audit uid and session,
                                              effective/real ids, pid)
  subject=AUID:EUID:EGID:RUID:RGID:PID:SID:PORT:ADDR (also process=...)
  subject32 subject64 subject32_ex subject64_ex, process32 ... (a variant; _ex takes IPv6)
  exec_args=ARG ARG ...  exec_env=K=V ...    (split on spaces, or a JSON array)
  opaque=HEX  seq=N  iport=PORT  in_addr=A.B.C.D  in_addr_ex=IPV6
  json={"type":"ipc","ipcType":3,"id":77}   (any token, in the bsm json schema)
The record is header32 (version 11, now) + tokens + trailer, as OpenBSM's
au_close builds it. --trail appends to a BSM trail (created with its file
token when missing; a file that is not a trail is refused). --kernel sends it
to the Linux audit log as a TRUSTED_APP record (needs CAP_AUDIT_WRITE; the
praudit -l line, hex-encoded, as bsm=). Bad input writes nothing (exit 2).

Examples:
  auditkit bsm write --trail t.bsm --event AUE_EXECVE --token subject \\
    --token 'exec_args=/bin/ls -l /tmp' --token path=/bin/ls --token return32=0:0
  auditkit bsm write --trail t.bsm --event 72 --token path=/etc/shadow --token return32=13:-1
  auditkit bsm write --kernel --event AUE_login --token subject --token 'text=login ok'
  auditkit bsm write --trail t.bsm --event 0 --token 'exec_args=["a b","c"]' --token arg32=1:0x3:fd`;

/** `bsm write`. */
function writeCommand(): CommandUnknownOpts {
  return new Command("write")
    .description("write one BSM record (au_open/au_write/au_close) to a trail or the kernel")
    .option("--trail <file>", "append the record to this BSM trail (created when missing)")
    .option("--kernel", "send the record to the Linux audit log (needs CAP_AUDIT_WRITE)")
    .requiredOption("--event <event>", "event number or name (AUE_EXECVE) from audit_event")
    .option(
      "--token <TYPE=VALUE>",
      `a token, repeatable (${TOKEN_SPEC_TYPES.length} types, see below)`,
      collect,
    )
    .option(
      "--events <file>",
      "audit_event file (default /etc/security/audit_event, else built in)",
    )
    .option("--type <type>", "record type with --kernel (default TRUSTED_APP)", (v: string) => {
      if (v === "") throw new InvalidArgumentError("must not be empty");
      return v;
    })
    .addHelpText("after", WRITE_HELP)
    .action(async (opts) => {
      await runWrite(opts);
    });
}

/** Builds the `bsm` command and its subcommands. */
export function bsmCommand(): CommandUnknownOpts {
  return new Command("bsm")
    .description("BSM audit trails (Solaris, illumos, FreeBSD, macOS): print, reduce, JSON, write")
    .enablePositionalOptions()
    .addCommand(printCommand())
    .addCommand(reduceCommand())
    .addCommand(jsonCommand())
    .addCommand(writeCommand())
    .addHelpText(
      "after",
      "\nExamples:\n  auditkit bsm print -l trail.bsm\n  auditkit bsm json trail.bsm | head\n" +
        "  auditkit bsm write --trail t.bsm --event AUE_login --token subject --token text=ok\n" +
        "  auditkit bsm print --help",
    );
}
