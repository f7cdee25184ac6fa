/**
 * auditreduce's record selection (OpenBSM `bin/auditreduce/auditreduce.c`):
 * dates (`-a`, `-b`, `-d`, `-A`), classes (`-c`), events (`-m`), subject
 * ids (`-u`, `-e`, `-f`, `-r`, `-g`, `-j`), objects (`-o file=`, `pid=`,
 * `msgqid=`, `semid=`, `shmid=`), zone (`-z`) and inversion (`-v`).
 *
 * As in auditreduce, each criterion is checked by the tokens that carry
 * its field, and a record is selected only when every criterion given was
 * checked by one of its tokens and none failed: `-o file=` needs a path
 * token, `-u` a subject or process token, `-o pid=` a process token, `-j` a
 * subject token. A record whose tokens do not all parse is not selected
 * (so `-v` selects it).
 *
 * Differences from auditreduce, which only looks at header32, subject32,
 * process32 and return32 tokens: every header (32/64-bit, `_ex`), subject
 * and process variant and return64 count too, so records from OpenBSM's
 * own writer (subject32_ex) and from 64-bit Solaris are selected. File
 * patterns are JavaScript regular expressions (POSIX extended ones mostly
 * read the same).
 *
 * @example
 * ```ts
 * import { RecordSelector } from "./select.ts";
 * import { builtinEventTable } from "./event_table.ts";
 * const sel = new RecordSelector({ events: [23] }, builtinEventTable());
 * sel.matches([{ type: "header32", size: 25, version: 11, event: 23, modifier: 0, sec: 0, msec: 0 }]);
 * // true
 * ```
 *
 * @module
 */

import type { AuditEventTable, AuditMask } from "./event_table.ts";
import { AT_IPC, type BsmToken } from "./types.ts";

/** A `-o file=` pattern: a regular expression, `~` to exclude what it matches. */
export interface FilePattern {
  /** The pattern. */
  regexp: RegExp;
  /** A `~` pattern: a path it matches is not selected. */
  negate: boolean;
}

/** What auditreduce selects on (its options). */
export interface SelectCriteria {
  /** `-A`: ignore `after` and `before`. */
  all?: boolean;
  /** `-a`: records at or after this time (epoch seconds). */
  after?: number;
  /** `-b`: records at or before this time (epoch seconds). */
  before?: number;
  /** `-c`: the classes, as a success and failure mask. */
  classes?: AuditMask;
  /** `-m`: event numbers. */
  events?: readonly number[];
  /** `-u`: audit user id. */
  auid?: number;
  /** `-e`: effective user id. */
  euid?: number;
  /** `-f`: effective group id. */
  egid?: number;
  /** `-r`: real user id. */
  ruid?: number;
  /** `-g`: real group id. */
  rgid?: number;
  /** `-j`: the subject's process id. */
  subjectPid?: number;
  /** `-o file=`: path patterns, the first that matches decides. */
  files?: readonly FilePattern[];
  /** `-o pid=`: a process token's pid. */
  pid?: number;
  /** `-o msgqid=`: a message queue id. */
  msgqid?: number;
  /** `-o semid=`: a semaphore set id. */
  semid?: number;
  /** `-o shmid=`: a shared memory id. */
  shmid?: number;
  /** `-z`: a zone name glob (`*`, `?`, `[...]`). */
  zone?: string;
  /** `-v`: select the records that do not match. */
  invert?: boolean;
}

// auditreduce's OPT_* bits
const A = 0x1, B = 0x2, C = 0x4, E = 0x10, F = 0x20, G = 0x40, J = 0x80, M = 0x100;
const OF = 0x200, OM = 0x400, OP = 0x800, OSE = 0x1000, OSH = 0x2000;
const R = 0x8000, U = 0x10000, ALL = 0x20000, V = 0x40000, Z = 0x80000;
const AU_PRS_SUCCESS = 1, AU_PRS_FAILURE = 2, AU_PRS_BOTH = 3;

/**
 * Selects records as auditreduce does.
 *
 * @example
 * ```ts
 * import { RecordSelector } from "./select.ts";
 * import { builtinEventTable } from "./event_table.ts";
 * const sel = new RecordSelector({ auid: 1000, invert: true }, builtinEventTable());
 * console.log(sel.matches([])); // true: no token checked -u, so the match fails and -v inverts it
 * ```
 */
export class RecordSelector {
  readonly #c: SelectCriteria;
  readonly #events: AuditEventTable;
  readonly #wanted: number;
  readonly #zone: RegExp | undefined;

  /** A selector for `criteria`; `events` gives the classes of events for `classes`. */
  constructor(criteria: SelectCriteria, events: AuditEventTable) {
    this.#c = criteria;
    this.#events = events;
    const c = criteria;
    let w = 0;
    if (c.all) w |= ALL;
    if (c.after !== undefined) w |= A;
    if (c.before !== undefined) w |= B;
    if (c.classes) w |= C;
    if (c.events) w |= M;
    if (c.auid !== undefined) w |= U;
    if (c.euid !== undefined) w |= E;
    if (c.egid !== undefined) w |= F;
    if (c.ruid !== undefined) w |= R;
    if (c.rgid !== undefined) w |= G;
    if (c.subjectPid !== undefined) w |= J;
    if (c.files) w |= OF;
    if (c.pid !== undefined) w |= OP;
    if (c.msgqid !== undefined) w |= OM;
    if (c.semid !== undefined) w |= OSE;
    if (c.shmid !== undefined) w |= OSH;
    if (c.zone !== undefined) w |= Z;
    if (c.invert) w |= V;
    this.#wanted = w;
    this.#zone = c.zone === undefined ? undefined : globRegExp(c.zone);
  }

  /**
   * Whether a record is selected: `tokens` as read, `complete` false when
   * one of its tokens did not parse.
   */
  matches(tokens: readonly BsmToken[], complete = true): boolean {
    const c = this.#c;
    let checked = 0;
    let selected = true;
    let event: number | undefined;
    for (const t of tokens) {
      switch (t.type) {
        case "header32":
        case "header32_ex":
        case "header64":
        case "header64_ex": {
          checked |= ALL | A | B | C | M | V;
          event = t.event;
          const sec = typeof t.sec === "bigint" ? Number(BigInt.asIntN(64, t.sec)) : t.sec;
          if (!c.all) {
            if (c.after !== undefined && sec < c.after) selected = false;
            if (c.before !== undefined && sec > c.before) selected = false;
          }
          if (c.classes && !this.#preselect(t.event, AU_PRS_BOTH)) selected = false;
          if (c.events && !c.events.includes(t.event)) selected = false;
          break;
        }
        case "subject32":
        case "subject64":
        case "subject32_ex":
        case "subject64_ex":
        case "process32":
        case "process64":
        case "process32_ex":
        case "process64_ex": {
          const subject = t.type.startsWith("subject");
          checked |= U | E | F | G | R | (subject ? J : OP);
          if (
            !same(c.auid, t.auid) || !same(c.euid, t.euid) || !same(c.egid, t.egid) ||
            !same(c.rgid, t.rgid) || !same(c.ruid, t.ruid) ||
            !same(subject ? c.subjectPid : c.pid, t.pid)
          ) selected = false;
          break;
        }
        case "ipc": {
          const [bit, want] = t.ipcType === AT_IPC.MSG
            ? [OM, c.msgqid]
            : t.ipcType === AT_IPC.SEM
            ? [OSE, c.semid]
            : t.ipcType === AT_IPC.SHM
            ? [OSH, c.shmid]
            : [0, undefined];
          if (bit) {
            checked |= bit;
            if (!same(want, t.id)) selected = false;
          } else if (this.#wanted & (OM | OSE | OSH)) selected = false;
          break;
        }
        case "path": {
          checked |= OF;
          if (c.files && !this.#file(t.path)) selected = false;
          break;
        }
        case "return32":
        case "return64":
          checked |= C;
          if (
            c.classes && event !== undefined &&
            !this.#preselect(event, t.status === 0 ? AU_PRS_SUCCESS : AU_PRS_FAILURE)
          ) selected = false;
          break;
        case "zonename": {
          checked |= Z;
          if (this.#zone && !this.#zone.test(cString(t.zonename))) selected = false;
          break;
        }
      }
      if (!selected) break;
    }
    const match = selected && complete && (this.#wanted & ~checked) === 0;
    return c.invert ? !match : match;
  }

  /** `au_preselect`: the event's classes against the mask for success, failure or both. */
  #preselect(event: number, sorf: number): boolean {
    const mask = this.#c.classes!;
    const classes = this.#events.classMask(event);
    if (classes === undefined) return false;
    let eff = 0;
    if (sorf & AU_PRS_SUCCESS) eff |= mask.success & classes;
    if (sorf & AU_PRS_FAILURE) eff |= mask.failure & classes;
    return eff !== 0;
  }

  #file(path: Uint8Array): boolean {
    const text = cString(path);
    for (const p of this.#c.files!) {
      p.regexp.lastIndex = 0;
      if (p.regexp.test(text)) return !p.negate;
    }
    return false;
  }
}

/** Whether an optional wanted id equals a token's (compared as u32). */
function same(want: number | undefined, value: number): boolean {
  return want === undefined || (want >>> 0) === (value >>> 0);
}

const utf8 = new TextDecoder();

/** A wire string up to its first NUL, as C reads it. */
function cString(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return utf8.decode(nul >= 0 ? b.subarray(0, nul) : b);
}

/** `fnmatch(pattern, FNM_PATHNAME)` as a regular expression. */
function globRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        let set = glob.slice(i + 1, end);
        if (set.startsWith("!")) set = `^${set.slice(1)}`;
        re += `[${set.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else if (ch === "\\" && i + 1 < glob.length) re += `\\${glob[++i]}`;
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * The `-o file=` value: comma-separated patterns (`\,` for a comma in
 * one), each negated by a leading `~`.
 *
 * @example
 * ```ts
 * import { parseFilePatterns } from "./select.ts";
 * parseFilePatterns("~^/tmp/,^/etc/").map((p) => p.negate); // [true, false]
 * ```
 */
export function parseFilePatterns(value: string): FilePattern[] {
  const parts: string[] = [];
  let cur = "";
  for (let i = 0; i < value.length; i++) {
    if (value[i] === "\\" && value[i + 1] === ",") {
      cur += ",";
      i++;
    } else if (value[i] === "," && i > 0) {
      parts.push(cur);
      cur = "";
    } else cur += value[i];
  }
  parts.push(cur);
  return parts.map((p) => {
    const negate = p.startsWith("~");
    try {
      return { regexp: new RegExp(negate ? p.slice(1) : p), negate };
    } catch (e) {
      throw new SyntaxError(`Invalid file pattern "${p}": ${(e as Error).message}`);
    }
  });
}

/**
 * An auditreduce date (`YYYYMMDD[HH[MM[SS]]]`) as epoch seconds in local
 * time (or `timeZone` `"UTC"`); undefined when it is not one.
 *
 * @example
 * ```ts
 * import { parseReduceDate } from "./select.ts";
 * parseReduceDate("20231114221320", "UTC"); // 1700000000
 * ```
 */
export function parseReduceDate(value: string, timeZone?: "UTC"): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(?:(\d{2})(\d{2})?)?)?$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const ms = timeZone === "UTC"
    ? Date.UTC(y, mo - 1, d, h, mi, s)
    : new Date(y, mo - 1, d, h, mi, s).getTime();
  return Math.floor(ms / 1000);
}
