;; Tests: a start function that never returns. The wasm start function runs
;; before `_start`; the host must run it in fuel slices under the same fuel,
;; timeout and abort limits as the rest of the guest.
(module
  (memory (export "memory") 1)
  (func $start
    (loop $forever
      (br $forever)))
  (start $start)
  (func (export "_start")))
