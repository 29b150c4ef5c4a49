/**
 * Fuzz target (d), differential: the wasm target's random and mutated
 * modules run on both engines, `"wasmi"` and `"v8"` (V8 with injected fuel
 * metering), with the same input and limits.
 *
 * Oracle: when both engines compile and run a module to its end (it
 * returns from `_start` or calls `proc_exit`), they agree on the exit code,
 * stdout and stderr; when both trap, on the same trap (messages are in
 * Wasmi's words on both) unless one overflowed its stack; when one of them
 * ends so and the other traps, the
 * trap may only be a call stack exhausted (the engines' stack depths
 * differ). Fuel counts differ between the engines (docs/SECURITY.md), so
 * runs that end on fuel, time or memory are not compared; neither are
 * modules only one engine loads (SIMD and exceptions run on V8 only: the
 * feature table refuses them on Wasmi at load).
 *
 * Every fourth input is a module built from snippets that use post-MVP
 * proposals (threads, GC, exceptions, SIMD, memory64: `featureModule`):
 * each engine must refuse it at load exactly when the feature table
 * (src/executor/features.ts) says that engine does not run one of them,
 * with an `UnsupportedFeatureError` listing what the module uses, and
 * otherwise load it, report the same proposals and run it to its end.
 * Every eighth of those is instead a module whose tables are near the
 * engines' shared cap (2^20 entries, src/executor/_instance_limits.ts),
 * grown by `table.grow`: both engines refuse it at load with the same
 * sentence exactly when a table starts over the cap, and otherwise end the
 * same way (kind `memory` when the tables and memory cross `maxMemory`).
 * Another eighth of them is a module working memory in bulk (growth, fills,
 * copies and data segments around the Wasmi engine's 1 MiB step and its
 * 64 kept pages, `bulkModule`), compared like the wasm target's modules:
 * the engines must agree on every byte it samples.
 *
 * @module
 */

import { GuestError, GuestModule } from "../../mod.ts";
import { hasJspi } from "../../src/executor/v8/v8_guest.ts";
import { Prng } from "./_prng.ts";
import { describe, type Failure, type FuzzOptions, type FuzzReport } from "./_report.ts";
import { wasmInput, wasmSeeds } from "./wasm_target.ts";
import { UnsupportedFeatureError, unsupportedProposals } from "../../src/executor/features.ts";
import { buildModule, featureModule, i32 } from "../_feature_modules.ts";
import { bulkModule } from "../_bulk_modules.ts";
import { MAX_TABLE_ENTRIES, tableProblem } from "../../src/executor/_instance_limits.ts";

/** A module with tables near the cap; `_start` grows the first by `grow` entries. */
function tableModule(pick: (n: number) => number) {
  const near = () => MAX_TABLE_ENTRIES - 8 + pick(16);
  const tables = Array.from({ length: 1 + pick(2) }, () => pick(2) === 0 ? near() : pick(1024));
  const grow = pick(3) === 0 ? 0 : pick(64);
  // table.grow 0 (ref.null func) (i32.const grow), result dropped.
  const code = [0xd0, 0x70, ...i32(grow), 0xfc, 0x0f, 0x00, 0x1a];
  return {
    bytes: buildModule(code, { tables }),
    tables,
    how: `tables of [${tables}] entries, the first grown by ${grow}`,
  };
}

/** Why the engines' verdicts on a table module differ, or undefined. */
async function tableVerdict(bytes: Uint8Array, tables: number[]): Promise<string | undefined> {
  const expected = tableProblem(tables);
  const endings: string[] = [];
  for (const engine of ["wasmi", "v8"] as const) {
    let module: GuestModule;
    try {
      module = await GuestModule.compile(bytes, { engine });
    } catch (error) {
      const message = (error as Error).message;
      if (expected === undefined) return `${engine} refused a module within the cap: ${message}`;
      if (!message.includes(expected)) return `${engine} refused it otherwise: ${message}`;
      endings.push("refused");
      continue;
    }
    using _ = module;
    if (expected !== undefined) return `${engine} loaded a table over the cap (${expected})`;
    try {
      const { status } = await module.output({ ...VERDICT_LIMITS, maxMemory: 16 << 20 });
      endings.push(`exit ${status.code}`);
    } catch (error) {
      endings.push(error instanceof GuestError ? error.kind : describe(error));
    }
  }
  return endings[0] === endings[1] ? undefined : `wasmi ${endings[0]}, v8 ${endings[1]}`;
}

/** Why an engine's verdict on a feature module is not the table's, or undefined. */
async function featureVerdict(
  engine: "wasmi" | "v8",
  bytes: Uint8Array,
  proposals: string[],
): Promise<string | undefined> {
  const refuses = unsupportedProposals(proposals, engine).length > 0;
  let module: GuestModule;
  try {
    module = await GuestModule.compile(bytes, { engine });
  } catch (error) {
    if (!(error instanceof UnsupportedFeatureError)) return `${engine}: ${describe(error)}`;
    if (!refuses) return `${engine} refused what the table runs: ${error.message}`;
    if (error.used.join() !== proposals.join()) {
      return `${engine} found [${error.used}], the module uses [${proposals}]`;
    }
    return undefined;
  }
  using _ = module;
  if (refuses) return `${engine} loaded a module the table refuses on it`;
  if (module.proposals.join() !== proposals.join()) {
    return `${engine} found [${module.proposals}], the module uses [${proposals}]`;
  }
  try {
    const { status } = await module.output(VERDICT_LIMITS);
    return status.code === 0 ? undefined : `${engine}: exit ${status.code}`;
  } catch (error) {
    return `${engine} failed to run it: ${describe(error)}`;
  }
}

/** Per-run limits, as in the wasm target but with fuel to spare: both runs should end. */
const LIMITS = { timeout: 200, fuel: 20_000_000, maxMemory: 8 << 20, maxBuffer: 1 << 20 };
/**
 * Limits of the verdict runs (feature and table modules), whose outcome is
 * compared outright: fuel bounds them, and the timeout is only a backstop
 * that no machine's load may reach (a timeout would be a false verdict).
 */
const VERDICT_LIMITS = { ...LIMITS, timeout: 60_000 };

interface Ending {
  /** `finished`, `exit`, or the failure's kind. */
  how: string;
  code?: number;
  stdout?: string;
  stderr?: string;
  message?: string;
}

async function runOn(engine: "wasmi" | "v8", bytes: Uint8Array, stdin: Uint8Array) {
  let module: GuestModule;
  try {
    module = await GuestModule.compile(bytes, { engine });
  } catch (error) {
    if (error instanceof WebAssembly.CompileError) return undefined;
    throw new Error(`${engine}: compile threw ${describe(error)}`);
  }
  using _ = module;
  if (module.linkErrors().length > 0) return undefined;
  const decoder = new TextDecoder();
  try {
    const { status, stdout, stderr } = await module.output({ ...LIMITS, stdin });
    return {
      how: status.procExit ? "exit" : "finished",
      code: status.code,
      stdout: decoder.decode(stdout),
      stderr: decoder.decode(stderr),
    } satisfies Ending;
  } catch (error) {
    if (error instanceof GuestError) return { how: error.kind, message: error.message };
    if (error instanceof RangeError && error.message.includes("maxBuffer")) {
      return { how: "output-limit" };
    }
    throw new Error(`${engine}: run threw ${describe(error)}`);
  }
}

const ENDED = new Set(["finished", "exit"]);

/** Why two endings disagree, or undefined if they agree as the oracle wants. */
function disagreement(wasmi: Ending, v8: Ending): string | undefined {
  const wasmiEnded = ENDED.has(wasmi.how);
  const v8Ended = ENDED.has(v8.how);
  if (wasmiEnded && v8Ended) {
    for (const key of ["how", "code", "stdout", "stderr"] as const) {
      if (wasmi[key] !== v8[key]) {
        return `${key} differs: wasmi ${JSON.stringify(wasmi[key])}, v8 ${JSON.stringify(v8[key])}`;
      }
    }
    return undefined;
  }
  if (wasmi.how === "trap" && v8.how === "trap" && wasmi.message !== v8.message) {
    const stack = /call stack exhausted/;
    if (!stack.test(wasmi.message ?? "") && !stack.test(v8.message ?? "")) {
      return `trap messages differ: wasmi ${wasmi.message}, v8 ${v8.message}`;
    }
  }
  const [ended, other] = wasmiEnded ? [wasmi, v8] : v8Ended ? [v8, wasmi] : [];
  if (ended === undefined || other === undefined) return undefined;
  if (other.how === "trap" && !/call stack exhausted/.test(other.message ?? "")) {
    const [a, b] = ended === wasmi ? ["wasmi", "v8"] : ["v8", "wasmi"];
    return `${a} ran to its end (${ended.how} ${ended.code}), ${b} trapped: ${other.message}`;
  }
  return undefined;
}

/** Fuzzes both engines side by side for `options.seconds` (or `options.iterations`). */
export async function fuzzEngines(options: FuzzOptions): Promise<FuzzReport> {
  if (!hasJspi()) throw new Error("the engines target needs JSPI (the v8 engine)");
  const seeds = await wasmSeeds();
  const outcomes: Record<string, number> = {};
  const failures: Failure[] = [];
  const deadline = performance.now() + options.seconds * 1000;
  const first = options.from ?? 0;
  let i = first;
  for (; performance.now() < deadline && (options.iterations ?? Infinity) > i - first; i++) {
    if (i % 32 === 31) {
      const prng = Prng.for(options.seed ^ 0x7ab1e, i);
      const { bytes, tables, how } = tableModule((n) => prng.int(n));
      const why = await tableVerdict(bytes, tables);
      if (why) failures.push({ iteration: i, message: why, input: how, bytes });
      outcomes["table-verdict"] = (outcomes["table-verdict"] ?? 0) + 1;
      continue;
    }
    if (i % 4 === 3) {
      const prng = Prng.for(options.seed ^ 0xfea7, i);
      const { bytes, proposals, how } = featureModule((n) => prng.int(n));
      for (const engine of ["wasmi", "v8"] as const) {
        const why = await featureVerdict(engine, bytes, proposals);
        if (why) failures.push({ iteration: i, message: why, input: how, bytes });
      }
      outcomes["feature-verdict"] = (outcomes["feature-verdict"] ?? 0) + 1;
      continue;
    }
    const bulk = Prng.for(options.seed ^ 0xb01c, i);
    const { bytes, how } = i % 32 === 15
      ? bulkModule((n) => bulk.int(n))
      : wasmInput(seeds, options.seed, i);
    const stdin = Prng.for(options.seed ^ 0x5eed, i).bytes(16);
    try {
      const wasmi = await runOn("wasmi", bytes, stdin);
      const v8 = await runOn("v8", bytes, stdin);
      const outcome = wasmi === undefined || v8 === undefined
        ? "not-compared"
        : `${wasmi.how}/${v8.how}`;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      const why = wasmi && v8 && disagreement(wasmi, v8);
      if (why) failures.push({ iteration: i, message: why, input: how, bytes });
    } catch (error) {
      failures.push({ iteration: i, message: (error as Error).message, input: how, bytes });
    }
  }
  return {
    target: "engines",
    seed: options.seed,
    executions: i - first,
    outcomes,
    failures,
    notes: ["outcomes are wasmi/v8 endings of the modules both engines compile and link"],
  };
}
