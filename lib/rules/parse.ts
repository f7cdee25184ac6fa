/**
 * auditctl's command language, parsed without libaudit or the kernel: one
 * command line (or one rule-file line) becomes a typed {@link RuleCommand}.
 *
 * The option handling follows auditctl 3.0.9: GNU getopt with the option
 * string `hicslDvtC:e:f:r:b:a:A:d:S:F:m:R:w:W:k:p:q:`, options processed in
 * order, and processing stopped by the options that act at once (`-s`, `-l`,
 * `-D`, `-i`, `-c`, `-m`, `-v`).
 *
 * @module
 */

import type {
  AuditRule,
  ParsedCommand,
  RuleAction,
  RuleCommand,
  RuleComparison,
  RuleField,
  RuleList,
  RuleOperator,
  RuleSetting,
  RuleStep,
} from "./types.ts";
import { quoteExcerpt, RuleError } from "./rule_error.ts";

/** Options that take an argument (auditctl's getopt string). */
const WITH_ARG = new Set("CefrbaAdSFmRwWkpq".split(""));
const FLAGS = new Set("hicslDvt".split(""));
const LONG_OPTIONS: Record<string, boolean> = {
  "loginuid-immutable": false,
  "backlog_wait_time": true,
  "reset-lost": false,
  "reset_backlog_wait_time_actual": false,
  "signal": true,
};

/** The list names auditctl knows; `io_uring` needs audit-userspace 3.1. */
const RULE_LISTS: readonly RuleList[] = [
  "user",
  "task",
  "exit",
  "exclude",
  "filesystem",
  "io_uring",
];

/** auditctl's operator search order: the first one found in the text wins. */
const OPERATOR_SEARCH: readonly RuleOperator[] = ["!=", ">=", "<=", "&=", "=", ">", "<", "&"];

const PATH_MAX = 4096;
const NAME_MAX = 255;
const AUDIT_MAX_KEY_LEN = 256;

/**
 * Splits one rule-file line into words the way `auditctl -R` does: words are
 * separated by spaces, `\ ` is a space inside a word and `\\` a backslash.
 * A blank line or a comment gives no words.
 *
 * @example
 * ```ts
 * import { splitRuleLine } from "../../mod.ts";
 * splitRuleLine("-w /tmp/my\\ dir -p wa"); // ["-w", "/tmp/my dir", "-p", "wa"]
 * ```
 */
export function splitRuleLine(line: string): string[] {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  // built-in scans only: a long line costs its length, not a string per character; without a
  // backslash the words are the runs between spaces (no match object per word)
  let words: string[];
  if (!text.includes("\\")) words = text.split(" ").filter((w) => w !== "");
  else {
    words = [];
    for (const m of text.matchAll(WORD)) {
      words.push(m[0].includes("\\") ? m[0].replace(ESCAPED, "$1") : m[0]);
    }
  }
  if (words.length && words[0].startsWith("#")) return [];
  return words;
}

/** A word of a rule line: characters other than a space, or an escaped space or backslash. */
const WORD = /(?:\\[ \\]|[^ ])+/g;
const ESCAPED = /\\([ \\])/g;

/** One option found by {@link getopt}. */
interface Opt {
  name: string;
  arg: string | undefined;
  /** The word the option came from, for "Option %s is invalid". */
  word: string;
  /** Index in argv of the word after this option (getopt's optind, 0-based without argv[0]). */
  next: number;
  /** The option takes an argument and the line ended before it. */
  missing?: boolean;
}

/** GNU getopt over `argv` (no program name): options in order, plus the non-option words. */
function getopt(argv: string[]): { opts: Opt[]; rest: string[] } {
  const opts: Opt[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i];
    if (w === "--") {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (w.startsWith("--")) {
      const eq = w.indexOf("=");
      const name = w.slice(2, eq < 0 ? undefined : eq);
      const matches = Object.keys(LONG_OPTIONS).filter((n) => n === name || n.startsWith(name));
      const exact = matches.includes(name) ? name : matches.length === 1 ? matches[0] : undefined;
      if (!exact || !name) {
        opts.push({ name: "?", arg: undefined, word: w, next: i + 1 });
        continue;
      }
      if (LONG_OPTIONS[exact]) {
        if (eq >= 0) opts.push({ name: exact, arg: w.slice(eq + 1), word: w, next: i + 1 });
        else if (i + 1 < argv.length) {
          opts.push({ name: exact, arg: argv[i + 1], word: w, next: i + 2 });
          i++;
        } else opts.push({ name: "?", arg: undefined, word: w, next: i + 1, missing: true });
      } else opts.push({ name: exact, arg: undefined, word: w, next: i + 1 });
      continue;
    }
    if (!w.startsWith("-") || w === "-") {
      rest.push(w);
      continue;
    }
    for (let j = 1; j < w.length; j++) {
      const c = w[j];
      if (WITH_ARG.has(c)) {
        if (j + 1 < w.length) {
          opts.push({ name: c, arg: w.slice(j + 1), word: w, next: i + 1 });
        } else if (i + 1 < argv.length) {
          opts.push({ name: c, arg: argv[i + 1], word: w, next: i + 2 });
          i++;
        } else {
          opts.push({ name: "?", arg: undefined, word: w, next: i + 1, missing: true });
        }
        break;
      }
      opts.push({ name: FLAGS.has(c) ? c : "?", arg: undefined, word: w, next: i + 1 });
    }
  }
  return { opts, rest };
}

/** Splits `name<op>value` with auditctl's operator search order. */
function splitFieldPair(pair: string): { name: string; op: RuleOperator; value: string } | {
  error: "op" | "name" | "value";
  name: string;
} {
  for (const op of OPERATOR_SEARCH) {
    const at = pair.indexOf(op);
    if (at < 0) continue;
    const name = pair.slice(0, at);
    const value = pair.slice(at + op.length);
    if (!name) return { error: "name", name };
    if (!value) return { error: "value", name };
    return { name, op, value };
  }
  return { error: "op", name: pair };
}

/** Parses the value of `-r`, `-b` and `--backlog_wait_time` like C's strtoul(s, NULL, 0). */
function strtoul(s: string): number | "range" | undefined {
  if (!/^[0-9]/.test(s)) return undefined;
  const m = /^0[xX]([0-9a-fA-F]+)/.exec(s) ?? /^(0[0-7]*)/.exec(s) ?? /^([0-9]+)/.exec(s)!;
  const radix = /^0[xX][0-9a-fA-F]/.test(s) ? 16 : s.startsWith("0") ? 8 : 10;
  const n = BigInt(radix === 16 ? `0x${m[1]}` : radix === 8 ? `0o${m[1].slice(1) || "0"}` : m[1]);
  if (n > 0xffffffffffffffffn) return "range";
  return Number(n & 0xffffffffn);
}

function lookupAction(s: string): RuleAction | "possible" | undefined {
  if (s === "always" || s === "never") return s;
  if (s === "possible") return "possible";
  return undefined;
}

function lookupList(s: string): RuleList | undefined {
  return (RULE_LISTS as readonly string[]).includes(s) ? s as RuleList : undefined;
}

/**
 * auditctl's `audit_rule_setup`: `list,action` in either order. `possible`
 * is deprecated: auditctl skips the whole line when it follows a list.
 */
function listAction(
  text: string,
): { list: RuleList; action: RuleAction } | "possible" | "bad" {
  const parts = text.split(",");
  if (parts.length !== 2) return "bad";
  const [a, b] = parts;
  const firstAction = lookupAction(a);
  if (firstAction === "possible") return "bad";
  if (firstAction) {
    const list = lookupList(b);
    return list ? { list, action: firstAction } : "bad";
  }
  const list = lookupList(a);
  if (!list) return "bad";
  const action = lookupAction(b);
  if (action === "possible") return "possible";
  return action ? { list, action } : "bad";
}

/** The checks auditctl makes on a watch path before libaudit sees it. */
function checkWatchPath(path: string): { reason: string; auditctl: string } | undefined {
  if (new TextEncoder().encode(path).length >= PATH_MAX) {
    return {
      reason: "the path is longer than PATH_MAX",
      auditctl: "The path passed for the watch is too big",
    };
  }
  if (!path.startsWith("/")) {
    return {
      reason: `watch path ${quoteExcerpt(path)} is not absolute`,
      auditctl: "The path must start with '/'",
    };
  }
  const trimmed = path.replace(/\/+$/, "");
  const base = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  if (new TextEncoder().encode(base).length > NAME_MAX) {
    return {
      reason: "the last component of the path is longer than NAME_MAX",
      auditctl: "The base name of the path is too big",
    };
  }
  return undefined;
}

/** Warnings auditctl prints for a watch path it accepts. */
function watchPathWarnings(path: string): string[] {
  const w: string[] = [];
  if (path.includes("..")) w.push("Warning - relative path notation is not supported");
  if (path.includes("*") || path.includes("?")) {
    w.push("Warning - wildcard notation is not supported");
  }
  return w;
}

/** A parsed command with the warnings auditctl would print. */
export interface ParseResult extends ParsedCommand {
  /** Warnings (accepted, but auditctl prints them). */
  warnings: string[];
}

const SETTING_OPTION: Record<string, RuleSetting> = {
  e: "enabled",
  f: "failure",
  r: "rate_limit",
  b: "backlog_limit",
  backlog_wait_time: "backlog_wait_time",
};

const SETTING_WORD: Record<RuleSetting, string> = {
  enabled: "Enable",
  failure: "Failure",
  rate_limit: "Rate",
  backlog_limit: "Backlog",
  backlog_wait_time: "Backlog_wait_time",
};

const CONVERT_WORD: Record<RuleSetting, string> = {
  enabled: "enabled",
  failure: "failure",
  rate_limit: "rate",
  backlog_limit: "backlog",
  backlog_wait_time: "backlog_wait_time",
};

/**
 * Parses one auditctl command line given as words (without the program
 * name), as auditctl 3.0.9 reads its arguments and each rule-file line.
 * Throws {@link RuleError} with the reason and auditctl's own message.
 *
 * @example
 * ```ts
 * import { parseArgs } from "../../mod.ts";
 * const { command } = parseArgs(["-w", "/etc/passwd", "-p", "wa", "-k", "passwd"]);
 * console.log(command.kind); // "rule"
 * ```
 */
export function parseArgs(argv: string[]): ParseResult {
  const text = argv.join(" ");
  const fail = (reason: string, auditctl: string): never => {
    throw new RuleError({ rule: text, reason, auditctl });
  };
  const { opts, rest } = getopt(argv);
  let count = argv.length + 1; // auditctl's argc
  const warnings: string[] = [];
  let op: "append" | "prepend" | "delete" | undefined;
  let list: RuleList | undefined;
  let action: RuleAction | undefined;
  let watch: string | undefined;
  let ruleOps = 0;
  let syscallSeen = false;
  let keyLength = 0;
  const steps: RuleStep[] = [];
  const settings: { name: RuleSetting; value: number }[] = [];
  let command: RuleCommand | undefined;
  let ignoreErrors = false;
  let continueOnError = false;
  let consumed = 0;

  for (const o of opts) {
    consumed = o.next;
    const arg = o.arg ?? "";
    switch (o.name) {
      case "i":
        ignoreErrors = true;
        break;
      case "c":
        ignoreErrors = true;
        continueOnError = true;
        break;
      case "s": {
        if (count > 3) {
          fail("-s takes no other option than -i", "Too many options for status command");
        }
        let interpret = false;
        if (count === 3 && o.next === 1) {
          if (argv[1] !== "-i") {
            fail("-s takes no other option than -i", "Only -i option is allowed");
          }
          interpret = true;
          count--;
        }
        command = { kind: "status", interpret };
        break;
      }
      case "l": {
        if (count > 4) {
          fail("-l takes only -k KEY or -i", "Wrong number of options for list request");
        }
        let interpret = false;
        let key: string | undefined;
        if (count === 3) {
          if (argv[o.next] !== "-i") {
            fail("-l takes only -k KEY or -i", "Only -k or -i options are allowed");
          }
          interpret = true;
          count--;
        } else if (count === 4) {
          if (argv[o.next] !== "-k") {
            fail("-l takes only -k KEY or -i", "Only -k or -i options are allowed");
          }
          key = argv[2].slice(0, AUDIT_MAX_KEY_LEN);
          count -= 2;
        }
        command = { kind: "list", key, interpret };
        break;
      }
      case "D": {
        if (count > 4 || count === 3) {
          fail("-D takes only -k KEY", "Wrong number of options for Delete all request");
        }
        let key: string | undefined;
        if (count === 4) {
          if (argv[o.next] !== "-k") fail("-D takes only -k KEY", "Only the -k option is allowed");
          key = argv[2].slice(0, AUDIT_MAX_KEY_LEN);
          count -= 2;
        }
        command = { kind: "delete_all", key };
        break;
      }
      case "e":
      case "f": {
        const name = SETTING_OPTION[o.name];
        if (arg !== "0" && arg !== "1" && arg !== "2") {
          fail(
            `${name} must be 0, 1 or 2, not ${quoteExcerpt(arg)}`,
            `${SETTING_WORD[name]} must be 0, 1, or 2 was ${arg}`,
          );
        }
        settings.push({ name, value: Number(arg) });
        break;
      }
      case "r":
      case "b":
      case "backlog_wait_time": {
        const name = SETTING_OPTION[o.name];
        const v = strtoul(arg);
        if (v === undefined) {
          fail(
            `${name} must be a number, not ${quoteExcerpt(arg)}`,
            `${SETTING_WORD[name]} must be a numeric value was ${arg}`,
          );
        }
        if (v === "range") {
          fail(
            `${name} ${quoteExcerpt(arg)} is out of range`,
            `Error converting ${CONVERT_WORD[name]}`,
          );
        }
        settings.push({ name, value: v as number });
        break;
      }
      case "a":
      case "A":
      case "d": {
        const word = o.name === "a" ? "Append" : o.name === "A" ? "Add" : "Delete";
        if (o.name !== "d" && arg.includes("task") && syscallSeen) {
          fail(
            "syscalls cannot be audited on the task list",
            o.name === "a"
              ? "Syscall auditing requested for task list"
              : "Error: syscall auditing requested for task list",
          );
        }
        if (++ruleOps !== 1) {
          fail(
            "only one -a, -A or -d per rule",
            o.name === "a"
              ? "Multiple rule insert/delete operations are not allowed\n"
              : "Multiple rule insert/delete operations are not allowed",
          );
        }
        const la = listAction(arg);
        if (la === "bad") {
          fail(
            `${quoteExcerpt(arg)} is not list,action (lists: ${
              RULE_LISTS.join(", ")
            }; actions: always, never)`,
            `${word} rule - bad keyword ${arg}`,
          );
        }
        if (la === "possible") {
          const message = `${o.name === "d" ? "Delete" : "Append"} rule - possible is deprecated`;
          return {
            command: { kind: "deprecated", message },
            ignoreErrors,
            continueOnError,
            warnings,
          };
        }
        const { list: l, action: a } = la as { list: RuleList; action: RuleAction };
        op = o.name === "a" ? "append" : o.name === "A" ? "prepend" : "delete";
        list = l;
        action = a;
        break;
      }
      case "S": {
        const forbidden: Partial<Record<RuleList, string>> = {
          task: "Error: syscall auditing being added to task list",
          user: "Error: syscall auditing being added to user list",
          filesystem: "Error: syscall auditing being added to filesystem list",
          exclude: "Error: syscall auditing cannot be put on exclude list",
        };
        if (list && forbidden[list]) {
          fail(`syscalls cannot be audited on the ${list} list`, forbidden[list]!);
        }
        const names = arg.split(",").filter((n) => n !== "");
        if (!names.length) {
          fail(`no syscall in ${quoteExcerpt(arg)}`, `Syscall name unknown: ${arg}`);
        }
        steps.push({ kind: "syscalls", names });
        syscallSeen = true;
        break;
      }
      case "F": {
        if (!op) fail("-F needs -a, -A, -d, -w or -W before it", "List must be given before field");
        if (arg.startsWith("key=")) {
          steps.push({ kind: "key", key: arg.slice(4), option: "-F" });
          keyLength = addKeyLength(keyLength, arg.slice(4), fail);
          break;
        }
        const p = splitFieldPair(arg);
        if ("error" in p) {
          if (p.error === "op") {
            fail(`no operator in ${quoteExcerpt(arg)}`, `-F missing operation for ${arg}`);
          }
          if (p.error === "name") {
            fail(
              `no field name in ${quoteExcerpt(arg)}`,
              `-F missing field name before operator for `,
            );
          }
          fail(
            `no value in ${quoteExcerpt(arg)}`,
            `-F missing value after operation for ${p.name}`,
          );
        }
        steps.push({ kind: "field", field: p as RuleField });
        break;
      }
      case "C": {
        const p = splitFieldPair(arg);
        if ("error" in p) {
          if (p.error === "op") {
            fail(
              `no operator in ${quoteExcerpt(arg)}: use = or !=`,
              `${arg} only takes = or != operators`,
            );
          }
          if (p.error === "name") {
            fail(
              `no field name in ${quoteExcerpt(arg)}`,
              `-C missing field name before operator for `,
            );
          }
          // libaudit's message ends in a space before the name
          fail(
            `no value in ${quoteExcerpt(arg)}`,
            `-C missing value after operation for  ${p.name}`,
          );
        }
        const f = p as RuleField;
        const comparison: RuleComparison = { left: f.name, op: f.op, right: f.value };
        steps.push({ kind: "compare", comparison });
        break;
      }
      case "k": {
        if (!op) {
          fail(
            "-k needs a watch or a syscall rule before it",
            "key option needs a watch or syscall given prior to it",
          );
        }
        steps.push({ kind: "key", key: arg, option: "-k" });
        keyLength = addKeyLength(keyLength, arg, fail);
        break;
      }
      case "p": {
        if (!op) {
          fail(
            "-p needs a watch or a rule before it",
            "permission option needs a watch given prior to it",
          );
        }
        if (new TextEncoder().encode(arg).length > 4) {
          fail(
            `permissions ${quoteExcerpt(arg)} are more than rwxa`,
            `permission ${arg} is too long`,
          );
        }
        for (const ch of arg) {
          if (!"rwxa".includes(ch.toLowerCase())) {
            fail(
              `permission ${quoteExcerpt(ch)} is not one of r, w, x, a`,
              `Permission ${ch} isn't supported`,
            );
          }
        }
        steps.push({ kind: "perms", perms: arg });
        break;
      }
      case "w":
      case "W": {
        if (o.name === "w" && op) {
          fail(
            "-w cannot be combined with -a, -A or -d",
            "watch option can't be given with a syscall",
          );
        }
        const bad = checkWatchPath(arg);
        if (bad) fail(bad.reason, bad.auditctl);
        warnings.push(...watchPathWarnings(arg));
        if (watch !== undefined) {
          fail("only one watch per rule", "Rule is not empty");
        }
        watch = arg;
        op = o.name === "w" ? "append" : "delete";
        list = "exit";
        action = "always";
        syscallSeen = true;
        break;
      }
      case "m": {
        if (count > 3) {
          fail(
            "-m must be the only option",
            "The -m option must be only the only option and takes 1 parameter",
          );
        }
        if ([...arg].some((ch) => ch.charCodeAt(0) < 32)) {
          fail("the message has a control character", "Illegal character in audit event");
        }
        command = { kind: "message", text: arg };
        break;
      }
      case "R":
        if (argv.length !== 2 || o.next !== 2) {
          fail("-R must be the only option", "Error - nested rule files not supported");
        }
        command = { kind: "load", file: arg };
        break;
      case "v":
        command = { kind: "version" };
        break;
      case "h":
        command = { kind: "help" };
        break;
      case "?":
        if (o.missing) {
          fail(
            `option ${quoteExcerpt(o.word)} needs an argument, and the line ends after it`,
            `Option ${o.word} is invalid`,
          );
        }
        fail(`unknown option ${quoteExcerpt(o.word)}`, `Option ${o.word} is invalid`);
        break;
      case "loginuid-immutable":
        // auditctl acts at once and reads nothing after it
        return {
          command: { kind: "loginuid_immutable" },
          ignoreErrors,
          continueOnError,
          warnings,
        };
      default:
        fail(
          `option ${quoteExcerpt(o.word)} is not supported by auditkit`,
          `Option ${o.word} is not supported by auditkit`,
        );
    }
    // auditctl stops reading options after the ones that act at once
    if (command || ignoreErrors) break;
  }
  if (consumed < count - 1 || rest.length) {
    const stray = rest[0] ?? argv[consumed] ?? argv[argv.length - 1] ?? "";
    fail(
      `${quoteExcerpt(stray)} is not an option or an option's value`,
      "parameter passed without an option given",
    );
  }
  if (op && list && action) {
    const rule: AuditRule = { list, action, steps };
    if (watch !== undefined) rule.watch = watch;
    command = { kind: "rule", op, rule };
  } else if (!command && steps.length) {
    fail("the rule has no -a, -A, -d, -w or -W", "Error - no list specified");
  } else if (!command && settings.length) {
    command = { kind: "set", settings };
  }
  return { command: command ?? { kind: "none" }, ignoreErrors, continueOnError, warnings };
}

function addKeyLength(
  sofar: number,
  key: string,
  fail: (reason: string, auditctl: string) => never,
): number {
  const total = sofar + (sofar ? 1 : 0) + new TextEncoder().encode(key).length;
  if (total > AUDIT_MAX_KEY_LEN) {
    fail(`the keys are longer than ${AUDIT_MAX_KEY_LEN} bytes`, "key option exceeds size limit");
  }
  return total;
}

/**
 * Parses one rule line in auditctl syntax (a rule-file line or the
 * arguments of one auditctl call), such as
 * `-a always,exit -F arch=b64 -S openat -F exit=-EACCES -k access`.
 *
 * @example
 * ```ts
 * import { parseRule } from "../../mod.ts";
 * const cmd = parseRule("-a always,exit -F arch=b64 -S openat -k open");
 * if (cmd.kind === "rule") console.log(cmd.rule.list); // "exit"
 * ```
 */
export function parseRule(line: string): RuleCommand {
  return parseArgs(splitRuleLine(line)).command;
}

function escapeWord(w: string): string {
  return w.replace(/\\/g, "\\\\").replace(/ /g, "\\ ");
}

/**
 * The canonical text of a parsed command: options in the parsed order, as
 * {@link parseRule} reads them back.
 *
 * @example
 * ```ts
 * import { formatCommand, parseRule } from "../../mod.ts";
 * formatCommand(parseRule("-a exit,always -S open -k k")); // "-a always,exit -S open -k k"
 * ```
 */
export function formatCommand(cmd: RuleCommand): string {
  switch (cmd.kind) {
    case "rule": {
      const r = cmd.rule;
      const words: string[] = [];
      if (r.watch !== undefined) words.push(cmd.op === "delete" ? "-W" : "-w", r.watch);
      else {
        const o = cmd.op === "append" ? "-a" : cmd.op === "prepend" ? "-A" : "-d";
        words.push(o, `${r.action},${r.list}`);
      }
      for (const s of r.steps) {
        if (s.kind === "syscalls") words.push("-S", s.names.join(","));
        else if (s.kind === "field") {
          words.push("-F", `${s.field.name}${s.field.op}${s.field.value}`);
        } else if (s.kind === "compare") {
          words.push("-C", `${s.comparison.left}${s.comparison.op}${s.comparison.right}`);
        } else if (s.kind === "perms") words.push("-p", s.perms);
        else if (s.option === "-k") words.push("-k", s.key);
        else words.push("-F", `key=${s.key}`);
      }
      return words.map(escapeWord).join(" ");
    }
    case "delete_all":
      return cmd.key === undefined ? "-D" : `-D -k ${escapeWord(cmd.key)}`;
    case "set":
      return cmd.settings.map((s) =>
        s.name === "backlog_wait_time"
          ? `--backlog_wait_time ${s.value}`
          : `-${
            { enabled: "e", failure: "f", rate_limit: "r", backlog_limit: "b" }[s.name]
          } ${s.value}`
      ).join(" ");
    case "status":
      return cmd.interpret ? "-s -i" : "-s";
    case "list":
      return cmd.key !== undefined
        ? `-l -k ${escapeWord(cmd.key)}`
        : cmd.interpret
        ? "-l -i"
        : "-l";
    case "message":
      return `-m ${escapeWord(cmd.text)}`;
    case "load":
      return `-R ${escapeWord(cmd.file)}`;
    case "version":
      return "-v";
    case "help":
      return "-h";
    case "loginuid_immutable":
      return "--loginuid-immutable";
    case "deprecated":
    case "none":
      return "";
  }
}
