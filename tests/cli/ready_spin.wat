;; A WASI command that prints "ready" and then spins until it is stopped: once
;; the line is out, wasmgate is certainly running the guest, with everything
;; it will ever load loaded. run_split_tests.sh reads its /proc/PID/maps then.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "ready\n")
  (func $spin (loop $l (br $l)))
  (func $_start (export "_start")
    ;; one iovec at 0: {buf = 16, len = 6}; the count written goes to 8
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $spin))
)
