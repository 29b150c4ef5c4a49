;; A guest whose every host call is heavy: random_get of 16 MiB, in a loop,
;; without reading stdin (as a plugin, its call never answers). The host
;; fills such a buffer in steps of src/wasi/_limits.ts's RANDOM_STEP with the
;; guest suspended between them, so timeout and abort still stop it; before,
;; one v8 fuel step held the event loop for seconds of host work.
(module
  (import "wasi_snapshot_preview1" "random_get"
    (func $random_get (param i32 i32) (result i32)))
  (memory (export "memory") 256)
  (func (export "_start")
    (loop $again
      (drop (call $random_get (i32.const 0) (i32.const 16777216)))
      (br $again))))
