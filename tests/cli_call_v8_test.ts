// The cli_call suite (cli_call_test.ts) with guests on the "v8" engine.
import "./_v8_mode.ts";
import "./cli_call_test.ts";
