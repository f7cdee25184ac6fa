/**
 * The lines auditkit applies only when the user asks for them explicitly
 * (`-e 2`, `--loginuid-immutable`, `-f 2`): the flag that allows each, and
 * the message that names it. Shared by `rules load` and `ctl`.
 *
 * @module
 */

import { REFUSED_REASON, type RefusedKind } from "../mod.ts";

/** The command-line flag that allows each kind of refused line. */
export const ALLOW_FLAG: Readonly<Record<RefusedKind, string>> = {
  lock: "--allow-lock",
  loginuid: "--allow-loginuid-immutable",
  panic: "--allow-panic",
};

/** Why `kind` is refused and which flag allows it; `alternative` offers another way. */
export function refusalMessage(kind: RefusedKind, alternative = ""): string {
  return `${REFUSED_REASON[kind]}: refused without ${ALLOW_FLAG[kind]}${alternative}`;
}
