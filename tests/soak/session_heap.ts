/**
 * Prints how many bytes of JavaScript objects `CALLS` session calls leave
 * behind, measured after full garbage collections: V8's object spaces only
 * (new, old and large objects), not its code and bytecode, which grow when
 * V8 finishes optimising hot functions (in background threads, whenever a
 * busy machine lets it). Run with `--v8-flags=--expose-gc`
 * (tests/soak_test.ts does).
 *
 * @module
 */

import { getHeapSpaceStatistics } from "node:v8";
import { soakPlugin } from "./soak.ts";

const CALLS = Number(Deno.args[0] ?? 20_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
const OBJECT_SPACES = new Set([
  "new_space",
  "old_space",
  "new_large_object_space",
  "large_object_space",
]);
const heapUsed = () => {
  gc();
  gc();
  return getHeapSpaceStatistics()
    .filter((space) => OBJECT_SPACES.has(space.space_name))
    .reduce((sum, space) => sum + space.space_used_size, 0);
};

using plugin = await soakPlugin();
await using session = plugin.session();
for (let i = 0; i < 2_000; i++) await session.call("ping"); // warm up
const before = heapUsed();
for (let i = 0; i < CALLS; i++) {
  await (i % 2 ? session.call("ping") : session.call("many_echo", [1]));
}
console.log(heapUsed() - before);
