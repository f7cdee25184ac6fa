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

/** The exit status and message for an error thrown by a command. */
export function describeFailure(e: unknown): { code: number; message: string } {
  if (e instanceof UsageError) return { code: 2, message: e.message };
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
