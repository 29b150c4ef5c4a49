// The JavaScript guest suite (js_guest_test.ts) with every plugin worker-backed.
import "./_workers_mode.ts";
import "./js_guest_test.ts";
