// The faults suite (faults_test.ts) with every plugin on the "v8" engine, worker-backed.
import "./_v8_mode.ts";
import "./_workers_mode.ts";
import "./faults_test.ts";
