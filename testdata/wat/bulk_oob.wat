;; Tests: a `memory.fill` and a `memory.copy` of several chunks (the v8
;; engine runs them 64 KiB at a time) that end past the memory trap as one
;; operation does, with the same message on both engines.
(module
  (memory (export "memory") 4)
  (func (export "_start")
    (memory.copy (i32.const 0) (i32.const 65536) (i32.const 65536))
    (memory.fill (i32.const 65536) (i32.const 1) (i32.const 262144))))
