;; Tests: unbounded recursion; the call stack overflows and must trap cleanly.
(module
  (memory (export "memory") 1)
  (func $recurse
    (call $recurse))
  (func (export "_start")
    (call $recurse)))
