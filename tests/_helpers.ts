/**
 * Shared test harness: kernel tests (gated, serialised across processes,
 * audit state saved and restored), reference-tool parity gating, and a CLI
 * runner.
 *
 * Kernel tests run for real when the process is root in the initial user
 * namespace with kernel audit present; otherwise they are skipped with a
 * printed reason, and with `AUDITKIT_REQUIRE_KERNEL=1` the skip fails.
 * Parity tests need the Debian `auditd` tools; `AUDITKIT_REQUIRE_ORACLE=1`
 * turns their absence into a failure.
 *
 * @module
 */

import { type AuditClient, type AuditStatus, decodeBytes, openAudit } from "../mod.ts";

const env = (name: string) => Deno.env.get(name);
export const ROOT = new URL("..", import.meta.url).pathname;

/** A C string read from memory as auditkit decodes log text: its bytes kept ({@link decodeBytes}). */
export function cStringText(p: Deno.PointerObject): string {
  const view = new Deno.UnsafePointerView(p);
  let n = 0;
  while (view.getUint8(n) !== 0) n++;
  const bytes = new Uint8Array(n);
  view.copyInto(bytes);
  return decodeBytes(bytes, 0, n);
}

/** Why kernel tests cannot run here, or undefined when they can. */
export const kernelUnavailable: string | undefined = await (async () => {
  if (Deno.build.os !== "linux") return `kernel audit needs Linux, this is ${Deno.build.os}`;
  if (Deno.uid() !== 0) return `not root (uid ${Deno.uid()})`;
  try {
    using a = openAudit();
    await a.status();
    return undefined;
  } catch (e) {
    return `kernel audit unusable: ${(e as Error).message}`;
  }
})();

/**
 * Which of the needed tools are missing: program names are looked up in the
 * system directories, absolute paths must exist, `*.so*` names must dlopen.
 */
export function missingOracles(tools: string[]): string[] {
  return tools.filter((t) => {
    if (t.startsWith("/")) {
      try {
        Deno.statSync(t);
        return false;
      } catch {
        return true;
      }
    }
    if (t.includes(".so")) {
      try {
        Deno.dlopen(t, {}).close();
        return false;
      } catch {
        return true;
      }
    }
    for (const dir of ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]) {
      try {
        Deno.statSync(`${dir}/${t}`);
        return false;
      } catch { /* next */ }
    }
    return true;
  });
}

/** The settable part of the status, saved before a kernel test. */
type SavedStatus = Pick<
  AuditStatus,
  "enabled" | "failure" | "rate_limit" | "backlog_limit" | "backlog_wait_time"
>;

/** Restores what {@link snapshot} saved. Never sets enabled=2 or failure=2. */
async function restore(a: AuditClient, s: SavedStatus): Promise<void> {
  const now = await a.status();
  if (now.failure !== s.failure && s.failure !== 2) await a.setFailure(s.failure as 0 | 1);
  if (now.rate_limit !== s.rate_limit) await a.setRateLimit(s.rate_limit);
  if (now.backlog_limit !== s.backlog_limit) await a.setBacklogLimit(s.backlog_limit);
  if (s.backlog_wait_time !== undefined && now.backlog_wait_time !== s.backlog_wait_time) {
    await a.setBacklogWaitTime(s.backlog_wait_time);
  }
  if (now.enabled !== s.enabled && s.enabled !== 2 && now.enabled !== 2) {
    await a.setEnabled(s.enabled as 0 | 1);
  }
}

/** Extra state a test file saves and restores around each kernel test (rules, daemons). */
export interface StateGuard {
  save(): Promise<unknown> | unknown;
  restore(saved: unknown): Promise<void> | void;
}

const guards: StateGuard[] = [];

/** Adds state that every kernel test saves first and restores after. */
export function addStateGuard(guard: StateGuard): void {
  guards.push(guard);
}

const LOCK_PATH = "/tmp/auditkit-kernel-tests.lock";

/** Holds an exclusive lock so that kernel tests of parallel processes never overlap. */
async function withKernelLock<T>(fn: () => Promise<T>): Promise<T> {
  using file = await Deno.open(LOCK_PATH, { create: true, write: true });
  await file.lock(true);
  try {
    return await fn();
  } finally {
    await file.unlock();
  }
}

/** Options of {@link kernelTest}. */
export interface KernelTestOptions {
  /** Reference tools the test needs (parity tests). */
  oracles?: string[];
}

/**
 * A test against the real kernel: skipped with a printed reason where the
 * kernel is out of reach (a failure with AUDITKIT_REQUIRE_KERNEL=1),
 * serialised, with the audit status saved before and restored after.
 */
export function kernelTest(
  name: string,
  fn: (t: Deno.TestContext) => Promise<void> | void,
  options: KernelTestOptions = {},
): void {
  const missing = missingOracles(options.oracles ?? []);
  const skipReason = kernelUnavailable ??
    (missing.length ? `reference tool missing: ${missing.join(", ")}` : undefined);
  if (skipReason) {
    const required = kernelUnavailable
      ? env("AUDITKIT_REQUIRE_KERNEL") === "1"
      : env("AUDITKIT_REQUIRE_ORACLE") === "1";
    if (required) {
      Deno.test(name, () => {
        throw new Error(`required but skipped: ${skipReason}`);
      });
    } else {
      console.log(`SKIP ${name}: ${skipReason}`);
      Deno.test({ name, ignore: true, fn: () => {} });
    }
    return;
  }
  Deno.test(name, (t) =>
    withKernelLock(async () => {
      using a = openAudit();
      const before = await a.status();
      const extra = [];
      for (const g of guards) extra.push(await g.save());
      try {
        await fn(t);
      } finally {
        for (let i = guards.length - 1; i >= 0; i--) await guards[i].restore(extra[i]);
        await restore(a, before);
      }
    }));
}

/**
 * A test that needs reference tools but not the kernel (log parity, say):
 * skipped with a reason when they are missing, failed instead when
 * AUDITKIT_REQUIRE_ORACLE=1.
 */
export function oracleTest(
  name: string,
  oracles: string[],
  fn: (t: Deno.TestContext) => Promise<void> | void,
): void {
  const missing = missingOracles(oracles);
  if (missing.length) {
    const reason = `reference tool missing: ${missing.join(", ")}`;
    if (env("AUDITKIT_REQUIRE_ORACLE") === "1") {
      Deno.test(name, () => {
        throw new Error(`required but skipped: ${reason}`);
      });
    } else {
      console.log(`SKIP ${name}: ${reason}`);
      Deno.test({ name, ignore: true, fn: () => {} });
    }
    return;
  }
  Deno.test(name, fn);
}

/** What a finished subprocess left. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const decoder = new TextDecoder();

/** Runs a program to completion. */
export async function run(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; stdin?: string; cwd?: string } = {},
): Promise<RunResult> {
  const child = new Deno.Command(cmd, {
    args,
    env: options.env,
    cwd: options.cwd,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(options.stdin));
    await w.close();
  }
  const r = await child.output();
  return { code: r.code, stdout: decoder.decode(r.stdout), stderr: decoder.decode(r.stderr) };
}

/** The CLI entry points the CLI tests run: the module, and the bundle when it was built. */
export const CLI_ENTRY = `${ROOT}cli/main.ts`;

/** Runs `auditkit ARGS` from `entry` (cli/main.ts by default). */
export function runCli(
  args: string[],
  options: { entry?: string; env?: Record<string, string>; stdin?: string } = {},
): Promise<RunResult> {
  return run(Deno.execPath(), ["run", "-A", options.entry ?? CLI_ENTRY, ...args], options);
}

/** Runs `auditkit ARGS` (cli/main.ts, no standard input) with its standard output as bytes. */
export async function runCliBytes(
  args: string[],
  env?: Record<string, string>,
): Promise<{ code: number; stdout: Uint8Array; stderr: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI_ENTRY, ...args],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, stdout: r.stdout, stderr: decoder.decode(r.stderr) };
}

/** The bytes of `parts`, one after the other. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

/** Runs a TypeScript snippet in a fresh Deno process (own library cache, own env). */
export async function runSnippet(
  code: string,
  options: { env?: Record<string, string>; denoArgs?: string[]; prefix?: string[] } = {},
): Promise<RunResult> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, code);
    const prefix = options.prefix ?? [];
    const [cmd, ...rest] = [
      ...prefix,
      Deno.execPath(),
      "run",
      ...(options.denoArgs ?? ["-A"]),
      file,
    ];
    return await run(cmd, rest, { env: options.env });
  } finally {
    await Deno.remove(file);
  }
}

/**
 * A temporary directory (under `TMPDIR`) removed with everything in it when disposed: `await using
 * tmp = await tempDir()` in a test, or `Deno.test.afterAll` for one a whole file shares.
 */
export interface TempDir extends AsyncDisposable, Disposable {
  /** The directory's path. */
  readonly path: string;
  /** The path of `name` in the directory. */
  join(name: string): string;
}

function tempDirAt(path: string): TempDir {
  return {
    path,
    join: (name) => `${path}/${name}`,
    [Symbol.dispose]: () => Deno.removeSync(path, { recursive: true }),
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/** Makes a {@link TempDir} (named `auditkit-test-*`, so a leftover says where it came from). */
export async function tempDir(prefix = "auditkit-test-"): Promise<TempDir> {
  return tempDirAt(await Deno.makeTempDir({ prefix }));
}

/** {@link tempDir}, synchronously. */
export function tempDirSync(prefix = "auditkit-test-"): TempDir {
  return tempDirAt(Deno.makeTempDirSync({ prefix }));
}

/**
 * Whether process `pid` has an audit netlink socket (protocol 9) bound to the
 * multicast group: from then on the kernel queues every record for it, so
 * events made after this are received even if the reading starts later.
 */
export function subscribed(pid: number): boolean {
  const inodes = new Set<string>();
  for (const line of Deno.readTextFileSync("/proc/net/netlink").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === "9" && (parseInt(f[3], 16) & 1) === 1) inodes.add(f[9]);
  }
  try {
    for (const e of Deno.readDirSync(`/proc/${pid}/fd`)) {
      const m = /^socket:\[(\d+)\]$/.exec(Deno.readLinkSync(`/proc/${pid}/fd/${e.name}`));
      if (m && inodes.has(m[1])) return true;
    }
  } catch { /* gone, or an fd closed while reading */ }
  return false;
}
