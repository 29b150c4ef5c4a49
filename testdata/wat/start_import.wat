;; Tests: a module whose `_start` is an imported WASI function re-exported
;; (here proc_exit, which takes a param) is refused at spawn on both engines,
;; as linkErrors() says (found by the engines fuzz target: the V8 engine's
;; description gave re-exported imports no signature, and calling it threw).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (export "_start" (func $exit)))
