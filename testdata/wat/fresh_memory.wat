;; Tests (src/executor/guest_module_test.ts): fresh memory worked in steps
;; must behave as one instruction would. 256 MiB of initial memory with a
;; data segment near its end, a growth over the Wasmi engine's step, a fill
;; and overlapping copies of more than a step. Writes "ok" (the data), then
;; "!" (the fill's last byte), "ab" (a forward and a backward copy), then
;; the old size (in pages, one byte: 255 = 0xFFF) from memory.grow.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 4095)
  (data (i32.const 0xFFE0000) "ok")
  (func $write (param $at i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (call $write (i32.const 0xFFE0000) (i32.const 2))
    ;; Everything from 64 on: '!'.
    (memory.fill (i32.const 64) (i32.const 33) (i32.const 0xFFEFFC0))
    (call $write (i32.const 0xFFEFFFF) (i32.const 1))
    ;; 'a' at 0x100, 'b' at 0x300000; copy 5 MiB up by 1 MiB (backwards, as
    ;; they overlap), then down again (forwards): the bytes land where one
    ;; memory.copy each would put them.
    (i32.store8 (i32.const 0x100) (i32.const 97))
    (i32.store8 (i32.const 0x300000) (i32.const 98))
    (memory.copy (i32.const 0x100100) (i32.const 0x100) (i32.const 0x500000))
    (memory.copy (i32.const 0x200) (i32.const 0x100100) (i32.const 0x500000))
    (i32.store8 (i32.const 40) (i32.load8_u (i32.const 0x200)))
    (i32.store8 (i32.const 41) (i32.load8_u (i32.const 0x300100)))
    (call $write (i32.const 40) (i32.const 2))
    (i32.store8 (i32.const 42) (i32.shr_u (memory.grow (i32.const 1)) (i32.const 4)))
    (call $write (i32.const 42) (i32.const 1))))
