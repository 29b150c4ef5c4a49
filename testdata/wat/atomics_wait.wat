;; wat2wasm: --enable-threads
;; Tests: a shared memory and `memory.atomic.wait32` with no timeout (-1),
;; which on V8 would block the host's thread for good: refused at load on
;; both engines (threads).
(module
  (memory (export "memory") 1 1 shared)
  (func (export "_start")
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))))
