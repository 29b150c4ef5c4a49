/**
 * The executor: wasm32-wasip1 guests run on the bundled Wasmi engine (or on
 * V8's own WebAssembly with injected fuel metering, engine `"v8"`) in fuel
 * slices, yielding to the event loop between slices and suspending while
 * they wait for input or sleep.
 *
 * @example Run a guest module
 * ```ts ignore
 * import { GuestModule } from "@wasmi-plugins/host/executor";
 * using module = await GuestModule.compile(await Deno.readFile("guest.wasm"));
 * const { status, stdout } = await module.output({ stdin: "input", timeout: 1000 });
 * ```
 *
 * @module
 */

export {
  AbortedError,
  EngineError,
  FuelExhaustedError,
  GuestError,
  type GuestErrorKind,
  MemoryLimitError,
  TimeoutError,
  TrapError,
} from "./errors.ts";
export type { ExitStatus } from "./exit_status.ts";
export { type EngineChoice, type EngineName, resolveEngine } from "./engine_choice.ts";
export {
  type CompileOptions,
  GuestModule,
  type GuestOutput,
  type OutputOptions,
} from "./guest_module.ts";
export type { ExternKind, ModuleExport, ModuleImport } from "./module_description.ts";
export {
  DEFAULT_MAX_MEMORY,
  GuestProcess,
  type RunLimits,
  SLICE_TARGET_MS,
  type SpawnOptions,
} from "./guest_process.ts";
export { type EngineBuild, engineBuild, engineHeapBytes } from "./wasmi/engine_stats.ts";
export { MemoryBudget } from "./memory_budget.ts";
export {
  type Feature,
  featureProblem,
  FEATURES,
  runsOn,
  UnsupportedFeatureError,
  unsupportedProposals,
} from "./features.ts";
