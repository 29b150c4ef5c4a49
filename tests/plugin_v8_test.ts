// The plugin suite (plugin_test.ts) with every plugin on the "v8" engine.
import "./_v8_mode.ts";
import "./plugin_test.ts";
