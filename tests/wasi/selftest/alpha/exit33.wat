;; proc_exit(33). exit33.json expects 33 (passes); wrong_exit.json, for the
;; same module built as wrong_exit.wasm, expects 0 (fails).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const 33))))
