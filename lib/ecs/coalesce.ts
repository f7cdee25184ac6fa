/**
 * One audit event as go-libaudit's `aucoalesce` builds it (the step between
 * the records and Auditbeat's ECS document): the records joined into one
 * event, the subject ids and SELinux labels set apart, the summary (actor,
 * action, object, how) and ECS categorisation taken from go-libaudit's
 * normalisation table, process, file and address details moved out of the
 * data.
 *
 * @module
 */

import type { AuditEvent } from "../event/assemble.ts";
import type { AuditRecord } from "../event/record.ts";
import { RecordType } from "../event/types.ts";
import { recordFields } from "./fields.ts";
import {
  type MappingTarget,
  type Normalization,
  recordTypeNormalization,
  syscallNormalization,
} from "./normalization.ts";

/** An ECS user or group as the normalisation names it (an id, a name, or both after lookup). */
export interface EntityData {
  /** The name. */
  name?: string;
  /** The id (`unset` for an unset id). */
  id?: string;
}

/** A network address of the event. */
export interface Address {
  /** The IP address. */
  ip?: string;
  /** The port. */
  port?: string;
  /** The Unix socket path. */
  path?: string;
}

/** The file the event's object names (`file.*` in ECS; `selinux` is Auditbeat's own field). */
export interface FileInfo {
  /** The path as the PATH record names it. */
  path?: string;
  /** The device (the PATH record's `rdev`). */
  device?: string;
  /** The inode number. */
  inode?: string;
  /** Permission bits, four octal digits. */
  mode?: string;
  /** The owner's uid. */
  uid?: string;
  /** The group's gid. */
  gid?: string;
  /** The owner's name. */
  owner?: string;
  /** The group's name. */
  group?: string;
  /** The SELinux labels of the object. */
  selinux?: Record<string, string>;
}

/** An event as go-libaudit's `CoalesceMessages` leaves it (JSON names in comments). */
export interface CoalescedEvent {
  /** Milliseconds since the epoch. */
  time: number;
  /** The serial number. */
  sequence: number;
  /** go-libaudit's event category (`user-login`, `audit-rule`, ...). */
  category: string;
  /** The record type name of the event (lower case in JSON). */
  recordType: string;
  /** `success`, `fail`, `unknown` or empty. */
  result: string;
  /** The session id (`unset`, or empty when the records have none). */
  session: string;
  /** The audit rule keys. */
  tags?: string[];
  /** Who did what to what, how. */
  summary: {
    actor: { primary?: string; secondary?: string };
    action?: string;
    object: { type?: string; primary?: string; secondary?: string };
    how?: string;
  };
  /** The subject's ids by field name, their names once resolved, SELinux labels. */
  user: {
    ids?: Record<string, string>;
    names?: Record<string, string>;
    selinux?: Record<string, string>;
  };
  /** The acting process. */
  process: {
    pid?: string;
    ppid?: string;
    title?: string;
    name?: string;
    exe?: string;
    cwd?: string;
    args?: string[];
  };
  /** The file the object names. */
  file?: FileInfo;
  /** Where a connection came from. */
  source?: Address;
  /** Where a connection went. */
  destination?: Address;
  /** `ingress` or `egress`. */
  direction?: string;
  /** The other fields. */
  data: Map<string, string>;
  /** The fields of each PATH record. */
  paths?: Map<string, string>[];
  /** ECS categorisation and the entities the normalisation names. */
  ecs: {
    event: { kind?: string; category?: string[]; type?: string[]; outcome?: string };
    user: EntityData & { effective: EntityData; target: EntityData; changes: EntityData };
    group: EntityData;
  };
  /** Problems met on the way, as go-libaudit words them. */
  warnings: string[];
}

const SYSCALL = RecordType.SYSCALL;

/**
 * go-libaudit's event category of a record type number (`GetAuditEventType`),
 * which Auditbeat writes as `event.category` when the normalisation gives
 * none.
 *
 * @example
 * ```ts
 * import { eventCategory } from "./coalesce.ts";
 * eventCategory(1112); // "user-login" (USER_LOGIN)
 * ```
 */
export function eventCategory(t: number): string {
  const r = (a: number, b: number) => t >= a && t <= b;
  if (r(1100, 1106) || r(1108, 1110) || r(1112, 1113) || t === 1126) return "user-login";
  if (r(1114, 1117) || r(1132, 1133) || r(1135, 1136)) return "user-account";
  if (t === 2000 || r(1127, 1131)) return "system-services";
  if (t === 1111 || t === 1305 || t === 1325 || r(1328, 1329)) return "configuration";
  if (t === 1326) return "dac-decision";
  if (r(1119, 1121) || t === 1123 || t === 1125) return "user-space";
  if (t === 1124 || t === 1319) return "TTY";
  if (r(1200, 1299)) return "audit-daemon";
  if (t === 1122 || t === 1107 || r(1502, 1503) || t === 1506 || r(1400, 1402)) {
    return "mac-decision";
  }
  if (r(1800, 1899) || t === 2109) return "integrity";
  if (r(1700, 1799) || r(2100, 2108) || r(2110, 2199)) return "anomaly";
  if (r(2200, 2299)) return "anomaly-response";
  if (r(1403, 1499) || r(1500, 1501) || r(1504, 1505) || r(2300, 2399)) return "mac";
  if (r(1600, 1699) || r(2400, 2499)) return "crypto";
  if (r(2500, 2599)) return "virt";
  if (r(1300, 1304) || r(1306, 1315) || r(1317, 1318) || r(1321, 1324)) return "audit-rule";
  return "unknown";
}

/** The fields of each record, read once per record. */
type Reader = (r: AuditRecord) => ReturnType<typeof recordFields>;

function reader(): Reader {
  const seen = new Map<AuditRecord, ReturnType<typeof recordFields>>();
  return (r) => {
    let f = seen.get(r);
    if (!f) seen.set(r, f = recordFields(r));
    return f;
  };
}

/**
 * Joins an event's records as go-libaudit's `CoalesceMessages` does; throws
 * when several records hold no SYSCALL (go-libaudit refuses those).
 *
 * @example
 * ```ts
 * import { readEvents } from "../event/assemble.ts";
 * import { coalesceEvent } from "./coalesce.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) {
 *   console.log(coalesceEvent(ev).summary.action);
 * }
 * ```
 */
export function coalesceEvent(event: AuditEvent): CoalescedEvent {
  let records = event.records;
  if (records.length > 0 && records[records.length - 1].type === RecordType.EOE) {
    records = records.slice(0, -1);
  }
  if (records.length === 0) throw new Error("messages is empty");
  const read = reader();
  let out: CoalescedEvent;
  if (records.length === 1) out = newEvent(records[0], undefined, read);
  else {
    let special: AuditRecord | undefined, syscall: AuditRecord | undefined;
    for (let i = 0; i < records.length; i++) {
      if (i === 0 && records[i].type !== SYSCALL) special = records[i];
      else if (records[i].type === SYSCALL) {
        syscall = records[i];
        break;
      }
    }
    if (!syscall) throw new Error("missing syscall message in compound event");
    out = newEvent(special, syscall, read);
    for (const r of records) addRecord(out, r, read);
  }
  applyNormalization(out);
  addProcess(out);
  return out;
}

function newEvent(
  first: AuditRecord | undefined,
  syscall: AuditRecord | undefined,
  read: Reader,
): CoalescedEvent {
  const msg = first ?? syscall!;
  const ev: CoalescedEvent = {
    time: msg.sec * 1000 + msg.msec,
    sequence: msg.serial,
    category: eventCategory(msg.type),
    recordType: msg.typeName,
    result: "",
    session: "",
    summary: { actor: {}, object: {} },
    user: {},
    process: {},
    data: new Map(),
    ecs: { event: {}, user: { effective: {}, target: {}, changes: {} }, group: {} },
    warnings: [],
  };
  const fields = read(syscall ?? msg);
  if (fields.error !== undefined) {
    ev.warnings.push(fields.error);
    return ev;
  }
  // go-libaudit takes result and ses out of the record's own map: later readers miss them too
  const data = fields.data;
  ev.result = data.get("result") ?? "unknown";
  data.delete("result");
  if (data.has("ses")) {
    ev.session = data.get("ses")!;
    data.delete("ses");
  }
  if (data.has("auid")) ev.summary.actor.primary = data.get("auid");
  if (data.has("uid")) ev.summary.actor.secondary = data.get("uid");
  if (fields.tags) ev.tags = fields.tags;
  for (const [k, v] of data) {
    if (k.endsWith("uid") || k.endsWith("gid")) (ev.user.ids ??= {})[k] = v;
    else if (k.startsWith("subj_")) (ev.user.selinux ??= {})[k.slice(5)] = v;
    else ev.data.set(k, v);
  }
  return ev;
}

function addRecord(ev: CoalescedEvent, r: AuditRecord, read: Reader): void {
  const f = read(r);
  switch (r.type) {
    case SYSCALL:
      ev.data.delete("items");
      return;
    case RecordType.PATH:
      if (f.error !== undefined) ev.warnings.push(`failed to parse PATH message: ${f.error}`);
      else (ev.paths ??= []).push(f.data);
      return;
  }
  if (r.typeName === "SOCKADDR") return addSockaddr(ev, f);
  if (r.type === RecordType.EXECVE) return addExecve(ev, f);
  if (f.error !== undefined) {
    ev.warnings.push(`failed to parse message: ${f.error}`);
    return;
  }
  for (const [k, v] of f.data) {
    if (ev.data.has(k)) {
      ev.warnings.push(`duplicate key (${k}) from ${r.typeName} message`);
      continue;
    }
    ev.data.set(k, v);
  }
}

function addSockaddr(ev: CoalescedEvent, f: ReturnType<typeof recordFields>): void {
  if (f.error !== undefined) {
    ev.warnings.push(`failed to parse SOCKADDR message: ${f.error}`);
    return;
  }
  const syscall = ev.data.get("syscall");
  if (syscall === undefined) {
    ev.warnings.push("failed to add SOCKADDR data because syscall is unknown");
    return;
  }
  for (const [k, v] of f.data) ev.data.set(`socket_${k}`, v);
  const ip = f.data.get("addr") ?? "", port = f.data.get("port") ?? "";
  const path = f.data.get("path") ?? "";
  const addr = ip || port || path
    ? { ...(ip ? { ip } : {}), ...(port ? { port } : {}), ...(path ? { path } : {}) }
    : undefined;
  switch (syscall) {
    case "recvfrom":
    case "recvmsg":
    case "accept":
    case "accept4":
      if (addr) ev.source = addr;
      ev.direction = "ingress";
      break;
    case "connect":
    case "sendto":
    case "sendmsg":
      if (addr) ev.destination = addr;
      ev.direction = "egress";
      break;
  }
}

function addExecve(ev: CoalescedEvent, f: ReturnType<typeof recordFields>): void {
  if (f.error !== undefined) {
    ev.warnings.push(`failed to parse EXECVE message: ${f.error}`);
    return;
  }
  const argc = f.data.get("argc");
  if (argc === undefined) {
    ev.warnings.push("argc key not found in EXECVE message");
    return;
  }
  ev.data.set("argc", argc);
  const count = /^\d+$/.test(argc) ? Number(argc) : NaN;
  if (!(count < 2 ** 32)) {
    ev.warnings.push(`failed to convert argc='${argc}' to number`);
    return;
  }
  const args: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = f.data.get(`a${i}`);
    if (a === undefined) {
      ev.warnings.push(`failed to find arg a${i}`);
      return;
    }
    args.push(a);
  }
  if (args.length) ev.process.args = args;
}

function addProcess(ev: CoalescedEvent): void {
  const take = (k: string) => {
    const v = ev.data.get(k);
    ev.data.delete(k);
    return v || undefined;
  };
  const p = ev.process;
  const set = (key: keyof Omit<typeof p, "args">, from: string) => {
    const v = take(from);
    if (v !== undefined) p[key] = v;
  };
  set("pid", "pid");
  set("ppid", "ppid");
  set("title", "proctitle");
  set("name", "comm");
  set("exe", "exe");
  set("cwd", "cwd");
}

const SCRIPT_HOSTS = ["/usr/bin/python", "/usr/bin/sh", "/usr/bin/bash", "/usr/bin/perl"];

function value(ev: CoalescedEvent, key: string): string | undefined {
  return ev.data.get(key) ?? ev.user.ids?.[key];
}

function firstOf(ev: CoalescedEvent, keys: string[] | undefined, what: string): string | undefined {
  if (!keys?.length) return undefined;
  for (const k of keys) {
    const v = value(ev, k);
    if (v !== undefined) return v;
  }
  ev.warnings.push(
    `failed to set ${what} using keys=[${keys.join(" ")}] because they were not found`,
  );
  return undefined;
}

function applyNormalization(ev: CoalescedEvent): void {
  const exe = ev.data.get("exe") ?? ev.data.get("comm");
  if (exe !== undefined) {
    ev.summary.how = exe;
    const comm = ev.data.get("comm");
    if (SCRIPT_HOSTS.some((h) => exe.startsWith(h)) && comm !== undefined) ev.summary.how = comm;
  }
  const syscall = ev.data.get("syscall");
  const syscallNorm = syscall !== undefined ? syscallNormalization(syscall) : undefined;
  const norm: Normalization | undefined = ev.recordType === "SYSCALL"
    ? syscallNorm
    : recordTypeNormalization(ev.recordType, (f) => ev.data.has(f));
  if (!norm) {
    ev.warnings.push("no normalization found for event");
    return;
  }
  const e = ev.ecs.event;
  if (norm.ecs?.kind) e.kind = norm.ecs.kind;
  if (norm.ecs?.category) e.category = [...norm.ecs.category];
  if (norm.ecs?.type) e.type = [...norm.ecs.type];
  if (syscallNorm && syscallNorm !== norm) {
    const cat = [...(e.category ?? []), ...(syscallNorm.ecs?.category ?? [])];
    const typ = [...(e.type ?? []), ...(syscallNorm.ecs?.type ?? [])];
    if (cat.length) e.category = cat;
    if (typ.length) e.type = typ;
    if (ev.result === "fail") e.outcome = "failure";
  }
  if (norm.action) ev.summary.action = norm.action;
  const what = norm.object_what ?? "";
  if (what) ev.summary.object.type = what;
  if ((what === "file" || what === "filesystem") && ev.paths?.length) {
    setFileObject(ev, norm.object_path_index ?? 0);
  } else if (what === "socket") {
    const primary = ev.data.get("socket_addr") ?? ev.data.get("socket_path");
    if (primary !== undefined) ev.summary.object.primary = primary;
    const port = ev.data.get("socket_port");
    if (port !== undefined) ev.summary.object.secondary = port;
  }
  const s = ev.summary;
  const sp = firstOf(ev, norm.subject_primary, "subject primary");
  if (sp !== undefined) s.actor.primary = sp;
  const ss = firstOf(ev, norm.subject_secondary, "subject secondary");
  if (ss !== undefined) s.actor.secondary = ss;
  const op = firstOf(ev, norm.object_primary, "object primary");
  if (op !== undefined) s.object.primary = op;
  const os = firstOf(ev, norm.object_secondary, "object secondary");
  if (os !== undefined) s.object.secondary = os;
  const how = firstOf(ev, norm.how, "how");
  if (how !== undefined) s.how = how;
  if (!ev.source && norm.source_ip?.length) {
    const key = norm.source_ip.find((k) => ev.data.has(k));
    if (key === undefined) {
      ev.warnings.push(
        `failed to set source IP using keys=[${
          norm.source_ip.join(" ")
        }] because they were not found`,
      );
    } else {
      ev.source = { ip: ev.data.get(key)! };
      ev.data.delete(key);
      ev.direction = "ingress";
    }
  }
  for (const [from, to] of norm.ecs?.mappings ?? []) setEntity(ev, to, read(ev, from));
}

function read(ev: CoalescedEvent, from: string): string {
  const s = ev.summary;
  switch (from) {
    case "subject.primary":
      return s.actor.primary ?? "";
    case "subject.secondary":
      return s.actor.secondary ?? "";
    case "object.primary":
      return s.object.primary ?? "";
    case "object.secondary":
      return s.object.secondary ?? "";
  }
  const dot = from.indexOf(".");
  const dict = from.slice(0, dot), key = from.slice(dot + 1);
  return (dict === "data" ? ev.data.get(key) : ev.user.ids?.[key]) ?? "";
}

function setEntity(ev: CoalescedEvent, to: MappingTarget, v: string): void {
  const u = ev.ecs.user;
  const target: EntityData = to === "user"
    ? u
    : to === "group"
    ? ev.ecs.group
    : u[to.slice(5) as "effective" | "target" | "changes"];
  if (v === "" || v === "unset" || v === "4294967295" || v === "-1") {
    delete target.name;
    target.id = "unset";
  } else if (/^\d+$/.test(v) && BigInt(v) < 2n ** 64n) target.id = v;
  else target.name = v;
}

function setFileObject(ev: CoalescedEvent, hint: number): void {
  const paths = ev.paths!;
  const index = paths.length > hint ? hint : 0;
  let path = paths[index];
  for (const p of paths.slice(index)) {
    const t = p.get("nametype");
    if (t !== "PARENT" && t !== "UNKNOWN") {
      path = p;
      break;
    }
  }
  const file: FileInfo = {};
  ev.file = file;
  const name = path.get("name");
  if (name !== undefined) {
    ev.summary.object.primary = name;
    file.path = name;
  }
  if (path.has("inode")) file.inode = path.get("inode");
  if (path.has("rdev")) file.device = path.get("rdev");
  const mode = path.get("mode");
  if (mode !== undefined) {
    if (!/^[0-7]+$/.test(mode)) {
      ev.warnings.push(`failed to set file object: failed to parse file mode: ${mode}`);
      return;
    }
    const m = Number.parseInt(mode, 8);
    file.mode = (m & 0o7777).toString(8).padStart(4, "0");
    // go-libaudit tests the raw mode with os.FileMode's own type bits, which a Unix mode never
    // sets: every file counts as a regular one
    ev.summary.object.type = "file";
  }
  if (path.has("ouid")) file.uid = path.get("ouid");
  if (path.has("ogid")) file.gid = path.get("ogid");
  for (const [k, v] of path) if (k.startsWith("obj_")) (file.selinux ??= {})[k.slice(4)] = v;
}
