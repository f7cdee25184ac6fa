/**
 * ausearch's checkpoints (`ausearch --checkpoint FILE`): a small text file
 * that remembers the log file (device and inode) and the last complete event
 * a search went through, so that the next search starts after it.
 *
 * ```
 * dev=0xFE00
 * inode=2154829
 * output=- 1700000005.100:15 0x458
 * ```
 *
 * The format, the errors and the rules of which events come out are those of
 * ausearch 3.0.9 (`ausearch-checkpt.c`, `ausearch.c`).
 *
 * @module
 */

import { strtoul } from "../c_number.ts";

/** The event a checkpoint remembers: its stamp, node and (first record's) type. */
export interface CheckpointEvent {
  /** The node, when the log has one. */
  node?: string;
  /** Seconds of the time stamp (0: no event was complete). */
  sec: number;
  /** Milliseconds. */
  msec: number;
  /** Serial number. */
  serial: number;
  /** The type of the event's first record. */
  type: number;
}

/** What a checkpoint file holds. */
export interface Checkpoint {
  /** Device of the log file the search ended in. */
  dev: number;
  /** Inode of that file. */
  inode: number;
  /** The last complete event the search went through. */
  event: CheckpointEvent;
}

/**
 * A checkpoint file that cannot be used; `message` is what ausearch prints.
 *
 * @example
 * ```ts
 * import { CheckpointError, parseCheckpoint } from "./checkpoint.ts";
 * try {
 *   parseCheckpoint("hello\n", "/tmp/cp");
 * } catch (e) {
 *   if (e instanceof CheckpointError) console.log(e.message); // Unknown checkpoint line - [hello]
 * }
 * ```
 */
export class CheckpointError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "CheckpointError";
  }
}

/** C's strtoul as a number; undefined on overflow. */
function numberOf(s: string, base: 0 | 16): number | undefined {
  const n = strtoul(s, base);
  return n === undefined ? undefined : Number(n);
}

/** C's sscanf("%lu.%03u:%lu 0x%X") on an `output=` line's rest; undefined when it fails. */
function scanStamp(rest: string): [number, number, number, number] | undefined {
  const m = /^\s*\+?(\d+)\.\s*\+?(\d{1,3}):\s*\+?(\d+) 0x\s*([0-9a-fA-F]+)/.exec(rest);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3]), parseInt(m[4], 16) >>> 0];
}

/**
 * Reads the text of a checkpoint file; throws {@link CheckpointError} with
 * ausearch's message when a line is unknown or malformed, or when the device
 * or inode is missing.
 *
 * @example
 * ```ts
 * import { parseCheckpoint } from "./checkpoint.ts";
 * const cp = parseCheckpoint("dev=0xFE00\ninode=42\noutput=- 1700000005.100:15 0x458\n", "cp");
 * console.log(cp.inode, cp.event.serial); // 42 15
 * ```
 */
export function parseCheckpoint(text: string, file: string): Checkpoint {
  let dev = 0, inode = 0;
  const event: CheckpointEvent = { sec: 0, msec: 0, serial: 0, type: 0 };
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  // as ausearch: reading stops at the first bad line, and a missing device or
  // inode is reported after it
  const problems: string[] = [];
  for (const line of lines) {
    const problem = parseLine(line, event);
    if (typeof problem === "string") {
      problems.push(problem);
      break;
    }
    if (problem?.dev !== undefined) dev = problem.dev;
    if (problem?.inode !== undefined) inode = problem.inode;
  }
  if (dev === 0 || inode === 0) {
    problems.push(`Missing dev/inode lines from checkpoint file ${file}`);
  }
  if (problems.length) throw new CheckpointError(problems.join("\n"));
  return { dev, inode, event };
}

/** One line of a checkpoint file: what it sets, or why it is bad. */
function parseLine(
  line: string,
  event: CheckpointEvent,
): string | { dev?: number; inode?: number } | undefined {
  if (line.startsWith("dev=")) {
    const v = numberOf(line.slice(4), 16);
    return v === undefined ? `Malformed dev checkpoint line - [${line}]` : { dev: v };
  }
  if (line.startsWith("inode=")) {
    const v = numberOf(line.slice(6), 0);
    return v === undefined ? `Malformed inode checkpoint line - [${line}]` : { inode: v };
  }
  if (!line.startsWith("output=")) return `Unknown checkpoint line - [${line}]`;
  const space = line.indexOf(" ", 7);
  if (space < 0) return `Malformed output/event checkpoint line near node - [${line}]`;
  const node = line.slice(7, space);
  const stamp = scanStamp(line.slice(space + 1));
  // ausearch has cut the line at the node by then
  if (!stamp) {
    return `Malformed output/event checkpoint line after node - [${line.slice(0, space)}]`;
  }
  event.node = node.startsWith("-") ? undefined : node;
  [event.sec, event.msec, event.serial, event.type] = stamp;
  return undefined;
}

/**
 * The text of a checkpoint file, as ausearch writes it (device and inode
 * truncated to 32 bits, as its `%X` and `%u` do).
 *
 * @example
 * ```ts
 * import { formatCheckpoint } from "./checkpoint.ts";
 * formatCheckpoint({ dev: 0xfe00, inode: 42, event: { sec: 1700000005, msec: 100, serial: 15, type: 1112 } });
 * // "dev=0xFE00\ninode=42\noutput=- 1700000005.100:15 0x458\n"
 * ```
 */
export function formatCheckpoint(cp: Checkpoint): string {
  const e = cp.event;
  return `dev=0x${(cp.dev >>> 0).toString(16).toUpperCase()}\ninode=${cp.inode >>> 0}\n` +
    `output=${e.node ?? "-"} ${e.sec}.${String(e.msec).padStart(3, "0")}:${e.serial} ` +
    `0x${(e.type >>> 0).toString(16).toUpperCase()}\n`;
}

/** What {@link CheckpointFilter.decide} says about an event. */
export type CheckpointDecision = "output" | "skip" | "corrupt";

/** Seconds after the checkpointed event by which it must have been seen (ausearch's MAX_EVENT_DELTA_SECS). */
const MAX_EVENT_DELTA_SECS = 2;

/**
 * Decides, for each matching event in log order, whether a search that
 * resumes from a checkpoint shows it: nothing up to and including the
 * checkpointed event, everything after it. With `timeOnly` (ausearch's `-ts
 * checkpoint`) events from the checkpoint's time on are shown. An event more
 * than 2 s newer than the checkpoint seen before it means the checkpoint
 * does not belong to this log ("corrupt").
 *
 * @example
 * ```ts
 * import { CheckpointFilter } from "./checkpoint.ts";
 * const f = new CheckpointFilter({ sec: 10, msec: 0, serial: 5, type: 1300 }, false);
 * f.decide({ sec: 9, msec: 0, serial: 4, type: 1300 }); // "skip"
 * f.decide({ sec: 10, msec: 0, serial: 5, type: 1300 }); // "skip" (the checkpointed event)
 * f.decide({ sec: 11, msec: 0, serial: 6, type: 1300 }); // "output"
 * ```
 */
export class CheckpointFilter {
  readonly #from: CheckpointEvent | undefined;
  readonly #timeOnly: boolean;
  #open: boolean;

  /** `from` is the checkpoint's event, undefined when there was no checkpoint file. */
  constructor(from: CheckpointEvent | undefined, timeOnly: boolean) {
    this.#from = from;
    this.#timeOnly = timeOnly;
    this.#open = from === undefined || from.sec === 0;
  }

  /** The checkpoint's event (undefined without a checkpoint). */
  get from(): CheckpointEvent | undefined {
    return this.#from;
  }

  /** The decision for the next matching event. */
  decide(e: CheckpointEvent): CheckpointDecision {
    if (this.#open) return "output";
    const c = this.#from!;
    if (this.#timeOnly && (c.sec < e.sec || (c.sec === e.sec && c.msec <= e.msec))) {
      this.#open = true;
      return "output";
    }
    if (
      c.sec === e.sec && c.msec === e.msec && c.serial === e.serial && c.type === e.type &&
      c.node === e.node
    ) {
      this.#open = true;
      return "skip";
    }
    if (c.sec < e.sec && e.sec - c.sec > MAX_EVENT_DELTA_SECS) return "corrupt";
    return "skip";
  }
}

/**
 * Where a search resumes in a rotated set: the files from the one the
 * checkpoint was taken in, found by its device and inode (rotation may have
 * renamed it); undefined when none of `files` is that file (ausearch's
 * status 10). Files that cannot be stat'ed are passed over.
 *
 * @example
 * ```ts
 * import { parseCheckpoint, resumeFiles, rotatedLogSet } from "../../mod.ts";
 * const cp = parseCheckpoint(await Deno.readTextFile("/tmp/cp"), "/tmp/cp");
 * console.log(await resumeFiles(rotatedLogSet("/var/log/audit"), cp));
 * ```
 */
export async function resumeFiles(
  files: readonly string[],
  checkpoint: Pick<Checkpoint, "dev" | "inode">,
): Promise<string[] | undefined> {
  for (let i = 0; i < files.length; i++) {
    const st = await Deno.stat(files[i]).catch(() => undefined);
    if (st && st.dev === checkpoint.dev && st.ino === checkpoint.inode) return files.slice(i);
  }
  return undefined;
}
