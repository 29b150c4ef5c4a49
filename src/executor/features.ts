/**
 * The one table of WebAssembly proposals each engine runs, and the verdict
 * on a module from the proposals it uses (found by the bundled
 * instrumenter's scan, crates/fuel-instrument `features.rs`, before
 * anything is compiled). Both engines, `inspect`, docs/SECURITY.md and the
 * fuzzers read it.
 *
 * @module
 */

import type { EngineName } from "./_guest_engine.ts";

/** One post-MVP proposal and whether each engine runs it. */
export interface Feature {
  /** The proposal in words, as messages name it. */
  name: string;
  /** Whether the `"wasmi"` engine runs modules that use it. */
  wasmi: boolean;
  /** Whether the `"v8"` engine runs modules that use it. */
  v8: boolean;
  /** Why, in a sentence. */
  why: string;
}

/**
 * The proposals, by wasmparser's name (the scan's): the v8 engine runs
 * what the wasmi engine runs, plus those whose every instruction is
 * metered and whose hostile cases are tested. A proposal not listed here
 * is refused on both.
 */
export const FEATURES: Readonly<Record<string, Feature>> = {
  sign_extension: { name: "sign-extension operators", wasmi: true, v8: true, why: "MVP-like" },
  saturating_float_to_int: {
    name: "saturating float-to-int conversions",
    wasmi: true,
    v8: true,
    why: "MVP-like",
  },
  bulk_memory: {
    name: "bulk memory operations",
    wasmi: true,
    v8: true,
    why: "charged per byte or entry on both engines",
  },
  reference_types: {
    name: "reference types",
    wasmi: true,
    v8: true,
    why: "table growth is charged per entry and counted against the memory limit",
  },
  tail_call: {
    name: "tail calls",
    wasmi: true,
    v8: true,
    why: "a tail call is charged in its callee, as a call",
  },
  simd: {
    name: "SIMD",
    wasmi: false,
    v8: true,
    why: "the bundled Wasmi is built without SIMD; on V8 each SIMD instruction costs a unit",
  },
  exceptions: {
    name: "WebAssembly exceptions",
    wasmi: false,
    v8: true,
    why: "Wasmi 2.0 lacks them; on V8 a throw costs 2,048 units (about its time) and an " +
      "exception out of the guest is a trap",
  },
  legacy_exceptions: {
    name: "WebAssembly exceptions",
    wasmi: false,
    v8: true,
    why: "the legacy encoding (try/catch, as clang 16 emits it), charged as exceptions",
  },
  threads: {
    name: "threads (shared memory and atomics)",
    wasmi: false,
    v8: false,
    why: "`memory.atomic.wait` blocks the host thread for its whole timeout",
  },
  gc: {
    name: "garbage-collected structs and arrays (GC)",
    wasmi: false,
    v8: false,
    why: "GC objects live outside the memory limit and bulk array instructions cost one unit",
  },
  function_references: {
    name: "typed function references",
    wasmi: false,
    v8: false,
    why: "not tested under the limits",
  },
  memory64: {
    name: "64-bit memories or tables (memory64)",
    wasmi: false,
    v8: false,
    why: "WASI preview1 is 32-bit; the instrumenter rewrites 32-bit memories only",
  },
  multi_memory: {
    name: "several memories (multi-memory)",
    wasmi: false,
    v8: false,
    why: "no wasm32-wasip1 toolchain emits it; not tested under the limits",
  },
  custom_page_sizes: {
    name: "custom page sizes",
    wasmi: false,
    v8: false,
    why: "not tested under the limits",
  },
  relaxed_simd: {
    name: "relaxed SIMD",
    wasmi: false,
    v8: false,
    why: "not tested under the limits",
  },
  wide_arithmetic: { name: "wide arithmetic", wasmi: false, v8: false, why: "V8 lacks it" },
  shared_everything_threads: {
    name: "shared-everything threads",
    wasmi: false,
    v8: false,
    why: "as threads",
  },
  stack_switching: { name: "stack switching", wasmi: false, v8: false, why: "not metered" },
  memory_control: { name: "memory control", wasmi: false, v8: false, why: "not metered" },
  custom_descriptors: {
    name: "custom descriptors",
    wasmi: false,
    v8: false,
    why: "as GC",
  },
  acquire_release_atomics: {
    name: "acquire-release atomics",
    wasmi: false,
    v8: false,
    why: "as threads",
  },
};

/** The engines, in the order verdicts suggest them. */
const ENGINES: readonly EngineName[] = ["wasmi", "v8"];

/** A proposal's entry, or one that refuses it on both engines. */
function featureOf(proposal: string): Feature {
  return Object.hasOwn(FEATURES, proposal) ? FEATURES[proposal]! : {
    name: `the ${proposal.replaceAll("_", "-")} proposal`,
    wasmi: false,
    v8: false,
    why: "unknown to this host",
  };
}

/**
 * The proposals of `proposals` that `engine` does not run.
 *
 * @example
 * ```ts
 * import { unsupportedProposals } from "@wasmi-plugins/host/executor";
 * if (unsupportedProposals(["exceptions"], "wasmi")[0] !== "exceptions") throw new Error();
 * ```
 *
 * @param proposals Proposals a module uses (wasmparser's names).
 * @param engine The engine.
 * @returns the refused ones, in the order given
 */
export function unsupportedProposals(proposals: readonly string[], engine: EngineName): string[] {
  return proposals.filter((proposal) => !featureOf(proposal)[engine]);
}

/**
 * Why `engine` does not run a module that uses `proposals`, in a sentence
 * naming the features and the engine that runs it if one does; undefined
 * if it runs them all.
 *
 * @example
 * ```ts
 * import { featureProblem } from "@wasmi-plugins/host/executor";
 * const problem = featureProblem(["exceptions"], "wasmi");
 * // "uses WebAssembly exceptions, which the wasmi engine does not support; the v8 engine runs it"
 * if (!problem?.endsWith("the v8 engine runs it")) throw new Error(problem);
 * ```
 *
 * @param proposals Proposals a module uses (wasmparser's names).
 * @param engine The engine.
 * @returns the rest of a sentence whose subject is the module, or undefined
 */
export function featureProblem(
  proposals: readonly string[],
  engine: EngineName,
): string | undefined {
  const refused = unsupportedProposals(proposals, engine);
  if (refused.length === 0) return undefined;
  const names = [...new Set(refused.map((proposal) => featureOf(proposal).name))];
  const listed = names.length === 1
    ? names[0]
    : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  const other = runsOn(proposals).find((name) => name !== engine);
  return `uses ${listed}, which the ${engine} engine does not support` +
    (other === undefined ? "" : `; the ${other} engine runs it`);
}

/**
 * The engines that run a module using `proposals`.
 *
 * @param proposals Proposals a module uses (wasmparser's names).
 * @returns the engines, wasmi first
 */
export function runsOn(proposals: readonly string[]): EngineName[] {
  return ENGINES.filter((engine) => unsupportedProposals(proposals, engine).length === 0);
}

/**
 * Thrown when loading a valid module that uses a WebAssembly feature the
 * chosen engine does not run (a `WebAssembly.CompileError`, so callers that
 * catch compile errors catch it too).
 *
 * @example
 * ```ts ignore
 * import { GuestModule, UnsupportedFeatureError } from "@wasmi-plugins/host/executor";
 * try {
 *   await GuestModule.compile(bytes);
 * } catch (error) {
 *   if (error instanceof UnsupportedFeatureError && error.runsOn.includes("v8")) {
 *     await GuestModule.compile(bytes, { engine: "v8" });
 *   }
 * }
 * ```
 */
export class UnsupportedFeatureError extends WebAssembly.CompileError {
  /** The engine that refused the module. */
  readonly engine: EngineName;
  /** The proposals the module uses that the engine does not run (wasmparser's names). */
  readonly proposals: string[];
  /** Every post-MVP proposal the module uses. */
  readonly used: string[];
  /** The engines that would run the module (empty if none). */
  readonly runsOn: EngineName[];

  /**
   * Creates the error.
   *
   * @param engine The engine that refused the module.
   * @param proposals All the proposals the module uses.
   */
  constructor(engine: EngineName, proposals: readonly string[]) {
    const others = runsOn(proposals);
    const hint = others.length > 0 ? ` (engine: "${others[0]}")` : "";
    super(`The module ${featureProblem(proposals, engine)}${hint}`);
    this.name = "UnsupportedFeatureError";
    this.engine = engine;
    this.proposals = unsupportedProposals(proposals, engine);
    this.used = [...proposals];
    this.runsOn = others;
  }
}
