;; Tests: a start function runs before `_start`, in the same instance. The
;; start function stores the byte 'S' at 100; `_start` then writes the bytes
;; at 100..102 ("S\n" if the start function ran) to stdout.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "?\n")
  (func $start
    (i32.store8 (i32.const 100) (i32.const 83)))
  (start $start)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 2))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
