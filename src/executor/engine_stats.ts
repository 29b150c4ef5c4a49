/**
 * Figures about the shared engine, for monitoring and leak checks.
 *
 * @module
 */

import { loadEngine } from "./_engine.ts";

/**
 * Bytes the engine's allocator holds right now (compiled modules, instances
 * and their memories).
 *
 * @returns the engine's live heap bytes
 *
 * @example
 * ```ts
 * import { engineHeapBytes } from "@wasmi-plugins/host/executor";
 * console.log(await engineHeapBytes());
 * ```
 */
export async function engineHeapBytes(): Promise<number> {
  return (await loadEngine()).heapBytes();
}
