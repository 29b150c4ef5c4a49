/**
 * The mode the plugin, fault and language suites run in: the options every
 * plugin they load gets. Run as their own files they load plugins on the
 * calling thread; `tests/*_workers_test.ts` import `_workers_mode.ts` first
 * and then the same suite, which then loads every plugin worker-backed.
 */

import type { PluginOptions } from "../mod.ts";

/** Options spread into every `Plugin.load` of the suites (empty: in-thread). */
export const modeOptions: PluginOptions = {};

/** Whether the suite runs worker-backed. */
export function workersMode(): boolean {
  return modeOptions.workers !== undefined;
}
