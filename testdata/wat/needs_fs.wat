;; Tests: a guest that needs the filesystem. It asks for a preopened
;; directory (fd 3) and tries path_open there; with no filesystem both answer
;; an errno and the guest exits with code 2. `inspect` calls it "limited".
(module
  (import "wasi_snapshot_preview1" "fd_prestat_get"
    (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "data.txt")
  (func (export "_start")
    (if (i32.eqz (call $fd_prestat_get (i32.const 3) (i32.const 0)))
      (then (call $proc_exit (i32.const 0))))
    (if (i32.eqz (call $path_open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 8)
          (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 16)))
      (then (call $proc_exit (i32.const 0))))
    (call $proc_exit (i32.const 2))))
