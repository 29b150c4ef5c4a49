;; Tests: raw fd_read/fd_write on stdio. Reads stdin (one 4096-byte iovec) and
;; writes each chunk to stdout until fd_read reports 0 bytes (EOF). A failing
;; call (non-zero errno) also ends the loop.
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; Layout: read iovec at 0 { buf = 1024, len = 4096 }, nread at 8,
  ;; write iovec at 16 { buf = 1024, len = nread }, nwritten at 24,
  ;; buffer at 1024.
  (data (i32.const 0) "\00\04\00\00\00\10\00\00")
  (func (export "_start")
    (block $done
      (loop $next
        (br_if $done
          (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (br_if $done (i32.eqz (i32.load (i32.const 8))))
        (i32.store (i32.const 16) (i32.const 1024))
        (i32.store (i32.const 20) (i32.load (i32.const 8)))
        (br_if $done
          (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
        (br $next)))))
