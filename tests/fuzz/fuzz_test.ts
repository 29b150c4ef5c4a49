/**
 * The fuzz targets for a bounded time in the normal test run: by default
 * 7 s per target with a fresh seed, printed so that a failure can be
 * replayed (`deno task fuzz --seed S --target T --from I --iterations 1`).
 * With `--allow-env`, FUZZ_SECONDS (per target) and FUZZ_SEED override
 * both; `deno task fuzz` runs longer.
 */

import assert from "node:assert/strict";
import { randomSeed } from "./_prng.ts";
import { formatReport } from "./_report.ts";
import { TARGETS } from "./fuzz.ts";

function env(name: string): string | undefined {
  const allowed = Deno.permissions.querySync({ name: "env", variable: name }).state === "granted";
  return allowed ? Deno.env.get(name) : undefined;
}

const SECONDS = Number(env("FUZZ_SECONDS") ?? 7);
const SEED = Number(env("FUZZ_SEED") ?? randomSeed());

for (const [name, target] of Object.entries(TARGETS)) {
  Deno.test(`fuzz ${name} for ${SECONDS} s (seed ${SEED})`, async () => {
    const report = await target({ seed: SEED, seconds: SECONDS });
    console.log(formatReport(report));
    assert.ok(report.executions > 0);
    assert.deepEqual(
      report.failures.map((f) => `iteration ${f.iteration}: ${f.message}`),
      [],
      `replay: deno task fuzz --seed ${SEED} --target ${name} --from I --iterations 1`,
    );
  });
}
