/**
 * The local user and group databases (/etc/passwd, /etc/group) both ways:
 * id to name as `getpwuid`/`getgrgid` answer, name to id as
 * `getpwnam`/`getgrnam`; the first line for an id or name wins, as in the
 * files' own lookups. One reader for the whole library (ausearch's
 * interpretation, the normaliser, praudit and auditreduce).
 *
 * The files are read once, on first use; a missing or unreadable file (or a
 * missing read permission) is an empty database, as a failed lookup.
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
 * The name of uid `uid` in /etc/passwd.
 *
 * @example
 * ```ts
 * import { userName } from "./accounts.ts";
 * userName(0); // "root"
 * ```
 */
export function userName(uid: number): string | undefined {
  return database("/etc/passwd").byId.get(uid);
}

/**
 * The name of gid `gid` in /etc/group.
 *
 * @example
 * ```ts
 * import { groupName } from "./accounts.ts";
 * groupName(0); // "root"
 * ```
 */
export function groupName(gid: number): string | undefined {
  return database("/etc/group").byId.get(gid);
}

/**
 * The uid of user `name` in /etc/passwd.
 *
 * @example
 * ```ts
 * import { uidOfName } from "./accounts.ts";
 * uidOfName("root"); // 0
 * ```
 */
export function uidOfName(name: string): number | undefined {
  return database("/etc/passwd").byName.get(name);
}

/**
 * The gid of group `name` in /etc/group.
 *
 * @example
 * ```ts
 * import { gidOfName } from "./accounts.ts";
 * gidOfName("root"); // 0
 * ```
 */
export function gidOfName(name: string): number | undefined {
  return database("/etc/group").byName.get(name);
}
