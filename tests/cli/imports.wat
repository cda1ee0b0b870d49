;; A module with imports: `run` provides none, so instantiation fails on the
;; first one; `inspect` lists them all.
(module
  (import "env" "log" (func $log (param i32 i64) (result f32)))
  (import "env" "table" (table 1 10 funcref))
  (import "env" "memory" (memory 1))
  (import "env" "counter" (global $counter (mut i64)))
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (func (export "main") (result i32) (i32.const 0))
)
