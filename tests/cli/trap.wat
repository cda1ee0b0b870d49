;; Traps with a backtrace: outer -> middle -> inner, where inner hits
;; `unreachable`; the name section (wat2wasm --debug-names) names them.
(module
  (func $inner (unreachable))
  (func $middle (call $inner))
  (func $outer (export "outer") (call $middle))
  (func $divide (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
)
