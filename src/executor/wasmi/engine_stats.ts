/**
 * Figures about the engine instances, for monitoring and leak checks, and the
 * record of how the bundled engine was built.
 *
 * @module
 */

import { liveEngines } from "./_engine.ts";
import { ENGINE_BUILD } from "./_engine_wasm.ts";

/** How the bundled engine was built (scripts/build_engine.sh records it). */
export interface EngineBuild {
  /** The Wasmi version, e.g. `2.0.0`. */
  wasmi: string;
  /** Wasmi's Cargo features as resolved for the build. */
  features: string[];
  /**
   * The dispatch features, e.g. `indirect-dispatch + portable-dispatch`
   * (one `match` loop with the handlers inlined).
   */
  dispatch: string;
  /** The Rust toolchain that built it (`rustc --version`). */
  toolchain: string;
}

/**
 * Tells how the bundled engine was built: Wasmi version, features, dispatch
 * and toolchain, as recorded at build time (src/executor/wasmi/engine.toolchain.txt).
 *
 * @returns the build record
 *
 * @example
 * ```ts
 * import { engineBuild } from "@wasmi-plugins/host/executor";
 * console.log(engineBuild().dispatch); // "indirect-dispatch + portable-dispatch"
 * ```
 */
export function engineBuild(): EngineBuild {
  const [toolchain = "", wasmi = "", dispatch = ""] = ENGINE_BUILD.split("\n");
  const [, version = "", features = ""] = wasmi.match(/^wasmi v(\S+) features: (.*)$/) ?? [];
  return {
    wasmi: version,
    features: features.split(",").filter((f) => f !== ""),
    dispatch: dispatch.replace(/^dispatch: /, ""),
    toolchain,
  };
}

/**
 * Bytes the engine instances in use hold right now, together: every
 * compiled module's instance (its compiled code, and the instances and
 * memories of its running guests). A disposed module's instance stops
 * counting once its guests have ended; the garbage collector reclaims it.
 *
 * @returns the live heap bytes of all engine instances in use
 *
 * @example
 * ```ts
 * import { engineHeapBytes } from "@wasmi-plugins/host/executor";
 * console.log(await engineHeapBytes());
 * ```
 */
export function engineHeapBytes(): Promise<number> {
  let bytes = 0;
  for (const engine of liveEngines()) {
    if (engine.failure === undefined) bytes += engine.heapBytes();
  }
  return Promise.resolve(bytes);
}
