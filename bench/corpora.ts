/**
 * Corpora that look like different real hosts, generated with the real
 * auditd (bench/auditd_log.ts) and cached: for each host profile and each
 * `log_format` (RAW, ENRICHED) auditd's log (`audit.log`) and the exact
 * stream auditd hands a `format = string` plugin (`plugin.stream`: one line
 * per record, EOE records included, which the log leaves out).
 *
 * Profiles (bench/hosts.c runs the syscalls, scoped by keyed rules to its pid
 * and its children):
 * - `build`: a CI host: short-lived children exec'ing with long,
 *   compiler-like command lines (many EXECVE arguments, some encoded) and
 *   the dynamic loader's openat calls;
 * - `files`: a file server: mkdirat, openat(O_CREAT), renameat, unlinkat on
 *   many paths, long and non-ASCII names, failures;
 * - `net`: a network host: bind, connect, accept over 127.0.0.1, ::1 and a
 *   unix socket (SOCKADDR records), refused connections;
 * - `login`: an admin host: USER_AUTH, USER_ACCT, CRED_ACQ, USER_LOGIN,
 *   USER_START, USER_CMD, USER_END, CRED_DISP (auditkit's kernel_write API)
 *   for varied accounts, addresses and terminals, with a shell's execs;
 * - `mixed`: build, files and net in turn, with user messages beside.
 *
 * The cache is `$BENCH_CORPORA` (default /tmp/auditkit-corpora):
 * `PROFILE/FORMAT/{audit.log,plugin.stream}`, reused while its `version`
 * file matches {@link CORPORA_VERSION}. Generating needs root and the
 * kernel (under the kernel tests' lock /tmp/auditkit-kernel-tests.lock);
 * reading the cache needs neither.
 *
 * `deno run -A bench/corpora.ts [--force]` generates the cache (again with
 * --force) and prints each corpus' lines and size.
 *
 * @module
 */

import { type AuditClient, logUserCommand, logUserMessage, openAudit } from "../mod.ts";
import { generateAuditdLog } from "./auditd_log.ts";

/** Bumped whenever a profile changes: a cache of another version is made again. */
export const CORPORA_VERSION = "1";

/** The host profiles, in the order the benchmark runs them. */
export const PROFILES = ["build", "files", "net", "login", "mixed"] as const;
/** One host profile. */
export type Profile = typeof PROFILES[number];
/** auditd's log formats. */
export const FORMATS = ["RAW", "ENRICHED"] as const;

/** One generated corpus. */
export interface Corpus {
  profile: Profile;
  format: "RAW" | "ENRICHED";
  /** auditd's log. */
  log: string;
  /** What auditd handed a `format = string` plugin. */
  stream: string;
}

const here = new URL(".", import.meta.url).pathname;

/** The cache directory. */
export function corporaDir(): string {
  return Deno.env.get("BENCH_CORPORA") ?? "/tmp/auditkit-corpora";
}

interface Plan {
  script: (bin: string, dir: string) => string;
  syscalls: string[];
  /** User messages sent while the load runs. */
  users?: number;
}

const FILE_CALLS = ["openat", "unlinkat", "renameat", "renameat2", "mkdirat"];
const NET_CALLS = ["bind", "connect", "accept", "accept4"];

const PLANS: Record<Profile, Plan> = {
  build: { script: (b, d) => `exec ${b} build 5000 ${d}`, syscalls: ["execve", "openat"] },
  files: { script: (b, d) => `mkdir ${d}/share; exec ${b} files 4000 ${d}`, syscalls: FILE_CALLS },
  net: { script: (b, d) => `exec ${b} net 7000 ${d}`, syscalls: [...NET_CALLS, "execve"] },
  login: {
    // a shell's commands, as an admin's session runs them
    script: () =>
      `i=0; while [ $i -lt 1500 ]; do /bin/true session $i; /bin/ls -d /etc >/dev/null; ` +
      `i=$((i+1)); done`,
    syscalls: ["execve"],
    users: 1500,
  },
  mixed: {
    script: (b, d) => `mkdir ${d}/share; exec ${b} mixed 4500 ${d}`,
    syscalls: ["execve", ...FILE_CALLS, ...NET_CALLS],
    users: 300,
  },
};

const ACCOUNTS = ["alice", "bob", "deploy", "root", "jenkins", "svc-backup", "mallory"];
const TERMINALS = ["ssh", "pts/0", "pts/3", "tty1", "cron", "/dev/pts/7"];
const ADDRS = ["10.0.0.5", "192.168.1.77", "2001:db8::1", "127.0.0.1", "?"];

/** Sends `n` login sessions' worth of user records: auth, acct, cred, login, start, cmd, end. */
async function userMessages(client: AuditClient, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const acct = ACCOUNTS[i % ACCOUNTS.length];
    const tty = TERMINALS[i % TERMINALS.length];
    const addr = ADDRS[i % ADDRS.length];
    const failed = i % 9 === 4;
    const o = {
      client,
      tty,
      addr: addr === "?" ? undefined : addr,
      hostname: addr === "?" ? undefined : `host${i % 17}.example.org`,
      result: failed ? "failed" as const : "success" as const,
    };
    const pam = (op: string) => ({ op, grantors: "pam_unix", acct });
    await logUserMessage("USER_AUTH", pam("PAM:authentication"), o);
    if (failed) continue;
    await logUserMessage("USER_ACCT", pam("PAM:accounting"), o);
    await logUserMessage("CRED_ACQ", pam("PAM:setcred"), o);
    await logUserMessage("USER_LOGIN", { op: "login", id: 1000 + (i % 7) }, o);
    await logUserMessage("USER_START", pam("PAM:session_open"), o);
    await logUserCommand("USER_CMD", `systemctl restart app-${i % 5}.service --now`, {
      client,
      tty: tty === "/dev/pts/7" ? "pts/7" : tty,
    });
    await logUserMessage("USER_END", pam("PAM:session_close"), o);
    await logUserMessage("CRED_DISP", pam("PAM:setcred"), o);
  }
}

async function run(cmd: string, args: string[]): Promise<void> {
  const r = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  if (!r.success) throw new Error(`${cmd} failed: ${new TextDecoder().decode(r.stderr)}`);
}

async function generateOne(
  root: string,
  bin: string,
  profile: Profile,
  format: "RAW" | "ENRICHED",
) {
  const out = `${root}/${profile}/${format}`;
  await Deno.mkdir(out, { recursive: true });
  const work = await Deno.makeTempDir({ prefix: "auditkit-corpus-" });
  await Deno.chmod(work, 0o755);
  try {
    const plan = PLANS[profile];
    using client = plan.users ? openAudit() : undefined;
    const users = plan.users;
    await generateAuditdLog({
      dir: work,
      format,
      script: plan.script(bin, work),
      syscalls: plan.syscalls,
      pluginStream: `${out}/plugin.stream`,
      qDepth: 20000,
      during: client && users ? () => userMessages(client, users) : undefined,
    });
    await Deno.rename(`${work}/audit.log`, `${out}/audit.log`);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

/**
 * The corpora, generated first (needs root and the kernel) when the cache
 * is missing, of another version, or `force`; `log` reports each step.
 */
export async function ensureCorpora(
  opts: { force?: boolean; log?: (line: string) => void } = {},
): Promise<Corpus[]> {
  const root = corporaDir();
  const corpora = PROFILES.flatMap((profile) =>
    FORMATS.map((format) => ({
      profile,
      format,
      log: `${root}/${profile}/${format}/audit.log`,
      stream: `${root}/${profile}/${format}/plugin.stream`,
    }))
  );
  const version = await Deno.readTextFile(`${root}/version`).catch(() => "");
  if (!opts.force && version.trim() === CORPORA_VERSION) return corpora;
  if (Deno.uid() !== 0) {
    throw new Error(`No corpora in ${root} and generating them needs root (auditd, rules)`);
  }
  await Deno.mkdir(root, { recursive: true });
  await Deno.remove(`${root}/version`).catch(() => {});
  const bin = `${root}/hosts`;
  await run("gcc", ["-O2", "-o", bin, `${here}hosts.c`]);
  // the kernel tests' lock: no test changes the audit state while auditd runs
  using lock = await Deno.open("/tmp/auditkit-kernel-tests.lock", { create: true, write: true });
  for (const c of corpora) {
    const start = performance.now();
    await lock.lock(true);
    try {
      await generateOne(root, bin, c.profile, c.format);
    } finally {
      await lock.unlock();
    }
    opts.log?.(`${c.profile} ${c.format}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }
  await Deno.writeTextFile(`${root}/version`, CORPORA_VERSION + "\n");
  return corpora;
}

if (import.meta.main) {
  const corpora = await ensureCorpora({
    force: Deno.args.includes("--force"),
    log: (l) => console.error(l),
  });
  for (const c of corpora) {
    const text = await Deno.readTextFile(c.stream);
    const lines = text.split("\n").length - 1;
    const eoe = text.split("type=EOE ").length - 1;
    const size = (await Deno.stat(c.log)).size;
    console.log(
      `${c.profile.padEnd(6)} ${c.format.padEnd(8)} stream ${lines} lines (${eoe} EOE), ` +
        `log ${(size / 1e6).toFixed(1)} MB`,
    );
  }
}
