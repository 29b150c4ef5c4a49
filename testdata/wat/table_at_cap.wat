;; Tests: a table of 2^20 initial entries (the cap; 8 MiB at 8 bytes an
;; entry) and one page of memory: together they count against maxMemory
;; when the module is instantiated, on both engines.
(module
  (memory (export "memory") 1)
  (table 1048576 funcref)
  (func (export "_start")))
