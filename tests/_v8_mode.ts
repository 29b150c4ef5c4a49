/**
 * Imported before a suite, makes it run every guest on the "v8" engine
 * (V8's own WebAssembly with fuel metering and JSPI).
 */

import { engineMode } from "./_engine_mode.ts";
import { modeOptions } from "./_plugin_mode.ts";

engineMode.engine = "v8";
modeOptions.engine = "v8";
