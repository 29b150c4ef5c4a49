;; Tests: an active element segment past the table's end fails the run at
;; instantiation with the same message on both engines.
(module
  (memory (export "memory") 1)
  (table 1 funcref)
  (func $f)
  (elem (i32.const 1) $f)
  (func (export "_start")))
