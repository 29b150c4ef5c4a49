;; Bench guest (bench/event_loop_gaps.ts): a loop that calls an empty
;; function, costlier per unit of fuel than a bare loop on the v8 engine.
(module
  (memory (export "memory") 1)
  (func $nothing)
  (func (export "_start")
    (loop $forever
      (call $nothing)
      (br $forever))))
