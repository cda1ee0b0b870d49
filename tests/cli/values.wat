;; Functions of every parameter and result kind, for `wasmgate run --invoke`:
;; identities show how arguments are read and results printed; the *_bits
;; functions show the exact bit patterns arguments became.
(module
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "id_i32") (param i32) (result i32) (local.get 0))
  (func (export "id_i64") (param i64) (result i64) (local.get 0))
  (func (export "id_f32") (param f32) (result f32) (local.get 0))
  (func (export "id_f64") (param f64) (result f64) (local.get 0))
  (func (export "f32_bits") (param f32) (result i32) (i32.reinterpret_f32 (local.get 0)))
  (func (export "f64_bits") (param f64) (result i64) (i64.reinterpret_f64 (local.get 0)))
  (func (export "f32_from_bits") (param i32) (result f32) (f32.reinterpret_i32 (local.get 0)))
  (func (export "f64_from_bits") (param i64) (result f64) (f64.reinterpret_i64 (local.get 0)))
  (func (export "swap") (param i32 i64) (result i64 i32) (local.get 1) (local.get 0))
  (func (export "nothing"))
  (func $target)
  (elem declare func $target)
  (func (export "null_func") (result funcref) (ref.null func))
  (func (export "some_func") (result funcref) (ref.func $target))
  (func (export "id_extern") (param externref) (result externref) (local.get 0))
  (func (export "is_null") (param externref) (result i32) (ref.is_null (local.get 0)))
  (memory (export "mem") 1)
)
