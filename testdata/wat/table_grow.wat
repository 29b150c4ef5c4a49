;; Tests: unbounded table growth. Grows a funcref table by 65,536 entries
;; forever; when table.grow fails (-1) the guest traps with `unreachable`.
;; Table entries count toward the host's memory limit.
(module
  (memory (export "memory") 1)
  (table $t 0 funcref)
  (func (export "_start")
    (loop $forever
      (if (i32.eq (table.grow $t (ref.null func) (i32.const 65536)) (i32.const -1))
        (then unreachable))
      (br $forever))))
