;; _start returns: exit status 0, and no .json: all defaults. Passes.
(module
  (memory (export "memory") 1)
  (func (export "_start")))
