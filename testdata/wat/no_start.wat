;; Tests: a module that exports memory but no _start function must be
;; rejected as a command with a clear error.
(module
  (memory (export "memory") 1))
