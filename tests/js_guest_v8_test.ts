// The JavaScript guest suite (js_guest_test.ts) with every plugin on the "v8" engine.
import "./_v8_mode.ts";
import "./js_guest_test.ts";
