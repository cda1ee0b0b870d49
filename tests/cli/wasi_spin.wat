;; A WASI command whose _start loops forever in a named function, so the
;; --timeout backtrace can be checked.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $spin_here (loop $l (br $l)))
  (func $_start (export "_start") (call $spin_here))
)
