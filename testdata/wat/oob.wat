;; Tests: an out-of-bounds memory access (i32.load at 0xFFFFFFF0) traps.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (i32.load (i32.const 0xFFFFFFF0)))))
