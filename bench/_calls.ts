/**
 * The call-path figures that the before/after table of bench/report.ts
 * compares, for the package at the directory given as the first argument:
 *
 *   deno run -R --allow-sys bench/_calls.ts ROOT
 *
 * Prints one JSON object of medians in milliseconds.
 *
 * @module
 */

const root = Deno.args[0]!;
const { GuestModule, Plugin, Router } = await import(`${root}/mod.ts`);
const read = (path: string) => Deno.readFile(`${root}/${path}`);
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function perOp(count: number, op: () => Promise<unknown>): Promise<number> {
  await op();
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const started = performance.now();
    for (let i = 0; i < count; i++) await op();
    runs.push((performance.now() - started) / count);
  }
  return median(runs);
}

const host = new Router().method("echo", (params: unknown[]) => params[0]);
const pluginBytes = await read("testdata/test_plugin.wasm");
const plugin = await Plugin.load(pluginBytes, { host, logger: () => {} });
const load = await perOp(20, async () => {
  (await Plugin.load(pluginBytes, { logger: () => {} }))[Symbol.dispose]();
});
const session = plugin.session({ timeout: 0 });
// Warm, as in a long-lived host (V8 optimises the engine after some
// hundred calls); both revisions get the same calls.
for (let i = 0; i < 1000; i++) await Promise.all([plugin.call("ping"), session.call("ping")]);
const loop = await GuestModule.compile(await read("testdata/wat/loop.wasm"));

let maxLag = 0;
let last = performance.now();
const interval = setInterval(() => {
  const now = performance.now();
  maxLag = Math.max(maxLag, now - last);
  last = now;
}, 1);
await loop.output({ timeout: 1000 }).catch(() => {});
clearInterval(interval);

console.log(JSON.stringify({
  load,
  statelessPing: await perOp(100, () => plugin.call("ping")),
  sessionPing: await perOp(300, () => session.call("ping")),
  roundTrip: (await perOp(3, () => session.call("many_echo", [500]))) / 500,
  maxLagDuringLoop: maxLag,
}));
await session.close();
