/**
 * The searchable items of an event, read from its records' text the way
 * ausearch and aureport 3.0.9 read them (ausearch-parse.c): each record type
 * has its own reader, each reader looks for `name=` substrings from where its
 * previous look ended, and only for the items the search or report asks
 * about. A reader that finds a record malformed for what it was asked (a
 * value with no space after it, a required field missing) makes both tools
 * pass over the whole event; {@link extractItems} then returns `undefined`.
 *
 * Doing it their way, quirks included, is what keeps auditkit's answers equal
 * to theirs on real logs: an AppArmor AVC has no `tclass=` and is never shown,
 * a user record whose `terminal=` ends the text fails a report that looks at
 * terminals, a TTY record's uid always reads as 0, a NETFILTER_CFG record
 * without ids counts as uid 0 and auid -1.
 *
 * @module
 */

import type { AuditEvent } from "../event/assemble.ts";
import type { AuditRecord } from "../event/record.ts";
import { userName } from "../accounts.ts";
import { strtol, strtoul } from "../c_number.ts";
import { ipv6Text } from "../inet.ts";
import { printEscaped } from "../interpret/printers.ts";
import { decodeBytes, hexToBytes } from "../event/record.ts";

type AvcNode = AvcDecision;
import { elfToMachine } from "../interpret/tables.ts";
import { RecordType } from "../event/types.ts";

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
  /** The ENRICHED name of the auid, when the log has one (as aureport reads it). */
  auidName?: string;
  /**
   * The name of the uid as ausearch compares it with a `-ui`/`-ua` name:
   * auditd's (ENRICHED, the first record's), else root, unset or the local
   * database's; only when the reader looked it up.
   */
  uidLookup?: string;
  /** The name of the euid, as {@link uidLookup}. */
  euidLookup?: string;
  /** The name of the auid, as {@link uidLookup}. */
  auidLookup?: string;
  /** The ENRICHED name of the syscall, when the log has one (as aureport reads it). */
  syscallName?: string;
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
  /**
   * ausearch's list of security contexts and access decisions, in the order
   * read: AVC and USER_AVC decisions, and the contexts of other records
   * (`subj=`, `obj=`, ...) as entries with only a subject or an object.
   */
  avcs: AvcDecision[];
}

/** One SELinux access decision (`avc: denied { read } ... tclass=file`). */
export interface AvcDecision {
  /** The subject context (`scontext=`, a USER_AVC's `subj=`). */
  scontext?: string;
  /** The object context (`tcontext=`). */
  tcontext?: string;
  /** denied or granted. */
  result?: "denied" | "granted";
  /** The permissions between the braces, as written. */
  perm?: string;
  /** The object class (`tclass=`). */
  cls?: string;
}

/** Which items a search or report looks at (ausearch's `event_*` globals that are set). */
export interface ExtractFlags {
  /** `-p` (ausearch); always in aureport. */
  pid: boolean;
  /** `-pp`. */
  ppid: boolean;
  /** `-ui`, `-ua`; aureport -au, -u. */
  uid: boolean;
  /** `-ue`, `-ua`. */
  euid: boolean;
  /** `-ul`, `-ua`; most aureport reports. */
  loginuid: boolean;
  /** `-gi`, `-ga`. */
  gid: boolean;
  /** `-ge`, `-ga`. */
  egid: boolean;
  /** `-tm`. */
  terminal: boolean;
  /** `--session`; aureport --tty. */
  session: boolean;
  /** `-c`. */
  comm: boolean;
  /** `-x`. */
  exe: boolean;
  /** `-su`, `-se`. */
  subject: boolean;
  /** `-o`, `-se`. */
  object: boolean;
  /** `-sv`; always in aureport. */
  success: boolean;
  /** `-e`. */
  exit: boolean;
  /** `-f`. */
  filename: boolean;
  /** `-hn`. */
  hostname: boolean;
  /** `-k`. */
  key: boolean;
  /** `-vm`. */
  vmname: boolean;
  /** `-uu`. */
  uuid: boolean;
  /** `--arch`, or an interpreted output format (-i, csv, text): SYSCALL arch= is read. */
  arch: boolean;
}

/** No item asked for (ausearch with no criteria). */
export const NO_FLAGS: Readonly<ExtractFlags> = Object.freeze({
  pid: false,
  ppid: false,
  uid: false,
  euid: false,
  loginuid: false,
  gid: false,
  egid: false,
  terminal: false,
  session: false,
  comm: false,
  exe: false,
  subject: false,
  object: false,
  success: false,
  exit: false,
  filename: false,
  hostname: false,
  key: false,
  vmname: false,
  uuid: false,
  arch: false,
});

const FLAG_NAMES = Object.keys(NO_FLAGS) as (keyof ExtractFlags)[];

/** The flags as one number (a cache key). */
export function flagBits(f: ExtractFlags): number {
  let bits = 0;
  for (let i = 0; i < FLAG_NAMES.length; i++) if (f[FLAG_NAMES[i]]) bits |= 1 << i;
  return bits;
}

/** ausearch's `unescape`: `(...)` kept whole, else the leading hex digits decoded up to a NUL. */
function unescape(m: string, p: number): string | undefined {
  if (m.charCodeAt(p) === 0x28) {
    const close = m.indexOf(")", p);
    return close < 0 ? undefined : m.slice(p, close + 1);
  }
  let end = p;
  while (end < m.length && isHexChar(m.charCodeAt(end))) end++;
  if (end - p < 2) return undefined;
  // an odd last digit pairs with the string's end, as the C loop reads it
  const hex = (end - p) % 2 === 1 ? m.slice(p, end) + "0" : m.slice(p, end);
  const bytes = hexToBytes(hex);
  const nul = bytes.indexOf(0);
  return decodeBytes(bytes, 0, nul < 0 ? bytes.length : nul);
}

function isHexChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** C's strtoul/strtoull from `p` in `base` (10 or 16); an overflow is noted in {@link overflowed}. */
function strtou(m: string, p: number, base: number): bigint {
  const v = strtoul(m, base, p);
  if (v !== undefined) return v;
  // ERANGE: every reader then fails the record
  overflowed = true;
  return 0xffffffffffffffffn;
}

/** A number read since the last reset was out of range (C's errno ERANGE). */
let overflowed = false;

/** strtoul into a 32-bit id, as ausearch compares ids (4294967295 is -1). */
function id32(m: string, p: number): number {
  // the common case, plain digits that fit a double, without a BigInt
  let v = 0, i = p;
  for (; i < p + 15; i++) {
    const c = m.charCodeAt(i); // NaN past the end
    if (!(c >= 0x30 && c <= 0x39)) break;
    v = v * 10 + (c - 0x30);
  }
  if (i > p && !isDigit(m.charCodeAt(i))) return v | 0;
  return Number(BigInt.asIntN(32, strtou(m, p, 10)));
}

/** strtoll with base 0 (decimal, 0x hex, 0 octal); an overflow is noted in {@link overflowed}. */
function strtoll0(m: string, p: number): number {
  const { value, overflow } = strtol(m, 0, p);
  if (overflow) overflowed = true;
  return Number(value);
}

/** An S_SUCCESS/S_FAILED number as the items' boolean (other values match neither). */
function successOf(n: number): boolean | undefined {
  return n === 1 ? true : n === 0 ? false : undefined;
}

/** A look for `name=` that found nothing. */
const ABSENT = -1;

/**
 * One event's extraction. Each reader walks its record's text with a cursor
 * (`term`, as ausearch calls it): a look starts where the previous one ended,
 * which is what makes ausearch take the uid= after auid=, or skip a field
 * that comes before one it read.
 */
class Extractor {
  readonly items: SearchItems = {
    files: [],
    sockets: [],
    keys: [],
    subjects: [],
    objects: [],
    avcs: [],
  };
  /** A uid was read (NETFILTER_CFG and EVENT_LISTENER only fill in a missing one). */
  uidSet = false;
  /** An auid was read. */
  loginuidSet = false;
  /** A session was read. */
  sessionSet = false;
  /** A security context was read (parse_kernel takes subj= only before any). */
  avcSeen = false;
  /** The ids whose names the readers looked up (ausearch's tuid, teuid, tauid), at lookup time. */
  uidLook: number | undefined;
  euidLook: number | undefined;
  auidLook: number | undefined;
  /** The cursor in the current record's text. */
  term = 0;
  /** The text, start and end of the value the last look found. */
  m = "";
  start = 0;
  end = 0;
  /** The text the last string look read. */
  text: string | undefined;
  /** The value the last loose look read ended the text (ausearch is then left without a cursor). */
  atEnd = false;
  /** The return code of the last look's errno check, where it has one (for --debug). */
  errnoRc = 0;
  /** Where a reader left its record's text cut (an out-of-range value), or -1 (for --debug). */
  cut = -1;
  /** The return code of the check that found the out-of-range value (for --debug). */
  failRc = 0;

  /** No option makes the SYSCALL reader look at more than syscall=, a0= and a1=. */
  readonly bare: boolean;
  /** No option at all. */
  readonly nothing: boolean;

  constructor(
    readonly f: ExtractFlags,
    readonly debug?: (message: string) => void,
    readonly warn?: (message: string) => void,
  ) {
    this.bare = !(f.arch || f.success || f.exit || f.key || f.ppid || f.pid || f.loginuid ||
      f.uid || f.gid || f.euid || f.egid || f.terminal || f.session || f.comm || f.exe ||
      f.subject);
    this.nothing = this.bare &&
      !(f.object || f.filename || f.hostname || f.vmname || f.uuid);
  }

  /**
   * Runs the reader of each record in order; false when one fails (with
   * `lenient`, the next record is read instead, and the items read stay).
   */
  run(event: AuditEvent, lenient = false): boolean {
    for (const r of event.records) {
      this.term = 0;
      overflowed = false;
      this.errnoRc = this.failRc = 0;
      this.cut = -1;
      const rc = this.record(r);
      // a number out of range: the reader's errno check fails the record
      if (rc !== 0 || overflowed) {
        if (this.debug) {
          const text = r.text;
          const code = rc || this.failRc || "?";
          this.debug(
            `Malformed event skipped, rc=${code}. ${
              this.cut < 0 ? text : text.slice(0, this.cut)
            }\n`,
          );
        }
        if (!lenient) return false;
      }
    }
    return true;
  }

  // --- looks --------------------------------------------------------------------

  /**
   * Looks for `key` from `from` (the cursor by default): the value after it
   * must end at a space (`noSpace` is returned otherwise), where the cursor
   * then moves. {@link ABSENT} when `key` is not there. The value is then
   * {@link id} or {@link word}.
   */
  look(m: string, key: string, noSpace: number, from = this.term): number {
    const at = m.indexOf(key, from);
    if (at < 0) return ABSENT;
    const end = m.indexOf(" ", at + key.length);
    if (end < 0) return noSpace;
    this.found(m, at + key.length, end);
    // the readers' errno checks return the code after the no-space one
    this.errnoRc = noSpace + 1;
    return 0;
  }

  /** {@link look} for a value that may end the text (the cursor then stays on it, {@link atEnd}). */
  lookLoose(m: string, key: string, from = this.term): boolean {
    const at = m.indexOf(key, from);
    if (at < 0) return false;
    const end = m.indexOf(" ", at + key.length);
    this.found(m, at + key.length, end);
    return true;
  }

  found(m: string, start: number, end: number): void {
    this.m = m;
    this.start = start;
    this.atEnd = end < 0;
    this.end = end < 0 ? m.length : end;
    this.term = end < 0 ? start : end;
  }

  /** The value found, read as ausearch's strtoul reads an id. */
  get id(): number {
    const v = id32(this.m, this.start);
    // out of range: ausearch's reader returns here, the value's end cut off (for --debug)
    if (overflowed && this.cut < 0) {
      this.cut = this.end;
      this.failRc = this.errnoRc;
    }
    return v;
  }

  /** The value found, as text. */
  get word(): string {
    return this.m.slice(this.start, this.end);
  }

  /**
   * A quoted or hex-encoded string after `key` (comm=, exe=, vm=): quoted
   * ones need their closing quote (`noQuote` otherwise, the cursor moves to
   * it); hex ones leave the cursor where it was.
   */
  str(m: string, key: string, noQuote: number, from = this.term): number {
    const at = m.indexOf(key, from);
    if (at < 0) return ABSENT;
    const p = at + key.length;
    if (m[p] === '"') {
      const close = m.indexOf('"', p + 1);
      if (close < 0) return noQuote;
      this.term = close;
      this.text = m.slice(p + 1, close);
    } else this.text = unescape(m, p);
    return 0;
  }

  /**
   * A user record's text value (cwd=, exe=): quoted ({@link str}), or up to
   * a space, hex decoded when it is all hex digits and kept as written
   * otherwise (older records); the cursor moves past it.
   */
  userText(m: string, key: string, noQuote: number, from: number): number {
    const at = m.indexOf(key, from);
    if (at < 0) return ABSENT;
    const p = at + key.length;
    if (m[p] === '"') return this.str(m, key, noQuote, at);
    [this.text, this.term] = legacyValue(m, p);
    return 0;
  }

  /** A number's result `rc` as a reader's: `missing` when absent (0: optional). */
  static need(rc: number, missing: number): number {
    return rc === ABSENT ? missing : rc;
  }

  // --- readers by record type ------------------------------------------------------

  record(r: AuditRecord): number {
    const t = r.type;
    // a SYSCALL record read for nothing but its syscall: looked at in its bytes, not decoded
    if (t === RecordType.SYSCALL && this.bare) return this.syscallBytes(r);
    // asked for nothing, only the readers that can fail are run (the acct= of user
    // records, read whatever the options, is then left out)
    if (this.nothing && !this.debug && !MAY_FAIL_UNASKED.has(t)) return 0;
    const m = r.text;
    if (t === RecordType.SYSCALL) return this.syscall(m);
    if (t === RecordType.CWD) return this.dir(m);
    if (t === 1402) return this.avcPath(m); // AVC_PATH
    if (t === RecordType.PATH) return this.path(m);
    // USER, and user messages but USER_AVC
    if (t === 1005 || (t >= 1100 && t <= 1199 && t !== 1107) || (t >= 2100 && t <= 2999)) {
      return this.user(t, m);
    }
    if (t === 1306) return this.sockaddr(m); // SOCKADDR
    if (t === 1006) return this.login(m); // LOGIN
    if (t === 1303 || t === 1318) return this.obj(m); // IPC, OBJ_PID
    // DAEMON_START, END, ABORT, CONFIG, ROTATE, RESUME
    if ((t >= 1200 && t <= 1203) || t === 1205 || t === 1206) return this.daemon1(m);
    if (t === 1207 || t === 1208) return this.daemon2(m); // DAEMON_ACCEPT, CLOSE
    if (t === 1305) { // CONFIG_CHANGE
      const rc = this.simple(t, m);
      // its path= is read as an old AVC_PATH's would be, whatever comes of it
      this.avcPath(m);
      return rc;
    }
    if (t === RecordType.AVC || t === RecordType.USER_AVC) return this.avc(t, m);
    if (t === 1324) return this.pkt(m); // NETFILTER_PKT
    if (t === 1328 || t === 1702) return this.taskInfo(m); // FEATURE_CHANGE, ANOM_LINK
    if (t === 1326 || t === 1700 || t === 1701) return this.kernelAnom(t, m); // SECCOMP, ANOM_*
    if (t >= 1403 && t <= 1417) return this.simple(t, m); // MAC_POLICY_LOAD..MAC_UNLBL_STCDEL
    if (t >= 1800 && t <= 1805) return this.integrity(m); // INTEGRITY_DATA..RULE
    if (t === 1325 || t === 1335) return this.kernel(m); // NETFILTER_CFG, EVENT_LISTENER
    if (t === 1319) return this.tty(m); // TTY
    if (!NOTHING_TO_READ.has(t)) this.debug?.(`Unparsed type:${t}\n - skipped`);
    return 0;
  }

  /** The process part of SYSCALL, FEATURE_CHANGE and ANOM_LINK records. */
  taskInfo(m: string): number {
    const f = this.f, s = this.items;
    let rc: number;
    this.term = 0;
    if (f.ppid) {
      if ((rc = this.look(m, "ppid=", 14)) > 0) return rc;
      if (rc === 0) s.ppid = this.id;
    }
    if (f.pid) {
      if ((rc = Extractor.need(this.look(m, " pid=", 17), 16))) return rc;
      s.pid = this.id;
    }
    if (f.loginuid) {
      rc = this.look(m, "auid=", 20);
      if (rc === ABSENT) rc = Extractor.need(this.look(m, "loginuid=", 20), 19);
      if (rc) return rc;
      this.setAuid(this.id);
    }
    if (f.uid) {
      // the first uid= may be the end of auid=: then the next one
      let at = m.indexOf("uid=", this.term);
      while (at > 0 && m[at - 1] === "a") at = m.indexOf("uid=", at + 1);
      if (at < 0) return 22;
      if ((rc = this.look(m, "uid=", 23, at))) return rc;
      this.setUid(this.id);
    }
    if (f.gid) {
      if ((rc = Extractor.need(this.look(m, "gid=", 26), 25))) return rc;
      s.gid = this.id;
    }
    if (f.euid) {
      if ((rc = Extractor.need(this.look(m, "euid=", 29), 28))) return rc;
      s.euid = this.euidLook = this.id;
    }
    if (f.egid) {
      if ((rc = Extractor.need(this.look(m, "egid=", 32), 31))) return rc;
      s.egid = this.id;
    }
    if (f.terminal) {
      if ((rc = this.look(m, "tty=", 34)) > 0) return rc;
      if (rc === 0) s.terminal = this.word;
    }
    if (f.session) {
      if ((rc = this.look(m, "ses=", 35)) > 0) return rc;
      if (rc === 0) this.setSession(this.id);
    }
    if (f.comm) {
      if ((rc = Extractor.need(this.str(m, "comm=", 37), 38))) return rc;
      s.comm = this.text;
    }
    // exe= is looked for from the start of the text
    if (f.exe) {
      if ((rc = Extractor.need(this.str(m, "exe=", 39, 0), 40))) return rc;
      s.exe = this.text;
    }
    if (f.subject) {
      if ((rc = this.look(m, "subj=", 41)) > 0) return rc;
      if (rc === 0) this.subject(this.word);
    }
    if (f.success && this.lookLoose(m, "res=")) s.success = successOf(this.id);
    return 0;
  }

  syscall(m: string): number {
    const f = this.f, s = this.items;
    let rc: number;
    if (f.arch) {
      const at = m.indexOf("arch=");
      if (at < 0) return 1;
      const end = m.indexOf(" ", at + 5);
      if (end < 0) return 2;
      this.term = end;
      s.arch = elfToMachine(Number(BigInt.asUintN(32, strtou(m, at + 5, 16))));
    }
    if ((rc = Extractor.need(this.look(m, "syscall=", 5), 4))) return rc;
    s.syscall = this.id;
    if (f.success) {
      if ((rc = this.look(m, "success=", 7)) > 0) return rc;
      if (rc === 0) s.success = this.word === "yes";
    }
    if (f.exit) {
      const at = m.indexOf("exit=", this.term);
      if (at < 0) return 8;
      const end = m.indexOf(" ", at + 5);
      if (end < 0) return 9;
      this.term = end;
      s.exit = strtoll0(m.slice(0, end), at + 5);
    }
    if ((rc = Extractor.need(this.look(m, "a0=", 12), 11))) return rc;
    if ((rc = Extractor.need(this.look(m, "a1=", 12), 11))) return rc;
    const afterArgs = this.term;
    if ((rc = this.taskInfo(m))) return rc;
    if (f.key) {
      const at = m.indexOf("key=", afterArgs);
      if (at >= 0) return this.keys(m, at + 4, 44, 45);
    }
    return 0;
  }

  /** {@link syscall} for a bare read, on the record's bytes: the same results, faster. */
  syscallBytes(r: AuditRecord): number {
    const rc = bareSyscall(r);
    if (rc === 0) this.items.syscall = bareSyscallNumber;
    // out of range: the text is cut at the value's end, as the reader left it
    else if (rc === 6) this.cut = bareCut;
    return rc;
  }

  /** A key value at `p`: quoted, or hex with several keys split on 0x01. */
  keys(m: string, p: number, noQuote: number, badHex: number): number {
    if (m[p] === '"') {
      const close = m.indexOf('"', p + 1);
      if (close < 0) return noQuote;
      this.term = close;
      this.items.keys.push(m.slice(p + 1, close));
      return 0;
    }
    const k = unescape(m, p);
    if (k === undefined) return badHex;
    for (const one of k.split("\x01")) if (one !== "") this.items.keys.push(one);
    return 0;
  }

  dir(m: string): number {
    if (!this.f.filename) return 0;
    const rc = this.str(m, " cwd=", 1, NAME_OFFSET);
    if (rc > 0) return rc;
    // a quoted cwd is kept only when none was read; a hex one replaces nothing either
    if (rc === 0) this.items.cwd ??= this.text;
    return 0;
  }

  /** common_path_parser: a quoted or hex path at `p`, relative ones joined to the cwd. */
  pathAt(m: string, p: number): number {
    const s = this.items;
    let name: string | undefined;
    if (m[p] === '"') {
      const close = m.indexOf('"', p + 1);
      if (close < 0) return 2;
      name = m.slice(p + 1, close);
    } else {
      if (m.startsWith("(null)", p)) {
        s.files.push("(null)");
        return 0;
      }
      if (!isHexChar(m.charCodeAt(p))) return 4;
      if (m[p] === "0" && m[p + 1] === "0") name = unescape(m, p + 2); // an abstract name
      else {
        if (m.indexOf(" ", p) < 0) return 5;
        name = unescape(m, p);
      }
      if (name === undefined) return 7;
    }
    if (name[0] === "." && (name[1] === "." || name[1] === "/") && s.cwd !== undefined) {
      name = `${s.cwd}/${name}`;
    }
    s.files.push(name);
    return 0;
  }

  avcPath(m: string): number {
    if (!this.f.filename) return 0;
    const at = m.indexOf(" path=");
    return at < 0 ? 1 : this.pathAt(m, at + 6);
  }

  path(m: string): number {
    this.term = NAME_OFFSET;
    if (this.f.filename) {
      const at = m.indexOf(" name=", this.term);
      if (at >= 0) {
        const rc = this.pathAt(m, at + 6);
        if (rc) return rc;
        this.term = at + 6;
      }
    }
    if (this.f.object && this.lookLoose(m, "obj=")) this.object(this.word);
    return 0;
  }

  obj(m: string): number {
    if (this.f.object && this.lookLoose(m, "obj=")) this.object(this.word);
    return 0;
  }

  sockaddr(m: string): number {
    const f = this.f, s = this.items;
    if (!f.hostname && !f.filename) return 0;
    const at = m.indexOf("saddr=");
    if (at < 0) return 0;
    const p = at + 6;
    let end = p;
    while (isHexChar(m.charCodeAt(end))) end++;
    // "(null)" and the like: no address of a family ausearch cares about
    if (m[p] === "(") {
      s.hostname = undefined;
      return 0;
    }
    if (end - p < 2) return 4;
    const len = (end - p) >> 1;
    const bytes = hexToBytes((end - p) % 2 ? m.slice(p, end) + "0" : m.slice(p, end));
    const family = bytes[0] | ((bytes[1] ?? 0) << 8);
    s.hostname = undefined;
    if (family === 2) { // AF_INET
      if (len < 16) return this.warned("sockaddr len too short\n", 1);
      if (f.hostname) s.hostname = `${bytes[4]}.${bytes[5]}.${bytes[6]}.${bytes[7]}`;
    } else if (family === 10) { // AF_INET6
      if (len < 28) return this.warned("sockaddr6 len too short\n", 2);
      if (f.hostname) s.hostname = ipv6Host(bytes);
    } else if (family === 1) { // AF_UNIX
      if (len < 4) return this.warned("sun_path len too short\n", 3);
      if (f.filename) {
        // the path as a C string, after the NUL that starts an abstract name
        const from = bytes[2] === 0 ? 3 : 2;
        let to = from;
        while (to < bytes.length && bytes[to] !== 0) to++;
        const path = decodeBytes(bytes, from, to);
        // a socket path is a file name to ausearch; sockets lists them apart too
        s.files.push(path);
        s.sockets.push(path);
      }
    }
    return 0;
  }

  /** User-space records (and USER_AVC, with `avc` to fill). */
  user(t: number, m: string, avc?: AvcNode): number {
    const f = this.f, s = this.items;
    let rc: number;
    this.term = 0;
    if (f.pid) {
      if ((rc = Extractor.need(this.look(m, "pid=", 2), 1))) return rc;
      s.pid = this.id;
    }
    if (f.uid) {
      if ((rc = Extractor.need(this.look(m, "uid=", 5), 4))) return rc;
      this.setUid(this.id);
    }
    if (f.loginuid) {
      rc = this.look(m, "auid=", 8);
      if (rc === ABSENT) rc = Extractor.need(this.look(m, "loginuid=", 8), 7);
      if (rc) return rc;
      this.setAuid(this.id);
    }
    if (f.session) {
      if ((rc = this.look(m, "ses=", 10)) > 0) return rc;
      if (rc === 0) this.setSession(this.id);
    }
    if (f.subject) {
      if ((rc = this.look(m, "subj=", 12)) > 0) return rc;
      if (rc === 0) {
        if (avc) avc.scontext = this.word;
        else this.subject(this.word);
      }
    }
    // USER_AVC: the object context, kept only when a space ends it; then past the class
    if (avc && f.object) {
      if (this.lookLoose(m, "tcontext=") && !this.atEnd) avc.tcontext = this.word;
      if (this.lookLoose(m, "tclass=") && !this.atEnd) avc.cls = this.word;
    }
    if (f.gid && (t === 1116 || t === 1117 || t === 1132)) { // ADD_GROUP, DEL_GROUP, GRP_MGMT
      let at = m.indexOf(" id=", this.term);
      // GRP_MGMT records may have gid= instead
      if (at < 0 && t === 1132) at = m.indexOf("gid=", this.term);
      if (at >= 0) {
        if ((rc = this.look(m, m[at] === " " ? " id=" : "gid=", 31, at))) return rc;
        s.gid = this.id;
      }
    }
    if (f.vmname) {
      if ((rc = this.str(m, "vm=", 23)) > 0) return rc;
      if (rc === 0) s.vmName = this.text;
    }
    if (f.uuid) {
      const at = m.indexOf("uuid=", this.term);
      if (at >= 0) {
        const p = at + 5;
        let end = p;
        while (end < m.length && m[end] !== " " && m[end] !== ":") end++;
        if (end === p) return 24;
        this.term = end;
        s.uuid = m.slice(p, end);
      }
    }
    if (t === 2502) { // VIRT_MACHINE_ID
      if (f.subject) {
        if ((rc = this.look(m, "vm-ctx=", 27)) > 0) return rc;
        if (rc === 0) this.subject(this.word);
      }
      if (f.object) {
        if ((rc = this.look(m, "img-ctx=", 29)) > 0) return rc;
        if (rc === 0) this.object(this.word);
      }
    } else if (t === 2501 && f.filename) { // VIRT_RESOURCE
      let key = " path=";
      let at = m.indexOf(key, this.term);
      if (at < 0) at = m.indexOf(key = " new-disk=", this.term);
      if (at >= 0) {
        if ((rc = this.pathAt(m, at + key.length))) return rc;
        this.term = at + key.length;
      }
    }
    // a second look for uid=: in some records (USER_LOGIN) the later one is wanted
    uid: if (f.uid) {
      let at = m.indexOf("uid=", this.term);
      while (at > 0 && m[at - 1] === "a") {
        this.term = at + 1;
        at = m.indexOf("uid=", this.term);
      }
      if (at < 0) break uid;
      const before = m[at - 1];
      if (before === "s" || before === "u") break uid;
      if (before !== "'" && before !== " ") return 25;
      const p = at + 4;
      let end = p;
      while (isDigit(m.charCodeAt(end))) end++;
      if (end === p) return 14;
      this.term = end;
      this.setUid(id32(m, p));
    }
    let mptr = this.term;
    if (f.comm) {
      if ((rc = this.str(m, "comm=", 16, mptr)) > 0) return rc;
      if (rc === 0) s.comm = this.text;
    }
    // acct= is always read (for user and group changes)
    const acct = m.indexOf("acct=", mptr);
    if (acct >= 0) {
      const p = acct + 5;
      if (m[p] === '"') {
        let end = p + 1;
        while (end < m.length && m[end] !== '"') end++;
        this.term = end;
        s.acct = m.slice(p + 1, end);
      } else [s.acct, this.term] = legacyValue(m, p);
    }
    mptr = this.term;
    if (f.hostname) {
      const at = m.indexOf("hostname=", mptr);
      if (at >= 0) {
        const p = at + 9;
        let end = valueEnd(m, p);
        if (end < 0) return 17;
        s.hostname = m.slice(p, end);
        // "?" says nothing: addr= may say more
        const addr = s.hostname === "?" ? m.indexOf("addr=", end + 1) : -1;
        if (addr >= 0) {
          end = valueEnd(m, addr + 5);
          if (end < 0) return 18;
          s.hostname = m.slice(addr + 5, end);
        }
        this.term = end;
      }
    }
    if (f.filename) {
      if ((rc = this.userText(m, "cwd=", 20, mptr)) > 0) return rc;
      if (rc === 0) s.cwd = this.text;
    }
    if (f.terminal) {
      const at = m.indexOf("terminal=", mptr);
      if (at >= 0) {
        const p = at + 9;
        let end = m.indexOf(" ", p);
        if (end < 0) end = m.indexOf(")", p);
        if (end < 0) return 19;
        this.term = end;
        s.terminal = m.slice(p, end);
      }
    }
    if (f.exe) {
      if ((rc = this.userText(m, "exe=", 26, mptr)) > 0) return rc;
      if (rc === 0) s.exe = this.text;
    }
    if (f.success) {
      const res = m.indexOf("res=", mptr);
      const result = res < 0 ? m.indexOf("result=", mptr) : -1;
      if (res >= 0) {
        if (m.indexOf("'", res + 4) < 0) return 21;
        s.success = !m.startsWith("failed", res + 4);
      } else if (result >= 0) {
        const close = m.indexOf(")", result + 7);
        if (close < 0) return 22;
        s.success = m.slice(result + 7, close).toLowerCase() === "success";
      }
    }
    return 0;
  }

  login(m: string): number {
    const f = this.f, s = this.items;
    let rc: number;
    if (f.pid) {
      if ((rc = Extractor.need(this.look(m, "pid=", 2), 1))) return rc;
      s.pid = this.id;
    }
    if (f.uid) {
      if ((rc = Extractor.need(this.look(m, "uid=", 5), 4))) return rc;
      this.setUid(this.id);
    }
    if (f.subject) {
      const at = m.indexOf("subj=", this.term);
      if (at >= 0) {
        const end = m.indexOf(" ", at + 5);
        if (end < 0) return 12;
        this.term = end;
        // ausearch keeps the "subj=" in front of a LOGIN record's context
        this.subject(m.slice(at, end));
      }
    }
    // a value ending the text leaves ausearch without a cursor: the next look starts over
    if (f.loginuid) {
      let key = "new auid=";
      if (m.indexOf(key, this.term) < 0) key = " auid=";
      if (m.indexOf(key, this.term) < 0) key = "new loginuid=";
      if (!this.lookLoose(m, key)) return 7;
      if (this.atEnd) this.term = 0;
      this.setAuid(this.id);
    }
    if (f.success) {
      if (this.lookLoose(m, "res=")) {
        s.success = successOf(this.id);
        if (this.atEnd) this.term = 0;
      } else s.success = true; // old kernels: always successful
    }
    if (f.session) {
      let key = "new ses=";
      if (m.indexOf(key, this.term) < 0) key = " ses=";
      if (!this.lookLoose(m, key)) return 14;
      this.setSession(this.id);
    }
    return 0;
  }

  daemon1(m: string): number {
    const f = this.f, s = this.items;
    let rc: number;
    // not all messages have a ')'; the looks start after it when there is one
    const mptr = Math.max(m.indexOf(")"), 0);
    this.term = mptr;
    if (f.loginuid) {
      if ((rc = Extractor.need(this.look(m, "auid=", 2), 1))) return rc;
      this.setAuid(this.id);
    }
    if (f.pid) {
      if ((rc = Extractor.need(this.look(m, "pid=", 5), 4))) return rc;
      s.pid = this.id;
    }
    if (f.uid) {
      if ((rc = this.look(m, " uid=", 7)) > 0) return rc;
      if (rc === 0) this.setUid(this.id, false); // no name looked up here
    }
    if (f.session) {
      if ((rc = this.look(m, "ses=", 9)) > 0) return rc;
      if (rc === 0) this.setSession(this.id);
    }
    if (f.subject && this.lookLoose(m, "subj=")) this.subject(this.word);
    if (f.success) {
      const at = m.indexOf("res=", mptr);
      if (at >= 0) {
        if (!isAlpha(m.charCodeAt(at + 4))) return 12;
        s.success = !m.startsWith("failed", at + 4);
      }
    }
    return 0;
  }

  daemon2(m: string): number {
    const f = this.f, s = this.items;
    if (f.hostname) {
      const at = m.indexOf("addr=");
      if (at >= 0) {
        const p = at + 5;
        let end = m.indexOf(":", p);
        if (end < 0) end = m.indexOf(" ", p);
        if (end < 0) return 1;
        this.term = end;
        s.hostname = m.slice(p, end);
      }
    }
    if (f.success) {
      const at = m.indexOf("res=", this.term);
      if (at >= 0) {
        if (!isAlpha(m.charCodeAt(at + 4))) return 2;
        s.success = !m.startsWith("failed", at + 4);
      }
    }
    return 0;
  }

  avc(t: number, m: string): number {
    const f = this.f, s = this.items;
    const node: AvcNode = {};
    let rc: number;
    const avc = m.indexOf("avc: ");
    const open = avc < 0 ? -1 : m.indexOf("{", avc + 5);
    if (open >= 0) {
      // "avc: denied { ... }" fails the event, "granted" makes it succeed
      if (f.success) {
        const denied = m.slice(avc + 5, open).includes("denied");
        s.success = !denied;
        node.result = denied ? "denied" : "granted";
      }
      let p = open + 1;
      while (m[p] === " ") p++;
      const close = m.indexOf("}", p);
      if (close < 0) return 2;
      let end = close;
      while (m[end - 1] === " ") end--;
      // an empty list with spaces ("{ }"): ausearch ends the string before its start, so the
      // permission runs to the end of the text
      node.perm = end < p ? m.slice(p) : m.slice(p, end);
      this.term = end;
    }
    if (t === RecordType.USER_AVC) {
      rc = this.user(t, m, node);
      this.addAvc(node);
      return rc > 20 ? 0 : rc;
    }
    if (f.pid) {
      if ((rc = this.look(m, "pid=", 3)) > 0) return rc;
      if (rc === 0) s.pid = this.id;
    }
    if (f.comm && s.comm === undefined) {
      const at = m.indexOf("comm=", this.term);
      if (at < 0) return 5;
      if (m[at + 5] === '"') {
        if ((rc = this.str(m, "comm=", 6, at))) return rc;
        s.comm = this.text;
      } else {
        s.comm = unescape(m, at + 5);
        if (s.comm === undefined) return 11;
        this.term = at + 11;
      }
    }
    if (f.filename) {
      let at = m.indexOf(" path=", this.term);
      if (at < 0) at = m.indexOf(" name=", this.term);
      if (at >= 0) {
        if ((rc = this.pathAt(m, at + 6))) return rc;
        this.term += 7;
      }
    }
    if (f.subject) {
      if ((rc = this.look(m, "scontext=", 7)) > 0) return rc;
      if (rc === 0) node.scontext = this.word;
    }
    if (f.object) {
      if ((rc = this.look(m, "tcontext=", 8)) > 0) return rc;
      if (rc === 0) node.tcontext = this.word;
    }
    // the class comes last: a record without one (AppArmor's) fails
    if (!this.lookLoose(m, "tclass=")) return 9;
    node.cls = this.word;
    this.addAvc(node);
    return 0;
  }

  pkt(m: string): number {
    const f = this.f, s = this.items;
    if (f.hostname) {
      const rc = this.look(m, "saddr=", 1);
      if (rc > 0) return rc;
      if (rc === 0) s.hostname = this.word;
    }
    if (f.object && this.lookLoose(m, "obj=")) this.object(this.word);
    return 0;
  }

  /** SECCOMP, ANOM_PROMISCUOUS and ANOM_ABEND. */
  kernelAnom(t: number, m: string): number {
    const f = this.f, s = this.items;
    let rc: number;
    if (f.loginuid) {
      if (!this.lookLoose(m, "auid=")) return 1;
      this.setAuid(this.id);
    }
    if (f.uid) {
      if ((rc = this.look(m, "uid=", 3)) > 0) return rc;
      if (rc === 0) this.setUid(this.id);
    }
    if (f.gid) {
      if ((rc = this.look(m, "gid=", 5)) > 0) return rc;
      if (rc === 0) s.gid = this.id;
    }
    if (f.session && this.lookLoose(m, "ses=")) this.setSession(this.id);
    if (t === 1700) return 0; // ANOM_PROMISCUOUS: nothing more
    if (f.subject) {
      if ((rc = this.look(m, "subj=", 8)) > 0) return rc;
      if (rc === 0) this.subject(this.word);
    }
    if (f.pid) {
      if ((rc = this.look(m, "pid=", 10)) > 0) return rc;
      if (rc === 0) s.pid = this.id;
    }
    if (f.comm) {
      if ((rc = this.str(m, "comm=", 12)) > 0) return rc;
      if (rc === 0) s.comm = this.text;
    }
    if (f.exe) {
      rc = this.str(m, "exe=", 13);
      // ANOM_ABEND may have no exe
      if (rc === ABSENT && t !== 1701) return 14;
      if (rc > 0) return rc;
      if (rc === 0) s.exe = this.text;
    }
    if (t === 1326) { // SECCOMP
      // some kernels leave arch= out
      const at = m.indexOf("arch=", this.term);
      if (at < 0) return 0;
      const end = m.indexOf(" ", at + 5);
      if (end < 0) return 15;
      this.term = end;
      s.arch = elfToMachine(Number(BigInt.asUintN(32, strtou(m, at + 5, 16))));
      if ((rc = Extractor.need(this.look(m, "syscall=", 18), 17))) return rc;
      s.syscall = this.id;
    }
    if (f.success && this.lookLoose(m, "res=")) s.success = successOf(this.id);
    return 0;
  }

  /** Records with an auid and little else: CONFIG_CHANGE, MAC_*. */
  simple(t: number, m: string): number {
    const f = this.f, s = this.items;
    if (f.loginuid) {
      // old kernels leave auid out of CONFIG_CHANGE
      if (this.lookLoose(m, "auid=")) this.setAuid(this.id);
      else if (t !== 1305) return 1;
    }
    if (f.session && this.lookLoose(m, "ses=")) this.setSession(this.id);
    if (f.subject && this.lookLoose(m, "subj=")) this.subject(this.word);
    if (f.key) {
      const at = m.indexOf("key=", this.term);
      if (at >= 0) {
        const rc = this.keys(m, at + 4, 6, 8);
        if (rc) return rc;
      }
    }
    // the kernel logs no res for these unless it failed: success by default
    if (t === 1305) s.success = true;
    if (f.success && this.lookLoose(m, "res=")) s.success = successOf(this.id);
    return 0;
  }

  integrity(m: string): number {
    const f = this.f, s = this.items;
    let rc: number;
    if ((rc = this.look(m, "pid=", 1)) > 0) return rc;
    if (rc === 0) s.pid = this.id;
    if (f.uid && (rc = this.equalsUid(m, 3)) > 0) return rc;
    if (f.loginuid) {
      if ((rc = this.look(m, "auid=", 5, 0)) > 0) return rc;
      if (rc === 0) this.setAuid(this.id);
    }
    if (f.session) {
      if ((rc = this.look(m, "ses=", 10)) > 0) return rc;
      if (rc === 0) this.setSession(this.id);
    }
    if (f.subject) {
      if ((rc = this.look(m, "subj=", 12)) > 0) return rc;
      if (rc === 0) this.subject(this.word);
    }
    if (f.comm) {
      if ((rc = this.str(m, "comm=", 7)) > 0) return rc;
      if (rc === 0) s.comm = this.text;
    }
    if (f.filename) {
      const at = m.indexOf(" name=", this.term);
      if (at >= 0 && this.pathAt(m, at + 6)) return 8;
    }
    if (f.success && this.lookLoose(m, "res=")) s.success = successOf(this.id);
    return 0;
  }

  tty(m: string): number {
    const f = this.f, s = this.items;
    let rc: number;
    if (f.pid) {
      if ((rc = this.look(m, "pid=", 1)) > 0) return rc;
      if (rc === 0) s.pid = this.id;
    }
    if (f.uid && (rc = this.equalsUid(m, 3)) > 0) return rc;
    if (f.loginuid) {
      if (!this.lookLoose(m, "auid=")) return 5;
      this.setAuid(this.id);
    }
    if (f.session) {
      if ((rc = this.look(m, "ses=", 7)) > 0) return rc;
      if (rc === 0) this.setSession(this.id);
    }
    if (f.comm) {
      if ((rc = this.str(m, "comm=", 11)) > 0) return rc;
      if (rc === 0) s.comm = this.text;
    }
    return 0;
  }

  /** NETFILTER_CFG and EVENT_LISTENER: they fill in what the event does not have yet. */
  kernel(m: string): number {
    const f = this.f, s = this.items;
    let rc: number;
    if (f.pid && s.pid === undefined) {
      if ((rc = Extractor.need(this.look(m, " pid=", 52), 54))) return rc;
      s.pid = this.id;
    }
    if (f.uid && !this.uidSet) {
      if ((rc = this.look(m, "uid=", 55)) > 0) return rc;
      this.setUid(rc === 0 ? this.id : 0);
    }
    if (f.loginuid && !this.loginuidSet) {
      if ((rc = this.look(m, "auid=", 57)) > 0) return rc;
      this.setAuid(rc === 0 ? this.id : -1);
    }
    if (f.terminal && s.terminal === undefined) {
      if ((rc = this.look(m, "tty=", 59)) > 0) return rc;
      s.terminal = rc === 0 ? this.word : "(none)";
    }
    if (f.session && !this.sessionSet) {
      if ((rc = this.look(m, "ses=", 60)) > 0) return rc;
      this.setSession(rc === 0 ? this.id : -1);
    }
    if (f.subject && !this.avcSeen) {
      if ((rc = Extractor.need(this.look(m, "subj=", 62), 64))) return rc;
      this.subject(this.word);
    }
    if (f.comm && s.comm === undefined) {
      if ((rc = Extractor.need(this.str(m, "comm=", 65), 66))) return rc;
      s.comm = this.text;
    }
    if (f.exe && s.exe === undefined) {
      if ((rc = this.str(m, "exe=", 67, 0)) > 0) return rc;
      s.exe = rc === 0 ? this.text : "(null)";
    }
    if (f.success && this.lookLoose(m, "res=")) s.success = successOf(this.id);
    return 0;
  }

  /**
   * " uid=" as the TTY and integrity readers take it: they read from its "=",
   * which strtoul makes 0, so the uid of these records is always 0.
   */
  equalsUid(m: string, noSpace: number): number {
    const at = m.indexOf(" uid=", this.term);
    if (at < 0) return 0;
    const end = m.indexOf(" ", at + 4);
    if (end < 0) return noSpace;
    this.term = end;
    this.setUid(0);
    return 0;
  }

  /** A message ausearch's reader prints on stderr whatever the options, and its return code. */
  warned(message: string, rc: number): number {
    this.warn?.(message);
    return rc;
  }

  // --- what the readers set ---------------------------------------------------------

  /** Sets the uid; `lookup`: the reader also looks its name up (most do). */
  setUid(v: number, lookup = true): void {
    this.items.uid = v;
    this.uidSet = true;
    if (lookup) this.uidLook = v;
  }

  setAuid(v: number): void {
    this.items.auid = v;
    this.loginuidSet = true;
    this.auidLook = v;
  }

  setSession(v: number): void {
    this.items.session = v;
    this.sessionSet = true;
  }

  subject(ctx: string): void {
    this.addAvc({ scontext: ctx });
  }

  object(ctx: string): void {
    this.addAvc({ tcontext: ctx });
  }

  /** Appends to the event's list of contexts and decisions (ausearch's avc list). */
  addAvc(node: AvcNode): void {
    if (node.scontext !== undefined) this.items.subjects.push(node.scontext);
    if (node.tcontext !== undefined) this.items.objects.push(node.tcontext);
    this.items.avcs.push(node);
    this.avcSeen = true;
  }
}

/** Record types ausearch's readers know and read nothing from (no --debug message for them). */
const NOTHING_TO_READ = new Set([
  2000, // KERNEL
  1401, // SELINUX_ERR
  1309, // EXECVE
  1311, // IPC_SET_PERM
  1312, // MQ_OPEN
  1313, // MQ_SENDRECV
  1314, // MQ_NOTIFY
  1315, // MQ_GETSETATTR
  1317, // FD_PAIR
  1321, // BPRM_FCAPS
  1322, // CAPSET
  1323, // MMAP
  1327, // PROCTITLE
  1329, // REPLACE
  1330, // KERN_MODULE
  1331, // FANOTIFY
  1332, // TIME_INJOFFSET
  1333, // TIME_ADJNTPVAL
  1334, // BPF
  1337, // OPENAT2
]);

/** Records whose reader can fail when nothing is asked: SYSCALL, AVC, USER_AVC, SECCOMP, INTEGRITY_*. */
const MAY_FAIL_UNASKED = new Set([
  RecordType.SYSCALL,
  RecordType.AVC,
  RecordType.USER_AVC,
  1326,
  1800,
  1801,
  1802,
  1803,
  1804,
  1805,
]);

const SYSCALL_EQ = new TextEncoder().encode("syscall=");
const A0_EQ = new TextEncoder().encode("a0=");
const A1_EQ = new TextEncoder().encode("a1=");

const latin1 = new TextDecoder("latin1");

/** The syscall number the last successful {@link bareSyscall} read. */
let bareSyscallNumber = 0;
/** Where {@link bareSyscall} found an out-of-range syscall value ending, in the record's text. */
let bareCut = 0;

/**
 * The SYSCALL reader asked for nothing but the syscall, on the record's
 * bytes: syscall=, a0= and a1= in this order, each value followed by a space.
 */
function bareSyscall(r: AuditRecord): number {
  const b = r.buffer, end = r.textEnd;
  // from the body: the header (node=, type=SYSCALL, msg=audit(...):) has no "syscall="
  let at = indexOfBytes(b, SYSCALL_EQ, r.bodyStart, end);
  if (at < 0) return 4;
  let p = at + SYSCALL_EQ.length;
  let sp = b.indexOf(0x20, p);
  if (sp < 0 || sp >= end) return 5;
  let v = 0, i = p;
  while (i < sp && i < p + 15 && b[i] >= 0x30 && b[i] <= 0x39) v = v * 10 + (b[i++] - 0x30);
  overflowed = false;
  // plain digits up to the space: read here; anything else (a sign, spaces, many digits) as C does
  bareSyscallNumber = i > p && i === sp ? v | 0 : id32(latin1.decode(b.subarray(p, sp)), 0);
  if (overflowed) {
    bareCut = sp - r.start;
    return 6;
  }
  for (let n = 0; n < 2; n++) {
    const arg = n === 0 ? A0_EQ : A1_EQ;
    at = indexOfBytes(b, arg, sp, end);
    if (at < 0) return 11;
    p = at + arg.length;
    sp = b.indexOf(0x20, p);
    if (sp < 0 || sp >= end) return 12;
  }
  return 0;
}

/**
 * Whether ausearch, asked for nothing, keeps `event`: none of its records
 * makes a reader fail (what a search with no item criteria needs). The same
 * as `extractItems(event, NO_FLAGS) !== undefined`, without building items.
 *
 * @example
 * ```ts
 * import { ausearchKeeps } from "./extract.ts";
 * import { readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) {
 *   if (!ausearchKeeps(ev)) console.log("ausearch does not show", ev.id);
 * }
 * ```
 */
export function ausearchKeeps(event: AuditEvent): boolean {
  const records = event.records;
  for (let i = 0; i < records.length; i++) {
    const t = records[i].type;
    if (t === RecordType.SYSCALL) {
      if (bareSyscall(records[i]) !== 0) return false;
    } else if (MAY_FAIL_UNASKED.has(t)) return extractItems(event, NO_FLAGS) !== undefined;
  }
  return true;
}

/** The first `pattern` in `b[from, end)`, or -1. */
function indexOfBytes(b: Uint8Array, pattern: Uint8Array, from: number, end: number): number {
  // a loop: the pattern is usually a few bytes away, nearer than a native indexOf call pays off
  const first = pattern[0], last = end - pattern.length;
  for (let i = from; i <= last; i++) {
    if (b[i] !== first) continue;
    let k = 1;
    while (k < pattern.length && b[i + k] === pattern[k]) k++;
    if (k === pattern.length) return i;
  }
  return -1;
}

/** Where paths and cwd are looked for in PATH and CWD records (past the time stamp). */
const NAME_OFFSET = 28;

/** The end of a hostname= or addr= value: a comma, else a space; -1 when neither follows. */
function valueEnd(m: string, p: number): number {
  const comma = m.indexOf(",", p);
  return comma >= 0 ? comma : m.indexOf(" ", p);
}

/** An unquoted value: hex decoded when all hex up to the next space, else as written. */
function legacyValue(m: string, p: number): [string | undefined, number] {
  let end = p, legacy = false;
  while (end < m.length && m[end] !== " ") {
    if (!isHexChar(m.charCodeAt(end))) legacy = true;
    end++;
  }
  return [legacy ? m.slice(p, end) : unescape(m, p), end];
}

/** An AF_INET6 sockaddr's host as getnameinfo(NI_NUMERICHOST) writes it (a link-local one with its scope id). */
function ipv6Host(sa: Uint8Array): string {
  const text = ipv6Text(sa.subarray(8, 24));
  const scope = (sa[24] | (sa[25] << 8) | (sa[26] << 16) | (sa[27] << 24)) >>> 0;
  return scope !== 0 && sa[8] === 0xfe && (sa[9] & 0xc0) === 0x80 ? `${text}%${scope}` : text;
}

/**
 * What aureport reads from records for a report of `kind` (the `event_*`
 * options each report sets); `interpreted` is `-i`.
 *
 * @example
 * ```ts
 * import { reportFlags } from "./extract.ts";
 * reportFlags("login").hostname; // true
 * ```
 */
export function reportFlags(kind: string, interpreted = false): ExtractFlags {
  const f: ExtractFlags = { ...NO_FLAGS, pid: true, success: true, arch: interpreted };
  const on = (...names: (keyof ExtractFlags)[]) => {
    for (const n of names) f[n] = true;
  };
  switch (kind) {
    case "summary":
      on("filename", "hostname", "terminal", "exe", "comm", "key", "loginuid");
      break;
    case "avc":
      on("comm", "subject", "object");
      break;
    case "auth":
      on("exe", "hostname", "terminal", "uid");
      break;
    case "mac":
    case "integrity":
    case "config":
    case "crypto":
    case "event":
      on("loginuid");
      break;
    case "login":
    case "acct_mod":
      on("exe", "hostname", "terminal", "loginuid");
      break;
    case "file":
      on("filename", "exe", "loginuid");
      break;
    case "host":
      on("hostname", "loginuid");
      break;
    case "pid":
      on("exe", "loginuid");
      break;
    case "syscall":
      on("comm", "loginuid");
      break;
    case "terminal":
    case "executable":
      on("terminal", "hostname", "exe", "loginuid");
      break;
    case "user":
      on("terminal", "hostname", "exe", "uid", "loginuid");
      break;
    case "comm":
      on("terminal", "hostname", "comm", "loginuid");
      break;
    case "anomaly":
      on("terminal", "hostname", "exe", "comm", "loginuid");
      break;
    case "key":
      on("exe", "key", "loginuid");
      break;
    case "tty":
      on("session", "loginuid", "terminal", "comm");
      break;
  }
  return f;
}

/**
 * Whether ausearch and aureport load the user names of `event` itself
 * (those auditd wrote in its first record, when the log is ENRICHED) before
 * they read it, and drop them after: for events of one record or that start
 * with their SYSCALL. For other events they look names up in whatever
 * libauparse holds then (see {@link extractItems}' `carriedNames`).
 *
 * @example
 * ```ts
 * import { loadsOwnNames } from "./extract.ts";
 * import { readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(loadsOwnNames(ev));
 * ```
 */
export function loadsOwnNames(event: AuditEvent): boolean {
  return event.records.length === 1 || event.records[0]?.type === RecordType.SYSCALL;
}

/**
 * The searchable items of `event` as ausearch/aureport read them for
 * `flags`, or `undefined` when their record reader fails on it (both tools
 * then pass over the event). `debug` receives ausearch's `--debug` messages
 * (a malformed record skipped, a record type no reader knows), `warn` the
 * messages it prints without it (a sockaddr too short).
 *
 * `carriedNames`: the names libauparse holds when ausearch reads the event,
 * left by the csv or text output of an earlier one (see `namesLeftAfter`);
 * an event that does not load its own ({@link loadsOwnNames}) looks user
 * names up there before the local database.
 *
 * `lenient`: items are returned for every event; in a record whose reader
 * fails, those read before it stopped are kept, and the other records are
 * read as usual (an AppArmor AVC gives its pid=, comm= and name=).
 *
 * @example
 * ```ts
 * import { extractItems, NO_FLAGS } from "./extract.ts";
 * import { readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) {
 *   if (extractItems(ev, { ...NO_FLAGS, exe: true }) === undefined) console.log("skipped", ev.id);
 * }
 * ```
 */
export function extractItems(
  event: AuditEvent,
  flags: ExtractFlags,
  debug?: (message: string) => void,
  warn?: (message: string) => void,
  carriedNames?: ReadonlyMap<string, string>,
  lenient = false,
): SearchItems | undefined {
  const x = new Extractor(flags, debug, warn);
  if (!x.run(event, lenient)) return undefined;
  const s = x.items;
  // ENRICHED logs name the auid; aureport looks at the names of the first record only,
  // and only in events of one record or that start with their SYSCALL
  const head = event.records[0];
  const namesLoaded = head !== undefined && head.enriched && loadsOwnNames(event);
  // aureport names any id it prints by the head's AUID when it has one
  if (namesLoaded) {
    const e = head.interpretations.get("auid");
    if (e !== undefined) s.auidName = printEscaped(e);
  }
  if (namesLoaded) {
    const e = head.interpretations.get("syscall");
    if (e !== undefined) s.syscallName = printEscaped(e);
  }
  // the names ausearch compares with -ui/-ue/-ul/-ua names: those libauparse holds (the
  // event's own, or what an earlier event left), else the local ones
  const held = namesLoaded ? head.interpretations : loadsOwnNames(event) ? undefined : carriedNames;
  const lookup = (id: number | undefined, key: string): string | undefined => {
    if (id === undefined) return undefined;
    const e = held?.get(key);
    if (e !== undefined) return printEscaped(e);
    return id === 0 ? "root" : id === -1 ? "unset" : userName(id >>> 0);
  };
  s.uidLookup = lookup(x.uidLook, "uid");
  s.euidLookup = lookup(x.euidLook, "euid");
  s.auidLookup = lookup(x.auidLook, "auid");
  return s;
}
