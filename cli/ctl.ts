/**
 * `auditkit ctl`: auditctl's own command line, output and exit statuses
 * (auditctl 3.0.9), so scripts written for auditctl can call auditkit.
 *
 * @module
 */

import {
  addRule,
  type AuditClient,
  auditctlKernelMessage,
  AuditError,
  buildRule,
  deleteAllRules,
  deleteRule,
  errnoMessage,
  formatRules,
  formatStatus,
  listRules,
  logUserMessage,
  openAudit,
  parseArgs,
  type ParseResult,
  readRuleFile,
  refusalOf,
  type RefusedKind,
  RuleError,
  type RuleSetting,
  splitRuleLine,
} from "../mod.ts";
import { ALLOW_FLAG, refusalMessage } from "./_refused.ts";
import { Command, type CommandUnknownOpts } from "./deps.ts";
import { err, ExitStatus, out } from "./_common.ts";
import denoJson from "../deno.json" with { type: "json" };

const USAGE = `usage: auditctl [options]
    -a <l,a>                          Append rule to end of <l>ist with <a>ction
    -A <l,a>                          Add rule at beginning of <l>ist with <a>ction
    -b <backlog>                      Set max number of outstanding audit buffers
                                      allowed Default=64
    -c                                Continue through errors in rules
    -C f=f                            Compare collected fields if available:
                                      Field name, operator(=,!=), field name
    -d <l,a>                          Delete rule from <l>ist with <a>ction
                                      l=task,exit,user,exclude,filesystem
                                      a=never,always
    -D                                Delete all rules and watches
    -e [0..2]                         Set enabled flag
    -f [0..2]                         Set failure flag
                                      0=silent 1=printk 2=panic
    -F f=v                            Build rule: field name, operator(=,!=,<,>,<=,
                                      >=,&,&=) value
    -h                                Help
    -i                                Ignore errors when reading rules from file
    -k <key>                          Set filter key on audit rule
    -l                                List rules
    -m text                           Send a user-space message
    -p [r|w|x|a]                      Set permissions filter on watch
                                      r=read, w=write, x=execute, a=attribute
    -q <mount,subtree>                make subtree part of mount point's dir watches
    -r <rate>                         Set limit in messages/sec (0=none)
    -R <file>                         read rules from file
    -s                                Report status
    -S syscall                        Build rule: syscall name or number
    --signal <signal>                 Send the specified signal to the daemon
    -t                                Trim directory watches
    -v                                Version
    -w <path>                         Insert watch at <path>
    -W <path>                         Remove watch at <path>
    --loginuid-immutable              Make loginuids unchangeable once set
    --backlog_wait_time               Set the kernel backlog_wait_time
    --reset-lost                      Reset the lost record counter
    --reset_backlog_wait_time_actual  Reset the actual backlog wait time counter
`;

const SET_ERROR: Record<RuleSetting, string> = {
  enabled: "Error sending enable request",
  failure: "Error sending failure mode request",
  rate_limit: "Error sending rate limit request",
  backlog_limit: "Error sending backlog limit request",
  // libaudit 3.0.9 reuses the backlog limit text for the wait time
  backlog_wait_time: "Error sending backlog limit request",
};

/** What one command did: ok, failed (auditctl's -1), or the audit system is immutable. */
type Outcome = "ok" | "error" | "immutable";

/** One auditctl run: a lazily opened socket and where messages go. */
class Ctl {
  #audit: AuditClient | undefined;
  /** The kinds of refused commands that the user allowed with their flags. */
  readonly allowed: ReadonlySet<RefusedKind>;

  constructor(allowed: ReadonlySet<RefusedKind> = new Set()) {
    this.allowed = allowed;
  }
  /** In `-R` mode auditctl sends messages to syslog until its first rule request. */
  quiet = false;
  /** The rule-file line being run, in `-R` mode. */
  line: number | undefined;

  get audit(): AuditClient {
    return this.#audit ??= openAudit();
  }

  close(): void {
    this.#audit?.close();
  }

  async message(text: string): Promise<void> {
    if (!this.quiet) await err(text + "\n");
  }

  /** Runs one parsed command line like auditctl's setopt + handle_request. */
  async run(parsed: ParseResult): Promise<Outcome> {
    const cmd = parsed.command;
    const refused = refusalOf(cmd);
    if (refused && !this.allowed.has(refused)) {
      // auditkit's own refusal: shown even where auditctl's messages go to syslog
      await err(`auditkit: ${refusalMessage(refused, " before the auditctl options")}\n`);
      return "error";
    }
    switch (cmd.kind) {
      case "none":
        return "ok";
      case "deprecated":
        await this.message(cmd.message);
        return "ok";
      case "help":
        await out(USAGE);
        return "error";
      case "version":
        await out(`auditctl version 3.0.9 (auditkit ${denoJson.version})\n`);
        return "ok";
      case "status":
        await out(formatStatus(await this.audit.status(), { interpret: cmd.interpret }));
        return "ok";
      case "list":
        await out(formatRules(await listRules(this.audit), cmd));
        return "ok";
      case "delete_all": {
        await deleteAllRules(this.audit, { key: cmd.key });
        await out(formatRules(await listRules(this.audit), { key: cmd.key }));
        return "ok";
      }
      case "set":
        return await this.set(cmd.settings);
      case "rule":
        return await this.rule(parsed);
      case "message":
        try {
          // Debian's auditctl 3.0.9 sends -m TEXT as text=TEXT through audit_log_user_message
          await logUserMessage("USER", `text=${cmd.text}`, { result: "success" });
          return "ok";
        } catch (e) {
          if (!(e instanceof AuditError)) throw e;
          return "error";
        }
      case "load":
        await this.message("Error - nested rule files not supported");
        return "error";
      case "loginuid_immutable":
        try {
          await this.audit.setLoginuidImmutable({ allowLock: true });
          return "ok";
        } catch (e) {
          if (!(e instanceof AuditError)) throw e;
          await this.message(`Error setting loginuid immutable (${errnoMessage(e.errno)})`);
          return "error";
        }
    }
  }

  async set(settings: { name: RuleSetting; value: number }[]): Promise<Outcome> {
    for (const s of settings) {
      try {
        const a = this.audit;
        if (s.name === "enabled") await a.setEnabled(s.value as 0 | 1 | 2, { allowLock: true });
        else if (s.name === "failure") {
          await a.setFailure(s.value as 0 | 1 | 2, { allowPanic: true });
        } else if (s.name === "rate_limit") await a.setRateLimit(s.value);
        else if (s.name === "backlog_limit") await a.setBacklogLimit(s.value);
        else await a.setBacklogWaitTime(s.value);
      } catch (e) {
        if (!(e instanceof AuditError)) throw e;
        await this.message(`${SET_ERROR[s.name]} (${errnoMessage(e.errno)})`);
        return "error";
      }
    }
    const status = await this.audit.status();
    await out(formatStatus({ ...status, loginuid_immutable: undefined }));
    return "ok";
  }

  /** auditctl names the line in its syscall mismatch warning when it reads a file. */
  #where(warning: string): string {
    return this.line === undefined ? warning : warning.replace(
      "mismatch,",
      `mismatch in line ${this.line},`,
    );
  }

  async rule(parsed: ParseResult): Promise<Outcome> {
    const cmd = parsed.command;
    if (cmd.kind !== "rule") return "error";
    for (const w of parsed.warnings) await this.message(w);
    let built;
    try {
      built = buildRule(cmd.rule, { op: cmd.op });
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      for (const w of e.warnings) await this.message(this.#where(w));
      await this.message(e.auditctl);
      return "error";
    }
    for (const w of built.warnings) await this.message(this.#where(w));
    if ((await this.audit.status()).enabled === 2) {
      await this.message("The audit system is in immutable mode, no rule changes allowed");
      return "immutable";
    }
    this.quiet = false;
    try {
      if (cmd.op === "delete") await deleteRule(this.audit, built.rule);
      else await addRule(this.audit, built.rule, { prepend: cmd.op === "prepend" });
    } catch (e) {
      if (!(e instanceof AuditError)) throw e;
      await this.message(auditctlKernelMessage(e));
      return "error";
    }
    return "ok";
  }

  /** auditctl -R FILE: line by line, stopping at the first error unless -i or -c. */
  async load(file: string): Promise<number> {
    let text: string;
    try {
      const st = await Deno.stat(file);
      if (!st.isFile) return 1;
      text = await readRuleFile(file);
    } catch {
      return 1;
    }
    if ((await this.audit.status()).enabled === 2) return 1;
    this.quiet = true;
    let ignore = false;
    let cont = false;
    let failed = false;
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const words = splitRuleLine(lines[i]);
      if (!words.length) continue;
      this.line = i + 1;
      let outcome: Outcome;
      try {
        const parsed = parseArgs(words);
        if (parsed.ignoreErrors) ignore = true;
        if (parsed.continueOnError) cont = true;
        outcome = await this.run(parsed);
      } catch (e) {
        if (!(e instanceof RuleError)) throw e;
        await this.message(e.auditctl);
        outcome = "error";
      }
      if (outcome !== "ok") {
        await this.message(`There was an error in line ${i + 1} of ${file}`);
        if (!ignore) return 1;
        if (cont) failed = true;
      }
    }
    return failed ? 1 : 0;
  }
}

/** Whether this process runs as root; without --allow-sys the kernel decides instead. */
function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return true;
  }
}

/** The flags auditkit adds in front of auditctl's options, and what each allows. */
const ALLOW_BY_FLAG = new Map(
  Object.entries(ALLOW_FLAG).map(([kind, flag]) => [flag, kind as RefusedKind]),
);

/** Runs auditctl's command line `args`; returns auditctl's exit status. */
export async function runCtl(argv: string[]): Promise<number> {
  // auditkit's own flags come first, so that no option value is mistaken for one
  const allowed = new Set<RefusedKind>();
  let skip = 0;
  while (skip < argv.length && ALLOW_BY_FLAG.has(argv[skip])) {
    allowed.add(ALLOW_BY_FLAG.get(argv[skip])!);
    skip++;
  }
  const args = argv.slice(skip);
  if (!args.length) {
    await out(USAGE);
    return 1;
  }
  const helpOnly = args.length === 1 && (args[0] === "-h" || args[0] === "--help");
  if (!helpOnly && !isRoot()) {
    await err("You must be root to run this program.\n");
    return 4;
  }
  const ctl = new Ctl(allowed);
  try {
    if (args.length === 2 && args[0] === "-R") return await ctl.load(args[1]);
    let parsed: ParseResult;
    try {
      parsed = parseArgs(args);
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      await err(e.auditctl + "\n");
      return 255;
    }
    const outcome = await ctl.run(parsed);
    return outcome === "ok" ? 0 : outcome === "immutable" ? 1 : 255;
  } finally {
    ctl.close();
  }
}

/** Builds the `ctl` command. */
export function ctlCommand(): CommandUnknownOpts {
  return new Command("ctl")
    .description("auditctl's command line, output and exit statuses (auditctl 3.0.9)")
    .argument("[args...]", "auditctl's options, e.g. -l, -s, -w /etc/passwd -p wa -k passwd")
    .allowUnknownOption()
    .helpOption(false)
    .passThroughOptions()
    .addHelpText(
      "after",
      "\nExamples:\n  auditkit ctl -l\n  auditkit ctl -a always,exit -F arch=b64 -S openat -k open\n" +
        "  auditkit ctl -R /etc/audit/audit.rules",
    )
    .addHelpText(
      "after",
      "\n`auditkit ctl --help` shows this page; auditctl's own option list is `auditkit ctl -h`." +
        "\n\n-e 2 and --loginuid-immutable last until reboot and -f 2 makes the kernel panic on a" +
        "\nlost record: auditkit refuses them unless --allow-lock, --allow-loginuid-immutable or" +
        "\n--allow-panic comes first:\n  auditkit ctl --allow-lock -e 2" +
        "\n  auditkit ctl --allow-lock --allow-loginuid-immutable -R /etc/audit/audit.rules",
    )
    .action(async function (this: CommandUnknownOpts, args: string[]) {
      // auditctl 3.0.9 rejects --help; auditkit keeps --help on every command
      if (args.length === 1 && args[0] === "--help") {
        this.outputHelp();
        return;
      }
      throw new ExitStatus(await runCtl(args));
    });
}
