import assert from "node:assert/strict";
import {
  type Feature,
  featureProblem,
  FEATURES,
  runsOn,
  UnsupportedFeatureError,
  unsupportedProposals,
} from "./features.ts";

const yes = (runs: boolean) => runs ? "yes" : "no";

/** The table as docs/SECURITY.md shows it. */
function markdown(features: Readonly<Record<string, Feature>>): string {
  const rows = Object.entries(features).map(([proposal, { name, wasmi, v8, why }]) =>
    `| \`${proposal}\` | ${name} | ${yes(wasmi)} | ${yes(v8)} | ${why} |`
  );
  return ["| Proposal | Feature | wasmi | v8 | Why |", "| --- | --- | --- | --- | --- |", ...rows]
    .join("\n");
}

Deno.test("FEATURES: the v8 engine runs everything the wasmi engine runs", () => {
  for (const [proposal, feature] of Object.entries(FEATURES)) {
    assert.ok(!feature.wasmi || feature.v8, proposal);
  }
});

Deno.test("FEATURES are listed in docs/SECURITY.md as the table has them", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/SECURITY.md", import.meta.url));
  // deno fmt pads the columns: compare cell by cell.
  const cells = (text: string) =>
    text.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| -"))
      .map((line) => line.split("|").map((cell) => cell.trim()).join("|"));
  const expected = cells(markdown(FEATURES));
  const found = cells(doc);
  const at = found.indexOf(expected[0]!);
  assert.ok(at >= 0, "docs/SECURITY.md has no feature table");
  assert.deepEqual(found.slice(at, at + expected.length), expected, markdown(FEATURES));
});

Deno.test("featureProblem names the features and the engine that runs them", () => {
  assert.equal(featureProblem(["reference_types", "bulk_memory"], "wasmi"), undefined);
  assert.equal(
    featureProblem(["exceptions", "simd"], "wasmi"),
    "uses WebAssembly exceptions and SIMD, which the wasmi engine does not support; " +
      "the v8 engine runs it",
  );
  assert.equal(
    featureProblem(["exceptions", "legacy_exceptions"], "wasmi"),
    "uses WebAssembly exceptions, which the wasmi engine does not support; the v8 engine runs it",
  );
  assert.equal(
    featureProblem(["gc", "exceptions"], "v8"),
    "uses garbage-collected structs and arrays (GC), which the v8 engine does not support",
  );
  // A proposal the table does not know runs nowhere.
  assert.deepEqual(unsupportedProposals(["new_thing"], "v8"), ["new_thing"]);
  assert.deepEqual(runsOn(["new_thing"]), []);
  assert.equal(
    featureProblem(["new_thing"], "v8"),
    "uses the new-thing proposal, which the v8 engine does not support",
  );
});

Deno.test("UnsupportedFeatureError is a CompileError naming the engine to use", () => {
  const error = new UnsupportedFeatureError("wasmi", ["exceptions", "tail_call"]);
  assert.ok(error instanceof WebAssembly.CompileError);
  assert.equal(
    error.message,
    "The module uses WebAssembly exceptions, which the wasmi engine does not support; " +
      'the v8 engine runs it (engine: "v8")',
  );
  assert.deepEqual([error.proposals, error.used, error.runsOn], [
    ["exceptions"],
    ["exceptions", "tail_call"],
    ["v8"],
  ]);
});
