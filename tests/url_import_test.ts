import assert from "node:assert/strict";
import { openAudit } from "../mod.ts";
import { kernelTest, ROOT, run } from "./_helpers.ts";

/** Serves the repository's files on loopback (each path asked for goes to `fetched`). */
function serveRepository(
  signal: AbortSignal,
  fetched: string[] = [],
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal, onListen: () => {} },
    async (req) => {
      const path = decodeURIComponent(new URL(req.url).pathname);
      if (path.includes("..")) return new Response("no", { status: 400 });
      fetched.push(path);
      try {
        const body = await Deno.readFile(`${ROOT}${path.slice(1)}`);
        return new Response(body, { headers: { "content-type": "application/typescript" } });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
}

/**
 * Runs `script` of `dir` as a user would who imports auditkit by URL: no
 * deno.json, no lock file, a fresh module cache (`cache`), `flags` only.
 */
function runScratch(dir: string, script: string, cache: string, flags: string[]) {
  return run(
    Deno.execPath(),
    ["run", "--no-config", "--no-lock", "--reload", ...flags, script],
    { cwd: dir, env: { DENO_DIR: `${dir}/${cache}` } },
  );
}

// Users import mod.ts by URL with no import map: serve the repository on
// loopback and import it from a scratch directory that has no deno.json.
kernelTest(
  "mod.ts imported by URL from a directory without deno.json reads the status and live events",
  async () => {
    using audit = openAudit();
    await audit.setEnabled(1);
    const fetched: string[] = [];
    const ac = new AbortController();
    const server = serveRepository(ac.signal, fetched);
    const scratch = await Deno.makeTempDir();
    try {
      const host = `127.0.0.1:${server.addr.port}`;
      // what importing mod.ts alone fetches (importing needs no permission but the import)
      await Deno.writeTextFile(`${scratch}/only.ts`, `import "http://${host}/mod.ts";`);
      const only = await runScratch(scratch, "only.ts", "deno_dir_only", [
        `--allow-import=${host}`,
      ]);
      assert.equal(only.code, 0, only.stderr);
      const imported = new Set(fetched.splice(0));
      // the live stream's reader thread has no module of its own to load: nothing more is fetched
      await Deno.writeTextFile(
        `${scratch}/main.ts`,
        `import { openAudit, formatStatus, openLive } from "http://${host}/mod.ts";
       using a = openAudit();
       const s = await a.status();
       await using live = openLive({ signal: AbortSignal.timeout(10_000) });
       await live.ready;
       // the same rate limit again: no change, but the kernel logs a CONFIG_CHANGE record
       await a.setRateLimit(s.rate_limit);
       let live_ = false;
       for await (const item of live) {
         const r = item.kind === "event" ? item.event.records[0] : undefined;
         if (r?.typeName === "CONFIG_CHANGE" && r.get("audit_rate_limit") !== undefined) {
           live_ = true;
           break;
         }
       }
       console.log(JSON.stringify({ enabled: s.enabled, text: formatStatus(s), live: live_ }));`,
      );
      // the narrowest flags: the import, FFI, the environment (AUDITKIT_LIBC); no file read
      const r = await runScratch(scratch, "main.ts", "deno_dir", [
        `--allow-import=${host}`,
        "--allow-ffi",
        "--allow-env",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(typeof out.enabled, "number");
      assert.match(out.text, /^enabled \d\nfailure \d\npid \d+\nrate_limit \d+\n/);
      assert.equal(out.live, true, r.stderr);
      assert.deepEqual(new Set(fetched), imported);
    } finally {
      ac.abort();
      await server.finished;
      await Deno.remove(scratch, { recursive: true });
    }
  },
);

// events.ts is the reader alone: by URL it fetches only the reader's modules, and reads a log
// with no permission but reading it (no FFI, no environment)
Deno.test("events.ts imported by URL fetches the reader's modules only and reads a log", async () => {
  const fetched: string[] = [];
  const ac = new AbortController();
  const server = serveRepository(ac.signal, fetched);
  const scratch = await Deno.makeTempDir();
  try {
    const host = `127.0.0.1:${server.addr.port}`;
    await Deno.writeTextFile(
      `${scratch}/audit.log`,
      'type=SYSCALL msg=audit(1.000:1): syscall=2 key="k"\ntype=CWD msg=audit(1.000:1): cwd="/"\n' +
        "type=EOE msg=audit(1.000:1): \n",
    );
    await Deno.writeTextFile(
      `${scratch}/main.ts`,
      `import { readEvents } from "http://${host}/events.ts";
       for await (const ev of readEvents("audit.log")) {
         console.log(ev.id, ev.records.map((r) => r.typeName + " " + r.fields().length).join(","));
       }`,
    );
    const r = await runScratch(scratch, "main.ts", "deno_dir", [
      `--allow-import=${host}`,
      `--allow-read=${scratch}`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "1.000:1 SYSCALL 2,CWD 1,EOE 0\n");
    assert.deepEqual([...new Set(fetched)].sort(), [
      "/events.ts",
      "/lib/c_number.ts",
      "/lib/event/_tables.ts",
      "/lib/event/assemble.ts",
      "/lib/event/record.ts",
      "/lib/event/types.ts",
      "/lib/source/file.ts",
    ]);
  } finally {
    ac.abort();
    await server.finished;
    await Deno.remove(scratch, { recursive: true });
  }
});
