import assert from "node:assert/strict";
import { engineBuild } from "../mod.ts";

Deno.test("engineBuild reports the dispatch and features recorded in engine.toolchain.txt", async () => {
  const record = await Deno.readTextFile(new URL("engine.toolchain.txt", import.meta.url));
  const build = engineBuild();
  assert.equal(build.toolchain, record.split("\n")[0]);
  assert.match(build.wasmi, /^\d+\.\d+\.\d+$/);
  assert.ok(record.includes(`wasmi v${build.wasmi} features: ${build.features.join(",")}\n`));
  assert.equal(build.dispatch, build.features.filter((f) => f.endsWith("-dispatch")).join(" + "));
  // The bundled engine uses the `match` loop with inlined handlers (issue 12).
  assert.equal(build.dispatch, "indirect-dispatch + portable-dispatch");
});
