/**
 * The fields of one audit record as go-libaudit's `auparse` reads them (the
 * parser behind Auditbeat's auditd module), which the ECS documents are
 * built from: `key=value` pairs found anywhere in the text after the
 * header (a value ends at the first space unless quoted, so
 * `op=changing comment` gives `op=changing`), the pairs inside `msg='...'`
 * taken as the record's own, values `?`, `(null)` and empty dropped, then
 * enriched: `success`/`res` become `result`, unset ids become `unset`, the
 * SELinux contexts are split, hex-encoded values decoded, `arch`, `syscall`
 * and a negative `exit` named, the socket address decoded and the rule key
 * moved to the tags.
 *
 * @module
 */

import type { AuditRecord } from "../event/record.ts";
import { elfToMachine, machineName, syscallName } from "../interpret/tables.ts";
import { printSignal } from "../interpret/printers.ts";
import { errnoName } from "../errno.ts";
import { ipv6Text } from "../inet.ts";

/** The fields of one record after go-libaudit's enrichment. */
export interface RecordFields {
  /** The fields (decoded and enriched values). */
  data: Map<string, string>;
  /** The audit rule keys (`key=`), split on 0x01. */
  tags?: string[];
  /** Why the fields could not be read, as go-libaudit reports it. */
  error?: string;
}

/** A value as written (quotes kept) and as parsed. */
interface Field {
  orig: string;
  value: string;
}

// go's \s is [\t\n\f\r ]: JavaScript's is wider, so the class is spelled out
const KV = /([a-z0-9_-]+)=((?:[^"'\t\n\f\r ]+)|'(?:\\'|[^'])*'|"(?:\\"|[^"])*")/g;
const AVC =
  /avc:[\t\n\f\r ]+(\w+)[\t\n\f\r ]+\{[\t\n\f\r ]*(.*)[\t\n\f\r ]*\}[\t\n\f\r ]+for[\t\n\f\r ]+/;

/** Trims the characters `'`, `"` and space from both ends (go's strings.Trim). */
function trimQuotes(v: string): string {
  let a = 0, b = v.length;
  const cut = (c: string) => c === "'" || c === '"' || c === " ";
  while (a < b && cut(v[a])) a++;
  while (b > a && cut(v[b - 1])) b--;
  return v.slice(a, b);
}

function extract(text: string, into: Map<string, Field>): void {
  for (const m of text.matchAll(KV)) {
    const key = m[1], orig = m[2];
    const value = trimQuotes(orig);
    if (value === "" || value === "?" || value === "?," || value === "(null)") continue;
    if (key === "msg") {
      extract(value, into);
      continue;
    }
    into.set(key, { orig, value });
  }
}

/** Upper-case hex only, even length (go-libaudit's decoder); undefined otherwise. */
function decodeUpperHex(s: string): Uint8Array | undefined {
  if (s.length % 2 !== 0) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < s.length; i += 2) {
    const a = hexDigit(s.charCodeAt(i)), b = hexDigit(s.charCodeAt(i + 1));
    if (a < 0 || b < 0) return undefined;
    out[i / 2] = (a << 4) | b;
  }
  return out;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

const latin = new TextDecoder("utf-8");

/** Decodes `key`'s written value when it is upper-case hex: NUL-separated parts joined by spaces. */
function hexDecode(f: Map<string, Field>, key: string): boolean {
  const field = f.get(key);
  if (!field) return false;
  const bytes = decodeUpperHex(field.orig);
  if (bytes) f.set(key, { orig: field.orig, value: latin.decode(bytes).split("\0").join(" ") });
  return true;
}

/** Splits an SELinux context `user:role:domain:level:category` into `key_user` ... */
function selinux(f: Map<string, Field>, key: string): void {
  const field = f.get(key);
  if (!field) return;
  const names = ["_user", "_role", "_domain", "_level", "_category"];
  const parts = field.value.split(":");
  const kept = parts.slice(0, 4);
  if (parts.length > 4) kept.push(parts.slice(4).join(":"));
  f.delete(key);
  kept.forEach((p, i) => f.set(key + names[i], { orig: p, value: p }));
}

function setValue(f: Map<string, Field>, key: string, value: string): void {
  const field = f.get(key);
  if (field) f.set(key, { orig: field.orig, value });
}

/** go's strconv.ParseInt/Atoi: an optional sign and decimal digits, nothing else. */
function parseDecimal(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

/** The name go-libaudit gives an ELF audit arch. */
function archName(arch: number): string {
  const m = elfToMachine(arch);
  const name = m >= 0 ? machineName(m) : undefined;
  return name ?? `unknown[${(arch >>> 0).toString(16)}]`;
}

/** The address parts of a hex `saddr` (family, addr, port, path, flow, saddr). */
function sockaddr(s: string): Map<string, string> {
  if (s.length < 4) throw new Error(`invalid family: too short: ${s.length}`);
  const family = hexInt(s.slice(2, 4) + s.slice(0, 2));
  const out = new Map<string, string>();
  switch (family) {
    case 1: {
      const b = decodeUpperHex(s.slice(4));
      if (!b) throw new Error("encoding/hex: invalid byte in socket path");
      const nul = b.indexOf(0);
      out.set("family", "unix");
      out.set("path", latin.decode(nul < 0 ? b : b.subarray(0, nul)));
      break;
    }
    case 2:
      if (s.length < 16) throw new Error(`invalid socket address size family=ipv4: ${s.length}`);
      out.set("family", "ipv4");
      out.set("addr", [8, 10, 12, 14].map((i) => hexInt(s.slice(i, i + 2))).join("."));
      out.set("port", String(hexInt(s.slice(4, 8))));
      break;
    case 10: {
      if (s.length < 48) throw new Error(`invalid socket address size family=ipv6: ${s.length}`);
      const flow = hexInt(s.slice(8, 16));
      const b = new Uint8Array(16);
      for (let i = 0; i < 16; i++) b[i] = hexInt(s.slice(16 + 2 * i, 18 + 2 * i));
      out.set("family", "ipv6");
      out.set("addr", ipText(b));
      out.set("port", String(hexInt(s.slice(4, 8))));
      if (flow > 0) out.set("flow", String(flow));
      break;
    }
    case 16:
      out.set("family", "netlink");
      out.set("saddr", s);
      break;
    default:
      out.set("family", String(family));
      out.set("saddr", s);
  }
  return out;
}

/** An IPv6 address as go writes it: an IPv4-mapped one as dotted IPv4. */
function ipText(b: Uint8Array): string {
  const mapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  return mapped ? Array.from(b.subarray(12)).join(".") : ipv6Text(b);
}

function hexInt(h: string): number {
  if (!/^[0-9a-fA-F]+$/.test(h)) {
    throw new Error(`strconv.ParseInt: parsing "${h}": invalid syntax`);
  }
  return parseInt(h, 16) | 0;
}

/** Rewrites the message bodies go-libaudit cannot read as pairs (AVC, old LOGIN, PAM ends). */
function normalizeText(typeName: string, msg: string): string {
  switch (typeName) {
    case "AVC": {
      const m = AVC.exec(msg);
      if (!m) return msg;
      const perms = m[2].split(/[\t\n\v\f\r ]+/).filter((p) => p !== "");
      return `seresult=${m[1]} seperms=${perms.join(",")} ${msg.slice(m.index + m[0].length)}`;
    }
    case "LOGIN":
      return replaceN(replaceN(msg, "old ", "old_", 2), "new ", "new_", 2);
    case "CRED_DISP":
    case "USER_START":
    case "USER_END":
      return replaceN(msg, " (hostname=", " hostname=", 2).replace(/[)']+$/, "");
  }
  return msg;
}

function replaceN(s: string, from: string, to: string, n: number): string {
  for (let i = 0; i < n; i++) {
    const at = s.indexOf(from);
    if (at < 0) break;
    s = s.slice(0, at) + to + s.slice(at + from.length);
  }
  return s;
}

/**
 * The text after `msg=` of a record (trimmed), which go-libaudit keeps as
 * the record's raw data; the ENRICHED part of a line is not part of it.
 */
export function rawMessage(record: AuditRecord): string {
  const text = record.text;
  const at = text.indexOf("msg=");
  return (at < 0 ? text : text.slice(at + 4)).trim();
}

/**
 * The record's fields as go-libaudit's `auparse` gives them.
 *
 * @example
 * ```ts
 * import { AuditRecord } from "../event/record.ts";
 * import { recordFields } from "./fields.ts";
 * const line = 'type=USER_CMD msg=audit(1.000:2): pid=3 uid=0 msg=\'cmd=6C73 res=success\'';
 * recordFields(new AuditRecord(new TextEncoder().encode(line))).data.get("cmd"); // "ls"
 * ```
 */
export function recordFields(record: AuditRecord): RecordFields {
  const raw = rawMessage(record);
  const close = raw.indexOf(")");
  const afterHeader = close < 0 ? "" : raw.slice(close + 1);
  const start = afterHeader.search(/[: ]/);
  if (start < 0) return { data: new Map(), error: "message has no data content" };
  const typeName = record.typeName;
  const f = new Map<string, Field>();
  extract(normalizeText(typeName, afterHeader.slice(start)), f);
  let tags: string[] | undefined;
  try {
    for (const k of ["auid", "old-auid", "ses"]) {
      const v = f.get(k)?.value;
      if (v === "4294967295" || v === "-1") setValue(f, k, "unset");
    }
    selinux(f, "subj");
    const res = f.get("success") ?? f.get("res");
    if (res) {
      f.delete(f.has("success") ? "success" : "res");
      const v = res.value.toLowerCase();
      const ok = v === "yes" || v === "1" || v.startsWith("suc");
      f.set("result", { orig: ok ? "success" : "fail", value: ok ? "success" : "fail" });
    }
    const exit = f.get("exit");
    const code = exit ? parseDecimal(exit.value) : undefined;
    if (code !== undefined && code < 0) {
      const name = errnoName(-code);
      if (name) setValue(f, "exit", name);
    }
    const key = f.get("key");
    if (key) {
      f.delete("key");
      const hex = decodeUpperHex(key.orig);
      if (hex) tags = latin.decode(hex).split("\x01");
      else {
        const eq = key.value.indexOf("=");
        tags = [eq < 0 ? key.value : key.value.slice(eq + 1)];
      }
    }
    hexDecode(f, "cwd");
    enrichByType(typeName, f);
  } catch (e) {
    return { data: new Map(), error: (e as Error).message, ...(tags ? { tags } : {}) };
  }
  const data = new Map<string, string>();
  for (const [k, v] of f) data.set(k, v.value);
  return { data, ...(tags ? { tags } : {}) };
}

function need(ok: boolean, key: string): void {
  if (!ok) throw new Error(`${key} key not found`);
}

function enrichByType(typeName: string, f: Map<string, Field>): void {
  if (typeName === "SECCOMP") {
    const sig = f.get("sig");
    need(sig !== undefined, "sig");
    const n = parseDecimal(sig!.value);
    if (n === undefined) throw new Error(`failed to parse sig: ${sig!.value}`);
    if (n >= 1 && n < 32) setValue(f, "sig", printSignal(String(n), 10));
  }
  switch (typeName) {
    case "SECCOMP":
    case "SYSCALL": {
      const arch = f.get("arch");
      need(arch !== undefined, "arch");
      if (!/^[+-]?[0-9a-fA-F]+$/.test(arch!.value)) {
        throw new Error(`failed to parse arch: ${arch!.value}`);
      }
      const elf = parseInt(arch!.value, 16);
      setValue(f, "arch", archName(elf));
      const sc = f.get("syscall");
      need(sc !== undefined, "syscall");
      const n = parseDecimal(sc!.value);
      if (n === undefined) throw new Error(`failed to parse syscall: ${sc!.value}`);
      const m = elfToMachine(elf);
      const name = m >= 0 ? syscallName(n, m) : undefined;
      if (name) setValue(f, "syscall", name);
      need(hexDecode(f, "exe"), "exe");
      break;
    }
    case "SOCKADDR": {
      const saddr = f.get("saddr");
      need(saddr !== undefined, "saddr");
      let parts: Map<string, string>;
      try {
        parts = sockaddr(saddr!.value);
      } catch (e) {
        throw new Error(`failed to parse saddr: ${(e as Error).message}`);
      }
      f.delete("saddr");
      for (const [k, v] of parts) f.set(k, { orig: v, value: v });
      break;
    }
    case "PROCTITLE":
      need(hexDecode(f, "proctitle"), "proctitle");
      break;
    case "USER_CMD":
      need(hexDecode(f, "cmd"), "cmd");
      break;
    case "TTY":
    case "USER_TTY":
      need(hexDecode(f, "data"), "data");
      break;
    case "EXECVE": {
      const argc = f.get("argc");
      need(argc !== undefined, "argc");
      const count = parseDecimal(argc!.value);
      if (count === undefined || count < 0) {
        throw new Error(`failed to convert argc='${argc!.value}' to number`);
      }
      for (let i = 0; i < count; i++) {
        const arg = f.get(`a${i}`);
        if (!arg) throw new Error(`failed to find arg a${i}`);
        const b = decodeUpperHex(arg.orig);
        if (b) {
          const nul = b.indexOf(0);
          setValue(f, `a${i}`, latin.decode(nul < 0 ? b : b.subarray(0, nul)));
        }
      }
      break;
    }
    case "PATH":
      selinux(f, "obj");
      hexDecode(f, "name");
      break;
    case "USER_LOGIN":
      hexDecode(f, "acct");
      break;
  }
}
