/**
 * The engine the suites run guests on. Run as their own files they use the
 * default engine ("wasmi"); `tests/*_v8_test.ts` import `_v8_mode.ts` first
 * and then the same suite, which then runs every guest on "v8".
 */

import type { EngineName } from "../mod.ts";

/** The engine of every module and plugin the suites compile or load. */
export const engineMode: { engine: EngineName } = { engine: "wasmi" };
