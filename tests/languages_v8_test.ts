// The languages suite (languages_test.ts) with every plugin on the "v8" engine.
import "./_v8_mode.ts";
import "./languages_test.ts";
