;; Traps: wasmgate exits 134, the default expectation is 0. Fails.
(module
  (memory (export "memory") 1)
  (func $boom (unreachable))
  (func (export "_start") (call $boom)))
