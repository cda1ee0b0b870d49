;; Never returns: for interrupting `run` with a signal.
(module
  (func $spin (export "spin")
    (loop $again (br $again)))
)
