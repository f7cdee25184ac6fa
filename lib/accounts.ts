/**
 * The local user and group databases (/etc/passwd, /etc/group) both ways:
 * id to name as `getpwuid`/`getgrgid` answer, name to id as
 * `getpwnam`/`getgrnam`; the first line for an id or name wins, as in the
 * files' own lookups. One reader for the whole library (ausearch's
 * interpretation, the normaliser, praudit and auditreduce).
 *
 * The files are read once, on first use; a missing or unreadable file (or a
 * missing read permission) is an empty database, as a failed lookup. Another
 * host's files can stand in for them ({@link accountDatabase},
 * {@link useAccountDatabase}).
 *
 * @example
 * ```ts
 * import { userName, uidOfName } from "./accounts.ts";
 * console.log(userName(0), uidOfName("root")); // "root" 0 on most systems
 * ```
 *
 * @module
 */

import { decodeBytes } from "./event/record.ts";

/** A parsed database: id to name and name to id, first entry kept. */
interface Database {
  byId: Map<number, string>;
  byName: Map<string, number>;
}

/**
 * Parses passwd(5)/group(5) text: `name:password:id:...` lines; lines with
 * fewer than three fields or a non-numeric id are skipped.
 *
 * @example
 * ```ts
 * import { parseAccounts } from "./accounts.ts";
 * parseAccounts("root:x:0:0::/root:/bin/sh\n").byId.get(0); // "root"
 * ```
 */
export function parseAccounts(text: string): {
  byId: ReadonlyMap<number, string>;
  byName: ReadonlyMap<string, number>;
} {
  const db: Database = { byId: new Map(), byName: new Map() };
  for (const line of text.split("\n")) {
    const parts = line.split(":");
    if (parts.length < 3 || parts[2] === "") continue;
    const id = Number(parts[2]);
    if (!Number.isInteger(id) || id < 0) continue;
    if (!db.byId.has(id)) db.byId.set(id, parts[0]);
    if (!db.byName.has(parts[0])) db.byName.set(parts[0], id);
  }
  return db;
}

const databases = new Map<string, Database>();

function database(path: string): Database {
  let db = databases.get(path);
  if (!db) {
    let text = "";
    try {
      // names keep their bytes, as log text does (see decodeBytes)
      const bytes = Deno.readFileSync(path);
      text = decodeBytes(bytes, 0, bytes.length);
    } catch {
      // no database: every lookup fails, as getpwuid does without one
    }
    db = parseAccounts(text) as Database;
    databases.set(path, db);
  }
  return db;
}

/**
 * A user and group database to look names and ids up in: the local one
 * (/etc/passwd and /etc/group), or another host's ({@link accountDatabase}),
 * since a log read on one machine was often written on another.
 */
export interface AccountDatabase {
  /** The name of a uid. */
  userName(uid: number): string | undefined;
  /** The name of a gid. */
  groupName(gid: number): string | undefined;
  /** The uid of a user name. */
  uidOfName(name: string): number | undefined;
  /** The gid of a group name. */
  gidOfName(name: string): number | undefined;
}

/** The local database: /etc/passwd and /etc/group, read on first use. */
export const localAccounts: AccountDatabase = Object.freeze({
  userName: (uid: number) => database("/etc/passwd").byId.get(uid),
  groupName: (gid: number) => database("/etc/group").byId.get(gid),
  uidOfName: (name: string) => database("/etc/passwd").byName.get(name),
  gidOfName: (name: string) => database("/etc/group").byName.get(name),
});

/** A passwd or group file: its text, its bytes, or `{ path }` to read it from. */
export type AccountSource = string | Uint8Array | { path: string | URL };

/** Another host's passwd and group files for {@link accountDatabase}. */
export interface AccountFiles {
  /** passwd(5): its text, bytes or `{ path }`. Absent: the local /etc/passwd. */
  passwd?: AccountSource;
  /** group(5): its text, bytes or `{ path }`. Absent: the local /etc/group. */
  group?: AccountSource;
}

function textOf(source: AccountSource): string {
  if (typeof source === "string") return source;
  const bytes = source instanceof Uint8Array ? source : Deno.readFileSync(source.path);
  return decodeBytes(bytes, 0, bytes.length);
}

/**
 * A database from another host's passwd and group files (their text, bytes
 * or `{ path }`); the side not given is the local one. A file that cannot be
 * read throws (Deno's error, naming the file).
 *
 * @example
 * ```ts
 * import { accountDatabase } from "./accounts.ts";
 * const db = accountDatabase({ passwd: "alice:x:1001:1001::/home/alice:/bin/sh\n" });
 * db.userName(1001); // "alice"
 * db.uidOfName("alice"); // 1001
 * const other = accountDatabase({ group: { path: "/srv/web1/etc/group" } });
 * ```
 */
export function accountDatabase(files: AccountFiles): AccountDatabase {
  const passwd = files.passwd !== undefined ? parseAccounts(textOf(files.passwd)) : undefined;
  const group = files.group !== undefined ? parseAccounts(textOf(files.group)) : undefined;
  return Object.freeze({
    userName: (uid: number) => passwd ? passwd.byId.get(uid) : localAccounts.userName(uid),
    groupName: (gid: number) => group ? group.byId.get(gid) : localAccounts.groupName(gid),
    uidOfName: (name: string) => passwd ? passwd.byName.get(name) : localAccounts.uidOfName(name),
    gidOfName: (name: string) => group ? group.byName.get(name) : localAccounts.gidOfName(name),
  });
}

let current: AccountDatabase = localAccounts;

/**
 * Makes `db` the database the library's interpretation (ausearch's `-i`,
 * the normaliser, aureport, praudit) looks names up in; `undefined` restores
 * the local one. The command line sets it from `--passwd`/`--group`.
 * Interpretations already cached keep the names they were made with.
 *
 * @example
 * ```ts
 * import { accountDatabase, useAccountDatabase, userName } from "./accounts.ts";
 * useAccountDatabase(accountDatabase({ passwd: "web:x:5000:5000::/:/bin/sh\n" }));
 * userName(5000); // "web"
 * useAccountDatabase(undefined);
 * ```
 */
export function useAccountDatabase(db: AccountDatabase | undefined): void {
  current = db ?? localAccounts;
}

/**
 * The name of uid `uid` in the database in use (/etc/passwd unless
 * {@link useAccountDatabase} chose another).
 *
 * @example
 * ```ts
 * import { userName } from "./accounts.ts";
 * userName(0); // "root"
 * ```
 */
export function userName(uid: number): string | undefined {
  return current.userName(uid);
}

/**
 * The name of gid `gid` in the database in use (/etc/group by default).
 *
 * @example
 * ```ts
 * import { groupName } from "./accounts.ts";
 * groupName(0); // "root"
 * ```
 */
export function groupName(gid: number): string | undefined {
  return current.groupName(gid);
}

/**
 * The uid of user `name` in the database in use (/etc/passwd by default).
 *
 * @example
 * ```ts
 * import { uidOfName } from "./accounts.ts";
 * uidOfName("root"); // 0
 * ```
 */
export function uidOfName(name: string): number | undefined {
  return current.uidOfName(name);
}

/**
 * The gid of group `name` in the database in use (/etc/group by default).
 *
 * @example
 * ```ts
 * import { gidOfName } from "./accounts.ts";
 * gidOfName("root"); // 0
 * ```
 */
export function gidOfName(name: string): number | undefined {
  return current.gidOfName(name);
}
