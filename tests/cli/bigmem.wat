;; A command whose memory starts at 32 pages (2 MiB): `run --max-memory 1M`
;; must refuse to instantiate it; with 2M it runs and exits with 3 through
;; proc_exit.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 32)
  (func (export "_start")
    (call $exit (i32.const 3)))
)
