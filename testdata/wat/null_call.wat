;; Tests: call_indirect through a null table entry traps with the same
;; message on both engines ("uninitialized element").
(module
  (memory (export "memory") 1)
  (type $t (func))
  (table 2 funcref)
  (func (export "_start") (call_indirect (type $t) (i32.const 1))))
