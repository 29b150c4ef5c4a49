;; wat2wasm: --enable-multi-memory
;; Tests: two memories: refused at load on both engines (multi-memory).
(module
  (memory $a (export "memory") 1)
  (memory $b 1)
  (func (export "_start")
    (i32.store $b (i32.const 0) (i32.const 1))))
