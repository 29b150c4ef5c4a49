;; Tests: a module using SIMD, which the platform's validator accepts and the
;; bundled Wasmi (built without its `simd` feature) does not run. It compiles
;; (function bodies are validated by the platform, translated by Wasmi when
;; first called) and traps when `_start` first calls the SIMD function.
(module
  (memory (export "memory") 1)
  (func $lane (result i32)
    (i32x4.extract_lane 0 (i32x4.splat (i32.const 7))))
  (func (export "_start")
    (drop (call $lane))))
