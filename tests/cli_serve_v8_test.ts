// The cli_serve suite (cli_serve_test.ts) with guests on the "v8" engine.
import "./_v8_mode.ts";
import "./cli_serve_test.ts";
