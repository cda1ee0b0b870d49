;; A start function that never returns: --timeout must end the run even
;; while instantiating (no instance exists yet to interrupt).
(module
  (func $forever (loop $l (br $l)))
  (start $forever)
  (func (export "_start"))
)
