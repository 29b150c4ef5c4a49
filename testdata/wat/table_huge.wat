;; Tests: a table of 10,000,000 initial entries, over the cap of 2^20 a table
;; may have: refused when the module loads, on both engines.
(module
  (memory (export "memory") 1)
  (table 10000000 funcref)
  (func (export "_start")))
