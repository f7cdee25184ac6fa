/**
 * The BSM event and class tables, `audit_event` (`number:name:description:classes`)
 * and `audit_class` (`mask:name:description`), read with the rules of
 * OpenBSM's parsers (`libbsm/bsm_event.c`, `bsm_class.c`, `bsm_flags.c`,
 * `bsm_mask.c`; shared/docs/REFERENCE.md 8.7):
 *
 * - lines are read as `fgets` reads them into a 256-byte buffer: a longer
 *   line is cut into 255-byte pieces, each parsed as a line; a NUL byte ends
 *   the line's text;
 * - fields are split as `strtok_r(":")` splits them, so empty fields
 *   collapse and a description containing `:` is cut there;
 * - an event name must be shorter than 30 bytes and a description shorter
 *   than 50 (a class name 8, a class description 72), else the line is
 *   skipped;
 * - the event number is `atoi` of the first field, kept as a u16
 *   (`au_event_t`); a class mask is `strtoul(field, 0)` kept as a u32;
 * - a lookup by number or name (`getauevnum`, `getauevnam`) scans every
 *   line and returns the first match; praudit prints the number when none
 *   matches;
 * - the enumeration `au_preselect` uses to find an event's classes
 *   (`getauevent`) skips `#` lines and stops at the first line that does not
 *   parse (an empty line, for one), and its cache answers with the last
 *   entry of a number among those enumerated;
 * - class lookups (`getauclassnam`) enumerate `audit_class` the same way,
 *   skipping `#` lines and stopping at the first bad one;
 * - an event's class list (`fr,fw`, with `^` to remove and `+`/`-` for
 *   success or failure only) becomes its mask through the class table
 *   (`getauditflagsbin`); one unknown class makes the mask 0.
 *
 * auditkit carries OpenBSM's own tables ({@link builtinEventTable}); a
 * program that reads `/etc/security/audit_event` when it exists uses
 * {@link loadEventTable}.
 *
 * @example
 * ```ts
 * import { builtinEventTable } from "./event_table.ts";
 * const events = builtinEventTable();
 * console.log(events.byNumber(23)?.name); // "AUE_EXECVE"
 * ```
 *
 * @module
 */

import { AUDIT_CLASS_TEXT, AUDIT_EVENT_TEXT } from "./_tables.ts";

/** The file praudit reads event names from (`AUDIT_EVENT_FILE`). */
export const AUDIT_EVENT_FILE = "/etc/security/audit_event";
/** The file of class names and masks (`AUDIT_CLASS_FILE`). */
export const AUDIT_CLASS_FILE = "/etc/security/audit_class";

/** `AU_LINE_MAX`: `fgets` keeps at most 255 bytes of a line. */
const LINE_MAX = 256;
/** `AU_EVENT_NAME_MAX`, `AU_EVENT_DESC_MAX`, `AU_CLASS_NAME_MAX`, `AU_CLASS_DESC_MAX`. */
const EVENT_NAME_MAX = 30;
const EVENT_DESC_MAX = 50;
const CLASS_NAME_MAX = 8;
const CLASS_DESC_MAX = 72;

const COLON = 0x3a;
const NEWLINE = 0x0a;
const HASH = 0x23;

/** One `audit_event` entry. */
export interface AuditEventEntry {
  /** Event number (u16). */
  number: number;
  /** Short name, `AUE_*`. */
  name: string;
  /** Description praudit prints by default (`""` when the line has none). */
  description: string;
  /** The class field as written (`"pc,ex"`), `""` when the line has none. */
  classes: string;
  /** The classes' mask (`ae_class`), 0 when a class is unknown. */
  mask: number;
}

/** One `audit_class` entry. */
export interface AuditClassEntry {
  /** Class mask (u32). */
  mask: number;
  /** Short name (`fr`, `pc`). */
  name: string;
  /** Description. */
  description: string;
}

/** A success and a failure mask (`au_mask_t`). */
export interface AuditMask {
  /** Classes selected for successful events. */
  success: number;
  /** Classes selected for failed events. */
  failure: number;
}

const utf8 = new TextDecoder();

/** The lines as `fgets(buf, 256)` returns them, the newline removed, cut at a NUL. */
function fgetsLines(bytes: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let end = pos;
    const limit = Math.min(bytes.length, pos + LINE_MAX - 1);
    while (end < limit && bytes[end] !== NEWLINE) end++;
    const next = end < limit ? end + 1 : end; // past the newline when one was read
    let line = bytes.subarray(pos, end);
    const nul = line.indexOf(0);
    if (nul >= 0) line = line.subarray(0, nul);
    lines.push(line);
    pos = next;
  }
  return lines;
}

/** The first `count` fields of `line` as `strtok_r` with one delimiter yields them. */
function strtok(line: Uint8Array, delimiter: number, count: number): (Uint8Array | undefined)[] {
  const fields: (Uint8Array | undefined)[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    while (pos < line.length && line[pos] === delimiter) pos++;
    if (pos >= line.length) {
      fields.push(undefined);
      continue;
    }
    const start = pos;
    while (pos < line.length && line[pos] !== delimiter) pos++;
    fields.push(line.subarray(start, pos));
    if (pos < line.length) pos++; // strtok writes a NUL over the delimiter
  }
  return fields;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** C's `atoi`: `strtol` clamped to a 64-bit long, then kept as a 32-bit `int`. */
function atoi(field: Uint8Array): number {
  let i = 0;
  while (i < field.length && isSpace(field[i])) i++;
  let negative = false;
  if (field[i] === 0x2b || field[i] === 0x2d) negative = field[i++] === 0x2d;
  let value = 0n;
  for (; i < field.length && field[i] >= 0x30 && field[i] <= 0x39; i++) {
    value = value * 10n + BigInt(field[i] - 0x30);
  }
  const long = negative
    ? (-value < LONG_MIN ? LONG_MIN : -value)
    : value > LONG_MAX
    ? LONG_MAX
    : value;
  return Number(BigInt.asIntN(32, long));
}

const LONG_MAX = 0x7fffffffffffffffn;
const LONG_MIN = -0x8000000000000000n;

/** C's `strtoul(field, NULL, 0)` kept as a u32 (`au_class_t`). */
function strtoulAuto(field: Uint8Array): number {
  let i = 0;
  while (i < field.length && isSpace(field[i])) i++;
  let negative = false;
  if (field[i] === 0x2b || field[i] === 0x2d) negative = field[i++] === 0x2d;
  let base = 10;
  if (field[i] === 0x30) {
    const x = field[i + 1] | 0x20;
    if (x === 0x78 && hexDigit(field[i + 2]) >= 0) {
      base = 16;
      i += 2;
    } else base = 8;
  }
  let value = 0n;
  const ULONG_MAX = 0xffffffffffffffffn;
  let overflow = false;
  for (; i < field.length; i++) {
    const d = base === 16 ? hexDigit(field[i]) : field[i] - 0x30;
    if (d < 0 || d >= base) break;
    value = value * BigInt(base) + BigInt(d);
    if (value > ULONG_MAX) overflow = true;
  }
  if (overflow) value = ULONG_MAX;
  else if (negative) value = BigInt.asUintN(64, -value);
  return Number(BigInt.asUintN(32, value));
}

function hexDigit(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** `classfromstr`: an entry, or undefined when the line does not parse. */
function classFromLine(line: Uint8Array): AuditClassEntry | undefined {
  const [flag, name, desc] = strtok(line, COLON, 3);
  if (!flag || !name || !desc) return undefined;
  if (name.length >= CLASS_NAME_MAX || desc.length >= CLASS_DESC_MAX) return undefined;
  return { mask: strtoulAuto(flag), name: utf8.decode(name), description: utf8.decode(desc) };
}

/**
 * The `audit_class` table.
 *
 * @example
 * ```ts
 * import { parseAuditClass } from "./event_table.ts";
 * const classes = parseAuditClass("0x00000001:fr:file read\n0x00000080:pc:process\n");
 * classes.byName("pc")?.mask; // 0x80
 * classes.parseFlags("fr,pc"); // { success: 0x81, failure: 0x81 }
 * ```
 */
export class AuditClassTable {
  /** The entries a lookup sees: those before the first line that does not parse. */
  readonly entries: readonly AuditClassEntry[];

  /** A table of `entries` (as {@link parseAuditClass} returns them). */
  constructor(entries: readonly AuditClassEntry[]) {
    this.entries = entries;
  }

  /** The first class named `name` (`getauclassnam`). */
  byName(name: string): AuditClassEntry | undefined {
    return this.entries.find((c) => c.name === name);
  }

  /**
   * A class list (`"fr,-fw,^+ex"`) as a success and a failure mask, as
   * `getauditflagsbin` builds it; undefined when a class is unknown.
   */
  parseFlags(list: string): AuditMask | undefined {
    const mask: AuditMask = { success: 0, failure: 0 };
    for (let tok of list.split(",")) {
      if (tok === "") continue; // strtok collapses empty fields
      const remove = tok.startsWith("^");
      if (remove) tok = tok.slice(1);
      let success = true;
      let failure = true;
      if (tok.startsWith("+")) {
        failure = false;
        tok = tok.slice(1);
      } else if (tok.startsWith("-")) {
        success = false;
        tok = tok.slice(1);
      }
      const entry = this.byName(tok);
      if (!entry) return undefined;
      if (remove) {
        if (success) mask.success = (mask.success & ~entry.mask) >>> 0;
        if (failure) mask.failure = (mask.failure & ~entry.mask) >>> 0;
      } else {
        if (success) mask.success = (mask.success | entry.mask) >>> 0;
        if (failure) mask.failure = (mask.failure | entry.mask) >>> 0;
      }
    }
    return mask;
  }
}

/**
 * Parses `audit_class` text or bytes with OpenBSM's rules (see the module
 * documentation).
 *
 * @example
 * ```ts
 * import { parseAuditClass } from "./event_table.ts";
 * parseAuditClass("0x00001000:lo:login_logout\n").byName("lo")?.mask; // 0x1000
 * ```
 */
export function parseAuditClass(source: string | Uint8Array): AuditClassTable {
  const bytes = typeof source === "string" ? new TextEncoder().encode(source) : source;
  const entries: AuditClassEntry[] = [];
  for (const line of fgetsLines(bytes)) {
    if (line[0] === HASH) continue;
    const entry = classFromLine(line);
    if (!entry) break; // getauclassent stops at the first bad line
    entries.push(entry);
  }
  return new AuditClassTable(entries);
}

/** One parsed `audit_event` line and whether it is a `#` line. */
interface EventLine {
  entry: AuditEventEntry | undefined;
  comment: boolean;
}

/**
 * The `audit_event` table.
 *
 * @example
 * ```ts
 * import { parseAuditClass, parseAuditEvent } from "./event_table.ts";
 * const classes = parseAuditClass("0x00000080:pc:process\n0x40000000:ex:exec\n");
 * const events = parseAuditEvent("23:AUE_EXECVE:execve(2):pc,ex\n", classes);
 * events.byNumber(23)?.description; // "execve(2)"
 * events.classMask(23); // 0x40000080
 * ```
 */
export class AuditEventTable {
  readonly #lines: readonly EventLine[];
  readonly #byNumber = new Map<number, AuditEventEntry | null>();
  #enumerated: Map<number, AuditEventEntry> | undefined;

  /** A table of parsed lines (use {@link parseAuditEvent}). */
  constructor(lines: readonly EventLine[]) {
    this.#lines = lines;
  }

  /** Every entry that parses, in file order (comments and bad lines left out). */
  get entries(): AuditEventEntry[] {
    return this.#lines.flatMap((l) => l.entry ? [l.entry] : []);
  }

  /** The first entry for event `number` (u16), as praudit finds it (`getauevnum`). */
  byNumber(number: number): AuditEventEntry | undefined {
    let found = this.#byNumber.get(number);
    if (found === undefined) {
      found = this.#lines.find((l) => l.entry?.number === number)?.entry ?? null;
      this.#byNumber.set(number, found);
    }
    return found ?? undefined;
  }

  /** The first entry named `name` (`getauevnam`). */
  byName(name: string): AuditEventEntry | undefined {
    return this.#lines.find((l) => l.entry?.name === name)?.entry;
  }

  /**
   * The class mask of event `number` as `au_preselect` sees it: from the
   * entries enumerated before the first bad line, the last one for the
   * number; undefined when the event is not there (no class matches it).
   */
  classMask(number: number): number | undefined {
    if (!this.#enumerated) {
      this.#enumerated = new Map();
      for (const line of this.#lines) {
        if (line.comment) continue;
        if (!line.entry) break;
        this.#enumerated.set(line.entry.number, line.entry);
      }
    }
    return this.#enumerated.get(number)?.mask;
  }
}

/**
 * Parses `audit_event` text or bytes with OpenBSM's rules (see the module
 * documentation); `classes` gives the events' masks.
 *
 * @example
 * ```ts
 * import { builtinClassTable, parseAuditEvent } from "./event_table.ts";
 * const events = parseAuditEvent("6152:AUE_login:login - local:lo\n", builtinClassTable());
 * events.byName("AUE_login")?.number; // 6152
 * ```
 */
export function parseAuditEvent(
  source: string | Uint8Array,
  classes: AuditClassTable,
): AuditEventTable {
  const bytes = typeof source === "string" ? new TextEncoder().encode(source) : source;
  const lines: EventLine[] = [];
  for (const line of fgetsLines(bytes)) {
    const [num, name, desc, cls] = strtok(line, COLON, 4);
    let entry: AuditEventEntry | undefined;
    if (
      num && name && name.length < EVENT_NAME_MAX && (!desc || desc.length < EVENT_DESC_MAX)
    ) {
      const classText = cls ? utf8.decode(cls) : "";
      entry = {
        number: atoi(num) & 0xffff,
        name: utf8.decode(name),
        description: desc ? utf8.decode(desc) : "",
        classes: classText,
        mask: cls ? classes.parseFlags(classText)?.success ?? 0 : 0,
      };
    }
    lines.push({ entry, comment: line[0] === HASH });
  }
  return new AuditEventTable(lines);
}

let builtinClasses: AuditClassTable | undefined;
let builtinEvents: AuditEventTable | undefined;

/**
 * OpenBSM's `audit_class`, as auditkit carries it.
 *
 * @example
 * ```ts
 * import { builtinClassTable } from "./event_table.ts";
 * builtinClassTable().byName("ex")?.mask; // 0x40000000
 * ```
 */
export function builtinClassTable(): AuditClassTable {
  return builtinClasses ??= parseAuditClass(AUDIT_CLASS_TEXT);
}

/**
 * OpenBSM's `audit_event`, as auditkit carries it (classes from
 * {@link builtinClassTable}).
 *
 * @example
 * ```ts
 * import { builtinEventTable } from "./event_table.ts";
 * builtinEventTable().byNumber(72)?.description; // "open(2) - read"
 * ```
 */
export function builtinEventTable(): AuditEventTable {
  return builtinEvents ??= parseAuditEvent(AUDIT_EVENT_TEXT, builtinClassTable());
}

/** Reads `path`, or undefined when it does not exist. Other errors are thrown. */
async function readIfPresent(path: string): Promise<Uint8Array | undefined> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Where {@link loadEventTable} and {@link loadClassTable} read from. */
export interface TableFiles {
  /**
   * An `audit_event` file to read; a missing one is an error. Default:
   * {@link AUDIT_EVENT_FILE} when it exists, else the carried copy.
   */
  eventFile?: string;
  /**
   * An `audit_class` file to read; a missing one is an error. Default:
   * {@link AUDIT_CLASS_FILE} when it exists, else the carried copy.
   */
  classFile?: string;
}

/**
 * The class table from `files.classFile`, else the system's file when it
 * exists, else the carried copy.
 *
 * @example
 * ```ts
 * import { loadClassTable } from "./event_table.ts";
 * const classes = await loadClassTable();
 * console.log(classes.byName("lo")?.description);
 * ```
 */
export async function loadClassTable(files: TableFiles = {}): Promise<AuditClassTable> {
  if (files.classFile !== undefined) return parseAuditClass(await Deno.readFile(files.classFile));
  const system = await readIfPresent(AUDIT_CLASS_FILE);
  return system ? parseAuditClass(system) : builtinClassTable();
}

/**
 * The event table from `files.eventFile`, else the system's file when it
 * exists, else the carried copy; classes from {@link loadClassTable}.
 *
 * @example
 * ```ts
 * import { loadEventTable } from "./event_table.ts";
 * const events = await loadEventTable();
 * console.log(events.byNumber(23)?.name); // "AUE_EXECVE" with OpenBSM's table
 * ```
 */
export async function loadEventTable(files: TableFiles = {}): Promise<AuditEventTable> {
  const classes = await loadClassTable(files);
  if (files.eventFile !== undefined) {
    return parseAuditEvent(await Deno.readFile(files.eventFile), classes);
  }
  const system = await readIfPresent(AUDIT_EVENT_FILE);
  if (system) return parseAuditEvent(system, classes);
  return classes === builtinClassTable()
    ? builtinEventTable()
    : parseAuditEvent(AUDIT_EVENT_TEXT, classes);
}
