;; Tests: a `_start` that takes params (or returns results) is not a wasip1
;; command's entry: it is refused at spawn, as linkErrors() says, on both
;; engines (found by the engines fuzz target: Wasmi refused it only when run).
(module
  (memory (export "memory") 1)
  (func (export "_start") (param i32)))
