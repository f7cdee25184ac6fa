/**
 * What every command shares: output, integer flags, error reporting.
 *
 * @module
 */

import { AuditError, encodeText } from "../mod.ts";
import { InvalidArgumentError } from "./deps.ts";

/**
 * Writes all of `text` (a string, or bytes already encoded) to standard
 * output; the bytes of a log that are not UTF-8 are written as they were.
 */
export async function out(text: string | Uint8Array): Promise<void> {
  await writeAll(Deno.stdout, typeof text === "string" ? encodeText(text) : text);
}

/** Writes all of `text` to standard output at once (no other work runs meanwhile). */
export function outSync(text: string | Uint8Array): void {
  const bytes = typeof text === "string" ? encodeText(text) : text;
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}

/** Writes all of `text` to standard error. */
export async function err(text: string): Promise<void> {
  await writeAll(Deno.stderr, encodeText(text));
}

async function writeAll(w: { write(p: Uint8Array): Promise<number> }, bytes: Uint8Array) {
  let off = 0;
  while (off < bytes.length) off += await w.write(bytes.subarray(off));
}

/** A usage error: the command line is wrong (exit status 2). */
export class UsageError extends Error {
  /** Creates a usage error with the message shown to the user. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Runs a command whose usage errors should say where the usage is: a
 * {@link UsageError} gets ` (see "COMMAND --help")`, as commander's errors do.
 */
export async function withHelpHint<T>(command: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${e.message} (see "${command} --help")`);
    throw e;
  }
}

/** Parses an option value as an unsigned 32-bit integer (decimal). */
export function u32(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) {
    throw new InvalidArgumentError("must be an integer from 0 to 4294967295");
  }
  return Number(value);
}

/** Parses an option value as one of the given small integers. */
export function oneOf(...allowed: number[]): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !allowed.includes(n)) {
      throw new InvalidArgumentError(`must be ${allowed.join(", ").replace(/, (\d+)$/, " or $1")}`);
    }
    return n;
  };
}

/**
 * The exit status when standard output is a pipe whose reader has gone (`| head`):
 * 128 + SIGPIPE, what a shell reports for ausearch and aureport, which die of the signal.
 */
export const PIPE_CLOSED_STATUS = 141;

/** What Deno's file errors say after "os error N: ": the call, and the verb for it. */
const FILE_CALLS: Record<string, string> = {
  open: "open",
  readfile: "read",
  readdir: "read directory",
  stat: "read",
  lstat: "read",
  writefile: "write",
  mkdir: "create directory",
  remove: "remove",
  rename: "rename",
};

/**
 * A file error from Deno (`No such file or directory (os error 2): readfile '/x'`)
 * as a sentence: `Cannot read "/x": no such file or directory`.
 */
export function fileErrorMessage(message: string): string {
  const m = /^(.+?) \(os error \d+\)(?:: (\w+) '(.*)')?$/s.exec(message);
  if (!m) return message;
  const reason = m[1].charAt(0).toLowerCase() + m[1].slice(1);
  if (m[3] === undefined) return `Cannot access a file: ${reason}`;
  return `Cannot ${FILE_CALLS[m[2]] ?? "use"} "${m[3]}": ${reason}`;
}

/**
 * A commander error (`error: unknown option '--x'`) in auditkit's style: a
 * sentence, values in double quotes, no trailing period, and where to find
 * the usage (`command`: the full command, `auditkit rules load`).
 */
export function commanderMessage(text: string, command: string): string {
  let s = text.trim().replace(/^error: /, "");
  const invalid = /^option '(.+?)' argument '(.*)' is invalid\. (.*)$/s.exec(s);
  if (invalid) s = `Invalid value "${invalid[2]}" for option "${invalid[1]}": ${invalid[3]}`;
  s = s.replace(/'([^']*)'/g, '"$1"').replace(/ argument missing$/, " needs a value")
    .replace(/\.$/, "").replace(/\.\s*\n?\s*\(/, " (").replace(
      /\.\s+([A-Z])/g,
      (_, c) => `: ${c.toLowerCase()}`,
    )
    .replace(/\n/g, " ");
  s = s.charAt(0).toUpperCase() + s.slice(1);
  return `${s} (see "${command} --help")`;
}

/** The exit status and message for an error thrown by a command. */
export function describeFailure(e: unknown): { code: number; message: string } {
  if (e instanceof UsageError) return { code: 2, message: e.message };
  if (
    e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied ||
    e instanceof Deno.errors.IsADirectory || e instanceof Deno.errors.NotADirectory
  ) return { code: 1, message: fileErrorMessage(e.message) };
  if (e instanceof AuditError || e instanceof RangeError || e instanceof TypeError) {
    return { code: 1, message: e.message };
  }
  if (e instanceof Deno.errors.NotCapable) {
    return { code: 1, message: `${e.message} (run with -A or --allow-ffi)` };
  }
  return { code: 1, message: e instanceof Error ? e.message : String(e) };
}

/**
 * Ends a command quietly with a given exit status after its output is
 * written: auditctl's codes for `ctl`, 1 for a search that found nothing.
 */
export class ExitStatus extends Error {
  /** The process exit status. */
  readonly status: number;
  /** Creates the exit request. */
  constructor(status: number) {
    super(`exit ${status}`);
    this.name = "ExitStatus";
    this.status = status;
  }
}
