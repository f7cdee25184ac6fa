/**
 * ausearch `-i` (`--format interpret`): each record's values interpreted.
 *
 * @module
 */

import type { AuditEvent } from "../event/assemble.ts";
import { type AuditRecord, decodeBytes } from "../event/record.ts";
import { msgTypeName, RecordType } from "../event/types.ts";
import {
  contextOf,
  type EscapeMode,
  escapeValue,
  fieldKind,
  type InterpretContext,
  interpretValue,
} from "../interpret/interpret.ts";
import { elfToMachine, HOST_MACHINE } from "../interpret/tables.ts";
import { printedRecords } from "./default.ts";
import { stampOf } from "./time.ts";
import type { EventFormatter } from "./formatter.ts";

function stripLead(name: string): string {
  const c = name.charCodeAt(0);
  return c === 0x20 || c === 0x28 ? name.replace(/^[ (]+/, "") : name;
}

/** ausearch's safe printing: control characters as `\ooo`. */
function safe(s: string): string {
  return escapeValue(s, "tty");
}

/**
 * One record as `ausearch -i` prints it. This follows ausearch's own text
 * walk over the line (not auparse's field list): it decides names and values
 * from `=`, spaces, quotes and commas, keeps `msg='` and the text between
 * fields, and interprets each value.
 */
export function formatInterpretedRecord(
  event: AuditEvent,
  r: AuditRecord,
  escape: EscapeMode = "tty",
): string {
  const line = decodeBytes(r.buffer, r.typeStart, r.textEnd);
  let out = event.node !== undefined ? `node=${event.node} ` : "";
  const paren = line.indexOf("(");
  if (paren < 0) return "";
  if (msgTypeName(r.type) !== undefined) out += `type=${r.typeName} msg=audit(`;
  else {
    // a type libaudit has no name for: the line as written up to the stamp (after the
    // node word, when there is one)
    let from = r.start;
    if (event.node !== undefined) {
      while (from < r.typeStart && r.buffer[from] !== 0x20) from++;
      from++;
    }
    out += decodeBytes(r.buffer, from, r.typeStart + paren) + "(";
  }
  const close = line.indexOf(")", paren + 1);
  if (close < 0) return out;
  out += `${stampOf(event.sec)}.${String(event.msec).padStart(3, "0")}:${event.serial}) `;
  let str: number | undefined = close + 1;
  let machine = -1;
  let syscall = -1;
  const isSyscall = r.type === RecordType.SYSCALL || r.type === RecordType.SECCOMP;
  // a SYSCALL record's own arguments (ausearch parsed them from each SYSCALL record)
  const ectx = r.type === RecordType.SYSCALL ? contextOf(r) : undefined;
  const a0 = ectx?.a0 ?? 0n, a1 = ectx?.a1 ?? 0n;
  const enrichment = r.enriched ? r.interpretations : undefined;
  // one context for the record's fields, its machine and syscall set as they are read
  const ctx: InterpretContext = { machine, syscall: 0, a0, a1, enrichment };
  let found = false;
  let comma = false;
  // ausearch's pointer: at the time stamp until a look for "=" fails (an empty rest looks for none)
  let eq = paren;
  while (str !== undefined && str < line.length && (eq = line.indexOf("=", str)) >= 0) {
    comma = false;
    found = true;
    let nameStart = eq;
    while (line[nameStart] !== " " && nameStart > str) nameStart--;
    out += line.slice(str, eq) + "=";
    let name = line.slice(nameStart, eq);
    const ptr = eq + 1;
    if (name === "msg") {
      str = ptr;
      continue;
    }
    if (name[0] === "'") name = name.slice(1);
    let valEnd: number;
    const q = line[ptr];
    if (q === "'" || q === '"') {
      const endq = line.indexOf(q, ptr + 1);
      if (endq < 0) {
        valEnd = line.length;
        str = undefined;
      } else {
        valEnd = endq + 1;
        str = valEnd < line.length ? valEnd + 1 : valEnd;
      }
    } else {
      const c = line.indexOf(",", ptr);
      const sp = line.indexOf(" ", ptr);
      if (c >= 0 && sp >= 0 && c < sp) {
        const k = fieldKind(r.type, stripLead(name), line.slice(ptr, sp));
        if (k === "mac_label") {
          valEnd = sp;
          str = sp + 1;
        } else {
          valEnd = c;
          str = c + 1;
          comma = true;
        }
      } else if (c >= 0 && sp < 0) {
        const k = fieldKind(r.type, stripLead(name), line.slice(ptr));
        if (k === "mac_label") {
          valEnd = line.length;
          str = undefined;
        } else {
          valEnd = c;
          str = c + 1;
          comma = true;
        }
      } else if (sp >= 0) {
        valEnd = sp;
        str = sp + 1;
      } else {
        valEnd = line.length;
        str = line.length;
      }
    }
    let val = line.slice(ptr, valEnd);
    name = stripLead(name);
    if (name === "acct" && val.endsWith(":")) val = val.slice(0, -1);
    const kind = fieldKind(r.type, name, val);
    if (isSyscall) {
      if (machine === -1) machine = HOST_MACHINE;
      if (name === "arch") {
        const m = /^\s*(?:0[xX])?([0-9a-fA-F]+)/.exec(val);
        machine = m ? elfToMachine(parseInt(m[1], 16) >>> 0) : elfToMachine(0);
      }
      if (syscall < 0 && name === "syscall") {
        const m = /^\s*(\d+)/.exec(val);
        syscall = m ? Number(m[1]) : 0;
      }
    }
    ctx.machine = machine;
    ctx.syscall = isSyscall ? syscall : 0;
    if (kind === "unclassified") {
      out += val + (comma ? "," : " ");
      continue;
    }
    const interp = kind === "mac_label" ? val : interpretValue(kind, name, val, ctx, escape);
    if (name === "key") {
      const keys = interp.split("\x01");
      out += keys.length === 1 ? `${interp} ` : `${keys.join(" key=")} `;
    } else if (kind === "tty_data") out += interp;
    else out += interp + " ";
  }
  // ausearch prints such a remainder with its own newline, then the record's
  if (!found && eq < 0 && str !== undefined) out += safe(line.slice(str)) + "\n";
  else if (comma && str !== undefined) out += safe(line.slice(str)) + "\n";
  return out + "\n";
}

/**
 * `ausearch -i`: `----`, then each record interpreted, newest first.
 *
 * @example
 * ```ts
 * import { formatInterpreted, readEvents } from "../../mod.ts";
 * for await (const ev of readEvents("/var/log/audit/audit.log")) console.log(formatInterpreted(ev));
 * ```
 */
export function formatInterpreted(event: AuditEvent, escape: EscapeMode = "tty"): string {
  let out = "----\n";
  for (const r of printedRecords(event)) out += formatInterpretedRecord(event, r, escape);
  return out;
}

/** `-i`, `--format interpret`. */
export const INTERPRETED: EventFormatter = {
  interprets: true,
  carriesNames: false,
  ausearch: true,
  open: ({ escape = "tty" }) => ({ write: (event) => formatInterpreted(event, escape) }),
};
