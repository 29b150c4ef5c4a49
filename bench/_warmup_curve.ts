/**
 * The first-calls curve in a fresh process: a session of the test plugin,
 * one `ping`, then `prime_sieve(100000)` CALLS times, each timed:
 *
 *   deno run -R bench/_warmup_curve.ts [CALLS]
 *
 * Prints `{ load, calls }` as JSON (milliseconds): `load` from the start of
 * the module to the session's first answer, `calls` the time of each call.
 * V8 runs the engine's dispatch loop unoptimised (Liftoff) until its
 * optimising compiler has compiled it in the background, so the first calls
 * are slower; bench/report.ts runs this several times.
 *
 * @module
 */

import { Plugin } from "../mod.ts";

const started = performance.now();
const count = Number(Deno.args[0] ?? 30);
using plugin = await Plugin.load(
  await Deno.readFile(new URL("../testdata/test_plugin.wasm", import.meta.url)),
  {
    logger: () => {},
  },
);
const session = plugin.session({ timeout: 0 });
await session.call("ping");
const load = performance.now() - started;
const calls: number[] = [];
for (let i = 0; i < count; i++) {
  const t = performance.now();
  await session.call("prime_sieve", [100_000]);
  calls.push(performance.now() - t);
}
await session.close();
console.log(JSON.stringify({ load, calls }));
