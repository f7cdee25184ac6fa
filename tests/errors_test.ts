import assert from "node:assert/strict";
import { AuditError, AuditLibraryError, errnoMessage, errnoName, errnoNumber } from "../mod.ts";
import { kernelTest, oracleTest, runCli, runSnippet } from "./_helpers.ts";

const MOD = new URL("../mod.ts", import.meta.url).href;

const STATUS_SNIPPET = `
  import { openAudit } from ${JSON.stringify(MOD)};
  try {
    using a = openAudit();
    await a.status();
    console.log("ok");
  } catch (e) {
    console.log(JSON.stringify({ name: e.name, code: e.code, call: e.call, message: e.message }));
  }
`;

Deno.test("a missing libaudit gives AuditLibraryError telling what to install", async () => {
  const r = await runSnippet(STATUS_SNIPPET, {
    env: { AUDITKIT_LIBAUDIT: "/nonexistent/libaudit.so.1" },
  });
  assert.equal(r.code, 0, r.stderr);
  const e = JSON.parse(r.stdout);
  assert.deepEqual(e, {
    name: "AuditLibraryError",
    code: "ELIBACC",
    call: "dlopen",
    message: "libaudit.so.1 not found (tried /nonexistent/libaudit.so.1): install libaudit1",
  });
});

Deno.test("the CLI reports a missing libaudit on stderr with exit status 1", async () => {
  const r = await runCli(["status"], { env: { AUDITKIT_LIBAUDIT: "/nonexistent/libaudit.so.1" } });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    "auditkit: libaudit.so.1 not found (tried /nonexistent/libaudit.so.1): install libaudit1\n",
  );
});

Deno.test("importing mod.ts needs no permission at all", async () => {
  const r = await runSnippet(
    `import * as m from ${
      JSON.stringify(MOD)
    }; console.log(typeof m.openAudit, typeof m.auditctl);`,
    { denoArgs: ["--no-prompt"] },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "function function\n");
});

Deno.test("without --allow-ffi the permission error comes through unchanged", async () => {
  const r = await runSnippet(
    `import { openAudit } from ${JSON.stringify(MOD)};
     try { openAudit(); } catch (e) { console.log(e.constructor.name); }`,
    { denoArgs: ["--no-prompt", "--allow-env"] },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "NotCapable\n");
});

kernelTest(
  "without CAP_AUDIT_CONTROL status() fails with EPERM and says what is needed",
  async () => {
    const r = await runSnippet(STATUS_SNIPPET, {
      prefix: ["setpriv", "--bounding-set=-audit_control", "--inh-caps=-audit_control"],
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      name: "AuditError",
      code: "EPERM",
      call: "audit_request_status",
      message: "Cannot get the audit status: needs root or CAP_AUDIT_CONTROL",
    });
  },
);

kernelTest("in a user namespace status() says kernel audit is not available", async () => {
  const r = await runSnippet(STATUS_SNIPPET, { prefix: ["unshare", "--user", "--map-root-user"] });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    name: "AuditError",
    code: "ECONNREFUSED",
    call: "audit_request_status",
    message: "Cannot get the audit status: kernel audit is not available in this namespace",
  });
});

Deno.test("AuditError carries errno, code, call and a readable message", () => {
  const e = new AuditError({ call: "audit_set_enabled", errno: 1, action: "set enabled to 1" });
  assert.equal(e.errno, 1);
  assert.equal(e.code, "EPERM");
  assert.equal(e.call, "audit_set_enabled");
  assert.equal(e.message, "Cannot set enabled to 1: needs root or CAP_AUDIT_CONTROL");
  const w = new AuditError({ call: "x", errno: 13, capability: "CAP_AUDIT_WRITE" });
  assert.equal(w.message, "x failed: needs root or CAP_AUDIT_WRITE");
  const other = new AuditError({ call: "x", errno: 22 });
  assert.equal(other.message, "x failed: Invalid argument (EINVAL)");
  assert.ok(
    new AuditLibraryError("libaudit.so.1", "libaudit.so.1", "libaudit1", null) instanceof
      AuditError,
  );
});

oracleTest("the built-in errno table matches libaudit's names and libc's messages", [
  "libaudit.so.1",
], () => {
  const lib = Deno.dlopen("libaudit.so.1", {
    audit_errno_to_name: { parameters: ["i32"], result: "pointer" },
    audit_name_to_errno: { parameters: ["buffer"], result: "i32" },
  });
  const libc = Deno.dlopen("libc.so.6", { strerror: { parameters: ["i32"], result: "pointer" } });
  try {
    let named = 0;
    for (let n = 1; n < 256; n++) {
      const p = lib.symbols.audit_errno_to_name(n);
      const name = p ? Deno.UnsafePointerView.getCString(p) : undefined;
      assert.equal(errnoName(n), name, `errno ${n}`);
      if (!name) continue;
      named++;
      assert.equal(errnoNumber(name), n);
      const msg = Deno.UnsafePointerView.getCString(libc.symbols.strerror(n)!);
      assert.equal(errnoMessage(n), msg, `strerror(${n})`);
      assert.equal(
        lib.symbols.audit_name_to_errno(new TextEncoder().encode(name + "\0")),
        n,
      );
    }
    assert.ok(named > 120, `libaudit names ${named} errnos`);
    assert.equal(errnoMessage(4095), "Unknown error 4095");
  } finally {
    lib.close();
    libc.close();
  }
});
