;; Tests: a trap (`unreachable`) ends the run with a non-zero status and a reason.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    unreachable))
