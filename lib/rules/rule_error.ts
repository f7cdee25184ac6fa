/**
 * The error of a rule that cannot be parsed, built or applied.
 *
 * @module
 */

/** What {@link RuleError} is built from. */
export interface RuleErrorInit {
  /** The rule or command line, as written. */
  rule: string;
  /** Why, in auditkit's words: `unknown syscall "bogus"`. */
  reason: string;
  /** What auditctl prints for the same mistake: `Syscall name unknown: bogus`. */
  auditctl: string;
  /** The 1-based line of a rule file. */
  line?: number;
  /** What was being done: `parse`, `add`, `delete`. */
  verb?: string;
  /** The negative `EAU_*` code or `-errno` behind it, when there is one. */
  code?: number;
  /** Warnings auditctl prints before the error (a 32/64-bit syscall mismatch). */
  warnings?: string[];
}

/**
 * A rule line that auditkit refuses, with the reason and the text auditctl
 * would print for it.
 *
 * @example
 * ```ts
 * import { parseRule, RuleError } from "../../mod.ts";
 * try {
 *   parseRule("-a always,bogus");
 * } catch (e) {
 *   if (e instanceof RuleError) console.error(e.reason);
 * }
 * ```
 */
export class RuleError extends Error {
  /** The rule or command line, as written. */
  readonly rule: string;
  /** Why the rule was refused. */
  readonly reason: string;
  /** The message auditctl prints for the same rule. */
  readonly auditctl: string;
  /** The 1-based line of a rule file, when known. */
  readonly line: number | undefined;
  /** The negative `EAU_*` code or `-errno`, when there is one. */
  readonly code: number | undefined;
  /** What was being done: `parse`, `add`, `delete`. */
  readonly verb: string;
  /** Warnings auditctl prints before the error. */
  readonly warnings: string[];

  /** Builds the error and its message. */
  constructor(init: RuleErrorInit) {
    const where = init.line === undefined ? "" : `Line ${init.line}: `;
    const verb = init.verb ?? "parse";
    super(`${where}${where ? "c" : "C"}annot ${verb} rule "${init.rule}": ${init.reason}`);
    this.name = "RuleError";
    this.rule = init.rule;
    this.reason = init.reason;
    this.auditctl = init.auditctl;
    this.line = init.line;
    this.code = init.code;
    this.verb = verb;
    this.warnings = init.warnings ?? [];
  }

  /** The same error attached to line `line` of a rule file. */
  atLine(line: number): RuleError {
    return new RuleError({
      rule: this.rule,
      reason: this.reason,
      auditctl: this.auditctl,
      line,
      code: this.code,
      verb: this.verb,
      warnings: this.warnings,
    });
  }
}
