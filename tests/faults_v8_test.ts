// The faults suite (faults_test.ts) with every plugin on the "v8" engine.
import "./_v8_mode.ts";
import "./faults_test.ts";
