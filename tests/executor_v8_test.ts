// The executor suite (src/executor/guest_module_test.ts) on the "v8" engine.
import "./_v8_mode.ts";
import "../src/executor/guest_module_test.ts";
