;; wat2wasm: --enable-memory64
;; Tests: a 64-bit memory: refused at load on both engines (memory64).
(module
  (memory (export "memory") i64 1)
  (func (export "_start")
    (i64.store (i64.const 8) (i64.const 1))))
