/**
 * Prints how many bytes of JavaScript heap `CALLS` session calls leave
 * behind, measured after full garbage collections. Run with
 * `--v8-flags=--expose-gc` (tests/soak_test.ts does).
 *
 * @module
 */

import { soakPlugin } from "./soak.ts";

const CALLS = Number(Deno.args[0] ?? 20_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
const heapUsed = () => {
  gc();
  gc();
  return Deno.memoryUsage().heapUsed;
};

using plugin = await soakPlugin();
await using session = plugin.session();
for (let i = 0; i < 2_000; i++) await session.call("ping"); // warm up
const before = heapUsed();
for (let i = 0; i < CALLS; i++) {
  await (i % 2 ? session.call("ping") : session.call("many_echo", [1]));
}
console.log(heapUsed() - before);
