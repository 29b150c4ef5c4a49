;; Tests: a guest that only writes. Writes 16 KiB lines ("xxx...x\n") to
;; stderr in an endless loop, with no other host calls. The host must keep
;; its event loop turning, stop the guest by timeout, fuel or abort, and
;; bound what it collects.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (memory.fill (i32.const 1024) (i32.const 120) (i32.const 16383))
    (i32.store8 (i32.const 17407) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const 16384))
    (loop $forever
      (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
      (br $forever))))
