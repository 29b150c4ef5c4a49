;; Tests: a guest that only writes. Writes the line "spam...\n" (64 bytes) to
;; stderr in an endless loop, with no other host calls. The host must keep
;; its event loop turning and stop the guest by timeout, fuel or abort.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "spam spam spam spam spam spam spam spam spam spam spam spam spa\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 64))
    (loop $forever
      (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
      (br $forever))))
