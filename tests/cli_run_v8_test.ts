// The cli_run suite (cli_run_test.ts) with guests on the "v8" engine.
import "./_v8_mode.ts";
import "./cli_run_test.ts";
