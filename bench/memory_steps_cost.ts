/**
 * What the Wasmi engine's rewrite into memory steps (crates/wasmi-wasm/
 * src/steps.rs: every `memory.copy`/`memory.fill` becomes a call) costs
 * ordinary guests: session calls of the Rust test plugin on the Wasmi
 * engine, this checkout against another one (an older revision in a `git
 * worktree`), side by side in one process, three rounds:
 *
 *   deno run -A bench/memory_steps_cost.ts --root OLD_CHECKOUT
 *
 * @module
 */

import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { root: { type: "string" } } });
if (values.root === undefined) throw new TypeError("--root OLD_CHECKOUT is required");
type Mod = typeof import("../mod.ts");
const here = new URL("..", import.meta.url);
const old: Mod = await import(new URL("mod.ts", `file://${values.root.replace(/\/?$/, "/")}`).href);
const current: Mod = await import(new URL("mod.ts", here).href);
const plugin = new URL("testdata/test_plugin.wasm", here);

/** Mean ms per call of `method` in one session, after 20 warm-up calls. */
async function perCall(m: Mod, method: string, params: unknown[], n: number): Promise<number> {
  using loaded = await m.Plugin.load(plugin, { logger: () => {} });
  await using session = loaded.session();
  for (let i = 0; i < 20; i++) await session.call(method, params);
  const begin = performance.now();
  for (let i = 0; i < n; i++) await session.call(method, params);
  return (performance.now() - begin) / n;
}

const cases: [string, string, unknown[], number][] = [
  ["ping", "ping", [], 400],
  ["echo of 100 KB", "echo", ["x".repeat(100_000)], 40],
  ["prime_sieve(100000)", "prime_sieve", [100_000], 10],
];
console.log("| round | case | other checkout (ms) | this checkout (ms) | ratio |");
console.log("| ---: | --- | ---: | ---: | ---: |");
for (let round = 1; round <= 3; round++) {
  for (const [name, method, params, n] of cases) {
    const a = await perCall(old, method, params, n);
    const b = await perCall(current, method, params, n);
    console.log(
      `| ${round} | ${name} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${(b / a).toFixed(2)} |`,
    );
  }
}
