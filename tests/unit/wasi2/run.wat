(component
  (core module $m
    (func (export "ok") (result i32) (i32.const 0))
    (func (export "err") (result i32) (i32.const 1)))
  (core instance $m (instantiate $m))
  (func $ok (result (result)) (canon lift (core func $m "ok")))
  (func $err (result (result)) (canon lift (core func $m "err")))
  (instance $run (export "run" (func $ok)))
  (export "wasi:cli/run@0.2.3" (instance $run))
  (export "fail" (func $err))
)
