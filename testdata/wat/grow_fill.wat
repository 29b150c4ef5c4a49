;; Bench guest (bench/event_loop_gaps.ts): grows its memory to 256 MiB and
;; fills all of it at once with one `memory.fill`: the first touch of fresh
;; pages.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (memory.grow (i32.const 4094)))
    (memory.fill (i32.const 0) (i32.const 1) (i32.const 268369920))))
