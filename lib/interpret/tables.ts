/**
 * Lookup tables for interpretation: machines, syscalls, filter lists, file
 * types. They come from libaudit through FFI when it is installed and the
 * program may use FFI; otherwise (or with `AUDITKIT_BUILTIN_TABLES=1`) from
 * the built-in copy in `_tables.ts`, so logs copied from a server can be read
 * anywhere.
 *
 * @module
 */

import { ELF_MACHINES, FILE_TYPES, FILTER_LISTS, MACHINES, SYSCALLS } from "../event/_tables.ts";

/** Where the tables came from. */
export type TableSource = "libaudit" | "builtin";

interface Tables {
  source: TableSource;
  machineNames: Map<number, string>;
  elfMachines: Map<number, number>;
  syscalls: Map<number, string[]>;
  /** Fills `syscalls` for a machine on first use (libaudit's tables: 1024 calls per machine). */
  loadSyscalls?: (machine: number) => string[] | undefined;
  lists: Map<number, string>;
  ftypes: Map<number, string>;
}

function builtin(): Tables {
  const machineNames = new Map(MACHINES.map(([n, s]) => [n, s]));
  const syscalls = new Map<number, string[]>();
  for (const [n, name] of MACHINES) syscalls.set(n, (SYSCALLS[name] ?? "").split(","));
  return {
    source: "builtin",
    machineNames,
    elfMachines: new Map(ELF_MACHINES.map(([e, m]) => [e, m])),
    syscalls,
    lists: new Map(FILTER_LISTS.map(([n, s]) => [n, s])),
    ftypes: new Map(FILE_TYPES.map(([n, s]) => [n, s])),
  };
}

async function fromLibaudit(): Promise<Tables | undefined> {
  try {
    if (Deno.env.get("AUDITKIT_BUILTIN_TABLES") === "1") return undefined;
  } catch { /* no env permission: the default applies */ }
  if ((await Deno.permissions.query({ name: "ffi" })).state !== "granted") return undefined;
  try {
    const { auditTables, fromCString } = await import("../_native.ts");
    const lib = auditTables();
    const t = builtin();
    t.source = "libaudit";
    // a log names one or two machines: their syscall tables are read when first needed
    t.syscalls.clear();
    t.loadSyscalls = (m) => {
      if (!t.machineNames.has(m)) return undefined;
      const names: string[] = [];
      for (let n = 0; n < 1024; n++) names.push(fromCString(lib.audit_syscall_to_name(n, m)) ?? "");
      t.syscalls.set(m, names);
      return names;
    };
    for (const e of t.elfMachines.keys()) t.elfMachines.set(e, lib.audit_elf_to_machine(e));
    for (let f = 0; f < 16; f++) {
      const name = fromCString(lib.audit_flag_to_name(f));
      if (name) t.lists.set(f, name);
    }
    return t;
  } catch {
    return undefined;
  }
}

let tables: Tables = builtin();
let loaded: Promise<TableSource> | undefined;

/**
 * Loads the tables from libaudit when possible (once); resolves to where they
 * came from. Interpretation works without calling this (built-in tables).
 *
 * @example
 * ```ts
 * import { loadTables } from "./tables.ts";
 * console.log(await loadTables()); // "libaudit" or "builtin"
 * ```
 */
export function loadTables(): Promise<TableSource> {
  loaded ??= fromLibaudit().then((t) => {
    if (t) tables = t;
    return tables.source;
  });
  return loaded;
}

/**
 * Uses the built-in tables from now on (for comparisons and tests).
 *
 * @example
 * ```ts
 * import { tableSource, useBuiltinTables } from "./tables.ts";
 * useBuiltinTables();
 * tableSource(); // "builtin"
 * ```
 */
export function useBuiltinTables(): void {
  tables = builtin();
  loaded = Promise.resolve("builtin");
}

/**
 * Where the tables in use came from.
 *
 * @example
 * ```ts
 * import { tableSource } from "./tables.ts";
 * console.log(tableSource());
 * ```
 */
export function tableSource(): TableSource {
  return tables.source;
}

/** Machine numbers as libaudit numbers them. */
export const MACH_X86_64 = 1;

/** The machine of this host (libaudit's `audit_detect_machine`). */
export const HOST_MACHINE: number = Deno.build.arch === "aarch64" ? 9 : MACH_X86_64;

/** `audit_machine_to_name`. */
export function machineName(machine: number): string | undefined {
  return tables.machineNames.get(machine);
}

/**
 * `audit_name_to_machine`: the machine number of a name (`x86_64`), or undefined.
 *
 * @example
 * ```ts
 * import { machineNumber } from "./tables.ts";
 * machineNumber("aarch64"); // 9
 * ```
 */
export function machineNumber(name: string): number | undefined {
  for (const [n, s] of tables.machineNames) if (s === name) return n;
  return undefined;
}

/** `audit_elf_to_machine`: -1 when unknown. */
export function elfToMachine(elf: number): number {
  return tables.elfMachines.get(elf >>> 0) ?? -1;
}

/**
 * `audit_syscall_to_name`.
 *
 * @example
 * ```ts
 * import { syscallName } from "./tables.ts";
 * syscallName(257, 1); // "openat" on x86_64
 * ```
 */
export function syscallName(syscall: number, machine: number): string | undefined {
  const names = tables.syscalls.get(machine) ?? tables.loadSyscalls?.(machine);
  const s = names?.[syscall];
  return s ? s : undefined;
}

/**
 * `audit_name_to_syscall`: -1 when unknown.
 *
 * @example
 * ```ts
 * import { syscallNumber } from "./tables.ts";
 * syscallNumber("execve", 1); // 59
 * ```
 */
export function syscallNumber(name: string, machine: number): number {
  const names = tables.syscalls.get(machine) ?? tables.loadSyscalls?.(machine);
  return names ? names.indexOf(name) : -1;
}

/** `audit_flag_to_name` (filter list names). */
export function listName(list: number): string | undefined {
  return tables.lists.get(list);
}

/** `audit_ftype_to_name`. */
export function fileTypeName(ifmt: number): string | undefined {
  return tables.ftypes.get(ifmt);
}
