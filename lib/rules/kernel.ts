/**
 * The kernel's rule list: add, delete, list and flush over an audit client.
 *
 * @module
 */

import { type AuditClient, transportOf } from "../client.ts";
import { audit } from "../_native.ts";
import { AuditError } from "../errors.ts";
import { errnoMessage } from "../errno.ts";
import { buildRule } from "./build.ts";
import { decodeRule } from "./decode.ts";
import { formatRule, ruleKeyMatches } from "./format.ts";
import { parseRule } from "./parse.ts";
import { RuleError } from "./rule_error.ts";
import type { AuditRule, KernelRule } from "./types.ts";

const AUDIT_LIST_RULES = 1013;
const AUDIT_FILTER_PREPEND = 0x10;
const EEXIST = 17;
const ENOENT = 2;

/** A rule in any of its forms: auditctl text, a parsed rule, or a kernel rule. */
export type RuleInput = string | AuditRule | KernelRule;

function isKernelRule(r: RuleInput): r is KernelRule {
  return typeof r === "object" && "bytes" in r;
}

/**
 * The kernel rule for `input`; text must be a rule of the expected kind. A
 * rule to put first carries AUDIT_FILTER_PREPEND (from `-A` or `prepend`).
 */
function toKernelRule(input: RuleInput, want: "add" | "delete", prepend: boolean): KernelRule {
  if (isKernelRule(input)) return input;
  if (typeof input !== "string") {
    return buildRule(input, { op: want === "delete" ? "delete" : prepend ? "prepend" : "append" })
      .rule;
  }
  const cmd = parseRule(input);
  if (cmd.kind !== "rule") {
    throw new RuleError({
      rule: input,
      reason: "it is not a rule (use -a, -A, -d, -w or -W)",
      auditctl: "Error - no list specified",
      verb: want,
    });
  }
  const isDelete = cmd.op === "delete";
  if ((want === "delete") !== isDelete) {
    throw new RuleError({
      rule: input,
      reason: want === "delete"
        ? "give the rule as it was added (-a or -w), not -d or -W"
        : "it deletes a rule (-d or -W); use deleteRule",
      auditctl: "Error - no list specified",
      verb: want,
    });
  }
  const op = want === "delete" ? "delete" : prepend ? "prepend" : cmd.op;
  return buildRule(cmd.rule, { op }).rule;
}

function send(
  client: AuditClient,
  rule: KernelRule,
  verb: "add" | "delete",
  prepend: boolean,
): void {
  const t = transportOf(client);
  const bytes = rule.bytes.slice();
  const flags = (rule.flags & ~AUDIT_FILTER_PREPEND) | (prepend ? AUDIT_FILTER_PREPEND : 0);
  const call = verb === "add" ? "audit_add_rule_data" : "audit_delete_rule_data";
  const action = `${verb} rule "${formatRule(rule)}"`;
  const rc = verb === "add"
    ? audit().audit_add_rule_data(t.openFd(), Deno.UnsafePointer.of(bytes), flags, rule.action)
    : audit().audit_delete_rule_data(t.openFd(), Deno.UnsafePointer.of(bytes), flags, rule.action);
  if (rc < 0) {
    const errno = -rc;
    const reason = errno === EEXIST && verb === "add"
      ? "the rule exists"
      : errno === ENOENT && verb === "delete"
      ? "no rule matches"
      : undefined;
    throw new AuditError({ call, errno, action, reason });
  }
}

/**
 * The line auditctl prints when the kernel refuses a rule:
 * `Error sending add rule data request (Rule exists)`.
 *
 * @example
 * ```ts ignore
 * import { addRule, AuditError, auditctlKernelMessage, openAudit } from "../../mod.ts";
 * using audit = openAudit();
 * try {
 *   await addRule(audit, "-w /etc/passwd -p wa -k passwd");
 * } catch (e) {
 *   if (e instanceof AuditError) console.error(auditctlKernelMessage(e));
 * }
 * ```
 */
export function auditctlKernelMessage(e: AuditError): string {
  if (e.call === "audit_delete_rule_data") {
    return `Error sending delete rule data request (${errnoMessage(e.errno)})`;
  }
  return `Error sending add rule data request (${
    e.errno === EEXIST ? "Rule exists" : errnoMessage(e.errno)
  })`;
}

/** Options of {@link addRule}. */
export interface AddRuleOptions {
  /** Put the rule first on its list (`-A`); text with `-A` does it too. */
  prepend?: boolean;
}

/**
 * Adds a rule to the kernel (AUDIT_ADD_RULE) and returns it as the kernel
 * got it. Text is one auditctl rule line (`-a`, `-A` or `-w`).
 *
 * Throws {@link RuleError} for a rule libaudit refuses (nothing is sent) and
 * {@link AuditError} when the kernel refuses it (`EEXIST` for a duplicate).
 *
 * @example
 * ```ts ignore
 * import { addRule, deleteRule, openAudit } from "../../mod.ts";
 * using audit = openAudit();
 * await addRule(audit, "-w /etc/passwd -p wa -k passwd");
 * await deleteRule(audit, "-w /etc/passwd -p wa -k passwd");
 * ```
 */
export function addRule(
  client: AuditClient,
  rule: RuleInput,
  options: AddRuleOptions = {},
): Promise<KernelRule> {
  return Promise.try(() => {
    const k = toKernelRule(rule, "add", options.prepend ?? false);
    send(client, k, "add", options.prepend ?? (k.flags & AUDIT_FILTER_PREPEND) !== 0);
    return k;
  });
}

/**
 * Deletes the rule that matches exactly (AUDIT_DEL_RULE). Text is the rule as
 * it was added (`-a ...` or `-w ...`) or its `-d` / `-W` form.
 *
 * @example
 * ```ts ignore
 * import { deleteRule, openAudit } from "../../mod.ts";
 * using audit = openAudit();
 * await deleteRule(audit, "-W /etc/passwd -p wa -k passwd");
 * ```
 */
export function deleteRule(client: AuditClient, rule: RuleInput): Promise<KernelRule> {
  return Promise.try(() => {
    let input = rule;
    if (typeof rule === "string") {
      const cmd = parseRule(rule);
      // the add form names the same kernel rule as the delete form
      if (cmd.kind === "rule") input = cmd.rule;
    }
    const k = toKernelRule(input, "delete", false);
    send(client, k, "delete", false);
    return k;
  });
}

/**
 * The kernel's rules (AUDIT_LIST_RULES), in the kernel's order: grouped by
 * filter list, insertion order within a list.
 *
 * @example
 * ```ts
 * import { formatRules, listRules, openAudit } from "../../mod.ts";
 * using audit = openAudit();
 * const rules = await listRules(audit);
 * console.log(formatRules(rules)); // what `auditctl -l` prints
 * ```
 */
export async function listRules(client: AuditClient): Promise<KernelRule[]> {
  const t = transportOf(client);
  const ctx = { call: "audit_request_rules_list_data", action: "list the audit rules" };
  t.request(ctx, (fd) => audit().audit_request_rules_list_data(fd));
  const parts = await t.collect(AUDIT_LIST_RULES, ctx);
  return parts.map(decodeRule);
}

/** Options of {@link deleteAllRules}. */
export interface DeleteAllRulesOptions {
  /** Like `auditctl -D -k KEY`: only rules with a key containing this text. */
  key?: string;
}

/**
 * Deletes every rule (`auditctl -D`), or those whose key contains `key`, and
 * returns what was deleted (add them back to undo).
 *
 * @example
 * ```ts ignore
 * import { deleteAllRules, openAudit } from "../../mod.ts";
 * using audit = openAudit();
 * const removed = await deleteAllRules(audit, { key: "auditkit-test-" });
 * ```
 */
export async function deleteAllRules(
  client: AuditClient,
  options: DeleteAllRulesOptions = {},
): Promise<KernelRule[]> {
  const rules = (await listRules(client)).filter((r) => ruleKeyMatches(r, options.key));
  for (const r of rules) send(client, r, "delete", false);
  return rules;
}
