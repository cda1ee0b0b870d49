;; Never ends: the runner must kill it at its --timeout. Fails.
(module
  (memory (export "memory") 1)
  (func (export "_start") (loop $l (br $l))))
