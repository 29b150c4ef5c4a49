;; Tests: a guest that never returns (infinite loop, no imports); the host
;; must be able to stop it (timeout / fuel / termination).
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $forever
      (br $forever))))
