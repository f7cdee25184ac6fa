/**
 * The log reader against libauparse itself, through FFI: the same text is
 * walked by libauparse (auparse_init on a buffer, every event, record and
 * field) and by auditkit, and each field's name, value and interpretation
 * must be the same.
 */

import { deepStrictEqual, ok } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { interpretField, loadTables, readEvents } from "../mod.ts";
import { auparse } from "../lib/_native.ts";
import { cStringText, oracleTest } from "./_helpers.ts";
import { damagedLog } from "./_log_mutations.ts";
import { MSG_TYPES } from "../lib/event/_tables.ts";

const AUSOURCE_BUFFER = 3;
const AUPARSE_ESC_RAW = 0;
const enc = new TextEncoder();

/** A record's fields as `name=value => interpretation` lines; the node and type are left out. */
type Walk = string[][];

const str = (p: Deno.PointerValue) => p === null ? "(null)" : cStringText(p);

/**
 * A field libauparse interprets by reading memory it never set (undefined
 * behaviour): a proctitle starting with "(" or with "00" and more, whose
 * printer looks for NULs up to half the value's length, past what
 * au_unescape wrote; an AX.25 or ATM PVC sockaddr shorter than what its
 * printer reads. Its interpretation is left out on both sides.
 */
function undefinedInC(name: string, value: string): boolean {
  if (name === "proctitle") return value.startsWith("(") || value.startsWith("00");
  // AX.25 and ATM PVC addresses are read without a length check
  if (name === "saddr") {
    // au_unescape's buffer is set up to the end of the hex digits and to half the value's length
    const set = Math.max(/^[0-9A-Fa-f]*/.exec(value)![0].length, value.length >> 1);
    return (/^03/.test(value) && set < 8) || (/^08/.test(value) && set < 5);
  }
  return false;
}

const line = (name: string, value: string, interpretation: string) =>
  `${name}=${value} => ${undefinedInC(name, value) ? "(undefined in C)" : interpretation}`;

/** Every record of every event of `text` as libauparse lists and interprets its fields. */
function libauparseWalk(text: string, events = false): Walk {
  const lib = auparse();
  const au = lib.auparse_init!(AUSOURCE_BUFFER, enc.encode(text + "\0"));
  ok(au !== null, "auparse_init failed");
  const out: Walk = [];
  try {
    lib.auparse_set_escape_mode!(au, AUPARSE_ESC_RAW);
    while (lib.auparse_next_event!(au) > 0) {
      if (events) out.push(["event"]);
      do {
        const fields: string[] = [];
        let first = true;
        do {
          const name = str(lib.auparse_get_field_name!(au));
          // libauparse lists the node and the record type as the first fields
          if (first && name === "node") continue;
          if (first && name === "type") {
            first = false;
            continue;
          }
          first = false;
          const raw = lib.auparse_get_field_str!(au);
          // a field without value (a key that is not hex): libauparse interprets it as " "
          // where the kind is the name's, and crashes where the kind depends on the value
          // (TRUSTED_APP), so it is not asked
          const interpretation = raw === null ? " " : str(lib.auparse_interpret_field!(au));
          fields.push(line(name, str(raw), interpretation));
        } while (lib.auparse_next_field!(au) > 0);
        out.push(fields);
      } while (lib.auparse_next_record!(au) > 0);
    }
  } finally {
    lib.auparse_destroy!(au);
  }
  return out;
}

async function auditkitWalk(text: string, events = false): Promise<Walk> {
  const out: Walk = [];
  for await (const ev of readEvents(enc.encode(text))) {
    if (events) out.push(["event"]);
    for (const r of ev.records) {
      const fields: string[] = [];
      for (let i = 0; i < r.fieldCount; i++) {
        fields.push(line(r.fieldName(i), r.fieldValue(i), interpretField(ev, r, i, "raw")));
      }
      out.push(fields);
    }
  }
  return out;
}

/** Values as logs have them, and the faults they come with. */
const VALUES = [
  "0",
  "1",
  "-1",
  "4294967295",
  "13",
  "yes",
  "no",
  "c000003e",
  "40000003",
  "7ffd0000",
  "(null)",
  "(none)",
  "?",
  "",
  ":",
  "x,",
  "y)",
  "z'",
  "a:",
  '"cat"',
  '"/etc/passwd"',
  '"unterminated',
  "2F746D70",
  "6162",
  "6162zz",
  "616",
  "0061",
  "00616263",
  "6",
  "0A",
  "02000050C0A800010000000000000000",
  "0100",
  "zz",
  "0644",
  "0100644",
  "rwxa",
  "ffffffff",
  "000001ffffffffff",
  "success",
  "failed",
  "deny",
  "(none):",
  "(null),",
  "y)'",
  "x:,')",
  "6E6574016F7574",
  "6E657401016F7574",
  "01",
  "6E6574002F",
  "6E22",
  "6E6",
  "abc=def",
  "'q'",
  '"a,b"',
  "0x10",
  " ",
];

const NAMES = [
  "pid",
  "uid",
  "auid",
  "ses",
  "exit",
  "success",
  "arch",
  "syscall",
  "a0",
  "a1",
  "a2",
  "a3",
  "comm",
  "exe",
  "key",
  "name",
  "mode",
  "proctitle",
  "saddr",
  "data",
  "cap_fp",
  "res",
  "acct",
  "hostname",
  "addr",
  "terminal",
  "op",
  "perm",
  "sig",
  "list",
  "item",
  "nametype",
  "cwd",
  "path",
  "argc",
  "x",
  "(x",
  "((y",
  "msg",
  "sauid",
  "new-disabled",
];

const TYPES = [
  "SYSCALL",
  "PATH",
  "CWD",
  "EXECVE",
  "PROCTITLE",
  "SOCKADDR",
  "TTY",
  "USER_TTY",
  "CONFIG_CHANGE",
  "SECCOMP",
  "ANOM_ABEND",
  "DAEMON_START",
  "USER_LOGIN",
  "USER_CMD",
  "CRED_ACQ",
  "LOGIN",
  "BPF",
  "NETFILTER_CFG",
  "USER_AVC",
  "SERVICE_START",
  "AVC",
  // types as libaudit reads them: any case, UNKNOWN[n], a number, or unknown (-1)
  "syscall",
  "UNKNOWN[1999]",
  "1998",
  "FOOBAR",
];

const USER_TYPES = new Set([
  "USER_LOGIN",
  "USER_CMD",
  "CRED_ACQ",
  "USER_TTY",
  "USER_AVC",
  "SERVICE_START",
]);

/** Any text without spaces or newlines (ASCII, control characters, UTF-8, "=" and quotes). */
const word = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(..."abcdef0189ABCDEF=\"'(),:{}/.-_") },
    fc.constantFrom("\t", "\x01", "\x7f", "\u00e9", "\u20ac", "\u{1F600}"),
  ),
  maxLength: 12,
});

const field = fc.tuple(
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...NAMES) }, word),
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...VALUES) }, word),
).map(([n, v]) => `${n}=${v}`);

/** Body text: fields, and now and then a word without "=" or a stray space. */
const body = (max: number) =>
  fc.array(
    fc.oneof(
      { weight: 8, arbitrary: field },
      fc.constantFrom("avc:", "denied", "{", "read", "}", ""),
    ),
    {
      maxLength: max,
    },
  ).map((parts) => parts.join(" "));

/** What auditd appends to a record in the ENRICHED format. */
const enrichment = fc.constantFrom(
  "",
  '\x1dUID="root" AUID="unset"',
  "\x1dARCH=x86_64 SYSCALL=read",
);

/** One record: a kernel-style list of fields, or a user record with its msg='...' part. */
const record = fc.record({
  node: fc.constantFrom("", "", "node=host1 "),
  // the usual types, and any other libaudit knows (each has its own field kinds)
  type: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...TYPES) },
    fc.constantFrom(...MSG_TYPES.map(([, n]) => n)),
  ),
  head: body(8),
  user: fc.array(field, { maxLength: 6 }),
  // a SYSCALL-like start: arch, syscall and args where libauparse looks for them
  syscallStart: fc.boolean(),
  enrichment,
}).map(({ node, type, head, user, syscallStart, enrichment }) => {
  const start = syscallStart
    ? "arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c a1=7ffd1234 a2=0 a3=3 "
    : "";
  const text = USER_TYPES.has(type) ? `${start}${head} msg='${user.join(" ")}'` : `${start}${head}`;
  return `${node}type=${type} msg=audit(@TS@): ${text}`.trimEnd() + enrichment;
});

oracleTest(
  "fields and their interpretations are libauparse's, on records with real-log faults",
  ["libauparse.so.0"],
  async () => {
    await loadTables();
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 6 }), async (records) => {
        // each record its own event (a new serial each), all in time order
        const text = records
          .map((r, i) => r.replace("@TS@", `1700000000.${String(i).padStart(3, "0")}:${i + 1}`))
          .join("\n") + "\n";
        deepStrictEqual(await auditkitWalk(text), libauparseWalk(text), text);
        compared++;
      }),
      { numRuns: Number(Deno.env.get("RUNS") ?? 400) },
    );
    ok(compared >= 1);
  },
);

/** Records of a few events, interleaved and out of order as logs of busy hosts have them. */
const grouped = fc.array(
  fc.record({
    type: fc.constantFrom(
      "SYSCALL",
      "PATH",
      "CWD",
      "PROCTITLE",
      "EOE",
      "USER_LOGIN",
      "CONFIG_CHANGE",
      // an unknown type (-1), EOE and PROCTITLE by number: they end events the same way
      "FOOBAR",
      "UNKNOWN[1320]",
      "1327",
    ),
    sec: fc.integer({ min: 0, max: 6 }),
    serial: fc.integer({ min: 1, max: 4 }),
    node: fc.constantFrom("", "", "node=a ", "node=b "),
    fields: body(4),
    // a CR before the newline (CRLF logs) is part of the line
    cr: fc.boolean(),
    // time stamps as written, and as only the C parser reads them
    stamp: fc.constantFrom("%s.000:%n", "%s.000:%n", "%s.5:%n", "%s:%n", "%s.000", "%s.1000:%n"),
  }),
  { minLength: 1, maxLength: 30 },
).map((rs) =>
  rs.map(({ type, sec, serial, node, fields, cr, stamp }) =>
    `${node}type=${type} msg=audit(${
      stamp.replace("%s", String(1700000000 + sec)).replace("%n", String(serial))
    }): ${fields}`.trimEnd() + (cr ? "\r" : "")
  ).join("\n") + "\n"
);

/** Every generated log walks the same (events and fields) in auditkit and libauparse; `RUNS` scales. */
function walksAsLibauparse(logs: fc.Arbitrary<string>, runs: number): () => Promise<void> {
  return async () => {
    await loadTables();
    await fc.assert(
      fc.asyncProperty(logs, async (text) => {
        deepStrictEqual(await auditkitWalk(text, true), libauparseWalk(text, true), text);
      }),
      { numRuns: Number(Deno.env.get("RUNS") ?? runs) },
    );
  };
}

oracleTest(
  "events are grouped as libauparse groups them, and their records' fields read the same",
  ["libauparse.so.0"],
  walksAsLibauparse(grouped, 300),
);

oracleTest(
  "sample logs cut, shuffled and damaged walk as libauparse walks them (a mutation property test)",
  ["libauparse.so.0"],
  walksAsLibauparse(damagedLog.map((lines) => lines.join("\n") + "\n"), 500),
);

oracleTest(
  "every field of the sample logs reads and interprets as libauparse reads it",
  ["libauparse.so.0"],
  async () => {
    await loadTables();
    for (const name of ["log_samples.log", "log_realistic.log", "log_realistic2.log"]) {
      const text = await Deno.readTextFile(new URL(`./data/${name}`, import.meta.url));
      const ours = await auditkitWalk(text, true);
      deepStrictEqual(ours, libauparseWalk(text, true), name);
      ok(ours.length > 50, `${name}: ${ours.length} records`);
    }
  },
);
