/**
 * One user-space record whose text the caller built: sent as given (an
 * AUDIT_USER-range netlink request, the ACK awaited without blocking the
 * event loop) and, on request, read back to learn whether the kernel
 * generated it. audgen and the BSM kernel sink both write through here.
 *
 * The caller vouches for the text's fields: the kernel writes it verbatim
 * inside `msg='...'`, so every value in it must already be encoded (see
 * `encodeValue`).
 *
 * @module
 */

import { type AuditClient, openAudit } from "../client.ts";
import { sendUserMessage } from "./_send.ts";
import { RecordWatch } from "./_confirm.ts";
import { valueBytes } from "./encode.ts";
import {
  AUDIT_MESSAGE_TEXT_MAX,
  type Generation,
  resolveUserMessageType,
  type UserMessageType,
  userMessageTypeName,
  type VerifyOptions,
  verifyTimeout,
} from "./types.ts";

/** Options of {@link writeUserText}; `verify` defaults to false. */
export interface UserTextOptions extends VerifyOptions {
  /** A client to use; by default one is opened and closed for the call. */
  client?: AuditClient;
  /** The function name errors report (default `"audit_send"`). */
  call?: string;
}

/** A record {@link writeUserText} sent. */
export interface UserTextResult extends Generation {
  /** The record type number. */
  type: number;
  /** The record type's name, such as `"TRUSTED_APP"`. */
  typeName: string;
  /** The text sent (what the record's `msg='...'` holds). */
  text: string;
}

/**
 * Sends `text` as one user message of `type` (1005, 1100-1199,
 * 2100-2999). A text with a NUL or longer than the kernel keeps
 * ({@link AUDIT_MESSAGE_TEXT_MAX} bytes) is a `RangeError` and nothing is
 * sent; a refusal by the kernel is an `AuditError` with its errno (`EPERM`
 * without CAP_AUDIT_WRITE, `ECONNREFUSED` where audit is unavailable).
 * With `verify`, `generated` says whether the kernel logged the record.
 *
 * @example
 * ```ts ignore
 * import { writeUserText } from "../../mod.ts";
 * const r = await writeUserText("TRUSTED_APP", 'op="backup" res=success', { verify: true });
 * if (!r.generated) console.error(r.reason);
 * ```
 */
export async function writeUserText(
  type: UserMessageType,
  text: string,
  options: UserTextOptions = {},
): Promise<UserTextResult> {
  const call = options.call ?? "audit_send";
  const t = resolveUserMessageType(type, call);
  const typeName = userMessageTypeName(t);
  const bytes = valueBytes(text);
  if (bytes.includes(0)) {
    throw new RangeError(`Cannot write the ${typeName} record: its text has a NUL byte`);
  }
  if (bytes.length > AUDIT_MESSAGE_TEXT_MAX) {
    throw new RangeError(
      `Cannot write the ${typeName} record: its text is ${bytes.length} bytes, the kernel keeps at most ${AUDIT_MESSAGE_TEXT_MAX}`,
    );
  }
  const timeoutMs = verifyTimeout(options);
  const own = options.client ? undefined : openAudit();
  const client = options.client ?? own!;
  try {
    using watch = options.verify ? await RecordWatch.start(client, t) : undefined;
    await sendUserMessage(client, t, bytes, { call, action: `write the ${typeName} record` });
    const written = { type: t, typeName, text };
    if (!watch) return { ...written, generated: undefined, reason: "not verified" };
    return { ...written, ...(await watch.result(bytes, timeoutMs)) };
  } finally {
    own?.close();
  }
}
