/**
 * `search --format json`: every event the library reads is written (also
 * those ausearch passes over), each with its own stable id, and bytes that
 * are not UTF-8 survive the trip through JSON.
 */

import { deepStrictEqual, notStrictEqual, strictEqual } from "node:assert/strict";
import { oracleTest, ROOT } from "./_helpers.ts";
import { assertSameAs, inProcess } from "./_log_parity.ts";
import { runSearch } from "../cli/search.ts";
import { eventToJson, jsonEventId, jsonText, readEvents } from "../mod.ts";

const LOGS = ["log_samples", "log_realistic", "log_realistic2", "log_contexts"].map((n) =>
  `${ROOT}tests/data/${n}.log`
);

/** The JSON lines `auditkit search ARGS --format json` writes, parsed, and its exit status. */
async function searchJson(args: string[]): Promise<{ events: JsonEvent[]; code: number }> {
  let out = "";
  const code = await runSearch([...args, "--format", "json"], (s) => {
    out += s;
  }, () => {});
  return { events: out.split("\n").filter((l) => l).map((l) => JSON.parse(l)), code };
}

type JsonEvent = ReturnType<typeof eventToJson>;

async function libraryEvents(file: string): Promise<JsonEvent[]> {
  const all: JsonEvent[] = [];
  for await (const ev of readEvents(file)) all.push(eventToJson(ev));
  return all;
}

Deno.test("JSON carries every event readEvents reads, AppArmor AVCs included", async () => {
  let apparmor = 0;
  for (const file of LOGS) {
    const want = await libraryEvents(file);
    const { events } = await searchJson(["-if", file]);
    deepStrictEqual(events, want, file);
    apparmor += events.filter((e) => e.records.some((r) => "apparmor" in r.raw)).length;
  }
  // log_samples has one AppArmor AVC, log_realistic two (a STATUS and a DENIED)
  strictEqual(apparmor, 3);
});

Deno.test("JSON selects AppArmor AVCs by what their records hold", async () => {
  // an AppArmor AVC alone (no syscall rule made the kernel add its SYSCALL record)
  const file = await Deno.makeTempFile();
  await Deno.writeTextFile(
    file,
    `type=AVC msg=audit(1700000050.000:90): apparmor="DENIED" operation="open" class="file" profile="/usr/sbin/cupsd" name="/etc/shadow" pid=1300 comm="cupsd" requested_mask="r" denied_mask="r" fsuid=0 ouid=0\n`,
  );
  try {
    const count = async (args: string[]) =>
      (await searchJson(["-if", file, ...args])).events.length;
    strictEqual(await count([]), 1);
    strictEqual(await count(["-m", "AVC"]), 1);
    // pid=, comm= and name= come before the tclass= an AppArmor AVC lacks, and are read
    strictEqual(await count(["-p", "1300"]), 1);
    strictEqual(await count(["-c", "cupsd"]), 1);
    strictEqual(await count(["-f", "/etc/shadow"]), 1);
    strictEqual(await count(["-p", "1301"]), 0);
    // SELinux's scontext= and "avc: denied" are not there: -su and -sv find nothing
    strictEqual(await count(["-su", "cupsd"]), 0);
    strictEqual(await count(["-sv", "no"]), 0);
    // ausearch shows it in none of its formats
    strictEqual((await inProcess("ausearch", ["-if", file])).code, 1);
  } finally {
    await Deno.remove(file);
  }
});

oracleTest(
  "-m AVC on AppArmor records: ausearch shows none in any of its formats, nor does auditkit",
  [
    "ausearch",
  ],
  async () => {
    for (const file of LOGS) {
      for (
        const format of [[], ["-i"], ["--raw"], ["--format", "csv"], ["--format", "text"], [
          "--debug",
        ]]
      ) {
        await assertSameAs("ausearch", ["-if", file, "-m", "AVC", ...format], {
          env: { TZ: "UTC", LC_ALL: "C" },
        });
      }
    }
  },
);

Deno.test("JSON ids are unique, and the same event read again has the same id", async () => {
  const file = `${ROOT}tests/data/log_realistic.log`;
  const text = await Deno.readTextFile(file);
  for (const f of LOGS) {
    const ids = (await searchJson(["-if", f])).events.map((e) => e.id);
    strictEqual(new Set(ids).size, ids.length, f);
  }
  // a LOGIN and the SYSCALL of the same write to loginuid share their stamp
  const { events } = await searchJson(["-if", file, "-a", "62"]);
  deepStrictEqual(events.map((e) => e.records[0].type), ["LOGIN", "SYSCALL"]);
  notStrictEqual(events[0].id, events[1].id);
  for (const e of events) strictEqual(e.id.startsWith(`${e.sec}.${e.msec}:${e.serial}/`), true);
  // the same events alone, or in a log read twice, keep their ids
  const alone = await Deno.makeTempFile();
  const twice = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(alone, text.split("\n").filter((l) => l.includes(":62)")).join("\n"));
    await Deno.writeTextFile(twice, text + text);
    deepStrictEqual(
      (await searchJson(["-if", alone])).events.map((e) => e.id),
      events.map((e) => e.id),
    );
    const again = (await searchJson(["-if", twice, "-a", "62"])).events.map((e) => e.id);
    deepStrictEqual(new Set(again), new Set(events.map((e) => e.id)));
  } finally {
    await Deno.remove(alone);
    await Deno.remove(twice);
  }
  // with a node, the node is part of the id
  const node = (await searchJson(["-if", LOGS[0], "-n", "web1"])).events[0];
  strictEqual(node.id.startsWith(`${node.sec}.${node.msec}:${node.serial}@web1/`), true);
  for await (const ev of readEvents(LOGS[0])) strictEqual(eventToJson(ev).id, jsonEventId(ev));
});

Deno.test("JSON keeps bytes that are not UTF-8 percent-encoded, and % as %25", async () => {
  const bin = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeFile(
      file,
      bin(
        `type=PATH msg=audit(1700000001.100:12): item=0 name=2F746D702F61FFC3A9 nametype=NORMAL\n` +
          `type=USER_CMD msg=audit(1700000000.100:10): pid=1 uid=0 auid=0 ses=1 msg='cwd="/tmp/\xfe%" cmd=41 res=success'\n`,
      ),
    );
    let out = "";
    await runSearch(["-if", file, "--format", "json"], (s) => {
      out += s;
    }, () => {});
    // the JSON text is valid UTF-8 with no escapes of lone surrogates: every parser reads it alike
    strictEqual(out.includes("\\ud"), false, out);
    strictEqual(out.includes("/tmp/a%FF\u00e9"), true, out);
    strictEqual(out.includes('"\\"/tmp/%FE%25\\""'), true, out);
    const [cmd, path] = out.trim().split("\n").map((l) => JSON.parse(l));
    // RFC 3986 percent-decoding to bytes gives the log's bytes back
    const bytes = (s: string) => {
      const out: number[] = [];
      const utf8 = new TextEncoder().encode(s);
      for (let i = 0; i < utf8.length; i++) {
        if (utf8[i] === 0x25) {
          out.push(parseInt(String.fromCharCode(utf8[i + 1], utf8[i + 2]), 16));
          i += 2;
        } else out.push(utf8[i]);
      }
      return Uint8Array.from(out);
    };
    deepStrictEqual(bytes(path.records[0].interpreted.name), bin("/tmp/a\xff\xc3\xa9"));
    deepStrictEqual(bytes(cmd.records[0].interpreted.cwd), bin("/tmp/\xfe%"));
    deepStrictEqual(bytes(cmd.records[0].raw.cwd), bin('"/tmp/\xfe%"'));
    // the object model says the same as the encoder
    for await (const ev of readEvents(file)) {
      strictEqual(out.includes(JSON.stringify(eventToJson(ev))), true);
    }
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("jsonText: only % and lone U+DC80-U+DCFF change; surrogate pairs are characters", () => {
  strictEqual(jsonText("plain /etc/passwd"), "plain /etc/passwd");
  strictEqual(jsonText("100%"), "100%25");
  strictEqual(jsonText("a\udcff\udc80"), "a%FF%80");
  strictEqual(jsonText("\ud83d\ude00"), "\ud83d\ude00");
  strictEqual(jsonText("\udbff\udcff"), "\udbff\udcff");
  strictEqual(jsonText("\udc00"), "\udc00");
});
