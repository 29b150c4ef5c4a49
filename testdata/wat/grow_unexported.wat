;; Tests: grow.wat with its memory not exported. The memory cap holds
;; whether or not the guest exports its memory (found by the engines fuzz
;; target: the V8 engine counted only an exported memory, so this guest grew
;; to the cap unnoticed and trapped instead of failing with kind memory).
(module
  (memory 1)
  (func (export "_start")
    (loop $forever
      (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1))
        (then unreachable))
      (br $forever))))
