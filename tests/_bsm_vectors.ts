/**
 * shared/bsm/vectors.json for the BSM tests: OpenBSM-made tokens, records
 * and trails with praudit's outputs (REFERENCE.md 8.8).
 *
 * @module
 */

/** praudit's output in one mode. */
export interface PrauditRun {
  stdout: string;
  stderr: string;
  exit: number;
}

/** One stored token, record or trail. */
export interface BsmVector {
  hex: string;
  len: number;
  first_byte_token_id: string;
  praudit?: Record<"n" | "rn" | "sn" | "ln" | "xn" | "lrn_pipe", PrauditRun>;
}

/** The file's top-level sets. */
export interface BsmVectors {
  tokens: Record<string, BsmVector>;
  records: Record<string, BsmVector>;
  trails: Record<string, BsmVector>;
  openbsm_reference: Record<string, BsmVector>;
}

/** The vectors (a copy of shared/bsm/vectors.json), parsed. */
export const vectors: BsmVectors = JSON.parse(
  Deno.readTextFileSync(new URL("./data/bsm/vectors.json", import.meta.url)),
);

/** Bytes of a hex string. */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
