/**
 * Which engine runs a module's guests.
 *
 * @module
 */

import type { EngineName } from "./_guest_engine.ts";
import { hasJspi } from "./v8/v8_guest.ts";

export type { EngineName };

/**
 * The engine a module's guests run on:
 *
 * - `"wasmi"` (the default): the bundled Wasmi interpreter, compiled to
 *   WebAssembly. Works wherever WebAssembly does; exact, deterministic fuel.
 * - `"v8"`: the runtime's own WebAssembly (V8 in Deno, Node and Chromium),
 *   with fuel metering injected into the guest's code and JSPI for
 *   suspension: tens of times faster on compute. Needs JSPI
 *   (`WebAssembly.Suspending`, `WebAssembly.promising`).
 * - `"auto"`: `"v8"` where JSPI exists, else `"wasmi"`.
 */
export type EngineChoice = EngineName | "auto";

/**
 * Resolves an engine choice for this runtime.
 *
 * @example Pick the fastest engine available
 * ```ts
 * import { resolveEngine } from "@wasmi-plugins/host/executor";
 * const engine = resolveEngine("auto"); // "v8" in Deno 2.9, "wasmi" in Node 20
 * if (engine !== "v8" && engine !== "wasmi") throw new Error("unexpected");
 * ```
 *
 * @param choice The choice (default `"wasmi"`).
 * @returns the engine to use
 * @throws {TypeError} if the choice is unknown, or `"v8"` where JSPI is missing.
 */
export function resolveEngine(choice: EngineChoice = "wasmi"): EngineName {
  switch (choice) {
    case "wasmi":
      return "wasmi";
    case "auto":
      return hasJspi() ? "v8" : "wasmi";
    case "v8":
      if (!hasJspi()) {
        throw new TypeError(
          "The v8 engine needs JSPI (WebAssembly.Suspending and WebAssembly.promising), " +
            'which this runtime lacks: use engine "wasmi" or "auto"',
        );
      }
      return "v8";
    default:
      throw new TypeError(
        `Option engine must be "wasmi", "v8" or "auto", got ${JSON.stringify(choice)}`,
      );
  }
}
