;; Bench guest (bench/event_loop_gaps.ts): 256 MiB of initial memory and a
;; `_start` that returns at once: what instantiating fresh memory costs.
(module
  (memory (export "memory") 4095)
  (func (export "_start")))
