/**
 * The typed forms of audit rules: what one auditctl command line means
 * (parsed, before libaudit sees it) and what the kernel holds (decoded).
 *
 * @module
 */

/** A filter list, as auditctl names it (`-a always,exit`). */
export type RuleList = "user" | "task" | "exit" | "exclude" | "filesystem" | "io_uring";

/** What a matching rule does. */
export type RuleAction = "always" | "never";

/** A field operator, as written on the command line. */
export type RuleOperator = "=" | "!=" | "<" | ">" | "<=" | ">=" | "&" | "&=";

/** One `-F name<op>value`. */
export interface RuleField {
  /** The field name (`auid`, `arch`, `exit`, ...). */
  name: string;
  /** The operator. */
  op: RuleOperator;
  /** The value exactly as written (names, numbers, paths). */
  value: string;
}

/** One `-C left<op>right` inter-field comparison. */
export interface RuleComparison {
  /** The left field (`auid`). */
  left: string;
  /** `=` or `!=` (others are refused when the rule is built). */
  op: RuleOperator;
  /** The right field (`obj_uid`). */
  right: string;
}

/**
 * One option of a rule, in command-line order. The order matters: libaudit
 * wants `arch` before syscalls and a syscall, watch, exe or fstype before `-k`.
 */
export type RuleStep =
  | { kind: "syscalls"; names: string[] }
  | { kind: "field"; field: RuleField }
  | { kind: "compare"; comparison: RuleComparison }
  | { kind: "perms"; perms: string }
  | { kind: "key"; key: string; option: "-k" | "-F" };

/** A rule or watch as written on an auditctl command line. */
export interface AuditRule {
  /** The filter list (`exit` for watches). */
  list: RuleList;
  /** `always` or `never` (`always` for watches). */
  action: RuleAction;
  /** The watched path of `-w`/`-W`, as written. */
  watch?: string;
  /** The other options in order. */
  steps: RuleStep[];
}

/** A status setting that a rule file or auditctl can change. */
export type RuleSetting =
  | "enabled"
  | "failure"
  | "rate_limit"
  | "backlog_limit"
  | "backlog_wait_time";

/** What one auditctl command line (or one rule-file line) asks for. */
export type RuleCommand =
  | { kind: "rule"; op: "append" | "prepend" | "delete"; rule: AuditRule }
  | { kind: "delete_all"; key?: string }
  | { kind: "set"; settings: { name: RuleSetting; value: number }[] }
  | { kind: "status"; interpret: boolean }
  | { kind: "list"; key?: string; interpret: boolean }
  | { kind: "message"; text: string }
  | { kind: "load"; file: string }
  | { kind: "version" }
  | { kind: "help" }
  /** `--loginuid-immutable`: loginuids cannot change once set, until reboot. */
  | { kind: "loginuid_immutable" }
  | { kind: "deprecated"; message: string }
  | { kind: "none" };

/** A parsed command with the `-i` / `-c` flags given on the same line. */
export interface ParsedCommand {
  /** What the line asks for. */
  command: RuleCommand;
  /** `-i`: ignore errors of later rule-file lines. */
  ignoreErrors: boolean;
  /** `-c`: continue past errors of later lines, then fail. */
  continueOnError: boolean;
}

/** One field of a kernel rule (`struct audit_rule_data`). */
export interface KernelRuleField {
  /** The field id (`AUDIT_ARCH` = 11, ...). */
  id: number;
  /** The operator bits (`AUDIT_EQUAL` = 0x40000000, ...). */
  op: number;
  /** The value as the kernel holds it (u32), or the string's byte length. */
  value: number;
  /** The string of a string field (`path`, `key`, `exe`, SELinux labels). */
  text?: string;
}

/** A rule as the kernel holds it, decoded from `struct audit_rule_data`. */
export interface KernelRule {
  /** The filter list number with any flag bits (`AUDIT_FILTER_EXIT` = 4). */
  flags: number;
  /** `AUDIT_NEVER` 0, `AUDIT_ALWAYS` 2. */
  action: number;
  /** The 64-word syscall bitmap. */
  mask: Uint32Array;
  /** The fields in rule order. */
  fields: KernelRuleField[];
  /** The wire bytes (1040 + buflen), for comparison and deletion. */
  bytes: Uint8Array;
}
