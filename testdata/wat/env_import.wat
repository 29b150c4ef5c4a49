;; Tests: an import from a module other than wasi_snapshot_preview1 (env.foo)
;; must fail to link with an error naming the import. Nothing calls it.
(module
  (import "env" "foo" (func $foo))
  (memory (export "memory") 1)
  (func (export "_start")))
