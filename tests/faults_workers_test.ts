// The faults suite (faults_test.ts) with every plugin worker-backed.
import "./_workers_mode.ts";
import "./faults_test.ts";
