;; A WASI reactor: _initialize sets the state that `get` returns, so
;; `run --invoke get` prints 42 only if _initialize ran first; `run` without
;; --invoke runs _initialize alone (and exits 0). `write_hi` writes "hi\n" to
;; stdout through WASI fd_write.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\n")
  (global $state (mut i32) (i32.const 0))
  (func (export "_initialize")
    (global.set $state (i32.const 42)))
  (func (export "get") (result i32)
    (global.get $state))
  (func (export "write_hi") (result i32)
    ;; iovec at 0: {buf 16, len 3}; bytes written at 8
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 3))
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
)
