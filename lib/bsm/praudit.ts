/**
 * BSM tokens and records printed as OpenBSM's praudit prints them, byte for
 * byte, in every mode (default, `-l`, `-r`, `-s`, `-x`, `-n`, `-d`, and
 * their combinations): `bin/praudit/praudit.c` and the printers of
 * `libbsm/bsm_io.c` (shared/docs/REFERENCE.md 8.6), quirks included:
 *
 * - `header_ex` (32-bit) prints attributes when `raw` is set and
 *   delimited fields under `xml` (OpenBSM tests the raw flag where it means
 *   XML); the 64-bit `header_ex` does not;
 * - uids and gids print signed (`%d`), `return64` values too;
 * - in XML, `arg_uuid`, `ret_uuid`, `upriv` and `privset` have attributes
 *   and no element name, `IPC` has no space before its first attribute,
 *   `newgroups` closes `</group>` after every gid, subject32's `tid` has a
 *   space between port and address while every other subject and process
 *   has none, unknown tokens print nothing;
 * - `data` items are read in the byte order of the x86 host that wrote
 *   them (OpenBSM copies them from memory) and printed as `printf` would
 *   print the promoted value (`%d` of an int64 item shows its low 32 bits);
 * - strings print their bytes with NULs left out (in XML exec arguments and
 *   environment are escaped as `vis(3)` with `VIS_CSTYLE` does, stopping at
 *   a NUL); `data` in string mode prints every byte, NULs included;
 * - event names come from an `audit_event` table; an event it lacks prints
 *   as its number in every mode;
 * - times are local, as `ctime(3)` prints them (the time zone of the
 *   process, `TZ`, or the `timeZone` option).
 *
 * Output is bytes: strings from a trail are printed as they are, whatever
 * their encoding.
 *
 * @example
 * ```ts
 * import { PrauditFormatter } from "./praudit.ts";
 * const fmt = new PrauditFormatter({ noResolve: true, timeZone: "UTC" });
 * const out = fmt.formatRecord([
 *   { type: "header32", size: 41, version: 11, event: 0, modifier: 0, sec: 1700000000, msec: 123 },
 *   { type: "text", text: new TextEncoder().encode("hello, world\0") },
 *   { type: "trailer", magic: 0xb105, count: 41 },
 * ]);
 * console.log(new TextDecoder().decode(out));
 * // header,41,11,indir system call,0,Tue Nov 14 22:13:20 2023, + 123 msec
 * // text,hello, world
 * // trailer,41
 * ```
 *
 * @module
 */

import { groupName, userName } from "../accounts.ts";
import { ipv4Text, ipv6Text } from "../inet.ts";
import { bsmReturnText } from "./bsm_errno.ts";
import { type AuditEventTable, builtinEventTable } from "./event_table.ts";
import { type BsmSource, readPrauditRecords } from "./reader.ts";
import { AT_IPC, AU_IPv4, AU_IPv6, AUP, AUR, BSM_LIMITS, type BsmToken, tokenId } from "./types.ts";

/** How praudit prints (its command-line flags). */
export interface PrauditOptions {
  /** `-r`: numbers instead of names (token ids, events, times, uids, errors). */
  raw?: boolean;
  /** `-s`: event short names (`AUE_*`) instead of descriptions. */
  short?: boolean;
  /** `-x`: XML. */
  xml?: boolean;
  /** `-l`: one record per line. */
  oneLine?: boolean;
  /** `-n`: uids and gids as numbers. */
  noResolve?: boolean;
  /** `-d`: the field delimiter, default `","`. */
  delimiter?: string;
  /** Event names and descriptions; default OpenBSM's table as auditkit carries it. */
  events?: AuditEventTable;
  /**
   * The time zone of printed times: an IANA name (`"UTC"`,
   * `"Europe/Paris"`). Default: the process's local time zone (`TZ`).
   */
  timeZone?: string;
  /** uid to name (default /etc/passwd); not called with `noResolve` or `raw`. */
  userName?: (uid: number) => string | undefined;
  /** gid to name (default /etc/group); not called with `noResolve` or `raw`. */
  groupName?: (gid: number) => string | undefined;
}

const utf8 = new TextEncoder();
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const HEX = "0123456789abcdef";

/** A growable output buffer of bytes. */
class Out {
  buf = new Uint8Array(4096);
  len = 0;

  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** A string; ASCII is copied directly, anything else encoded as UTF-8. */
  s(text: string): void {
    const n = text.length;
    this.reserve(n);
    const buf = this.buf;
    let len = this.len;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        this.len = len;
        this.reserve((n - i) * 3);
        this.len += utf8.encodeInto(text.slice(i), this.buf.subarray(this.len)).written;
        return;
      }
      buf[len++] = c;
    }
    this.len = len;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** `print_string`: the bytes with every NUL left out. */
  string(b: Uint8Array): void {
    this.reserve(b.length);
    const buf = this.buf;
    let len = this.len;
    for (let i = 0; i < b.length; i++) if (b[i] !== 0) buf[len++] = b[i];
    this.len = len;
  }

  /** `print_mem`: `0x` and two hex digits a byte; nothing for no bytes. */
  mem(b: Uint8Array): void {
    if (b.length === 0) return;
    this.reserve(2 + 2 * b.length);
    const buf = this.buf;
    let len = this.len;
    buf[len++] = 0x30;
    buf[len++] = 0x78;
    for (let i = 0; i < b.length; i++) {
      buf[len++] = HEX.charCodeAt(b[i] >> 4);
      buf[len++] = HEX.charCodeAt(b[i] & 15);
    }
    this.len = len;
  }

  /** `print_xml_string`: XML entities, `vis(VIS_CSTYLE)` for the rest, stopping at a NUL. */
  xmlString(b: Uint8Array): void {
    for (let i = 0; i < b.length; i++) {
      const c = b[i];
      switch (c) {
        case 0:
          return;
        case 0x26:
          this.s("&amp;");
          break;
        case 0x3c:
          this.s("&lt;");
          break;
        case 0x3e:
          this.s("&gt;");
          break;
        case 0x22:
          this.s("&quot;");
          break;
        case 0x27:
          this.s("&apos;");
          break;
        default:
          this.s(vis(c));
      }
    }
  }

  take(): Uint8Array {
    const out = this.buf.slice(0, this.len);
    this.len = 0;
    return out;
  }
}

/** OpenBSM's `vis(c, VIS_CSTYLE)` in the C locale, for one byte that is not NUL. */
function vis(c: number): string {
  if ((c > 0x20 && c < 0x7f) || c === 0x20 || c === 0x09 || c === 0x0a) {
    return c === 0x5c ? "\\\\" : String.fromCharCode(c);
  }
  switch (c) {
    case 0x0d:
      return "\\r";
    case 0x08:
      return "\\b";
    case 0x07:
      return "\\a";
    case 0x0b:
      return "\\v";
    case 0x0c:
      return "\\f";
  }
  if ((c & 0x7f) === 0x20) return `\\${(c >> 6) & 7}${(c >> 3) & 7}${c & 7}`;
  let text = "\\";
  let low = c;
  if (c & 0x80) {
    low = c & 0x7f;
    text += "M";
  }
  if (low < 0x20 || low === 0x7f) {
    text += low === 0x7f ? "^?" : `^${String.fromCharCode(low + 0x40)}`;
  } else text += `-${String.fromCharCode(low)}`;
  return text;
}

/** `%#x`: `0` for zero, else `0x` and lower-case hex. */
function altHex(n: number): string {
  return n === 0 ? "0" : `0x${n.toString(16)}`;
}

/** A u32 printed with `%d`. */
function signed32(n: number): number {
  return n | 0;
}

/** The address of an `_ex` token (`print_ip_ex_address`). */
function exAddress(type: number, addr: Uint8Array): string {
  if (type === AU_IPv4) return ipv4Text(addr);
  if (type === AU_IPv6) return ipv6Text(addr);
  return "invalid";
}

/** A uuid's 16 bytes as `openbsm_uuid_to_string` prints them. */
function uuidText(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += "-";
    s += HEX[b[i] >> 4] + HEX[b[i] & 15];
  }
  return s;
}

/** Local time as `ctime(3)` writes it, without the newline; cached by quarter hour. */
class CtimeFormatter {
  readonly #zone: string | undefined;
  readonly #parts: Intl.DateTimeFormat | undefined;
  readonly #offsets = new Map<number, number>();

  constructor(timeZone: string | undefined) {
    this.#zone = timeZone;
    if (timeZone !== undefined && !/^(UTC|GMT|Etc\/UTC|Etc\/GMT|UTC0|GMT0)$/.test(timeZone)) {
      this.#parts = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    }
  }

  /** Seconds east of UTC at `sec`. */
  #offset(sec: number): number {
    if (this.#zone !== undefined && !this.#parts) return 0;
    const key = Math.floor(sec / 900);
    let off = this.#offsets.get(key);
    if (off === undefined) {
      const date = new Date(key * 900 * 1000);
      if (this.#parts) {
        const p: Record<string, number> = {};
        for (const part of this.#parts.formatToParts(date)) p[part.type] = Number(part.value);
        const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
        off = (local - date.getTime()) / 1000;
      } else off = -date.getTimezoneOffset() * 60;
      if (this.#offsets.size > 4096) this.#offsets.clear();
      this.#offsets.set(key, off);
    }
    return off;
  }

  format(sec: number): string {
    const d = new Date((sec + this.#offset(sec)) * 1000);
    if (Number.isNaN(d.getTime())) return "";
    const day = d.getUTCDate();
    return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${day < 10 ? " " : ""}${day} ${
      pad2(d.getUTCHours())
    }:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
  }
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** `time_t` of a 64-bit header's seconds (a signed 64-bit cast). */
function time64(sec: bigint): number {
  return Number(BigInt.asIntN(64, sec));
}

/**
 * Prints tokens and records as praudit does with the given options.
 *
 * @example
 * ```ts
 * import { PrauditFormatter } from "./praudit.ts";
 * const fmt = new PrauditFormatter({ raw: true });
 * new TextDecoder().decode(fmt.formatToken({ type: "return32", status: 2, value: 0xffffffff }));
 * // "39,2,4294967295"
 * ```
 */
export class PrauditFormatter {
  readonly #raw: boolean;
  readonly #short: boolean;
  readonly #xml: boolean;
  readonly #oneLine: boolean;
  readonly #resolve: boolean;
  readonly #del: string;
  readonly #events: AuditEventTable;
  readonly #time: CtimeFormatter;
  readonly #userName: (uid: number) => string | undefined;
  readonly #groupName: (gid: number) => string | undefined;
  readonly #eventText = new Map<number, string>();
  readonly #out = new Out();

  /** A formatter for `options` (praudit's defaults where left out). */
  constructor(options: PrauditOptions = {}) {
    this.#raw = options.raw ?? false;
    this.#short = options.short ?? false;
    this.#xml = options.xml ?? false;
    this.#oneLine = options.oneLine ?? false;
    this.#resolve = !(options.noResolve ?? false) && !this.#raw;
    this.#del = options.delimiter ?? ",";
    this.#events = options.events ?? builtinEventTable();
    this.#time = new CtimeFormatter(options.timeZone);
    this.#userName = options.userName ?? userName;
    this.#groupName = options.groupName ?? groupName;
  }

  /** The XML prolog praudit `-x` prints before the first record. */
  xmlHeader(): Uint8Array {
    return utf8.encode("<?xml version='1.0' ?>\n<audit>\n");
  }

  /** The XML footer praudit `-x` prints after the last file (never after stdin). */
  xmlFooter(): Uint8Array {
    return utf8.encode("</audit>\n");
  }

  /**
   * One record's output: each token, followed by a newline (or, with
   * `oneLine`, by the delimiter outside XML), and with `oneLine` a newline
   * at the end. `tokens` are those praudit got to: a record whose next
   * token does not parse ends there.
   */
  formatRecord(tokens: readonly BsmToken[]): Uint8Array {
    const out = this.#out;
    for (const token of tokens) {
      this.#token(token);
      if (this.#oneLine) {
        if (!this.#xml) out.s(this.#del);
      } else out.byte(0x0a);
    }
    if (this.#oneLine) out.byte(0x0a);
    return out.take();
  }

  /** One token as `au_print_flags_tok` prints it, with nothing after it. */
  formatToken(token: BsmToken): Uint8Array {
    this.#token(token);
    return this.#out.take();
  }

  // --- field printers (bsm_io.c's print_* helpers) ------------------------

  #d(): void {
    this.#out.s(this.#del);
  }

  /** `print_tok_type` outside XML: the id with `-r`, else the name. */
  #type(token: BsmToken, name: string): void {
    this.#out.s(this.#raw ? `${tokenId(token)}` : name);
  }

  #openAttr(name: string): void {
    this.#out.s(`${name}="`);
  }

  #closeAttr(): void {
    this.#out.s('" ');
  }

  #attr(name: string, value: string): void {
    this.#out.s(`${name}="${value}" `);
  }

  #user(uid: number): string {
    if (this.#resolve) {
      const name = this.#userName(uid);
      if (name !== undefined) return name;
    }
    return `${signed32(uid)}`;
  }

  #group(gid: number): string {
    if (this.#resolve) {
      const name = this.#groupName(gid);
      if (name !== undefined) return name;
    }
    return `${signed32(gid)}`;
  }

  #event(ev: number): string {
    let text = this.#eventText.get(ev);
    if (text === undefined) {
      const entry = this.#events.byNumber(ev);
      text = !entry || this.#raw ? `${ev}` : this.#short ? entry.name : entry.description;
      this.#eventText.set(ev, text);
    }
    return text;
  }

  #sec(sec: number): string {
    return this.#raw ? `${sec >>> 0}` : this.#time.format(sec);
  }

  #msec(msec: number): string {
    return this.#raw ? `${msec >>> 0}` : ` + ${msec >>> 0} msec`;
  }

  #retval(status: number): string {
    return this.#raw ? `${status}` : bsmReturnText(status);
  }

  #ipcType(type: number): string {
    if (!this.#raw) {
      if (type === AT_IPC.MSG) return "Message IPC";
      if (type === AT_IPC.SEM) return "Semaphore IPC";
      if (type === AT_IPC.SHM) return "Shared Memory IPC";
    }
    return `${type}`;
  }

  /** Delimited fields (non-XML), each preceded by the delimiter. */
  #fields(...values: string[]): void {
    for (const v of values) {
      this.#d();
      this.#out.s(v);
    }
  }

  // --- tokens ----------------------------------------------------------------

  #token(t: BsmToken): void {
    const out = this.#out;
    const xml = this.#xml;
    switch (t.type) {
      case "header32":
      case "header64": {
        const sec = t.type === "header32" ? this.#sec(t.sec) : this.#sec64(t.sec);
        const msec = t.type === "header32" ? t.msec : Number(t.msec & 0xffffffffn);
        if (xml) {
          out.s("<record ");
          this.#attr("version", `${t.version}`);
          this.#attr("event", this.#event(t.event));
          this.#attr("modifier", `${t.modifier}`);
          this.#attr("time", sec);
          this.#attr("msec", this.#msec(msec));
          out.s(">");
        } else {
          this.#type(t, "header");
          this.#fields(
            `${t.size}`,
            `${t.version}`,
            this.#event(t.event),
            `${t.modifier}`,
            sec,
            this.#msec(msec),
          );
        }
        return;
      }
      case "header32_ex":
      case "header64_ex": {
        const is32 = t.type === "header32_ex";
        const sec = is32 ? this.#sec(t.sec) : this.#sec64(t.sec);
        const msec = is32 ? t.msec : Number(t.msec & 0xffffffffn);
        if (xml) out.s("<record ");
        else this.#type(t, "header_ex");
        // OpenBSM's 32-bit printer picks its layout on the raw flag, the 64-bit one on XML
        if (is32 ? this.#raw : xml) {
          this.#attr("version", `${t.version}`);
          this.#attr("event", this.#event(t.event));
          this.#attr("modifier", `${t.modifier}`);
          this.#attr("host", exAddress(t.addrType, t.addr));
          this.#attr("time", sec);
          this.#attr("msec", this.#msec(msec));
          out.s(">");
        } else {
          this.#fields(
            `${t.size}`,
            `${t.version}`,
            this.#event(t.event),
            `${t.modifier}`,
            exAddress(t.addrType, t.addr),
            sec,
            this.#msec(msec),
          );
        }
        return;
      }
      case "trailer":
        if (xml) out.s("</record>");
        else {
          this.#type(t, "trailer");
          this.#fields(`${t.count}`);
        }
        return;
      case "arg32":
      case "arg64": {
        const value = `0x${t.value.toString(16)}`;
        if (xml) {
          out.s("<argument ");
          this.#attr("arg-num", `${t.argNo}`);
          this.#attr("value", value);
          this.#openAttr("desc");
          out.string(t.text);
          this.#closeAttr();
          out.s("/>");
        } else {
          this.#type(t, "argument");
          this.#fields(`${t.argNo}`, value);
          this.#d();
          out.string(t.text);
        }
        return;
      }
      case "arg_uuid":
      case "ret_uuid": {
        const name = t.type;
        if (xml) {
          this.#attr(`${name}-num`, `${t.argNo}`);
          this.#attr("uuid", uuidText(t.uuid));
          this.#openAttr("desc");
          out.string(t.text);
          this.#closeAttr();
        } else {
          this.#type(t, name);
          this.#fields(`${t.argNo}`, uuidText(t.uuid));
          this.#d();
          out.string(t.text);
        }
        return;
      }
      case "data":
        this.#data(t);
        return;
      case "attr32":
      case "attr64": {
        const values: [string, string][] = [
          ["mode", t.mode.toString(8)],
          ["uid", this.#user(t.uid)],
          ["gid", this.#group(t.gid)],
          ["fsid", `${t.fsid}`],
          ["nodeid", `${BigInt.asIntN(64, t.nodeid)}`],
          ["device", `${t.dev}`],
        ];
        this.#simple(t, "<attribute ", "attribute", values);
        return;
      }
      case "exit":
        this.#simple(t, "<exit ", "exit", [["errval", `Error ${t.status}`], [
          "retval",
          `${t.ret}`,
        ]]);
        return;
      case "exec_args":
      case "exec_env": {
        const args = t.type === "exec_args";
        const max = args ? BSM_LIMITS.AUDIT_MAX_ARGS : BSM_LIMITS.AUDIT_MAX_ENV;
        const n = Math.min(t.strings.length, max);
        if (xml) out.s(args ? "<exec_args>" : "<exec_env>");
        else this.#type(t, args ? "exec arg" : "exec env");
        for (let i = 0; i < n; i++) {
          if (xml) {
            out.s(args ? "<arg>" : "<env>");
            out.xmlString(t.strings[i]);
            out.s(args ? "</arg>" : "</env>");
          } else {
            this.#d();
            out.string(t.strings[i]);
          }
        }
        if (xml) out.s(args ? "</exec_args>" : "</exec_env>");
        return;
      }
      case "file":
        if (xml) {
          out.s("<file ");
          this.#attr("time", this.#sec(t.sec));
          this.#attr("msec", this.#msec(t.msec));
          out.s(">");
          out.string(t.name);
          out.s("</file>");
        } else {
          this.#type(t, "file");
          this.#fields(this.#sec(t.sec), this.#msec(t.msec));
          this.#d();
          out.string(t.name);
        }
        return;
      case "newgroups":
        if (xml) out.s("<group>");
        else this.#type(t, "group");
        for (const gid of t.groups.slice(0, BSM_LIMITS.AUDIT_MAX_GROUPS)) {
          if (xml) out.s(`<gid>${this.#group(gid)}</gid></group>`);
          else this.#fields(this.#group(gid));
        }
        return;
      case "in_addr":
        this.#element(t, "<ip_address>", "</ip_address>", "ip addr", ipv4Text(t.addr));
        return;
      case "in_addr_ex":
        this.#element(
          t,
          "<ip_address>",
          "</ip_address>",
          "ip addr ex",
          exAddress(t.addrType, t.addr),
        );
        return;
      case "ip":
        this.#simple(t, "<ip ", "ip", [
          ["version", `0x${hex2(t.versionIhl)}`],
          ["service_type", `0x${hex2(t.tos)}`],
          ["len", `${t.length}`],
          ["id", `${t.id}`],
          ["offset", `${t.offset}`],
          ["time_to_live", `0x${hex2(t.ttl)}`],
          ["protocol", `0x${hex2(t.protocol)}`],
          ["cksum", `${t.checksum}`],
          ["src_addr", ipv4Text(t.src)],
          ["dest_addr", ipv4Text(t.dst)],
        ]);
        return;
      case "ipc":
        // OpenBSM writes "<IPC" with no space before the first attribute
        this.#simple(t, "<IPC", "IPC", [["ipc-type", this.#ipcType(t.ipcType)], [
          "ipc-id",
          `${t.id}`,
        ]]);
        return;
      case "ipc_perm":
        this.#simple(t, "<IPC_perm ", "IPC perm", [
          ["uid", this.#user(t.uid)],
          ["gid", this.#group(t.gid)],
          ["creator-uid", this.#user(t.cuid)],
          ["creator-gid", this.#group(t.cgid)],
          ["mode", t.mode.toString(8)],
          ["seq", `${t.seq}`],
          ["key", `${t.key}`],
        ]);
        return;
      case "iport":
        this.#element(t, "<ip_port>", "</ip_port>", "ip port", altHex(t.port));
        return;
      case "opaque":
        if (xml) {
          out.s("<opaque>");
          out.mem(t.data);
          out.s("</opaque>");
        } else {
          this.#type(t, "opaque");
          this.#fields(`${t.data.length}`);
          this.#d();
          out.mem(t.data);
        }
        return;
      case "path":
      case "text":
        if (xml) out.s(t.type === "path" ? "<path>" : "<text>");
        else {
          this.#type(t, t.type);
          this.#d();
        }
        out.string(t.type === "path" ? t.path : t.text);
        if (xml) out.s(t.type === "path" ? "</path>" : "</text>");
        return;
      case "zonename":
        if (xml) {
          out.s("<zone ");
          this.#openAttr("name");
          out.string(t.zonename);
          this.#closeAttr();
          out.s("/>");
        } else {
          this.#type(t, "zone");
          this.#d();
          out.string(t.zonename);
        }
        return;
      case "subject32":
      case "process32":
      case "subject64":
      case "process64":
      case "subject32_ex":
      case "process32_ex":
      case "subject64_ex":
      case "process64_ex": {
        const subject = t.type.startsWith("subject");
        const ex = t.type.endsWith("_ex");
        const addr = "addrType" in t ? exAddress(t.addrType, t.addr) : ipv4Text(t.addr);
        const port = `${t.port}`;
        const values: [string, string][] = [
          ["audit-uid", this.#user(t.auid)],
          ["uid", this.#user(t.euid)],
          ["gid", this.#group(t.egid)],
          ["ruid", this.#user(t.ruid)],
          ["rgid", this.#group(t.rgid)],
          ["pid", `${t.pid}`],
          ["sid", `${t.sid}`],
        ];
        if (xml) {
          out.s(subject ? "<subject " : "<process ");
          for (const [k, v] of values) this.#attr(k, v);
          // only subject32 separates port and address with a space
          this.#attr("tid", `${port}${t.type === "subject32" ? " " : ""}${addr}`);
          out.s("/>");
        } else {
          this.#type(t, `${subject ? "subject" : "process"}${ex ? "_ex" : ""}`);
          this.#fields(...values.map(([, v]) => v), port, addr);
        }
        return;
      }
      case "return32":
      case "return64": {
        const value = t.type === "return32" ? `${t.value}` : `${BigInt.asIntN(64, t.value)}`;
        this.#simple(t, "<return ", "return", [["errval", this.#retval(t.status)], [
          "retval",
          value,
        ]]);
        return;
      }
      case "seq":
        this.#simple(t, "<sequence ", "sequence", [["seq-num", `${t.seqno}`]]);
        return;
      case "socket":
        this.#simple(t, "<socket ", "socket", [
          ["sock_type", `${t.socketType}`],
          ["lport", `${t.localPort}`],
          ["laddr", ipv4Text(t.localAddr)],
          ["fport", `${t.remotePort}`],
          ["faddr", ipv4Text(t.remoteAddr)],
        ]);
        return;
      case "socket_ex": {
        const laddr = exAddress(t.addrType, t.localAddr);
        const raddr = exAddress(t.addrType, t.remoteAddr);
        if (xml) {
          out.s("<socket ");
          this.#attr("sock_dom", altHex(t.domain));
          this.#attr("sock_type", altHex(t.socketType));
          this.#attr("lport", altHex(t.localPort));
          this.#attr("laddr", laddr);
          this.#attr("faddr", raddr);
          this.#attr("fport", altHex(t.remotePort));
          out.s("/>");
        } else {
          this.#type(t, "socket");
          this.#fields(
            altHex(t.domain),
            altHex(t.socketType),
            altHex(t.localPort),
            laddr,
            altHex(t.remotePort),
            raddr,
          );
        }
        return;
      }
      case "sock_inet32":
      case "sock_inet128":
        this.#simple(
          t,
          t.type === "sock_inet32" ? "<socket-inet " : "<socket-inet6 ",
          t.type === "sock_inet32" ? "socket-inet" : "socket-inet6",
          [
            ["type", `${t.family}`],
            ["port", `${t.port}`],
            ["addr", t.type === "sock_inet32" ? ipv4Text(t.addr) : ipv6Text(t.addr)],
          ],
        );
        return;
      case "sock_unix": {
        let path = t.path;
        const nul = path.indexOf(0);
        path = path.subarray(
          0,
          nul >= 0 ? nul : Math.min(path.length, BSM_LIMITS.AU_UNIX_PATH_MAX - 1),
        );
        if (xml) {
          out.s("<socket-unix ");
          this.#attr("type", `${t.family}`);
          this.#attr("port", "");
          this.#openAttr("addr");
          out.bytes(path);
          this.#closeAttr();
          out.s("/>");
        } else {
          this.#type(t, "socket-unix");
          this.#fields(`${t.family}`);
          this.#d();
          out.bytes(path);
        }
        return;
      }
      case "upriv": {
        const status = t.success ? "successful use of priv" : "failed use of priv";
        if (xml) {
          this.#attr("status", status);
          this.#openAttr("name");
          out.string(t.priv);
          this.#closeAttr();
        } else {
          this.#type(t, "use of privilege");
          this.#fields(status);
          this.#d();
          out.string(t.priv);
        }
        return;
      }
      case "privset":
        if (xml) {
          this.#openAttr("type");
          out.string(t.privType);
          this.#closeAttr();
          this.#openAttr("priv");
          out.string(t.privs);
          this.#closeAttr();
        } else {
          this.#type(t, "privilege");
          this.#d();
          out.string(t.privType);
          this.#d();
          out.string(t.privs);
        }
        return;
      case "unknown":
        if (!xml) {
          this.#type(t, "unknown");
          this.#d();
          out.mem(t.data);
        }
        return;
    }
  }

  #sec64(sec: bigint): string {
    return this.#raw ? `${Number(sec & 0xffffffffn)}` : this.#time.format(time64(sec));
  }

  /** A token of attributes (XML: `open` then `name="value" ` each, then `/>`), else delimited values. */
  #simple(t: BsmToken, open: string, name: string, values: [string, string][]): void {
    if (this.#xml) {
      this.#out.s(open);
      for (const [k, v] of values) this.#attr(k, v);
      this.#out.s("/>");
    } else {
      this.#type(t, name);
      this.#fields(...values.map(([, v]) => v));
    }
  }

  /** A token of one value (XML: inside `open` and `close`). */
  #element(t: BsmToken, open: string, close: string, name: string, value: string): void {
    if (this.#xml) this.#out.s(`${open}${value}${close}`);
    else {
      this.#type(t, name);
      this.#fields(value);
    }
  }

  /** `print_arb_tok`. */
  #data(t: Extract<BsmToken, { type: "data" }>): void {
    const out = this.#out;
    const xml = this.#xml;
    if (xml) out.s("<arbitrary ");
    else {
      this.#type(t, "arbitrary");
      this.#d();
    }
    const format = ["binary", "octal", "decimal", "hex", "string"][t.printFormat];
    if (format === undefined) return;
    if (xml) this.#attr("print", format);
    else {
      out.s(format);
      this.#d();
    }
    const unit = ["byte", "short", "int", "int64"][t.unit];
    if (unit === undefined) return;
    const size = 1 << t.unit;
    if (xml) {
      this.#attr("type", `${size}`);
      this.#attr("count", `${t.count}`);
      out.s(">");
    } else {
      out.s(unit);
      this.#fields(`${t.count}`);
      this.#d();
    }
    const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    for (let i = 0; i < t.count && (i + 1) * size <= t.data.length; i++) {
      // the value printf receives: the item read little-endian, an int64 as its low 32 bits
      let v: number;
      if (t.unit === AUR.BYTE) v = t.data[i];
      else if (t.unit === AUR.SHORT) v = view.getUint16(i * size, true);
      else v = view.getUint32(i * size, true);
      switch (t.printFormat) {
        case AUP.BINARY:
          out.byte(0x20);
          out.byte(v & 0xff);
          break;
        case AUP.STRING:
          out.byte(v & 0xff);
          break;
        case AUP.OCTAL:
          out.s(` ${(v >>> 0).toString(8)}`);
          break;
        case AUP.DECIMAL:
          out.s(` ${v | 0}`);
          break;
        case AUP.HEX:
          out.s(` ${(v >>> 0).toString(16)}`);
          break;
      }
    }
    if (xml) out.s("</arbitrary>");
  }
}

function hex2(n: number): string {
  return HEX[(n >> 4) & 15] + HEX[n & 15];
}

/** Options of {@link praudit}. */
export interface PrauditReadOptions {
  /**
   * `-p`: skip bytes up to the first header32 id (0x14) before reading, for
   * a stream that starts in the middle of a record. Where praudit waits
   * forever on an input without one, this ends at the end of the input.
   */
  partial?: boolean;
  /**
   * Largest record read (default 1 MiB, the strict reader's cap): a header
   * that claims more ends the input like any record praudit cannot read,
   * so memory stays bounded whatever a damaged header says.
   */
  maxRecordSize?: number;
  /** Stops reading between records. */
  signal?: AbortSignal;
}

/**
 * praudit's output for one input, in chunks of about 64 KiB: each record
 * read under praudit's rules (`readPrauditRecords` of reader.ts: a bad
 * record ends the input silently, a bad token ends its record), formatted
 * by `formatter`. The XML prolog and
 * footer are the caller's ({@link PrauditFormatter.xmlHeader}): praudit
 * prints them once around all its inputs, and no footer after stdin.
 *
 * @example
 * ```ts
 * import { praudit, PrauditFormatter } from "./praudit.ts";
 * const trail = Uint8Array.from(
 *   "140000001e0b000000006553f1000000007b2f0000002a13b1050000001e".match(/../g)!,
 *   (h) => parseInt(h, 16),
 * );
 * const fmt = new PrauditFormatter({ oneLine: true, timeZone: "UTC" });
 * for await (const chunk of praudit(trail, fmt)) await Deno.stdout.write(chunk);
 * // header,30,11,indir system call,0,Tue Nov 14 22:13:20 2023, + 123 msec,sequence,42,trailer,30,
 * ```
 */
export async function* praudit(
  source: BsmSource,
  formatter: PrauditFormatter,
  options: PrauditReadOptions = {},
): AsyncGenerator<Uint8Array> {
  const pending: Uint8Array[] = [];
  let size = 0;
  for await (const { tokens } of readPrauditRecords(source, options)) {
    const out = formatter.formatRecord(tokens);
    pending.push(out);
    size += out.length;
    if (size >= 65536) {
      yield concat(pending, size);
      pending.length = 0;
      size = 0;
    }
  }
  if (size > 0) yield concat(pending, size);
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
