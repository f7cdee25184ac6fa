/**
 * What ausearch's csv and text formats both print of a normalised event:
 * the result as success or failure and the object's text.
 *
 * @module
 */

import type { FieldRef, NormalizedView } from "../interpret/normalize.ts";

/** RESULT: whether the result field says success, as ausearch decides it. */
export function succeeded(v: NormalizedView, ref: FieldRef): boolean {
  const item = v.interpret(ref);
  return item === "yes" || item.startsWith("suc") ||
    (v.kind(ref) === "seccomp" && item === "allow");
}

export function objectText(v: NormalizedView, ref: FieldRef): string {
  return v.realpath(ref) ?? v.interpret(ref);
}

export function primaryObject(v: NormalizedView, ref: FieldRef): string {
  // a file path first, then a setting's name
  return v.realpath(ref) ?? (v.norm.objectByName ? v.name(ref) : v.interpret(ref));
}
