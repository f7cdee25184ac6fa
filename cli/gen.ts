/**
 * `auditkit gen`: audgen(2), one user-space record from typed arguments.
 *
 * @module
 */

import { audgen, AUDGEN_TOKEN_TYPES, type AudgenTokenType } from "../mod.ts";
import { Command, type CommandUnknownOpts, InvalidArgumentError } from "./deps.ts";
import { out, UsageError } from "./_common.ts";

type Token = [AudgenTokenType, string];

function token(value: string, previous: Token[]): Token[] {
  const eq = value.indexOf("=");
  const type = eq < 0 ? value : value.slice(0, eq);
  if (eq < 0) throw new InvalidArgumentError(`"${value}" is not TYPE=VALUE`);
  if (!(AUDGEN_TOKEN_TYPES as readonly string[]).includes(type)) {
    throw new InvalidArgumentError(
      `unknown token type "${type}" (use ${AUDGEN_TOKEN_TYPES.join(", ")})`,
    );
  }
  return [...previous, [type as AudgenTokenType, value.slice(eq + 1)]];
}

function milliseconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("must be a whole number of ms");
  return Number(value);
}

/** Builds the `gen` command. */
export function genCommand(): CommandUnknownOpts {
  return new Command("gen")
    .description(
      "Generate one audit record from typed arguments (audgen(2)); every value is encoded",
    )
    .argument("<event>", "record type, by name or number (1005, 1100-1199, 2100-2999)")
    .option(
      "--token <type=value>",
      `one argument, repeatable, at most 8; types: ${AUDGEN_TOKEN_TYPES.join(", ")}`,
      token,
      [] as Token[],
    )
    .option("--no-verify", "do not read the record back")
    .option("--timeout <ms>", "how long to wait for the record when verifying", milliseconds, 2000)
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  auditkit gen USER_MGMT --token string=add-user --token uid=1001 --token result=success\n  auditkit gen 2101 --token path=/etc/shadow --no-verify",
    )
    .action(async (event: string, opts) => {
      const tokens = opts.token as Token[];
      if (tokens.length === 0) throw new UsageError("give at least one --token TYPE=VALUE");
      const r = await audgen(
        /^\d+$/.test(event) ? Number(event) : event,
        tokens.map(([t]) => t),
        tokens.map(([, v]) => v),
        { verify: opts.verify, timeoutMs: opts.timeout as number },
      );
      if (opts.json) await out(JSON.stringify(r) + "\n");
      else if (r.record) await out(`${r.typeName} ${r.record.text}\n`);
      else await out(`${r.typeName} msg='${r.text}'\n`);
      if (r.generated === false) throw new Error(`no record was generated: ${r.reason}`);
    });
}
