import assert from "node:assert/strict";
import { ROOT, run } from "./_helpers.ts";

// A user may import any module of the library by URL, so each must load when it is the
// first one imported: an import cycle that reads a binding before its module ran
// ("Cannot access X before initialization") fails here.
Deno.test("every module of lib/ and ffi/ loads when imported first", async () => {
  const modules: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(`${ROOT}${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (entry.name.endsWith(".ts")) modules.push(path);
    }
  };
  walk("lib");
  walk("ffi");
  assert.ok(modules.length > 20, `only ${modules.length} modules found`);
  const failures: string[] = [];
  // a few processes at a time: each starts with an empty module graph
  for (let i = 0; i < modules.length; i += 8) {
    await Promise.all(
      modules.slice(i, i + 8).map(async (m) => {
        const r = await run(Deno.execPath(), [
          "eval",
          "--no-check",
          `await import(${JSON.stringify(`file://${ROOT}${m}`)});`,
        ]);
        if (r.code !== 0) failures.push(`${m}: ${r.stderr.trim().split("\n")[0]}`);
      }),
    );
  }
  assert.deepEqual(failures, []);
});
