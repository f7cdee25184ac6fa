import assert from "node:assert/strict";
import {
  builtinClassTable,
  builtinEventTable,
  loadEventTable,
  parseAuditClass,
  parseAuditEvent,
} from "../mod.ts";
import { AUDIT_CLASS_TEXT, AUDIT_EVENT_TEXT } from "../lib/bsm/_tables.ts";
import { generateTables } from "./bsm_gen_tables.ts";

const data = new URL("./data/bsm/", import.meta.url);
const classes = builtinClassTable();

Deno.test("the carried tables are OpenBSM's files, as the generator writes them", async () => {
  assert.equal(AUDIT_EVENT_TEXT, await Deno.readTextFile(new URL("audit_event", data)));
  assert.equal(AUDIT_CLASS_TEXT, await Deno.readTextFile(new URL("audit_class", data)));
  const generated = await generateTables();
  assert.ok(generated.includes(JSON.stringify(AUDIT_CLASS_TEXT)));
});

Deno.test("builtin tables: numbers, names, descriptions and class masks", () => {
  const events = builtinEventTable();
  assert.deepEqual(events.byNumber(23), {
    number: 23,
    name: "AUE_EXECVE",
    description: "execve(2)",
    classes: "pc,ex",
    mask: 0x40000080,
  });
  assert.equal(events.byNumber(0)?.description, "indir system call");
  assert.equal(events.byName("AUE_login")?.number, 6152);
  assert.equal(events.byNumber(45000)?.name, "AUE_audit_startup");
  assert.equal(events.byNumber(12345), undefined);
  assert.equal(classes.byName("all")?.mask, 0xffffffff);
  assert.equal(classes.entries.length, 20);
  // 718 lines of which the comments do not parse
  assert.ok(events.entries.length > 600);
});

Deno.test("audit_event: strtok collapses empty fields and cuts at every colon", () => {
  const t = parseAuditEvent("::7::AUE_A:::first: second:fr\n8:AUE_B\n", classes);
  assert.deepEqual(t.byNumber(7), {
    number: 7,
    name: "AUE_A",
    description: "first",
    classes: " second",
    mask: 0, // " second" is no class
  });
  assert.deepEqual(t.byNumber(8), {
    number: 8,
    name: "AUE_B",
    description: "",
    classes: "",
    mask: 0,
  });
});

Deno.test("audit_event: atoi numbers kept as u16, length limits, first match wins", () => {
  const long = "x".repeat(50);
  const t = parseAuditEvent(
    [
      " +65537junk:AUE_WRAP:wraps to 1:fr",
      `2:AUE_${"N".repeat(26)}:name of 30 bytes:fr`,
      `2:AUE_DESC:${long}:fr`,
      "2:AUE_OK:second line for 2:fr",
      "2:AUE_LATER:third line for 2:fw",
      "-1:AUE_NEG:minus one:fr",
      "abc:AUE_ZERO:not a number:fr",
    ].join("\n"),
    classes,
  );
  assert.equal(t.byNumber(1)?.name, "AUE_WRAP");
  assert.equal(t.byNumber(2)?.name, "AUE_OK");
  assert.equal(t.byNumber(65535)?.name, "AUE_NEG");
  assert.equal(t.byNumber(0)?.name, "AUE_ZERO");
});

Deno.test("audit_event: fgets cuts lines at 255 bytes and a NUL ends a line", () => {
  const head = "5:AUE_LONG:long:fr";
  const text = `${head}${
    " ".repeat(255 - head.length)
  }9:AUE_TAIL:tail:fr\n6:AUE_NUL\u0000:ignored\n`;
  const t = parseAuditEvent(text, classes);
  assert.equal(t.byNumber(5)?.classes, `fr${" ".repeat(255 - head.length)}`);
  assert.equal(t.byNumber(9)?.name, "AUE_TAIL");
  assert.deepEqual(t.byNumber(6), {
    number: 6,
    name: "AUE_NUL",
    description: "",
    classes: "",
    mask: 0,
  });
});

Deno.test("class masks: the enumeration stops at a bad line, the last entry wins", () => {
  const t = parseAuditEvent(
    "# comment\n1:AUE_A:a:fr\n1:AUE_A2:a again:fw\n\n2:AUE_B:after the empty line:fr\n",
    classes,
  );
  assert.equal(t.classMask(1), 0x2); // au_preselect's cache answers with the later entry
  assert.equal(t.byNumber(1)?.name, "AUE_A"); // getauevnum with the first
  assert.equal(t.classMask(2), undefined); // not enumerated: the empty line stops getauevent
  assert.equal(t.byNumber(2)?.name, "AUE_B"); // but a lookup scans on
});

Deno.test("audit_class: strtoul masks, limits, stop at a bad line; flags with ^, + and -", () => {
  const c = parseAuditClass(
    "# c\n0x10:aa:hex\n010:bb:octal\n12:cc:decimal\n0x1:toolongname:x\n0x2:dd:after a bad line\n",
  );
  assert.deepEqual(c.entries.map((e) => [e.name, e.mask]), [["aa", 16], ["bb", 8], ["cc", 12]]);
  assert.equal(c.byName("dd"), undefined);
  assert.deepEqual(c.parseFlags("aa,-bb,+cc"), { success: 16 | 12, failure: 16 | 8 });
  assert.deepEqual(c.parseFlags("aa,bb,^-bb"), { success: 24, failure: 16 });
  assert.equal(c.parseFlags("aa,zz"), undefined);
  assert.deepEqual(parseAuditClass("-1:neg:wraps\n").byName("neg")?.mask, 0xffffffff);
});

Deno.test("loadEventTable reads a given file and refuses a missing one", async () => {
  const t = await loadEventTable({
    eventFile: new URL("audit_event", data).pathname,
    classFile: new URL("audit_class", data).pathname,
  });
  assert.equal(t.byNumber(72)?.description, "open(2) - read");
  await assert.rejects(
    () => loadEventTable({ eventFile: "/nonexistent/audit_event" }),
    Deno.errors.NotFound,
  );
  const fallback = await loadEventTable();
  assert.ok(fallback.byNumber(23)); // the system's file or the carried copy
});
