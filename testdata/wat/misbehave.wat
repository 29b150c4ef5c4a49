;; Tests: a JSON-RPC plugin that misbehaves on request, for the fault matrix
;; (tests/faults_test.ts). It serves stdin line by line until end of input,
;; then returns from _start (exit 0). Lines without `"method":"` (responses,
;; the host's parse-error answers) are ignored. A request's id is copied
;; verbatim from its `"id":` member (`null` if it has none) into every `#` of
;; the canned answer. The method's FIRST LETTER picks the behaviour:
;;
;;   ping              p  {"result":"pong"}
;;   wrong_id          w  a response with id 424242, then the right answer
;;   duplicate         d  two responses with the request's id ("first", "second")
;;   utf8_invalid      u  a line of invalid UTF-8, then the right answer
;;   json_invalid      j  a truncated JSON line, then the right answer
;;   notification_reply n responses with the id (null for a notification) and id 7
;;   garbage_stderr    g  4 MiB to stderr without a newline, then {"result":"flooded stderr"}
;;   flood_stdout      f  64 KiB chunks of 'x' to stdout forever, never a newline
;;   close_stdout      c  fd_close(1), then keeps reading stdin until end of input
;;   sleep_forever     s  never reads stdin again: sleeps in poll_oneoff forever
;;   exit_N            e  proc_exit(N) (N: the digits in the method name)
;;   kill_N            k  proc_raise(N)
;;   trap              t  `unreachable`
;;   zero_division     z  i32.div_s by zero
;;   out_of_bounds     o  i32.load at 0xFFFFFFF0
;;   recursion         r  unbounded recursion (call stack overflow)
;;   memory_bomb       m  memory.grow by 1 MiB forever (`unreachable` when it fails)
;;   loop_forever      l  an infinite loop without host calls
;;   allocate_N        a  grows memory by N MiB (N: the digits in the method
;;                        name), then {"result":"allocated"}; `unreachable`
;;                        if memory.grow fails
;;   Fill_N            F  grows memory by N MiB, fills all of it past the first
;;                        3 pages with one memory.fill, then {"result":"filled"}
;;   babble_stderr     b  the line "babble" to stderr forever, never answers
;;   yell_stdout       y  a notification line to stdout forever, never answers
;;   host_flood        h  2,000 requests to the host's `echo`, each with a
;;                        64 KiB string, without reading the answers; then
;;                        {"result":"flooded host"}
;;   volley_N          v  one line holding a batch of N requests to the host's
;;                        `echo` (id 1, params ["v"]); then reads the host's
;;                        answer line and answers with it as the result
;;                        ("long answer" if it is 4096 bytes or longer)
;;   inception_N       i  a result nested N arrays deep: [[[...]]]
;;   anything else        error -32601 "Method not found"
;;
;; Memory layout: 0 read iovec, 8 nread, 16 write iovec, 24 nwritten,
;; 64 poll subscription (48 bytes), 128 poll event, 192 nevents,
;; 1024 templates (NUL-terminated), 16384 line buffer (4096 bytes; longer
;; lines are truncated), 24576 output buffer, 32768 read buffer (16384),
;; 3072 the request id kept while another line is read (64 bytes), 65536
;; flood buffer (65536 bytes of 'x'), 131072 32 KiB of '[', 163840 32 KiB
;; of ']'; a volley's batch is built at 196608, in memory grown for it.
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "proc_raise" (func $proc_raise (param i32) (result i32)))
  (memory (export "memory") 3)

  (global $read_pos (mut i32) (i32.const 0))
  (global $read_len (mut i32) (i32.const 0))
  (global $id_ptr (mut i32) (i32.const 0))
  (global $id_len (mut i32) (i32.const 0))

  ;; Needles and templates.
  (data (i32.const 1024) "\"method\":\"\00")
  (data (i32.const 1040) "\"id\":\00")
  (data (i32.const 1048) "null\00")
  (data (i32.const 1056) "{\"jsonrpc\":\"2.0\",\"id\":#,\"result\":\"pong\"}\n\00")
  (data (i32.const 1152) "{\"jsonrpc\":\"2.0\",\"id\":424242,\"result\":\"stray\"}\n{\"jsonrpc\":\"2.0\",\"id\":#,\"result\":\"after a stray response\"}\n\00")
  (data (i32.const 1280) "{\"jsonrpc\":\"2.0\",\"id\":#,\"result\":\"first\"}\n{\"jsonrpc\":\"2.0\",\"id\":#,\"result\":\"second\"}\n\00")
  (data (i32.const 1408) "\ff\fe\fd not utf-8\n{\"jsonrpc\":\"2.0\",\"id\":#,\"result\":\"after invalid utf-8\"}\n\00")
  (data (i32.const 1536) "{\"jsonrpc\":\"2.0\",\"id\":#,\"result\":\n{\"jsonrpc\":\"2.0\",\"id\":#,\"result\":\"after invalid json\"}\n\00")
  (data (i32.const 1664) "{\"jsonrpc\":\"2.0\",\"id\":#,\"result\":\"unsolicited\"}\n{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"unsolicited\"}\n\00")
  (data (i32.const 1792) "{\"jsonrpc\":\"2.0\",\"id\":#,\"result\":\"flooded stderr\"}\n\00")
  (data (i32.const 2048) "babble\n\00")
  (data (i32.const 2064) "{\"jsonrpc\":\"2.0\",\"method\":\"log\",\"params\":[\"yell\"]}\n\00")
  (data (i32.const 2128) "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"\00")
  (data (i32.const 2192) "\"]}\n\00")
  (data (i32.const 2208) "{\"jsonrpc\":\"2.0\",\"id\":#,\"result\":\"flooded host\"}\n\00")
  (data (i32.const 2272) "{\"jsonrpc\":\"2.0\",\"id\":#,\"result\":\"allocated\"}\n\00")
  (data (i32.const 2320) "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"v\"]}\00")
  (data (i32.const 2384) "{\"jsonrpc\":\"2.0\",\"id\":#,\"result\":\00")
  (data (i32.const 2432) "\"long answer\"\00")
  (data (i32.const 2448) "}\n\00")
  (data (i32.const 2464) "{\"jsonrpc\":\"2.0\",\"id\":#,\"result\":\"filled\"}\n\00")
  (data (i32.const 1920) "{\"jsonrpc\":\"2.0\",\"id\":#,\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}\n\00")

  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  ;; Next byte of stdin, or -1 at end of input (or on an error).
  (func $read_byte (result i32)
    (local $b i32)
    (if (i32.ge_u (global.get $read_pos) (global.get $read_len))
      (then
        (i32.store (i32.const 0) (i32.const 32768))
        (i32.store (i32.const 4) (i32.const 16384))
        (if (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))
          (then (return (i32.const -1))))
        (if (i32.eqz (i32.load (i32.const 8)))
          (then (return (i32.const -1))))
        (global.set $read_len (i32.load (i32.const 8)))
        (global.set $read_pos (i32.const 0))))
    (local.set $b (i32.load8_u (i32.add (i32.const 32768) (global.get $read_pos))))
    (global.set $read_pos (i32.add (global.get $read_pos) (i32.const 1)))
    (local.get $b))

  ;; Reads one line into the line buffer; its stored length, or -1 at end of input.
  (func $read_line (result i32)
    (local $n i32) (local $b i32) (local $any i32)
    (block $done
      (loop $next
        (local.set $b (call $read_byte))
        (if (i32.eq (local.get $b) (i32.const -1))
          (then
            (if (i32.eqz (local.get $any)) (then (return (i32.const -1))))
            (br $done)))
        (local.set $any (i32.const 1))
        (br_if $done (i32.eq (local.get $b) (i32.const 10)))
        (if (i32.lt_u (local.get $n) (i32.const 4096))
          (then
            (i32.store8 (i32.add (i32.const 16384) (local.get $n)) (local.get $b))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (br $next)))
    (local.get $n))

  ;; Index of the NUL-terminated needle in line[0..len], or -1.
  (func $find (param $len i32) (param $needle i32) (result i32)
    (local $i i32) (local $j i32) (local $nlen i32)
    (local.set $nlen (call $strlen (local.get $needle)))
    (block $none
      (loop $at
        (br_if $none (i32.gt_s (i32.add (local.get $i) (local.get $nlen)) (local.get $len)))
        (local.set $j (i32.const 0))
        (block $mismatch
          (loop $cmp
            (if (i32.eq (local.get $j) (local.get $nlen)) (then (return (local.get $i))))
            (br_if $mismatch
              (i32.ne
                (i32.load8_u (i32.add (i32.const 16384) (i32.add (local.get $i) (local.get $j))))
                (i32.load8_u (i32.add (local.get $needle) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $cmp)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $at)))
    (i32.const -1))

  ;; Writes len bytes at ptr to fd; exits with 1 if the write fails.
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (if (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 24))
      (then (call $proc_exit (i32.const 1)))))

  ;; Writes a template to stdout with every `#` replaced by the request id.
  (func $respond (param $t i32)
    (local $out i32) (local $b i32)
    (local.set $out (i32.const 24576))
    (block $done
      (loop $next
        (local.set $b (i32.load8_u (local.get $t)))
        (br_if $done (i32.eqz (local.get $b)))
        (if (i32.eq (local.get $b) (i32.const 35)) ;; '#'
          (then
            (memory.copy (local.get $out) (global.get $id_ptr) (global.get $id_len))
            (local.set $out (i32.add (local.get $out) (global.get $id_len))))
          (else
            (i32.store8 (local.get $out) (local.get $b))
            (local.set $out (i32.add (local.get $out) (i32.const 1)))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $next)))
    (call $write (i32.const 1) (i32.const 24576) (i32.sub (local.get $out) (i32.const 24576))))

  ;; The decimal number in line[from..len] (its first run of digits), or 0.
  (func $number (param $from i32) (param $len i32) (result i32)
    (local $n i32) (local $b i32) (local $seen i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $from) (local.get $len)))
        (local.set $b (i32.load8_u (i32.add (i32.const 16384) (local.get $from))))
        (if (i32.and (i32.ge_u (local.get $b) (i32.const 48)) (i32.le_u (local.get $b) (i32.const 57)))
          (then
            (local.set $seen (i32.const 1))
            (local.set $n (i32.add (i32.mul (local.get $n) (i32.const 10))
              (i32.sub (local.get $b) (i32.const 48)))))
          (else
            (br_if $done (local.get $seen))
            (br_if $done (i32.eq (local.get $b) (i32.const 34))))) ;; '"' ends the name
        (local.set $from (i32.add (local.get $from) (i32.const 1)))
        (br $next)))
    (local.get $n))

  (func $recurse (param $depth i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get $depth) (i32.const 1))) (i32.const 1)))

  (func $sleep_forever
    ;; A relative MONOTONIC clock subscription of 2^62 ns (146 years).
    (i64.store (i32.const 64) (i64.const 1)) ;; userdata
    (i32.store8 (i32.const 72) (i32.const 0)) ;; clock
    (i32.store (i32.const 80) (i32.const 1)) ;; MONOTONIC
    (i64.store (i32.const 88) (i64.const 0x4000000000000000))
    (i64.store (i32.const 96) (i64.const 0)) ;; precision
    (i32.store16 (i32.const 104) (i32.const 0)) ;; flags
    (loop $again
      (drop (call $poll_oneoff (i32.const 64) (i32.const 128) (i32.const 1) (i32.const 192)))
      (br $again)))

;; Writes n bytes to stdout from a 32 KiB run of one byte at ptr.
  (func $repeat (param $ptr i32) (param $n i32)
    (local $c i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $c (select (i32.const 32768) (local.get $n)
          (i32.gt_u (local.get $n) (i32.const 32768))))
        (call $write (i32.const 1) (local.get $ptr) (local.get $c))
        (local.set $n (i32.sub (local.get $n) (local.get $c)))
        (br $next))))

  ;; A batch of n echo requests in one line, then the host's answer line as the result.
  (func $volley (param $n i32)
    (local $size i32) (local $at i32) (local $k i32) (local $len i32)
    ;; The id is in the line buffer, which the answer overwrites: keep it.
    (if (i32.gt_u (global.get $id_len) (i32.const 64)) (then (global.set $id_len (i32.const 64))))
    (memory.copy (i32.const 3072) (global.get $id_ptr) (global.get $id_len))
    (global.set $id_ptr (i32.const 3072))
    (local.set $len (call $strlen (i32.const 2320)))
    ;; '[', n requests each followed by ',' (the last one's becomes ']'), '\n'.
    (local.set $size (i32.add (i32.mul (local.get $n) (i32.add (local.get $len) (i32.const 1))) (i32.const 2)))
    (if (i32.eq
          (memory.grow (i32.add (i32.shr_u (local.get $size) (i32.const 16)) (i32.const 1)))
          (i32.const -1))
      (then unreachable))
    (i32.store8 (i32.const 196608) (i32.const 91))
    (local.set $at (i32.const 196609))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
        (memory.copy (local.get $at) (i32.const 2320) (local.get $len))
        (i32.store8 (i32.add (local.get $at) (local.get $len)) (i32.const 44))
        (local.set $at (i32.add (local.get $at) (i32.add (local.get $len) (i32.const 1))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next)))
    (if (local.get $n) (then (local.set $at (i32.sub (local.get $at) (i32.const 1)))))
    (i32.store8 (local.get $at) (i32.const 93))
    (i32.store8 (i32.add (local.get $at) (i32.const 1)) (i32.const 10))
    (call $write (i32.const 1) (i32.const 196608) (i32.sub (i32.add (local.get $at) (i32.const 2)) (i32.const 196608)))
    (local.set $len (call $read_line))
    (if (i32.lt_s (local.get $len) (i32.const 0)) (then (return)))
    (call $respond (i32.const 2384))
    (if (i32.lt_u (local.get $len) (i32.const 4096))
      (then (call $write (i32.const 1) (i32.const 16384) (local.get $len)))
      (else (call $write (i32.const 1) (i32.const 2432) (call $strlen (i32.const 2432)))))
    (call $write (i32.const 1) (i32.const 2448) (i32.const 2)))

  (func $serve_line (param $len i32)
    (local $m i32) (local $i i32) (local $sel i32) (local $k i32)
    (local.set $m (call $find (local.get $len) (i32.const 1024)))
    (if (i32.lt_s (local.get $m) (i32.const 0)) (then (return)))
    (local.set $m (i32.add (local.get $m) (i32.const 10)))
    (if (i32.ge_u (local.get $m) (local.get $len)) (then (return)))
    (local.set $sel (i32.load8_u (i32.add (i32.const 16384) (local.get $m))))
    ;; The id: the bytes after "id": up to ',' or '}'.
    (local.set $i (call $find (local.get $len) (i32.const 1040)))
    (if (i32.lt_s (local.get $i) (i32.const 0))
      (then
        (global.set $id_ptr (i32.const 1048))
        (global.set $id_len (i32.const 4)))
      (else
        (local.set $i (i32.add (local.get $i) (i32.const 5)))
        (global.set $id_ptr (i32.add (i32.const 16384) (local.get $i)))
        (local.set $k (local.get $i))
        (block $end
          (loop $scan
            (br_if $end (i32.ge_u (local.get $k) (local.get $len)))
            (br_if $end (i32.eq (i32.load8_u (i32.add (i32.const 16384) (local.get $k))) (i32.const 44)))
            (br_if $end (i32.eq (i32.load8_u (i32.add (i32.const 16384) (local.get $k))) (i32.const 125)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $scan)))
        (global.set $id_len (i32.sub (local.get $k) (local.get $i)))))
    (if (i32.eq (local.get $sel) (i32.const 112)) (then (call $respond (i32.const 1056)) (return))) ;; p
    (if (i32.eq (local.get $sel) (i32.const 119)) (then (call $respond (i32.const 1152)) (return))) ;; w
    (if (i32.eq (local.get $sel) (i32.const 100)) (then (call $respond (i32.const 1280)) (return))) ;; d
    (if (i32.eq (local.get $sel) (i32.const 117)) (then (call $respond (i32.const 1408)) (return))) ;; u
    (if (i32.eq (local.get $sel) (i32.const 106)) (then (call $respond (i32.const 1536)) (return))) ;; j
    (if (i32.eq (local.get $sel) (i32.const 110)) (then (call $respond (i32.const 1664)) (return))) ;; n
    (if (i32.eq (local.get $sel) (i32.const 103)) ;; g
      (then
        (local.set $k (i32.const 64))
        (loop $chunk
          (call $write (i32.const 2) (i32.const 65536) (i32.const 65536))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br_if $chunk (local.get $k)))
        (call $respond (i32.const 1792))
        (return)))
    (if (i32.eq (local.get $sel) (i32.const 102)) ;; f
      (then
        (loop $forever
          (call $write (i32.const 1) (i32.const 65536) (i32.const 65536))
          (br $forever))))
    (if (i32.eq (local.get $sel) (i32.const 99)) ;; c
      (then (drop (call $fd_close (i32.const 1))) (return)))
    (if (i32.eq (local.get $sel) (i32.const 115)) (then (call $sleep_forever))) ;; s
    (if (i32.eq (local.get $sel) (i32.const 101)) ;; e
      (then (call $proc_exit (call $number (local.get $m) (local.get $len)))))
    (if (i32.eq (local.get $sel) (i32.const 107)) ;; k
      (then (drop (call $proc_raise (call $number (local.get $m) (local.get $len)))) (return)))
    (if (i32.eq (local.get $sel) (i32.const 116)) (then unreachable)) ;; t
    (if (i32.eq (local.get $sel) (i32.const 122)) ;; z: divides by (sel - 'z') = 0
      (then (drop (i32.div_s (i32.const 1) (i32.sub (local.get $sel) (i32.const 122)))) (return)))
    (if (i32.eq (local.get $sel) (i32.const 111)) ;; o
      (then (drop (i32.load (i32.const 0xFFFFFFF0))) (return)))
    (if (i32.eq (local.get $sel) (i32.const 114)) ;; r
      (then (drop (call $recurse (i32.const 0))) (return)))
    (if (i32.eq (local.get $sel) (i32.const 109)) ;; m
      (then
        (loop $grow
          (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1)) (then unreachable))
          (br $grow))))
    (if (i32.eq (local.get $sel) (i32.const 70)) ;; F
      (then
        (if (i32.eq
              (memory.grow (i32.mul (call $number (local.get $m) (local.get $len)) (i32.const 16)))
              (i32.const -1))
          (then unreachable))
        (memory.fill (i32.const 196608) (i32.const 120)
          (i32.sub (i32.shl (memory.size) (i32.const 16)) (i32.const 196608)))
        (call $respond (i32.const 2464))
        (return)))
    (if (i32.eq (local.get $sel) (i32.const 97)) ;; a
      (then
        (if (i32.eq
              (memory.grow (i32.mul (call $number (local.get $m) (local.get $len)) (i32.const 16)))
              (i32.const -1))
          (then unreachable))
        (call $respond (i32.const 2272))
        (return)))
    (if (i32.eq (local.get $sel) (i32.const 98)) ;; b
      (then
        (loop $forever
          (call $write (i32.const 2) (i32.const 2048) (call $strlen (i32.const 2048)))
          (br $forever))))
    (if (i32.eq (local.get $sel) (i32.const 121)) ;; y
      (then
        (loop $forever
          (call $write (i32.const 1) (i32.const 2064) (call $strlen (i32.const 2064)))
          (br $forever))))
    (if (i32.eq (local.get $sel) (i32.const 104)) ;; h
      (then
        (local.set $k (i32.const 2000))
        (loop $request
          (call $write (i32.const 1) (i32.const 2128) (call $strlen (i32.const 2128)))
          (call $write (i32.const 1) (i32.const 65536) (i32.const 65536))
          (call $write (i32.const 1) (i32.const 2192) (call $strlen (i32.const 2192)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br_if $request (local.get $k)))
        (call $respond (i32.const 2208))
        (return)))
    (if (i32.eq (local.get $sel) (i32.const 118)) ;; v
      (then (call $volley (call $number (local.get $m) (local.get $len))) (return)))
    (if (i32.eq (local.get $sel) (i32.const 105)) ;; i
      (then
        (call $respond (i32.const 2384))
        (call $repeat (i32.const 131072) (call $number (local.get $m) (local.get $len)))
        (call $repeat (i32.const 163840) (call $number (local.get $m) (local.get $len)))
        (call $write (i32.const 1) (i32.const 2448) (i32.const 2))
        (return)))
    (if (i32.eq (local.get $sel) (i32.const 108)) ;; l
      (then (loop $spin (br $spin))))
    (call $respond (i32.const 1920)))

  (func (export "_start")
    (local $len i32)
    (memory.fill (i32.const 65536) (i32.const 120) (i32.const 65536))
    (memory.fill (i32.const 131072) (i32.const 91) (i32.const 32768))
    (memory.fill (i32.const 163840) (i32.const 93) (i32.const 32768))
    (block $eof
      (loop $next
        (local.set $len (call $read_line))
        (br_if $eof (i32.lt_s (local.get $len) (i32.const 0)))
        (call $serve_line (local.get $len))
        (br $next)))))
