// The stdio suite (stdio_test.ts) with guests on the "v8" engine.
import "./_v8_mode.ts";
import "./stdio_test.ts";
