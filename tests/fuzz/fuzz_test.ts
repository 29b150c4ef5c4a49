/**
 * The fuzz targets in the normal test run: a fixed seed and a fixed number
 * of inputs per target, so that every run tries the same inputs and its
 * verdict never depends on the machine's speed (`deno task fuzz` runs for a
 * time with a fresh seed). A failure prints the command that replays it
 * (`deno task fuzz --seed S --target T --from I --iterations 1`). With
 * `--allow-env`, FUZZ_SEED and FUZZ_ITERATIONS (per target) override both.
 */

import assert from "node:assert/strict";
import { formatReport } from "./_report.ts";
import { TARGETS } from "./fuzz.ts";

function env(name: string): string | undefined {
  const allowed = Deno.permissions.querySync({ name: "env", variable: name }).state === "granted";
  return allowed ? Deno.env.get(name) : undefined;
}

/** Inputs per target: a few seconds each on a 2-core machine. */
const ITERATIONS: Record<string, number> = { wasm: 1500, rpc: 250, wasi: 5000, engines: 1000 };
const SEED = Number(env("FUZZ_SEED") ?? 20261207);

for (const [name, target] of Object.entries(TARGETS)) {
  const iterations = Number(env("FUZZ_ITERATIONS") ?? ITERATIONS[name] ?? 500);
  Deno.test(`fuzz ${name}: ${iterations} inputs (seed ${SEED})`, async () => {
    const report = await target({ seed: SEED, seconds: Infinity, iterations });
    console.log(formatReport(report));
    assert.equal(report.executions, iterations);
    assert.deepEqual(
      report.failures.map((f) => `iteration ${f.iteration}: ${f.message}`),
      [],
      `replay: deno task fuzz --seed ${SEED} --target ${name} --from I --iterations 1`,
    );
  });
}
