/**
 * Event selection as ausearch does it: the searchable items of an event
 * (pid, uids, exe, files, keys, ...) are extracted from its records, and
 * every criterion given must hold (the options are AND-ed; `-m` and `-n`
 * take several values that are OR-ed).
 *
 * @module
 */

import type { AuditEvent } from "./assemble.ts";
import type { AuditRecord } from "./record.ts";
import { printEscaped } from "./interpret.ts";
import { hexToBytes } from "./record.ts";
import { elfToMachine } from "./tables.ts";
import { RecordType } from "./types.ts";

/** ausearch's criteria; every field set must match. */
export interface SearchCriteria {
  /** `-ts`: events at or after this time (seconds since the epoch). */
  start?: number;
  /** `-te`: events at or before this time (seconds). */
  end?: number;
  /** `-a`: the event serial number. */
  eventId?: number;
  /** `-m`: record types; an event matches when one of its records has one. */
  types?: number[];
  /** `-n`: node names. */
  nodes?: string[];
  /** `-k`: a key. */
  key?: string;
  /** `-p`: process id. */
  pid?: number;
  /** `-pp`: parent process id. */
  ppid?: number;
  /** `-sc`: syscall number. */
  syscall?: number;
  /** `--arch`: machine (libaudit numbering). */
  machine?: number;
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

/** The searchable items of an event (ausearch's `search_items`). */
export interface SearchItems {
  /** Process id. */
  pid?: number;
  /** Parent process id. */
  ppid?: number;
  /** User id (-1 when unset). */
  uid?: number;
  /** Effective uid. */
  euid?: number;
  /** Group id. */
  gid?: number;
  /** Effective gid. */
  egid?: number;
  /** Login uid (-1 when unset). */
  auid?: number;
  /** The ENRICHED name of the auid, when the log has one. */
  auidName?: string;
  /** Session id. */
  session?: number;
  /** Syscall number. */
  syscall?: number;
  /** Machine (libaudit numbering). */
  arch?: number;
  /** Syscall exit value. */
  exit?: number;
  /** Whether the event succeeded. */
  success?: boolean;
  /** Executable, unescaped. */
  exe?: string;
  /** Command name, unescaped. */
  comm?: string;
  /** Terminal (tty or terminal=). */
  terminal?: string;
  /** Host name or address. */
  hostname?: string;
  /** Working directory. */
  cwd?: string;
  /** File names of PATH and AVC records (relative ones joined to the cwd). */
  files: string[];
  /** Unix socket paths of SOCKADDR records (aureport counts them as files). */
  sockets: string[];
  /** Account of user records (`acct=`), unescaped. */
  acct?: string;
  /** Rule keys. */
  keys: string[];
  /** Subject security contexts, in record order. */
  subjects: string[];
  /** Object security contexts, in record order. */
  objects: string[];
  /** Virtual machine name (`vm=` of user records; the last one). */
  vmName?: string;
  /** Virtual machine UUID (`uuid=` of user records; the last one). */
  uuid?: string;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*-?\d+/.exec(v);
  return m ? Number(m[0]) : undefined;
}

/** A 32-bit id as ausearch compares it (-1 for 4294967295). */
function id32(v: string | undefined): number | undefined {
  const n = num(v);
  return n === undefined ? undefined : n | 0;
}

function successOf(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === "yes" || v === "1" || v === "success") return true;
  if (v === "no" || v === "0" || v === "failed") return false;
  return undefined;
}

function strValue(v: string | undefined): string | undefined {
  if (v === undefined || v === "(null)" || v === "(none)") return v;
  return printEscaped(v);
}

function isUserType(t: number): boolean {
  return t === RecordType.USER || (t >= 1100 && t <= 1199) || (t >= 2100 && t <= 2999);
}

/**
 * Record types whose `subj=` ausearch takes as a subject context: its
 * parsers of syscalls, users, logins, daemons, integrity, kernel anomalies
 * and MAC messages (`ausearch-parse.c`).
 */
function subjectType(t: number): boolean {
  return t === RecordType.SYSCALL || t === 1328 || t === 1702 || t === RecordType.LOGIN ||
    (t >= 1200 && t <= 1206 && t !== 1204) || (t >= 1800 && t <= 1805) || t === 1326 ||
    t === 1701 || t === 1305 || (t >= 1403 && t <= 1417) || isUserType(t) ||
    t === RecordType.USER_AVC;
}

/** Record types whose `obj=` is an object context: PATH, IPC, OBJ_PID, NETFILTER_PKT. */
function objectType(t: number): boolean {
  return t === RecordType.PATH || t === 1303 || t === 1318 || t === 1324;
}

/** NETFILTER_CFG and EVENT_LISTENER: their `subj=` counts only when no context was seen before. */
function lateSubjectType(t: number): boolean {
  return t === 1325 || t === 1335;
}

function take(items: SearchItems, r: AuditRecord): void {
  const n = r.fieldCount;
  const t = r.type;
  // each parser of ausearch takes the first of these in a record
  let subj = false, obj = false, scontext = false, tcontext = false;
  let hostFromAddr = false;
  const noContextYet = items.subjects.length === 0 && items.objects.length === 0;
  for (let i = 0; i < n; i++) {
    const name = r.fieldName(i);
    const v = r.fieldValue(i);
    switch (name) {
      case "pid":
        // ausearch's SYSCALL and AVC parsers set the pid over an earlier one
        if (t === RecordType.SYSCALL || t === RecordType.AVC) items.pid = num(v) ?? items.pid;
        else items.pid ??= num(v);
        break;
      case "ppid":
        items.ppid ??= num(v);
        break;
      case "uid":
        items.uid ??= id32(v);
        break;
      case "euid":
        items.euid ??= id32(v);
        break;
      case "gid":
        items.gid ??= id32(v);
        break;
      case "egid":
        items.egid ??= id32(v);
        break;
      case "auid":
        if (t === RecordType.LOGIN || items.auid === undefined) {
          items.auid = id32(v);
          const e = r.enriched ? r.enrichment.get("AUID") : undefined;
          items.auidName = e === undefined ? undefined : printEscaped(e);
        }
        break;
      case "ses":
        if (t === RecordType.LOGIN) items.session = id32(v);
        else items.session ??= id32(v);
        break;
      case "syscall":
        if (t === RecordType.SYSCALL) items.syscall ??= num(v);
        break;
      case "arch":
        if (t === RecordType.SYSCALL) items.arch ??= elfToMachine(parseInt(v, 16) >>> 0);
        break;
      case "exit":
        if (t === RecordType.SYSCALL) items.exit ??= num(v);
        break;
      case "success":
        // the syscall's result wins over a res= of another record of the event
        if (t === RecordType.SYSCALL) items.success = successOf(v) ?? items.success;
        break;
      case "seresult":
        // "avc: denied" fails the event, "granted" makes it succeed (a later SYSCALL overrides)
        if (t === RecordType.AVC || t === RecordType.USER_AVC) {
          items.success = !v.includes("denied");
        }
        break;
      case "res":
      case "result":
        items.success ??= successOf(v);
        break;
      case "exe":
        // the syscall's exe and comm win over those of records before it (an AVC's)
        if (t === RecordType.SYSCALL) items.exe = strValue(v) ?? items.exe;
        else items.exe ??= strValue(v);
        break;
      case "comm":
        if (t === RecordType.SYSCALL) items.comm = strValue(v) ?? items.comm;
        else items.comm ??= strValue(v);
        break;
      case "tty":
        // ausearch's task parser (SYSCALL, FEATURE_CHANGE, ANOM_LINK) sets the terminal over
        // an earlier one; NETFILTER_CFG and EVENT_LISTENER only fill it in
        if (t === RecordType.SYSCALL || t === 1328 || t === 1702) items.terminal = v;
        else if (lateSubjectType(t)) items.terminal ??= v;
        break;
      case "terminal":
        if (isUserType(t) || t === RecordType.LOGIN) items.terminal ??= v;
        break;
      case "acct":
        if (isUserType(t)) items.acct ??= strValue(v);
        break;
      case "hostname":
        if (isUserType(t) && items.hostname === undefined) {
          items.hostname = v;
          // "?" says nothing: ausearch takes the record's addr= instead, when it has one
          if (v === "?") hostFromAddr = true;
        }
        break;
      case "addr":
        if (hostFromAddr) {
          items.hostname = v;
          hostFromAddr = false;
        }
        break;
      case "cwd":
        if (t === RecordType.CWD) items.cwd ??= strValue(v);
        break;
      case "name":
        if (t === RecordType.PATH || t === RecordType.AVC) {
          const f = strValue(v);
          if (f === undefined) break;
          // names starting with ./ or .. are joined to the event's CWD, as ausearch does
          if (
            t === RecordType.PATH && f[0] === "." && (f[1] === "." || f[1] === "/") &&
            items.cwd !== undefined
          ) {
            items.files.push(`${items.cwd}/${f}`);
          } else items.files.push(f);
        }
        break;
      case "saddr":
        if (t === 1306) {
          const path = unixPath(v);
          if (path !== undefined) items.sockets.push(path);
          else items.hostname ??= inetAddress(v);
        }
        break;
      case "subj":
        if (!subj && (subjectType(t) || (lateSubjectType(t) && noContextYet))) {
          subj = true;
          items.subjects.push(v);
        }
        break;
      case "obj":
        if (!obj && objectType(t)) {
          obj = true;
          items.objects.push(v);
        }
        break;
      case "scontext":
        // a USER_AVC's subject is its subj=, not the scontext of its message
        if (!scontext && t === RecordType.AVC) {
          scontext = true;
          items.subjects.push(v);
        }
        break;
      case "tcontext":
        if (!tcontext && (t === RecordType.AVC || t === RecordType.USER_AVC)) {
          tcontext = true;
          items.objects.push(v);
        }
        break;
      case "vm-ctx":
        if (t === 2502) items.subjects.push(v);
        break;
      case "img-ctx":
        if (t === 2502) items.objects.push(v);
        break;
      case "vm":
        if (isUserType(t) || t === RecordType.USER_AVC) items.vmName = vmValue(v);
        break;
      case "uuid":
        if (isUserType(t) || t === RecordType.USER_AVC) {
          // the UUID ends at a space or a colon
          const colon = v.indexOf(":");
          items.uuid = colon < 0 ? v : v.slice(0, colon);
        }
        break;
      case "key":
        if (v !== "(null)") {
          const k = r.fieldIsSynthetic(i) ? v : strValue(v);
          if (k !== undefined) items.keys.push(k);
        }
        break;
    }
  }
  // NETFILTER_CFG and EVENT_LISTENER without a tty= still give the event a terminal
  if (lateSubjectType(t) && items.terminal === undefined) items.terminal = "(none)";
}

/** A `vm=` value: inside its quotes as written, hex decoded otherwise. */
function vmValue(v: string): string {
  if (v.startsWith('"')) {
    const close = v.indexOf('"', 1);
    return close < 0 ? v.slice(1) : v.slice(1, close);
  }
  return printEscaped(v);
}

/** The path of a hex AF_UNIX sockaddr (non-abstract), if it is one. */
function unixPath(hex: string): string | undefined {
  if (!hex.startsWith("0100") || hex.length <= 4) return undefined;
  const bytes = hexToBytes(hex.slice(4));
  const nul = bytes.indexOf(0);
  if (nul === 0) return undefined;
  return new TextDecoder().decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}

/** The address of a hex AF_INET/AF_INET6 sockaddr (ausearch takes it as the host). */
function inetAddress(hex: string): string | undefined {
  const b = hexToBytes(hex);
  if (b[0] === 2 && b[1] === 0 && b.length >= 8) return `${b[4]}.${b[5]}.${b[6]}.${b[7]}`;
  if (b[0] === 10 && b[1] === 0 && b.length >= 24) {
    const words: string[] = [];
    for (let i = 8; i < 24; i += 2) words.push(((b[i] << 8) | b[i + 1]).toString(16));
    return words.join(":");
  }
  return undefined;
}

const itemCache = new WeakMap<AuditEvent, SearchItems>();

/**
 * The searchable items of an event (cached).
 *
 * @example
 * ```ts
 * import { readEvents, searchItems } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(searchItems(ev).exe);
 * ```
 */
export function searchItems(event: AuditEvent): SearchItems {
  let items = itemCache.get(event);
  if (!items) {
    items = { files: [], sockets: [], keys: [], subjects: [], objects: [] };
    for (const r of event.records) take(items, r);
    itemCache.set(event, items);
  }
  return items;
}

function strmatch(needle: string, haystack: string | undefined, exact: boolean): boolean {
  if (haystack === undefined) return false;
  return exact ? haystack === needle : haystack.includes(needle);
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
export function matchEvent(event: AuditEvent, c: SearchCriteria): boolean {
  if (c.start !== undefined && event.sec < c.start) return false;
  if (c.end !== undefined && event.sec > c.end) return false;
  if (c.eventId !== undefined && event.serial !== c.eventId) return false;
  if (c.nodes && (event.node === undefined || !c.nodes.includes(event.node))) return false;
  if (c.types && !event.records.some((r) => c.types!.includes(r.type))) return false;
  const needsItems = c.key !== undefined || c.pid !== undefined || c.ppid !== undefined ||
    c.syscall !== undefined || c.machine !== undefined || c.exe !== undefined ||
    c.comm !== undefined || c.file !== undefined || c.host !== undefined ||
    c.terminal !== undefined || c.success !== undefined || c.exit !== undefined ||
    c.session !== undefined || c.uid !== undefined || c.euid !== undefined ||
    c.auid !== undefined || c.anyUid !== undefined || c.gid !== undefined ||
    c.egid !== undefined || c.anyGid !== undefined || c.subject !== undefined ||
    c.object !== undefined || c.vmName !== undefined || c.uuid !== undefined;
  if (!needsItems) return true;
  const exact = c.exact ?? false;
  if (c.key !== undefined && onlyKey(c)) return hasKey(event, c.key, exact);
  const s = searchItems(event);
  if (c.anyUid !== undefined) {
    if (s.uid !== c.anyUid && s.euid !== c.anyUid && s.auid !== c.anyUid) return false;
  } else {
    if (c.uid !== undefined && s.uid !== c.uid) return false;
    if (c.euid !== undefined && s.euid !== c.euid) return false;
    if (c.auid !== undefined && s.auid !== c.auid) return false;
  }
  if (c.anyGid !== undefined) {
    if (s.gid !== c.anyGid && s.egid !== c.anyGid) return false;
  } else {
    if (c.gid !== undefined && s.gid !== c.gid) return false;
    if (c.egid !== undefined && s.egid !== c.egid) return false;
  }
  if (c.ppid !== undefined && s.ppid !== c.ppid) return false;
  if (c.pid !== undefined && s.pid !== c.pid) return false;
  if (c.machine !== undefined && s.arch !== c.machine) return false;
  if (c.syscall !== undefined && s.syscall !== c.syscall) return false;
  if (c.session !== undefined && s.session !== c.session) return false;
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
function onlyKey(c: SearchCriteria): boolean {
  for (const k in c) {
    const v = c[k as keyof SearchCriteria];
    if (v === undefined) continue;
    if (!["key", "exact", "start", "end", "eventId", "nodes", "types"].includes(k)) return false;
  }
  return true;
}

/** `-k` alone: look at the key fields only, without extracting every item. */
function hasKey(event: AuditEvent, key: string, exact: boolean): boolean {
  for (const r of event.records) {
    const n = r.fieldCount;
    for (let i = n - 1; i >= 0; i--) {
      if (r.fieldName(i) !== "key") continue;
      const v = r.fieldValue(i);
      if (v === "(null)") continue;
      const k = r.fieldIsSynthetic(i) ? v : strValue(v);
      if (k !== undefined && strmatch(key, k, exact)) return true;
    }
  }
  return false;
}

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
 * import { parseSearchTime } from "./search.ts";
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
