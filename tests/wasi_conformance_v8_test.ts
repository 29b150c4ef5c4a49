// The WASI conformance suite (wasi_conformance_test.ts) with guests on the "v8" engine.
import "./_v8_mode.ts";
import "./wasi_conformance_test.ts";
