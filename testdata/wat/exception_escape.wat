;; wat2wasm: --enable-exceptions
;; Tests: `_start` throws a wasm exception nothing catches: refused on the
;; wasmi engine (exceptions), a trap on the v8 engine.
(module
  (memory (export "memory") 1)
  (tag $oops (param i32))
  (func (export "_start")
    (throw $oops (i32.const 42))))
