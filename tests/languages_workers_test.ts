// The languages suite (languages_test.ts) with every plugin worker-backed.
import "./_workers_mode.ts";
import "./languages_test.ts";
