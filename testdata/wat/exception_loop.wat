;; wat2wasm: --enable-exceptions
;; Tests: an endless loop that throws and catches an exception in a callee
;; each time: on the v8 engine every throw is charged, so the loop runs out
;; of fuel (and out of time under a timeout).
(module
  (memory (export "memory") 1)
  (tag $again)
  (func $throw (throw $again))
  (func (export "_start")
    (loop $forever
      (try
        (do (call $throw))
        (catch $again))
      (br $forever))))
