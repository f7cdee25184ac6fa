/**
 * The error of a rule that cannot be parsed, built or applied.
 *
 * @module
 */

/** The most characters of a user's text that a message quotes. */
const EXCERPT_MAX = 60;

/** Characters a message shows as escapes: controls, invisible formatting, undecodable bytes. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\uFFFD"\\]/u;

/**
 * A user's text quoted for a message: at most 60 characters, with quotes,
 * backslashes, control and formatting characters (and U+FFFD, the mark of
 * bytes that were not UTF-8) escaped, so a binary or huge line cannot flood
 * or garble the terminal. A longer text ends in `..."` and its length.
 *
 * @example
 * ```ts
 * import { quoteExcerpt } from "../../mod.ts";
 * quoteExcerpt("a\tb"); // '"a\\tb"'
 * quoteExcerpt("x".repeat(100)); // '"xxx...x..." (100 characters)'
 * ```
 */
export function quoteExcerpt(text: string): string {
  let shown = "";
  let used = 0;
  for (const m of text.slice(0, EXCERPT_MAX).matchAll(PIECE)) {
    // escapes count as what they print, so an excerpt of escapes stays as short
    const room = EXCERPT_MAX - shown.length;
    if (m[0].length > 1 || !UNPRINTABLE.test(m[0])) {
      shown += m[0].slice(0, room);
      used += Math.min(m[0].length, room);
      if (m[0].length > room) break;
      continue;
    }
    const piece = escape(m[0]);
    if (piece.length > room) break;
    shown += piece;
    used += m[0].length;
  }
  return used < text.length ? `"${shown}..." (${text.length} characters)` : `"${shown}"`;
}

/** Runs of printable characters, or one character that is not. */
const PIECE = /[^\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\uFFFD"\\]+|[\s\S]/gu;

function escape(ch: string): string {
  if (ch === '"' || ch === "\\") return `\\${ch}`;
  const c = ch.codePointAt(0)!;
  if (c === 0x09) return "\\t";
  if (c === 0x0a) return "\\n";
  if (c === 0x0d) return "\\r";
  return c < 0x100 ? `\\x${c.toString(16).padStart(2, "0")}` : `\\u{${c.toString(16)}}`;
}

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
    super(
      `${where}${where ? "c" : "C"}annot ${verb} rule ${quoteExcerpt(init.rule)}: ${init.reason}`,
    );
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
