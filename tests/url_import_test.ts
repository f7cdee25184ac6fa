import assert from "node:assert/strict";
import { kernelTest, ROOT, run } from "./_helpers.ts";

// Users import mod.ts by URL with no import map: serve the repository on
// loopback and import it from a scratch directory that has no deno.json.
kernelTest(
  "mod.ts imported by URL from a directory without deno.json reads the status",
  async () => {
    const ac = new AbortController();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
      async (req) => {
        const path = decodeURIComponent(new URL(req.url).pathname);
        if (path.includes("..")) return new Response("no", { status: 400 });
        try {
          const body = await Deno.readFile(`${ROOT}${path.slice(1)}`);
          return new Response(body, { headers: { "content-type": "application/typescript" } });
        } catch {
          return new Response("not found", { status: 404 });
        }
      },
    );
    const scratch = await Deno.makeTempDir();
    try {
      const host = `127.0.0.1:${server.addr.port}`;
      await Deno.writeTextFile(
        `${scratch}/main.ts`,
        `import { openAudit, formatStatus } from "http://${host}/mod.ts";
       using a = openAudit();
       const s = await a.status();
       console.log(JSON.stringify({ enabled: s.enabled, text: formatStatus(s) }));`,
      );
      const r = await run(Deno.execPath(), [
        "run",
        "--no-config",
        "--no-lock",
        "--reload",
        `--allow-import=${host}`,
        "--allow-ffi",
        "--allow-env",
        "main.ts",
      ], { cwd: scratch, env: { DENO_DIR: `${scratch}/deno_dir` } });
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(typeof out.enabled, "number");
      assert.match(out.text, /^enabled \d\nfailure \d\npid \d+\nrate_limit \d+\n/);
    } finally {
      ac.abort();
      await server.finished;
      await Deno.remove(scratch, { recursive: true });
    }
  },
);
