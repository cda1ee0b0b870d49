;; Never returns: for interrupting `run` with a signal or --timeout.
;; `announce_spin` first writes "spinning" to stderr, then loops in `spin`:
;; a test waits for that line before it sends the signal, so the signal
;; provably arrives while the guest runs.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "spinning\n")
  (func $spin (export "spin")
    (loop $again (br $again)))
  (func $announce_spin (export "announce_spin")
    ;; one iovec at 0: (16, 9); the count written goes to 8
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 9))
    (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $spin))
)
