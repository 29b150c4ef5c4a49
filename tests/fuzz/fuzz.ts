/**
 * Runs the fuzz targets for longer than the test suite does.
 *
 *     deno task fuzz [--seconds N] [--seed S] [--target all|wasm|rpc|wasi|engines]
 *                    [--from I --iterations N] [--save DIR]
 *
 * `--seconds` is per target (default 60). Every failure prints its seed and
 * iteration; replay one with `--seed S --from I --iterations 1`. `--save`
 * writes failing wasm inputs to DIR (add real crashers to
 * tests/fuzz/corpus/wasm/). Exits 1 if any target failed.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { randomSeed } from "./_prng.ts";
import { formatReport, type FuzzOptions, type FuzzReport } from "./_report.ts";
import { fuzzEngines } from "./engines_target.ts";
import { fuzzRpc } from "./rpc_target.ts";
import { fuzzWasi } from "./wasi_target.ts";
import { fuzzWasm } from "./wasm_target.ts";

export const TARGETS: Record<string, (options: FuzzOptions) => Promise<FuzzReport>> = {
  wasm: fuzzWasm,
  rpc: fuzzRpc,
  wasi: fuzzWasi,
  engines: fuzzEngines,
};

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seconds: { type: "string", default: "60" },
      seed: { type: "string" },
      target: { type: "string", default: "all" },
      from: { type: "string" },
      iterations: { type: "string" },
      save: { type: "string" },
    },
    strict: true,
  });
  const seed = values.seed === undefined ? randomSeed() : Number(values.seed);
  const names = values.target === "all" ? Object.keys(TARGETS) : [values.target];
  let failed = false;
  for (const name of names) {
    const target = TARGETS[name];
    if (target === undefined) throw new Error(`unknown target ${name}`);
    const options: FuzzOptions = { seed, seconds: Number(values.seconds) };
    if (values.from !== undefined) options.from = Number(values.from);
    if (values.iterations !== undefined) options.iterations = Number(values.iterations);
    console.log(`fuzz ${name}: seed ${seed}, ${options.seconds} s`);
    const report = await target(options);
    console.log(formatReport(report));
    if (values.save !== undefined) {
      await Deno.mkdir(values.save, { recursive: true });
      for (const failure of report.failures) {
        if (failure.bytes === undefined) continue;
        const path = `${values.save}/${name}-${seed}-${failure.iteration}.wasm`;
        await Deno.writeFile(path, failure.bytes);
        console.log(`  saved ${path}`);
      }
    }
    failed ||= report.failures.length > 0;
  }
  Deno.exit(failed ? 1 : 0);
}
