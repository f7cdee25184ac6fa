/**
 * `auditkit watch`: live audit events (the kernel's multicast stream, as the
 * audit daemon, or as an auditd plugin) selected and printed as `search`
 * prints them, or appended to a rotating file. The stream is
 * lib/source/live.ts, the selection and formats lib/select and lib/format,
 * the file lib/sink/line_file.ts.
 *
 * @module
 */

import {
  EventSelection,
  type LineFile,
  type LiveMode,
  type LossCounters,
  type LossItem,
  openLineFile,
  openLive,
} from "../mod.ts";
import { Command, type CommandUnknownOpts } from "./deps.ts";
import { err, ExitStatus, out as stdout, UsageError, withHelpHint } from "./_common.ts";
import { type ArgSpec, flag, intArg, last, scanArgs, type Sink, spec } from "./_log_args.ts";
import { SEARCH_ARGS, searchSettings } from "./search.ts";

/** search's options that make no sense on a live stream (inputs, checkpoints, time windows). */
const NOT_LIVE = new Set([
  "input",
  "inputLogs",
  "checkpoint",
  "start",
  "end",
  "justOne",
  "exactGrouping",
  "eoeTimeout",
  "lineBuffered",
]);

/** watch's options: search's selection and format options, and its own. */
export const WATCH_ARGS: ArgSpec[] = [
  ...SEARCH_ARGS.filter((s) => !NOT_LIVE.has(s.key)),
  spec("--daemon", "none", "daemon"),
  spec("--plugin", "none", "plugin"),
  spec("--socket", "one", "socket"),
  spec("--output", "one", "output"),
  spec("--rotate-size", "one", "rotateSize"),
  spec("--rotate-count", "one", "rotateCount"),
  spec("--event-timeout", "one", "eventTimeout"),
  spec("--queue-size", "one", "queueSize"),
];

/** Exit status when the stream lost events (the summary says which). */
export const LOSS_STATUS = 3;

const CAUSES = ["kernel", "socket", "buffer", "gap", "queue", "input"] as const;

/** The one-line loss summary written at the end. */
export function lossSummary(events: number, shown: number, c: LossCounters): string {
  const lost = CAUSES.filter((k) => c[k] > 0).map((k) => `${k} ${c[k]}`);
  return `auditkit watch: ${events} events, ${shown} shown, loss: ` +
    `${lost.length ? lost.join(", ") : "none"}\n`;
}

/** A `loss` line of `--format json`: the loss item as the library gives it. */
export function lossJson(loss: LossItem): string {
  return JSON.stringify({ loss }) + "\n";
}

/** The live count on a terminal's standard error, redrawn at most 5 times a second. */
class LiveCount implements Disposable {
  #shown = false;
  readonly #timer: ReturnType<typeof setInterval>;
  constructor(read: () => string) {
    const enc = new TextEncoder();
    this.#timer = setInterval(() => {
      Deno.stderr.writeSync(enc.encode(`\r${read()}\x1b[K`));
      this.#shown = true;
    }, 200);
  }
  clear(): void {
    if (this.#shown) Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[K"));
    this.#shown = false;
  }
  [Symbol.dispose](): void {
    clearInterval(this.#timer);
    this.clear();
  }
}

/** What {@link runWatch} takes besides the arguments (tests). */
export interface WatchRunOptions {
  /** Ends the stream (besides SIGINT and SIGTERM). */
  signal?: AbortSignal;
  /** The plugin stream instead of standard input. */
  pluginInput?: ReadableStream<Uint8Array>;
}

/**
 * Runs `auditkit watch`; returns the exit status: 0 after a clean end
 * (SIGINT, SIGTERM, the end of the plugin stream), 3 when events were lost,
 * 1 on failure. Output goes to `sink` (standard output by default), the
 * summary and messages to `errors`.
 */
export async function runWatch(
  args: string[],
  sink: (piece: string | Uint8Array) => Promise<void> = stdout,
  errors: Sink = err,
  options: WatchRunOptions = {},
): Promise<number> {
  const p = scanArgs(args, WATCH_ARGS);
  const s = searchSettings(p);
  const socket = last(p, "socket");
  const plugin = flag(p, "plugin") || socket !== undefined;
  if (plugin && flag(p, "daemon")) throw new UsageError("--daemon and --plugin exclude each other");
  const mode: LiveMode = plugin ? "plugin" : flag(p, "daemon") ? "daemon" : "multicast";
  const output = last(p, "output");
  const size = last(p, "rotateSize");
  const count = last(p, "rotateCount");
  if (output === undefined && (size ?? count) !== undefined) {
    throw new UsageError("--rotate-size and --rotate-count need --output");
  }
  if (count !== undefined && size === undefined) {
    throw new UsageError("--rotate-count needs --rotate-size");
  }
  const rotate = size === undefined ? undefined : {
    maxBytes: intArg(size, "rotate size", 1),
    keep: count === undefined ? 4 : intArg(count, "rotate count", 0),
  };
  const timeout = last(p, "eventTimeout");
  const queue = last(p, "queueSize");
  const messages: string[] = [];
  const select = new EventSelection({
    criteria: s.criteria,
    format: s.format,
    escape: s.escape,
    csv: s.csv,
    warn: (m) => void messages.push(m),
    debug: flag(p, "debug") ? (m) => void messages.push(m) : undefined,
  });
  const json = s.format === "json";

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(sig, onSignal);
  options.signal?.addEventListener("abort", onSignal, { once: true });
  let file: LineFile | undefined;
  let events = 0, shown = 0, lost = 0;
  const terminal = Deno.stderr.isTerminal() && !Deno.noColor;
  const count_ = terminal ? new LiveCount(() => `${events} events, ${lost} lost`) : undefined;
  const say = (text: string) => {
    count_?.clear();
    return errors(text);
  };
  // output in batches: written when 64 KiB are waiting or 50 ms after the first line waits; JSON
  // waits in the encoder's own buffer and is taken from there at once
  let parts: (string | Uint8Array)[] = [];
  let waiting = 0;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> = Promise.resolve();
  let writeError: unknown;
  const encoded = json ? () => select.bytes!.length : () => 0;
  const flush = () => {
    if (waiting === 0 && encoded() === 0) return writing;
    const batch = parts;
    parts = [];
    waiting = 0;
    if (file) {
      for (const b of batch) file.write(b);
      // written before the encoder comes back to this buffer: no copy
      if (encoded() > 0) file.write(select.takeBytes());
      file.flush();
      return writing;
    }
    if (encoded() > 0) batch.push(select.takeBytes().slice());
    writing = writing.then(async () => {
      count_?.clear();
      for (const b of batch) await sink(b);
    }).catch((e) => {
      writeError ??= e;
      stop.abort();
    });
    return writing;
  };
  const due = () => {
    if (waiting + encoded() >= 65536) void flush();
    // one timer at a time, left to run out: a line never waits longer than 50 ms
    else {
      flushTimer ??= setTimeout(() => {
        flushTimer = undefined;
        void flush();
      }, 50);
    }
  };
  const emit = (piece: string | Uint8Array) => {
    if (piece.length === 0) return;
    // what the encoder holds came first
    if (encoded() > 0) {
      const before = select.takeBytes().slice();
      parts.push(before);
      waiting += before.length;
    }
    parts.push(piece);
    waiting += piece.length;
    due();
  };
  const stream = openLive({
    mode,
    signal: stop.signal,
    plugin: plugin ? { input: socket ?? options.pluginInput } : undefined,
    eventTimeoutMs: timeout === undefined ? undefined : intArg(timeout, "event timeout", 1),
    queue: queue === undefined ? undefined : { size: intArg(queue, "queue size", 1) },
  });
  try {
    if (output !== undefined) {
      file = openLineFile(output, { rotate });
      if (file.repaired) {
        await say(
          `auditkit watch: "${output}" ended in a cut line (${file.repaired.length} bytes at ` +
            `offset ${file.repaired.offset}): ended with a newline\n`,
        );
      }
    }
    // a burst is handled without an await per event
    for await (const items of stream.batches()) {
      for (const item of items) {
        if (item.kind === "loss") {
          lost += item.loss.count;
          if (json) emit(lossJson(item.loss));
          continue;
        }
        events++;
        const text = select.take(item.event);
        if (messages.length) await say(messages.splice(0).join(""));
        if (text === undefined) continue;
        shown++;
        // JSON: "", the event waits in the encoder
        if (json) due();
        else emit(text);
      }
    }
  } finally {
    for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(sig, onSignal);
    options.signal?.removeEventListener("abort", onSignal);
    await stream.close();
    clearTimeout(flushTimer);
    try {
      await flush();
      file?.close();
    } finally {
      count_?.[Symbol.dispose]();
    }
  }
  if (writeError !== undefined) throw writeError;
  const c = stream.counters;
  await errors(lossSummary(events, shown, c));
  return CAUSES.some((k) => c[k] > 0) ? LOSS_STATUS : 0;
}

/** `auditkit watch`. */
export function watchCommand(): CommandUnknownOpts {
  return new Command("watch")
    .description("Live audit events, selected and printed as search prints them")
    .argument("[options...]", "search's selection and format options, and watch's own")
    .allowUnknownOption()
    .helpOption("-h, --help", "show this help")
    .addHelpText(
      "after",
      `
Sources (one):
  (default)        the kernel's multicast stream (CAP_AUDIT_READ): read-only, beside auditd
  --daemon         register as the audit daemon (no auditd may run); unregistered at the end
  --plugin         auditd's plugin stream on standard input (format = string in plugins.d)
  --socket PATH    auditd's builtin_af_unix socket (implies --plugin)

Selection and format, as search: -k KEY, -m TYPE[,TYPE], -sv yes|no, -ui/-ua/-ue/-ul UID,
  -gi/-ge/-ga GID, -x EXE, -p PID, -pp PPID, -f FILE, -hn HOST, -c COMM, -sc SYSCALL,
  -e EXIT, -n NODE, -su/-o/-se CTX, -tm TERM, -w, -i, -r, --escape MODE, --debug,
  --format raw|default|interpret|csv|text|json|ecs (--extra-keys ... for csv).
  raw is each record as auditd writes it in a RAW log; json adds a {"loss": {...}} line
  for each loss.

Output:
  --output FILE            append to FILE (whole lines only, safe across crashes)
  --rotate-size BYTES      rotate FILE before it would grow past BYTES: FILE.1 ... FILE.N
  --rotate-count N         rotated files kept (default 4; auditd's num_logs is N + 1)
  --event-timeout MS       release an event whose last record never comes (default 2000)
  --queue-size N           events held for a slow output before the oldest are dropped

Loss (kernel lost counter, socket overruns, reader buffer drops, serial gaps, queue
  drops, bad plugin input) is counted; a one-line summary goes to stderr at the end, a
  live count to a terminal.

Exit status: 0 ended by Ctrl-C, SIGTERM or the end of the plugin stream, 3 the same with
  loss counted, 1 failure (no permission, another daemon, the output file), 2 usage error,
  141 output pipe closed.

Examples:
  auditkit watch -k passwd -i
  auditkit watch --format json --output /var/log/auditkit/events.json \\
      --rotate-size 104857600 --rotate-count 9
  auditkit watch --daemon --format raw --output /var/log/audit/audit.log
  auditkit watch --plugin --format json     # as an auditd plugin (see README)`,
    )
    .action(async (options: string[]) => {
      const code = await withHelpHint("auditkit watch", () => runWatch(options));
      if (code !== 0) throw new ExitStatus(code);
    });
}
