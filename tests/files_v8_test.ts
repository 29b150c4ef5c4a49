// The opt-in directory suite (files_test.ts) with guests on the "v8" engine.
import "./_v8_mode.ts";
import "./files_test.ts";
