/**
 * Elastic Common Schema (ECS) documents for audit events, as Auditbeat's
 * auditd module writes them for the same records: `event.*`
 * categorisation, the `auditd.*` module fields (summary of who did what to
 * what, data, paths), `user.*` and `group.*` with names, `process.*`,
 * `file.*`, `source`/`destination`/`network`, `tags`, and `event.original`.
 *
 * @module
 */

import type { AuditEvent } from "../event/assemble.ts";
import { jsonEventId } from "../format/json.ts";
import type { BadLine } from "../source/file.ts";
import { NormalizedView } from "../interpret/normalize.ts";
import {
  type AccountDatabase,
  accountDatabase,
  type AccountSource,
  gidOfName,
  groupName,
  uidOfName,
  userName,
} from "../accounts.ts";
import { type CoalescedEvent, coalesceEvent, type EntityData, type FileInfo } from "./coalesce.ts";

/** The ECS version the documents follow (`ecs.version`). */
export const ECS_VERSION = "9.4.0" as const;

/** Options of {@link ecsEvent}. */
export interface EcsOptions {
  /**
   * Where user and group names come from (default: the database
   * `useAccountDatabase` chose, the local /etc/passwd and /etc/group
   * unless it chose another). `passwd`/`group` below build one.
   */
  accounts?: AccountDatabase;
  /** Another host's passwd file: its text, or `{ path }`. */
  passwd?: AccountSource;
  /** Another host's group file: its text, or `{ path }`. */
  group?: AccountSource;
  /** Whether ids get names (`user.name`, `file.owner`, ...); default true. */
  resolveIds?: boolean;
  /** Whether `event.original` keeps the records' lines; default true. */
  original?: boolean;
}

/** A user or group: id and name. */
export interface EcsEntity {
  /** The id (a decimal number). */
  id?: string;
  /** The name. */
  name?: string;
}

/** A user with a group: `user`, `user.effective`, `user.saved`, `user.filesystem`. */
export interface EcsUserIds extends EcsEntity {
  /** The group (gid, egid, sgid, fsgid). */
  group?: EcsEntity;
}

/**
 * The subject's users: ECS's `user`, `user.group`, `user.effective`,
 * `user.target` and `user.changes`, and Auditbeat's own `user.audit` (the
 * login uid), `user.saved`, `user.filesystem`, `user.selinux`, and
 * `user.<field>` for any other id field (`user.old-auid`).
 */
export interface EcsUser extends EcsUserIds {
  /** The login user (auid). */
  audit?: EcsEntity;
  /** The effective user and group. */
  effective?: EcsUserIds;
  /** The saved set-user and set-group ids. */
  saved?: EcsUserIds;
  /** The file system user and group. */
  filesystem?: EcsUserIds;
  /** The user acted on. */
  target?: EcsEntity;
  /** The user's changed identity. */
  changes?: EcsEntity;
  /** The subject's SELinux labels (`user`, `role`, `domain`, `level`, `category`). */
  selinux?: Record<string, string>;
  /** Other id fields. */
  [field: string]: EcsEntity | Record<string, string> | string | undefined;
}

/** An ECS document for one audit event (the fields auditkit writes). */
export interface EcsDocument {
  /** The event's time, ISO 8601 UTC with milliseconds. */
  "@timestamp": string;
  /** The ECS version followed. */
  ecs: { version: typeof ECS_VERSION };
  /** What happened: id, categorisation, outcome, the records' lines. */
  event: {
    id?: string;
    kind: "event";
    module?: string;
    dataset?: string;
    action?: string;
    category?: string | string[];
    type?: string[];
    outcome?: string;
    original?: string[];
  };
  /** `auditd`, as Auditbeat sets it. */
  service?: { type: string };
  /** The node that wrote the records (`node=`), when the log names one. */
  host?: { name: string };
  /** Auditbeat's module fields: record type, serial, result, session, data, summary, paths. */
  auditd?: {
    message_type: string;
    sequence: number;
    result: string;
    session?: string;
    data: Record<string, unknown>;
    summary?: {
      actor?: { primary?: string; secondary?: string };
      object?: { primary?: string; secondary?: string; type?: string };
      how?: string;
    };
    paths?: Record<string, string>[];
  };
  /** The subject: ids and names (`audit`, `effective`, `saved`, `filesystem`, `target`, ...). */
  user?: EcsUser;
  /** The group the event is about. */
  group?: EcsEntity;
  /** The names of the users involved. */
  related?: { user: string[] };
  /** The process that acted. */
  process?: {
    pid?: number;
    parent?: { pid: number };
    title?: string;
    name?: string;
    executable?: string;
    working_directory?: string;
    args?: string[];
  };
  /** The file acted on (path, inode, device, mode, owner, SELinux labels). */
  file?: FileInfo;
  /** Where a connection came from. */
  source?: { ip?: string; port?: number; path?: string };
  /** Where a connection went. */
  destination?: { ip?: string; port?: number; path?: string };
  /** `ingress` or `egress`. */
  network?: { direction: string };
  /** The audit rule keys. */
  tags?: string[];
  /** The file a line that is no record came from. */
  log?: { file: { path: string } };
  /** What could not be read, as go-libaudit words it. */
  error?: { message: string | string[] };
}

/** The database `useAccountDatabase` chose (the local files by default). */
const inUse: AccountDatabase = { userName, groupName, uidOfName, gidOfName };
const databases = new Map<string, AccountDatabase>();
const byteKeys = new WeakMap<Uint8Array, number>();
let nextByteKey = 0;

function keyOf(s: AccountSource | undefined): string {
  if (s === undefined) return "-";
  if (typeof s === "string") return `t${s}`;
  // bytes: one database per array
  if (s instanceof Uint8Array) {
    let n = byteKeys.get(s);
    if (n === undefined) byteKeys.set(s, n = nextByteKey++);
    return `b${n}`;
  }
  return `p${String(s.path)}`;
}

function accountsOf(o: EcsOptions): AccountDatabase {
  if (o.accounts) return o.accounts;
  if (o.passwd === undefined && o.group === undefined) return inUse;
  const key = `${keyOf(o.passwd)}\0${keyOf(o.group)}`;
  let db = databases.get(key);
  if (!db) {
    if (databases.size > 16) databases.clear();
    databases.set(key, db = accountDatabase({ passwd: o.passwd, group: o.group }));
  }
  return db;
}

/** Id lookups as go-libaudit's caches answer them: 0 is root both ways, whatever the files say. */
class Lookup {
  constructor(readonly db: AccountDatabase) {}
  user(id: string | undefined): string {
    return this.#byId(id, (n) => this.db.userName(n));
  }
  group(id: string | undefined): string {
    return this.#byId(id, (n) => this.db.groupName(n));
  }
  uidOf(name: string): string {
    if (name === "root") return "0";
    return this.db.uidOfName(name)?.toString() ?? "";
  }
  gidOf(name: string): string {
    if (name === "root") return "0";
    return this.db.gidOfName(name)?.toString() ?? "";
  }
  #byId(id: string | undefined, f: (n: number) => string | undefined): string {
    if (!id || id === "unset") return "";
    if (id === "0") return "root";
    if (!/^\d+$/.test(id) || Number(id) > 0xffffffff) return "";
    return f(Number(id)) ?? "";
  }
}

function resolveIds(ev: CoalescedEvent, look: Lookup): void {
  const s = ev.summary.actor;
  const p = look.user(s.primary), q = look.user(s.secondary);
  if (p) s.primary = p;
  if (q) s.secondary = q;
  const names: Record<string, string> = {};
  for (const [k, id] of Object.entries(ev.user.ids ?? {})) {
    const n = k.endsWith("uid") ? look.user(id) : look.group(id);
    if (n) names[k] = n;
  }
  if (Object.keys(names).length) ev.user.names = names;
  if (ev.file) {
    if (ev.file.uid) ev.file.owner = look.user(ev.file.uid);
    if (ev.file.gid) ev.file.group = look.group(ev.file.gid);
  }
  const u = ev.ecs.user;
  for (const e of [u, u.effective, u.target, u.changes]) entityLookup(e, look, false);
  entityLookup(ev.ecs.group, look, true);
}

function entityLookup(e: EntityData, look: Lookup, group: boolean): void {
  if (!e.id === !e.name) return;
  if (e.id) {
    const n = group ? look.group(e.id) : look.user(e.id);
    if (n) e.name = n;
    else delete e.name;
  } else {
    const id = group ? look.gidOf(e.name!) : look.uidOf(e.name!);
    if (id) e.id = id;
  }
}

/**
 * Fills the summary from libauparse's normaliser (aureport's and ausearch
 * --format text's) when go-libaudit's table names no action for the event
 * (a record type or syscall it does not list): the action, and the object
 * and how where go-libaudit found none. The "no normalization" warning goes,
 * since the event now has one.
 */
function fromLibauparse(ev: CoalescedEvent, event: AuditEvent): void {
  const view = new NormalizedView(event, false, "raw");
  const n = view.norm;
  if (!n.action) return;
  ev.summary.action = n.action;
  const o = ev.summary.object;
  if (!o.primary && n.objectPrimary && view.has(n.objectPrimary)) {
    o.primary = view.interpret(n.objectPrimary);
  }
  if (!o.secondary && n.objectSecondary && view.has(n.objectSecondary)) {
    o.secondary = view.interpret(n.objectSecondary);
  }
  if (!o.type && n.objectKind !== "unknown") o.type = n.objectKind;
  if (!ev.summary.how && n.how) ev.summary.how = n.how;
  ev.warnings = ev.warnings.filter((w) => w !== "no normalization found for event");
}

/** Sets `obj[path]` (dotted), making the objects on the way. */
function put(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    const next = o[k];
    if (typeof next !== "object" || next === null || Array.isArray(next)) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]] = value;
}

function get(obj: Record<string, unknown>, path: string): unknown {
  let o: unknown = obj;
  for (const k of path.split(".")) {
    if (typeof o !== "object" || o === null) return undefined;
    o = (o as Record<string, unknown>)[k];
  }
  return o;
}

function remove(obj: Record<string, unknown>, path: string): void {
  const keys = path.split(".");
  const parent = get(obj, keys.slice(0, -1).join("."));
  if (typeof parent === "object" && parent !== null) {
    delete (parent as Record<string, unknown>)[keys[keys.length - 1]];
  }
}

const ID_FIELDS: Record<string, string> = {
  uid: "",
  gid: "group.",
  euid: "effective.",
  egid: "effective.group.",
  suid: "saved.",
  sgid: "saved.group.",
  fsuid: "filesystem.",
  fsgid: "filesystem.group.",
  auid: "audit.",
};

function userFields(ev: CoalescedEvent): Record<string, unknown> {
  const user: Record<string, unknown> = {};
  const at = (k: string) => Object.hasOwn(ID_FIELDS, k) ? ID_FIELDS[k] : `${k}.`;
  for (const [k, v] of Object.entries(ev.user.ids ?? {})) {
    if (v === "unset") continue;
    put(user, `${at(k)}id`, v);
    if (ev.user.selinux && Object.keys(ev.user.selinux).length) user.selinux = ev.user.selinux;
  }
  for (const [k, v] of Object.entries(ev.user.names ?? {})) put(user, `${at(k)}name`, v);
  return user;
}

function address(a: { ip?: string; port?: string; path?: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (a.ip) out.ip = a.ip;
  if (a.port) out.port = Number(a.port);
  if (a.path) out.path = a.path;
  return out;
}

function goInt(s: string | undefined): number | undefined {
  if (!s || !/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The ECS document of an audit event, as Auditbeat's auditd module writes
 * it (with `resolve_ids`, `include_raw_message` and `include_warnings` on),
 * plus `@timestamp`, `ecs.version`, `event.id`, `event.module`,
 * `event.dataset` and `host.name` (the node), which Auditbeat's publishing
 * pipeline adds. `event.id` is the event's id in auditkit's JSON
 * (`sec.msec:serial[@node]/hash`), so the same event read twice gets the
 * same id. An event that cannot be read (a line that is no audit record, an
 * event cut short) gives a document with its lines in `event.original`
 * and the reason in `error.message`; nothing throws.
 *
 * @example
 * ```ts
 * import { readEvents } from "../event/assemble.ts";
 * import { ecsEvent } from "./ecs.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) {
 *   console.log(JSON.stringify(ecsEvent(ev, { passwd: { path: "/srv/web1/etc/passwd" } })));
 * }
 * ```
 */
export function ecsEvent(event: AuditEvent, options: EcsOptions = {}): EcsDocument {
  const original = options.original ?? true;
  const lines = event.records.map((r) => r.raw);
  const base = {
    "@timestamp": new Date(event.time).toISOString(),
    ecs: { version: ECS_VERSION },
  };
  const ids = {
    id: jsonEventId(event),
    module: "auditd",
    dataset: "auditd.log",
  };
  const host = event.node !== undefined ? { host: { name: event.node } } : {};
  let ev: CoalescedEvent;
  try {
    ev = coalesceEvent(event);
  } catch (e) {
    return {
      ...base,
      event: { ...ids, kind: "event", original: lines },
      service: { type: "auditd" },
      ...host,
      error: { message: (e as Error).message },
    };
  }
  if (!ev.summary.action) fromLibauparse(ev, event);
  if (options.resolveIds ?? true) resolveIds(ev, new Lookup(accountsOf(options)));
  const doc: Record<string, unknown> = {};
  const outcome = ev.result === "fail" ? "failure" : ev.result;
  doc.event = { category: ev.category, action: ev.summary.action ?? "", outcome };
  const auditd: Record<string, unknown> = {
    message_type: ev.recordType.toLowerCase(),
    sequence: ev.sequence,
    result: ev.result,
    data: {},
  };
  for (const [k, v] of ev.data) {
    if (k.startsWith("socket_")) {
      put(auditd.data as Record<string, unknown>, `socket.${k.slice(7)}`, v);
    } else (auditd.data as Record<string, unknown>)[k] = v;
  }
  if (ev.session !== "unset") auditd.session = ev.session;
  doc.auditd = auditd;
  doc.user = userFields(ev);
  const p = ev.process;
  if (Object.values(p).some((v) => v !== undefined && v !== "")) {
    const proc: Record<string, unknown> = {};
    const pid = goInt(p.pid), ppid = goInt(p.ppid);
    if (pid !== undefined) proc.pid = pid;
    if (ppid !== undefined) proc.parent = { pid: ppid };
    if (p.title) proc.title = p.title;
    if (p.name) proc.name = p.name;
    if (p.exe) proc.executable = p.exe;
    if (p.cwd) proc.working_directory = p.cwd;
    if (p.args?.length) proc.args = p.args;
    doc.process = proc;
  }
  if (ev.file) {
    const file: Record<string, unknown> = {};
    for (const k of ["path", "device", "inode", "mode", "uid", "gid", "owner", "group"] as const) {
      if (ev.file[k]) file[k] = ev.file[k];
    }
    if (ev.file.selinux && Object.keys(ev.file.selinux).length) file.selinux = ev.file.selinux;
    doc.file = file;
  }
  if (ev.source) doc.source = address(ev.source);
  if (ev.destination) doc.destination = address(ev.destination);
  if (ev.direction) doc.network = { direction: ev.direction };
  if (ev.tags?.length) doc.tags = ev.tags;
  if (ev.warnings.length) put(doc, "error.message", ev.warnings);
  if (original || ev.warnings.length) put(doc, "event.original", lines);
  const s = ev.summary;
  const sum: [string, string | undefined][] = [
    ["actor.primary", s.actor.primary],
    ["actor.secondary", s.actor.secondary],
    ["object.primary", s.object.primary],
    ["object.secondary", s.object.secondary],
    ["object.type", s.object.type],
    ["how", s.how],
  ];
  for (const [k, v] of sum) if (v) put(auditd, `summary.${k}`, v);
  if (ev.paths?.length) auditd.paths = ev.paths.map((m) => Object.fromEntries(m));
  put(doc, "event.kind", "event");
  const e = ev.ecs.event;
  if (e.category?.length) put(doc, "event.category", e.category);
  if (e.type?.length) put(doc, "event.type", e.type);
  if (e.outcome) put(doc, "event.outcome", e.outcome);
  const related = new Set<string>();
  const setEntity = (key: string, ent: EntityData, users: boolean) => {
    if (!ent.id && !ent.name) return;
    const id = ent.id === "unset" ? "" : ent.id ?? "";
    if (id) put(doc, `${key}.id`, id);
    else remove(doc, `${key}.id`);
    if (ent.name) {
      put(doc, `${key}.name`, ent.name);
      if (users) related.add(ent.name);
    } else remove(doc, `${key}.name`);
  };
  const u = ev.ecs.user;
  setEntity("user", u, true);
  setEntity("user.effective", u.effective, true);
  setEntity("user.target", u.target, true);
  setEntity("user.changes", u.changes, true);
  setEntity("group", ev.ecs.group, false);
  if (related.size && (options.resolveIds ?? true)) {
    put(doc, "related.user", [...related].sort());
  }
  for (const suffix of ["id", "name"]) {
    const v = get(doc, `user.${suffix}`);
    if (typeof v === "string" && v !== "" && get(doc, `user.effective.${suffix}`) === v) {
      remove(doc, "user.effective");
      break;
    }
  }
  doc.service = { type: "auditd" };
  const out = { ...base, ...doc, ...host } as unknown as EcsDocument;
  Object.assign(out.event, ids, out.event);
  return out;
}

/**
 * The ECS document of a line that is not an audit record (as the log
 * readers report it through `onBadLine`): its text (the first 200 bytes the
 * reader keeps) in `event.original`, the reason in `error.message`, the file
 * in `log.file.path`; `@timestamp` is the time it was read.
 *
 * @example
 * ```ts
 * import { readEvents } from "../event/assemble.ts";
 * import { ecsBadLine } from "./ecs.ts";
 * const events = readEvents("/var/log/audit/audit.log", {
 *   onBadLine: (bad) => console.log(JSON.stringify(ecsBadLine(bad))),
 * });
 * for await (const _ of events) { /* ... *\/ }
 * ```
 */
export function ecsBadLine(bad: BadLine, now: Date = new Date()): EcsDocument {
  return {
    "@timestamp": now.toISOString(),
    ecs: { version: ECS_VERSION },
    event: { kind: "event", module: "auditd", dataset: "auditd.log", original: [bad.text] },
    service: { type: "auditd" },
    log: { file: { path: bad.file } },
    error: { message: `line ${bad.line}: ${bad.reason}` },
  };
}
