/**
 * Writes a real audit log: starts the Debian auditd with its own temporary
 * configuration (log in a temporary directory, no plugins), adds rules that
 * carry a unique key and match only the processes of a load this module
 * starts, runs the load, and stops everything again. The kernel state it
 * touches (enabled, backlog limit, its own rules, the daemon pid) is put back
 * before it returns.
 *
 * Kernel safety: only keyed rules scoped to the load's pid/ppid are added and
 * exactly those are deleted; auditd runs only while the load runs and is
 * stopped with SIGTERM, after which the registered daemon pid is checked.
 *
 * @module
 */

import { type AuditClient, openAudit } from "../mod.ts";

/** Options of {@link generateAuditdLog}. */
export interface GenerateOptions {
  /** Directory that receives `audit.log` (and the config). */
  dir: string;
  /** `RAW` or `ENRICHED` (auditd's `log_format`). */
  format?: "RAW" | "ENRICHED";
  /** The shell script the load runs; it starts after the rules are in place. */
  script: string;
  /** The rule key; a unique `auditkit-test-<random>` by default. */
  key?: string;
  /** Syscalls the rules audit. */
  syscalls?: string[];
  /** Rotate the log when it reaches this many MB (0: never). */
  maxLogFileMb?: number;
  /**
   * Also capture what auditd hands a `format = string` plugin into this
   * file (a plugin that copies its standard input), complete when this
   * function returns.
   */
  pluginStream?: string;
  /** auditd's `q_depth` (its queue towards the plugins); 2000 by default. */
  qDepth?: number;
  /** Runs beside the load once the rules are in place (user messages, say). */
  during?: () => Promise<void>;
}

const decoder = new TextDecoder();

async function sh(cmd: string, args: string[], check = true): Promise<string> {
  const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (check && !r.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${decoder.decode(r.stderr).trim()}`);
  }
  return decoder.decode(r.stdout);
}

/** What {@link auditdConfig} writes into auditd.conf. */
export interface AuditdConfigOptions {
  /** Where auditd writes the log. */
  logFile: string;
  /** auditd's `log_format`. */
  format: "RAW" | "ENRICHED";
  /** auditd's `flush`: SYNC when a test reads the log while auditd runs. */
  flush: "NONE" | "SYNC";
  /** Rotate at this many MB; 0 never rotates. */
  maxLogFileMb: number;
}

/**
 * An auditd.conf for a daemon that only writes `logFile`: no plugins beyond
 * the directory beside it, no actions on disk space, nothing else touched.
 */
export function auditdConfig(o: AuditdConfigOptions): string {
  const rotate = o.maxLogFileMb > 0;
  const dir = o.logFile.slice(0, o.logFile.lastIndexOf("/"));
  return [
    "local_events = yes",
    "write_logs = yes",
    `log_file = ${o.logFile}`,
    `log_format = ${o.format}`,
    `flush = ${o.flush}`,
    "freq = 0",
    `max_log_file = ${o.maxLogFileMb}`,
    "num_logs = 9",
    `max_log_file_action = ${rotate ? "ROTATE" : "IGNORE"}`,
    "space_left = 2",
    "space_left_action = IGNORE",
    "admin_space_left = 1",
    "admin_space_left_action = IGNORE",
    "disk_full_action = IGNORE",
    "disk_error_action = IGNORE",
    "name_format = NONE",
    `plugin_dir = ${dir}/plugins.d`,
    "q_depth = 2000",
    "overflow_action = IGNORE",
    "end_of_event_timeout = 2",
    "",
  ].join("\n");
}

/**
 * Starts auditd on the config in `dir` (`-n`: no fork, so the caller owns
 * the process; not `-f`, which logs to stderr instead of the file).
 */
export function spawnAuditd(dir: string): Deno.ChildProcess {
  return new Deno.Command("/usr/sbin/auditd", {
    args: ["-n", "-s", "nochange", "-c", dir],
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

/**
 * Stops an auditd from {@link spawnAuditd} and waits until the kernel's
 * registered pid is `pidBefore` again; returns the daemon's failure, if any.
 */
export async function stopAuditd(
  auditd: Deno.ChildProcess,
  audit: AuditClient,
  pidBefore: number,
): Promise<Error | undefined> {
  try {
    auditd.kill("SIGTERM");
  } catch { /* exited on its own; its stderr says why */ }
  const st = await auditd.status;
  const why = decoder.decode(await new Response(auditd.stderr).arrayBuffer());
  await waitFor("auditd to unregister", async () => (await audit.status()).pid === pidBefore);
  if (!st.success && st.signal !== "SIGTERM") {
    return new Error(`auditd failed: ${why.split("\n").slice(-3).join(" ")}`);
  }
  return undefined;
}

/** Waits until `ok()` holds, polling every 50 ms, or throws after `ms`. */
export async function waitFor(
  what: string,
  ok: () => Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Generates a log with the real auditd; returns the path of `audit.log` and
 * the rule key used.
 */
export async function generateAuditdLog(opts: GenerateOptions): Promise<
  { path: string; key: string }
> {
  const key = opts.key ?? `auditkit-test-${crypto.randomUUID().slice(0, 8)}`;
  const syscalls = opts.syscalls ?? ["execve", "openat", "unlinkat", "mkdirat", "connect"];
  const dir = opts.dir;
  await Deno.mkdir(`${dir}/plugins.d`, { recursive: true });
  const logFile = `${dir}/audit.log`;
  await Deno.writeTextFile(
    `${dir}/auditd.conf`,
    auditdConfig({
      logFile,
      format: opts.format ?? "RAW",
      flush: "NONE",
      maxLogFileMb: opts.maxLogFileMb ?? 0,
    }).replace("q_depth = 2000", `q_depth = ${opts.qDepth ?? 2000}`),
  );
  const stream = opts.pluginStream;
  if (stream !== undefined) await capturePlugin(dir, stream);
  using audit = openAudit();
  const before = await audit.status();
  if (before.pid !== 0) throw new Error(`An audit daemon (pid ${before.pid}) is already running`);
  if (before.enabled === 2) throw new Error("Audit configuration is locked (enabled=2)");
  const load = new Deno.Command("/bin/sh", {
    args: ["-c", `read go; ${opts.script}`],
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const rules: string[][] = [];
  const auditd = spawnAuditd(dir);
  let loadWriter: WritableStreamDefaultWriter<Uint8Array> | undefined;
  let failure: Error | undefined;
  try {
    await waitFor("auditd to register", async () => (await audit.status()).pid === auditd.pid);
    if (before.enabled === 0) await audit.setEnabled(1);
    if (before.backlog_limit < 8192) await audit.setBacklogLimit(8192);
    for (const field of ["pid", "ppid"]) {
      const rule = [
        "-a",
        "always,exit",
        "-F",
        "arch=b64",
        ...syscalls.flatMap((s) => ["-S", s]),
        "-F",
        `${field}=${load.pid}`,
        "-k",
        key,
      ];
      await sh("auditctl", rule);
      rules.push(rule);
    }
    loadWriter = load.stdin.getWriter();
    await loadWriter.write(new TextEncoder().encode("go\n"));
    await loadWriter.close();
    await Promise.all([load.status, opts.during?.()]);
  } finally {
    for (const rule of rules) await sh("auditctl", ["-d", ...rule.slice(1)], false);
    try {
      load.kill("SIGKILL");
    } catch { /* already exited */ }
    await load.status;
    // let auditd drain what the kernel still queues before stopping it
    await new Promise((r) => setTimeout(r, 300));
    failure = await stopAuditd(auditd, audit, before.pid);
    const now = await audit.status();
    if (now.backlog_limit !== before.backlog_limit) {
      await audit.setBacklogLimit(before.backlog_limit);
    }
    if (now.enabled !== before.enabled && before.enabled !== 2) {
      await audit.setEnabled(before.enabled as 0 | 1);
    }
  }
  if (failure) throw failure;
  if (stream !== undefined) {
    await waitFor("the plugin stream to be complete", async () => await exists(stream));
  }
  return { path: logFile, key };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A plugin in `dir`/plugins.d that copies its standard input to `file`:
 * written to `file.part`, renamed once auditd closed the pipe. It ignores the
 * SIGTERM auditd sends on stop so that it reads the pipe to its end.
 */
async function capturePlugin(dir: string, file: string): Promise<void> {
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  await Deno.remove(file).catch(() => {});
  const wrapper = `${dir}/capture-plugin`;
  await Deno.writeTextFile(
    wrapper,
    `#!/bin/sh\ntrap '' TERM HUP\ncat > ${q(file + ".part")} && mv ${q(file + ".part")} ${
      q(file)
    }\n`,
  );
  await Deno.chmod(wrapper, 0o755);
  await Deno.writeTextFile(
    `${dir}/plugins.d/capture.conf`,
    `active = yes\ndirection = out\ntype = always\nformat = string\npath = ${wrapper}\n`,
  );
}
