;; Tests: an active data segment past the memory's end fails the run at
;; instantiation with the same message on both engines.
(module
  (memory (export "memory") 1)
  (data (i32.const 65535) "ab")
  (func (export "_start")))
