// The plugin suite (plugin_test.ts) with every plugin worker-backed.
import "./_workers_mode.ts";
import "./plugin_test.ts";
