;; With cleanup.json (root "root", preopened as fd 3): root/keep.txt must
;; open (exit 10 if not), while root/stale.cleanup and root/sub/deep.cleanup,
;; present in the suite folder, must have been deleted by the runner before
;; the test (path_open says ENOENT = 44; exit 11 / 12 if not).
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "keep.txt")
  (data (i32.const 32) "stale.cleanup")
  (data (i32.const 64) "sub/deep.cleanup")
  (func $open_ro (param $path i32) (param $len i32) (result i32)
    (call $open (i32.const 3) (i32.const 0) (local.get $path) (local.get $len)
                (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
  (func (export "_start")
    (if (i32.ne (call $open_ro (i32.const 16) (i32.const 8)) (i32.const 0))
      (then (call $exit (i32.const 10))))
    (if (i32.ne (call $open_ro (i32.const 32) (i32.const 13)) (i32.const 44))
      (then (call $exit (i32.const 11))))
    (if (i32.ne (call $open_ro (i32.const 64) (i32.const 16)) (i32.const 44))
      (then (call $exit (i32.const 12))))))
