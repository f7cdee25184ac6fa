/**
 * Event selection as ausearch does it: the searchable items of an event
 * (pid, uids, exe, files, keys, ...) are extracted from its records, and
 * every criterion given must hold (the options are AND-ed; `-m` and `-n`
 * take several values that are OR-ed).
 *
 * @module
 */

import type { AuditEvent } from "../event/assemble.ts";
import {
  ausearchKeeps,
  type ExtractFlags,
  extractItems,
  flagBits,
  loadsOwnNames,
  NO_FLAGS,
  type SearchItems,
} from "./extract.ts";
import { includesBytes } from "../event/record.ts";
import { HOST_MACHINE, machineNumber, syscallNumber } from "../interpret/tables.ts";
import { recordTypeNumber } from "../event/types.ts";

/** ausearch's criteria; every field set must match. */
export interface SearchCriteria {
  /** `-ts`: events at or after this time (seconds since the epoch). */
  start?: number;
  /** `-te`: events at or before this time (seconds). */
  end?: number;
  /** `-a`: the event serial number. */
  eventId?: number;
  /**
   * `-m`: record types, by number or by name as ausearch -m takes them
   * (`1300`, `"SYSCALL"`, `"UNKNOWN[1999]"`); an event matches when one of
   * its records has one.
   */
  types?: (number | string)[];
  /** `-n`: node names. */
  nodes?: string[];
  /** `-k`: a key. */
  key?: string;
  /** `-p`: process id. */
  pid?: number;
  /** `-pp`: parent process id. */
  ppid?: number;
  /**
   * `-sc`: syscall, by number or name (`"openat"`). A name is the syscall of
   * {@link machine}, or of this host's machine, and then, as with ausearch
   * `-sc NAME`, only events of that machine match.
   */
  syscall?: number | string;
  /** `--arch`: machine, by libaudit number or name (`"x86_64"`, `"b64"`, `"b32"`). */
  machine?: number | string;
  /** `-x`: executable. */
  exe?: string;
  /** `-c`: command name. */
  comm?: string;
  /** `-f`: file name. */
  file?: string;
  /** `-hn`: host name. */
  host?: string;
  /** `-tm`: terminal. */
  terminal?: string;
  /** `-sv`: success. */
  success?: boolean;
  /** `-e`: exit value. */
  exit?: number;
  /** `--session`: session id. */
  session?: number;
  /** `-ui`: uid. */
  uid?: number;
  /** `-ue`: effective uid. */
  euid?: number;
  /** `-ul`: login uid (auid). */
  auid?: number;
  /** `-ua`: any of uid, euid, auid. */
  anyUid?: number;
  /**
   * `-ui`, `-ue`, `-ul`, `-ua` given as user names: ausearch then compares
   * names, those auditd wrote in an ENRICHED log (the event's first record's)
   * or else the local database's, and not the numbers (which only decide what
   * is read). Set with the matching number ({@link uid} ...).
   */
  uidName?: string;
  /** See {@link uidName}. */
  euidName?: string;
  /** See {@link uidName}. */
  auidName?: string;
  /** See {@link uidName}. */
  anyUidName?: string;
  /** `-gi`: gid. */
  gid?: number;
  /** `-ge`: effective gid. */
  egid?: number;
  /** `-ga`: any of gid, egid. */
  anyGid?: number;
  /** `-su`: a subject security context (`subj=`, an AVC's `scontext`). */
  subject?: string;
  /** `-o`: an object security context (`obj=`, an AVC's `tcontext`). */
  object?: string;
  /**
   * `-se`: {@link subject} and {@link object} are alternatives (either may
   * match). Without it both must, except that, as in ausearch 3.0.9, the
   * object is not looked at once a subject matched.
   */
  eitherContext?: boolean;
  /** `-vm`: a virtual machine name. */
  vmName?: string;
  /** `-uu`: a virtual machine UUID. */
  uuid?: string;
  /** `-w`: strings must match whole instead of as substrings. */
  exact?: boolean;
}

/** {@link SearchCriteria} with record types, syscall and machine as numbers. */
interface NumericCriteria extends SearchCriteria {
  types?: number[];
  syscall?: number;
  machine?: number;
}

const numericCache = new WeakMap<SearchCriteria, NumericCriteria>();

/**
 * `c` with its names of record types, syscall and machine as numbers (`c`
 * itself when it has none); throws a RangeError for a name that is unknown.
 */
function numeric(c: SearchCriteria): NumericCriteria {
  const types = c.types;
  let named = typeof c.syscall === "string" || typeof c.machine === "string";
  if (types !== undefined) {
    for (let i = 0; i < types.length && !named; i++) named = typeof types[i] === "string";
  }
  if (!named) return c as NumericCriteria;
  let n = numericCache.get(c);
  if (n === undefined) {
    let machine = c.machine;
    if (typeof machine === "string") {
      const m = machine === "b64" ? 1 : machine === "b32" ? 0 : machineNumber(machine);
      if (m === undefined) {
        throw new RangeError(`Cannot search for machine "${machine}": unknown name`);
      }
      machine = m;
    }
    let syscall = c.syscall;
    if (typeof syscall === "string") {
      // as ausearch: the name of this host's machine unless one is given, and then only its events
      machine ??= HOST_MACHINE;
      const nr = syscallNumber(syscall, machine);
      if (nr < 0) throw new RangeError(`Cannot search for syscall "${syscall}": unknown name`);
      syscall = nr;
    }
    n = {
      ...c,
      machine,
      syscall,
      types: types?.map((t) => {
        if (typeof t === "number") return t;
        const nr = recordTypeNumber(t);
        if (nr === undefined) {
          throw new RangeError(`Cannot search for record type "${t}": unknown name`);
        }
        return nr;
      }),
    };
    numericCache.set(c, n);
  }
  return n;
}

export type { AvcDecision, SearchItems } from "./extract.ts";

const itemCache = new WeakMap<AuditEvent, { bits: number; items: SearchItems | undefined }>();
const bitsCache = new WeakMap<ExtractFlags, number>();

/** Every item (for {@link searchItems} called without flags). */
const ALL_FLAGS: Readonly<ExtractFlags> = Object.freeze(
  Object.fromEntries(Object.keys(NO_FLAGS).map((k) => [k, true])) as unknown as ExtractFlags,
);

/**
 * The searchable items of an event as ausearch reads them when it looks for
 * the items `flags` names (every item by default), or `undefined` when
 * ausearch's record reader fails on the event, which ausearch and aureport
 * then pass over (see {@link extractItems}). Cached for the last flags asked.
 *
 * @example
 * ```ts
 * import { readEvents, searchItems } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(searchItems(ev)?.exe);
 * ```
 */
export function searchItems(
  event: AuditEvent,
  flags: ExtractFlags = ALL_FLAGS,
): SearchItems | undefined {
  let bits = bitsCache.get(flags);
  if (bits === undefined) bitsCache.set(flags, bits = flagBits(flags));
  const cached = itemCache.get(event);
  if (cached && cached.bits === bits) return cached.items;
  const items = extractItems(event, flags);
  itemCache.set(event, { bits, items });
  return items;
}

const flagsCache = new WeakMap<SearchCriteria, [ExtractFlags?, ExtractFlags?]>();

/** The flags of criteria that ask for no item (one object, so it is told apart at once). */
const NOTHING: ExtractFlags = { ...NO_FLAGS };

/** {@link criteriaFlags}, computed once per criteria object ({@link NOTHING} when no flag is set). */
function flagsOf(c: SearchCriteria, interpreted: boolean): ExtractFlags {
  let cached = flagsCache.get(c);
  if (!cached) flagsCache.set(c, cached = [undefined, undefined]);
  const i = interpreted ? 1 : 0;
  if (cached[i] === undefined) {
    const f = criteriaFlags(c, interpreted);
    cached[i] = Object.values(f).some((v) => v) ? f : NOTHING;
  }
  return cached[i];
}

/**
 * What ausearch reads from records for criteria `c` (its `event_*` options);
 * `interpreted` is true for the -i, csv and text formats, where ausearch also
 * reads SYSCALL arch= values.
 *
 * @example
 * ```ts
 * import { criteriaFlags } from "./criteria.ts";
 * criteriaFlags({ pid: 1 }).pid; // true
 * ```
 */
export function criteriaFlags(criteria: SearchCriteria, interpreted = false): ExtractFlags {
  const c = numeric(criteria);
  const has = (v: unknown) => v !== undefined;
  // ausearch keeps -1 (and -2 for the auid) as "not asked": such values read nothing
  const uid = (has(c.uid) && c.uid !== -1) || has(c.uidName) || has(c.anyUidName);
  const euid = (has(c.euid) && c.euid !== -1) || has(c.euidName) || has(c.anyUidName);
  const auid = (has(c.auid) && c.auid !== -2) || has(c.auidName) || has(c.anyUidName);
  const any = has(c.anyUid);
  return {
    pid: has(c.pid) && c.pid !== -1,
    ppid: has(c.ppid) && c.ppid !== -1,
    uid: uid || (any && c.anyUid !== -1),
    euid: euid || (any && c.anyUid !== -1),
    loginuid: auid || (any && c.anyUid !== -2),
    gid: (has(c.gid) && c.gid !== -1) || (has(c.anyGid) && c.anyGid !== -1),
    egid: (has(c.egid) && c.egid !== -1) || (has(c.anyGid) && c.anyGid !== -1),
    terminal: has(c.terminal),
    session: has(c.session) && c.session !== -2,
    comm: has(c.comm),
    exe: has(c.exe),
    subject: has(c.subject),
    object: has(c.object),
    success: has(c.success),
    exit: has(c.exit),
    filename: has(c.file),
    hostname: has(c.host),
    key: has(c.key),
    vmname: has(c.vmName),
    uuid: has(c.uuid),
    arch: (has(c.machine) && c.machine !== -1) || interpreted,
  };
}

/** ausearch's `strcmp` (-w) or `strstr` on the bytes the strings stand for ({@link includesBytes}). */
function strmatch(needle: string, haystack: string | undefined, exact: boolean): boolean {
  if (haystack === undefined) return false;
  return exact ? haystack === needle : includesBytes(haystack, needle);
}

/**
 * Whether an event matches ausearch criteria.
 *
 * @example
 * ```ts
 * import { matchEvent, readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) {
 *   if (matchEvent(ev, { key: "passwd", success: false })) console.log(ev.id);
 * }
 * ```
 */
export function matchEvent(
  event: AuditEvent,
  criteria: SearchCriteria,
  options: {
    /** The output format is -i, csv or text (ausearch then also reads SYSCALL arch=). */
    interpreted?: boolean;
    /** Receives ausearch's `--debug` messages about records its readers skip. */
    debug?: (message: string) => void;
    /** Receives the messages ausearch's readers print on stderr in any case (a sockaddr too short). */
    warn?: (message: string) => void;
    /**
     * The names libauparse holds when ausearch reads this event, left by an
     * earlier event written as csv or text (`namesLeftAfter`); see
     * {@link extractItems}.
     */
    carriedNames?: ReadonlyMap<string, string>;
    /**
     * Every event can match, also those ausearch passes over because one
     * of its record readers fails (an AppArmor AVC): their items are those
     * read before the reader stopped, and those of their other records (see
     * {@link extractItems}). No `debug` message is then written about them.
     */
    lenient?: boolean;
  } = {},
): boolean {
  const c = numeric(criteria);
  if (c.start !== undefined && event.sec < c.start) return false;
  if (c.end !== undefined && event.sec > c.end) return false;
  if (c.eventId !== undefined && event.serial !== c.eventId) return false;
  if (c.nodes && (event.node === undefined || !c.nodes.includes(event.node))) return false;
  if (c.types && !event.records.some((r) => c.types!.includes(r.type))) return false;
  // ausearch reads every event, criteria or not, and passes over those its reader fails on
  const flags = flagsOf(c, options.interpreted ?? false);
  const lenient = options.lenient ?? false;
  const debug = lenient ? undefined : options.debug;
  if (flags === NOTHING && c.syscall === undefined && !debug) {
    return lenient || ausearchKeeps(event);
  }
  // carried names change what an event that does not load its own looks up: not cached
  const carried = options.carriedNames !== undefined && options.carriedNames.size > 0 &&
      !loadsOwnNames(event)
    ? options.carriedNames
    : undefined;
  const s = debug || options.warn || carried || lenient
    ? extractItems(event, flags, debug, options.warn, carried, lenient)
    : searchItems(event, flags);
  if (s === undefined) return false;
  const exact = c.exact ?? false;
  // what was not read compares as ausearch's initial values: -1, and -2 for auid and session
  const uid = s.uid ?? -1, euid = s.euid ?? -1, auid = s.auid ?? -2;
  if (c.anyUidName !== undefined) {
    const n = c.anyUidName;
    if (s.uidLookup !== n && s.euidLookup !== n && s.auidLookup !== n) return false;
  } else if (c.anyUid !== undefined) {
    if (uid !== c.anyUid && euid !== c.anyUid && auid !== c.anyUid) return false;
  } else if (c.uidName !== undefined || c.euidName !== undefined || c.auidName !== undefined) {
    // by name, only the names are compared
    if (c.uidName !== undefined && s.uidLookup !== c.uidName) return false;
    if (c.euidName !== undefined && s.euidLookup !== c.euidName) return false;
    if (c.auidName !== undefined && s.auidLookup !== c.auidName) return false;
  } else {
    if (c.uid !== undefined && c.uid !== -1 && uid !== c.uid) return false;
    if (c.euid !== undefined && c.euid !== -1 && euid !== c.euid) return false;
    if (c.auid !== undefined && c.auid !== -2 && auid !== c.auid) return false;
  }
  const gid = s.gid ?? -1, egid = s.egid ?? -1;
  if (c.anyGid !== undefined) {
    if (gid !== c.anyGid && egid !== c.anyGid) return false;
  } else {
    if (c.gid !== undefined && c.gid !== -1 && gid !== c.gid) return false;
    if (c.egid !== undefined && c.egid !== -1 && egid !== c.egid) return false;
  }
  if (c.ppid !== undefined && c.ppid !== -1 && (s.ppid ?? -1) !== c.ppid) return false;
  if (c.pid !== undefined && c.pid !== -1 && (s.pid ?? -1) !== c.pid) return false;
  if (c.machine !== undefined && c.machine !== -1 && s.arch !== c.machine) return false;
  if (c.syscall !== undefined && c.syscall !== -1 && (s.syscall ?? 0) !== c.syscall) return false;
  if (c.session !== undefined && c.session !== -2 && (s.session ?? -2) !== c.session) return false;
  if (c.exit !== undefined && s.exit !== c.exit) return false;
  if (c.success !== undefined && s.success !== c.success) return false;
  if (c.file !== undefined) {
    const f = c.file;
    if (!s.files.some((x) => strmatch(f, x, exact)) && !strmatch(f, s.cwd, exact)) return false;
  }
  if (c.host !== undefined && !strmatch(c.host, s.hostname, exact)) return false;
  if (c.terminal !== undefined && !strmatch(c.terminal, s.terminal, exact)) return false;
  if (c.exe !== undefined && !strmatch(c.exe, s.exe, exact)) return false;
  if (c.comm !== undefined && !strmatch(c.comm, s.comm, exact)) return false;
  if (c.key !== undefined) {
    const k = c.key;
    if (!s.keys.some((x) => strmatch(k, x, exact))) return false;
  }
  if (c.vmName !== undefined && !strmatch(c.vmName, s.vmName, exact)) return false;
  if (c.uuid !== undefined && !strmatch(c.uuid, s.uuid, exact)) return false;
  if (c.subject !== undefined || c.object !== undefined) return contextMatch(s, c, exact);
  return true;
}

/** `-se`, `-su` and `-o` as ausearch 3.0.9 combines them (see {@link SearchCriteria.eitherContext}). */
function contextMatch(s: SearchItems, c: SearchCriteria, exact: boolean): boolean {
  const subject = c.subject, object = c.object;
  const subjectFound = subject !== undefined &&
    s.subjects.some((x) => strmatch(subject, x, exact));
  const objectFound = object !== undefined && s.objects.some((x) => strmatch(object, x, exact));
  if (c.eitherContext) return subjectFound || objectFound;
  if (subject !== undefined) return subjectFound;
  return objectFound;
}

/** Whether the key is the only criterion that needs the event's items. */
// --- ausearch time words --------------------------------------------------------

const DAY = 24 * 60 * 60 * 1000;
const TIME_WORDS = [
  "now",
  "recent",
  "today",
  "yesterday",
  "this-week",
  "week-ago",
  "this-month",
  "this-year",
] as const;

function midnight(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

/**
 * Parses ausearch's `-ts`/`-te` arguments (local time): a time word (`now`,
 * `recent`, `today`, `yesterday`, `this-week`, `week-ago`, `this-month`,
 * `this-year`) or a date `MM/DD/YY`, optionally followed by `HH:MM[:SS]`.
 * Returns seconds since the epoch; throws RangeError on bad input.
 *
 * @example
 * ```ts
 * import { parseSearchTime } from "./criteria.ts";
 * parseSearchTime("today", undefined, "start"); // local midnight, in seconds
 * parseSearchTime("11/14/23", "22:13:20", "start");
 * ```
 */
export function parseSearchTime(
  date: string | undefined,
  time: string | undefined,
  which: "start" | "end",
  now: Date = new Date(),
): number {
  let day: Date;
  if (date === undefined) day = now;
  else if ((TIME_WORDS as readonly string[]).includes(date)) {
    switch (date) {
      case "now":
        return Math.floor(now.getTime() / 1000);
      case "recent":
        return Math.floor(now.getTime() / 1000) - 600;
      case "today":
        if (which === "end") return Math.floor(now.getTime() / 1000);
        day = midnight(now);
        break;
      case "yesterday":
        day = midnight(new Date(now.getTime() - DAY));
        break;
      case "this-week":
        day = midnight(new Date(now.getTime() - now.getDay() * DAY));
        break;
      case "week-ago":
        day = midnight(new Date(now.getTime() - 7 * DAY));
        break;
      case "this-month":
        day = new Date(now.getFullYear(), now.getMonth(), 1);
        break;
      default:
        day = new Date(now.getFullYear(), 0, 1);
    }
  } else {
    // the C locale's %x: two-digit years only, as ausearch
    const m = /^(\d{1,2})\/(\d{1,2})\/(\d{1,2})$/.exec(date);
    if (!m) {
      throw new RangeError(`Invalid ${which} date "${date}": expected MM/DD/YY or a time word`);
    }
    let year = Number(m[3]);
    year += year < 69 ? 2000 : 1900;
    day = new Date(year, Number(m[1]) - 1, Number(m[2]));
    if (day.getMonth() !== Number(m[1]) - 1) {
      throw new RangeError(`Invalid ${which} date "${date}": no such day`);
    }
  }
  let h = 0, min = 0, s = 0;
  if (time !== undefined) {
    const m = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?$/.exec(time);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 60) {
      throw new RangeError(`Invalid ${which} time "${time}": expected HH:MM:SS`);
    }
    [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  } else if (which === "end") {
    [h, min, s] = [now.getHours(), now.getMinutes(), now.getSeconds()];
  }
  const t = new Date(day.getFullYear(), day.getMonth(), day.getDate(), h, min, s);
  if (t.getFullYear() < 2004) {
    throw new RangeError(`Invalid ${which} date: year ${t.getFullYear()}`);
  }
  return Math.floor(t.getTime() / 1000);
}
