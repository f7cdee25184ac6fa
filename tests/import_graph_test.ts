/**
 * The module graph of the library and the command: every static import of
 * mod.ts, events.ts and each file under lib/, cli/ and ffi/ (import and
 * export-from statements, `import type` included; JSDoc examples are
 * comments and not part of it). It has no cycle, and the layers only point
 * down: ffi/ imports nothing of lib/ or cli/, lib/ nothing of cli/ and
 * neither mod.ts nor events.ts, and lib/ imports only relative paths.
 *
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;

/** The specifiers a module imports statically, from its source text. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  // at the start of a line: `import ... from "x"`, `export ... from "x"`, `import "x"`; a JSDoc
  // example's lines start with " *" and are left out
  const re = /^(?:import|export)\b[^;"]*?\bfrom\s*"([^"]+)"|^import\s*"([^"]+)"/gm;
  for (const m of source.matchAll(re)) out.push(m[1] ?? m[2]);
  // and a dynamic import of a literal name (loaded on first use, a dependency all the same)
  for (const m of source.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) out.push(m[1]);
  return out;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(join(root, dir))) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...filesUnder(p));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** Module (path from the repository root) to its imports: relative ones resolved, others as written. */
function moduleGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const todo = ["mod.ts", "events.ts", ...["lib", "cli", "ffi"].flatMap(filesUnder)];
  while (todo.length) {
    const file = todo.pop()!;
    if (graph.has(file)) continue;
    const specs = importsOf(Deno.readTextFileSync(join(root, file)));
    const deps = specs.map((s) =>
      s.startsWith("./") || s.startsWith("../") ? normalize(join(dirname(file), s)) : s
    );
    graph.set(file, deps);
    for (const d of deps) if (d.endsWith(".ts") && !d.includes(":")) todo.push(d);
  }
  return graph;
}

/** The cycles of a graph: its strongly connected components of more than one module (Tarjan). */
export function cyclesOf(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

Deno.test("import graph: the cycle finder finds a cycle and passes a chain", () => {
  assert.deepEqual(
    cyclesOf(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]])),
    [["a", "b", "c"]],
  );
  assert.deepEqual(cyclesOf(new Map([["a", ["b"]], ["b", ["c"]], ["c", []]])), []);
  assert.deepEqual(
    importsOf(
      'import { x } from "./a.ts";\n * import { y } from "./b.ts";\nexport * from "./c.ts";',
    ),
    ["./a.ts", "./c.ts"],
  );
});

Deno.test("import graph: no cycle among mod.ts, events.ts, lib/, cli/ and ffi/", () => {
  const graph = moduleGraph();
  assert.ok(graph.size > 60, `only ${graph.size} modules found`);
  assert.deepEqual(cyclesOf(graph), []);
});

Deno.test("import graph: the parsed graph has every edge `deno info` reports", async () => {
  const graph = moduleGraph();
  const missing: string[] = [];
  for (const entry of ["mod.ts", "events.ts", "cli/main.ts"]) {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: root,
      stdout: "piped",
    }).output();
    assert.ok(r.success, `deno info ${entry} failed`);
    const info = JSON.parse(new TextDecoder().decode(r.stdout)) as {
      modules: {
        specifier: string;
        dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
      }[];
    };
    const local = (url: string) =>
      url.startsWith(`file://${root}`) ? url.slice(7 + root.length) : undefined;
    for (const m of info.modules) {
      const from = local(m.specifier);
      if (from === undefined || from.endsWith(".json")) continue;
      for (const d of m.dependencies ?? []) {
        for (const to of [d.code?.specifier, d.type?.specifier]) {
          const path = to && local(to);
          if (path && !path.endsWith(".json") && !graph.get(from)?.includes(path)) {
            missing.push(`${from} -> ${path}`);
          }
        }
      }
    }
  }
  assert.deepEqual(missing, []);
});

Deno.test("import graph: layers point down, lib/ has only relative imports", () => {
  const problems: string[] = [];
  for (const [file, deps] of moduleGraph()) {
    for (const d of deps) {
      const to = d.includes(":") ? d : relative(".", d);
      if (file.startsWith("ffi/") && (to.startsWith("lib/") || to.startsWith("cli/"))) {
        problems.push(`${file} imports ${to}`);
      }
      if (file.startsWith("lib/")) {
        if (!d.startsWith("lib/") && !d.startsWith("ffi/")) problems.push(`${file} imports ${to}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});
