// The manifest suite (manifest_test.ts) with guests on the "v8" engine.
import "./_v8_mode.ts";
import "./manifest_test.ts";
