;; Tests: unbounded memory growth. Grows memory by one 64 KiB page forever;
;; when memory.grow fails (-1) the guest traps with `unreachable`. The host's
;; memory limit must turn this into a clean failure.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $forever
      (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1))
        (then unreachable))
      (br $forever))))
