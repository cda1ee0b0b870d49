;; The start function traps: instantiation itself fails with a trap.
(module
  (func $init (unreachable))
  (func (export "never") (result i32) (i32.const 1))
  (start $init)
)
