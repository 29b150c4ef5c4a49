;; Tests: a loop whose `if` arm never runs but is charged (on the v8
;; engine, a region pays for its dearer arm up front): 256 additions a turn
;; charged, two instructions run. The speed it learns must not size the
;; slices of other modules, and stays under the engine's ceiling.
(module
  (memory (export "memory") 1)
  (func (export "_start") (local i32)
    (loop $forever
      (if (local.get 0)
        (then
          local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0 local.get 0
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
          drop))
      (br $forever))))
