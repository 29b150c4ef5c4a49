;; Tests: WASI errnos as a real guest sees them (tests/wasi_conformance_test.ts).
;; Makes calls with bad fds and out-of-bounds pointers and writes each call's
;; errno as one byte to stdout, in this order:
;;   fd_write(1, iovs=0xFFFFFFF0)         EFAULT (21)
;;   fd_read(0, iovs=0xFFFFFFF0)          EFAULT
;;   random_get(0xFFFF0000, 256)          EFAULT
;;   args_sizes_get(0xFFFFFFFF, 0)        EFAULT
;;   clock_time_get(0, 0, 0xFFFFFFFC)     EFAULT
;;   fd_fdstat_get(1, 0xFFFFFFF0)         EFAULT
;;   poll_oneoff(0xFFFFFF00, 0, 1, 0)     EFAULT
;;   fd_write(3, ...)                     EBADF (8)
;;   fd_seek(1, 0, 0, 0)                  ESPIPE (70)
;;   path_open(0, ...)                    ENOTDIR (54)
;;   sock_shutdown(2, 0)                  ENOTSOCK (57)
;;   fd_sync(0xFFFFFFFF)                  EBADF
;;   clock_res_get(2, 0)                  EINVAL (28)
;;   fd_readdir(1, ...)                   ENOSYS (52)
;;   fd_prestat_get(3, 0)                 EBADF
;; then returns from _start (exit 0).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $sock_shutdown (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_sync" (func $fd_sync (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $n (mut i32) (i32.const 0))
  ;; Results are collected at 1024.., then written with the iovec at 0.
  (func $put (param $errno i32)
    (i32.store8 (i32.add (i32.const 1024) (global.get $n)) (local.get $errno))
    (global.set $n (i32.add (global.get $n) (i32.const 1))))
  (func (export "_start")
    (call $put (call $fd_write (i32.const 1) (i32.const 0xFFFFFFF0) (i32.const 1) (i32.const 8)))
    (call $put (call $fd_read (i32.const 0) (i32.const 0xFFFFFFF0) (i32.const 1) (i32.const 8)))
    (call $put (call $random_get (i32.const 0xFFFF0000) (i32.const 256)))
    (call $put (call $args_sizes_get (i32.const 0xFFFFFFFF) (i32.const 0)))
    (call $put (call $clock_time_get (i32.const 0) (i64.const 0) (i32.const 0xFFFFFFFC)))
    (call $put (call $fd_fdstat_get (i32.const 1) (i32.const 0xFFFFFFF0)))
    (call $put (call $poll_oneoff (i32.const 0xFFFFFF00) (i32.const 0) (i32.const 1) (i32.const 0)))
    (call $put (call $fd_write (i32.const 3) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $put (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 0)))
    (call $put (call $path_open (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
    (call $put (call $sock_shutdown (i32.const 2) (i32.const 0)))
    (call $put (call $fd_sync (i32.const 0xFFFFFFFF)))
    (call $put (call $clock_res_get (i32.const 2) (i32.const 0)))
    (call $put (call $fd_readdir (i32.const 1) (i32.const 0) (i32.const 0) (i64.const 0) (i32.const 0)))
    (call $put (call $fd_prestat_get (i32.const 3) (i32.const 0)))
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (global.get $n))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
