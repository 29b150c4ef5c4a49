;; Tests: a plugin that logs before it reads its first request. _start
;; writes "started" to stderr, then reads stdin until end of input and
;; answers the first chunk it reads with result "ok" for request id 1 (the
;; id of a fresh instance's first request), then exits 0. tests/plugin_test.ts
;; checks that every stateless call's logger gets its instance's start-up
;; line exactly once, also when the instance was started ahead of the call.
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; Layout: read iovec at 0 { buf = 4096, len = 4096 }, nread at 8, write
  ;; iovec at 16, nwritten at 24, "started\n" at 64 (8 bytes), the answer at
  ;; 128 (39 bytes), buffer at 4096.
  (data (i32.const 0) "\00\10\00\00\00\10\00\00")
  (data (i32.const 64) "started\n")
  (data (i32.const 128) "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"ok\"}\n")
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 24))))
  (func (export "_start")
    (local $answered i32)
    (call $write (i32.const 2) (i32.const 64) (i32.const 8))
    (block $done
      (loop $next
        (br_if $done
          (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (br_if $done (i32.eqz (i32.load (i32.const 8))))
        (if (i32.eqz (local.get $answered))
          (then
            (call $write (i32.const 1) (i32.const 128) (i32.const 39))
            (local.set $answered (i32.const 1))))
        (br $next)))))
