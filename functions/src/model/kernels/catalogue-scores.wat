;; scores(factors, user, out, count, stride): out[i] = Σ_d user[d]·factors[i·stride + d] in f32,
;; for i < count, every offset in bytes, stride a multiple of 8 floats (rows zero-padded).
;; Two f32x4 accumulators keep two multiply-adds in flight.
(module
  (memory (export "memory") 1)
  (func (export "scores")
    (param $factors i32) (param $user i32) (param $out i32) (param $count i32) (param $stride i32)
    (local $row i32) (local $end i32) (local $d i32) (local $bytes i32)
    (local $a v128) (local $b v128)
    (local.set $bytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $row (local.get $factors))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $items
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $a (v128.const i32x4 0 0 0 0))
        (local.set $b (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (block $last
          (loop $dims
            (br_if $last (i32.ge_u (local.get $d) (local.get $bytes)))
            (local.set $a
              (f32x4.add (local.get $a)
                (f32x4.mul
                  (v128.load (i32.add (local.get $row) (local.get $d)))
                  (v128.load (i32.add (local.get $user) (local.get $d))))))
            (local.set $b
              (f32x4.add (local.get $b)
                (f32x4.mul
                  (v128.load offset=16 (i32.add (local.get $row) (local.get $d)))
                  (v128.load offset=16 (i32.add (local.get $user) (local.get $d))))))
            (local.set $d (i32.add (local.get $d) (i32.const 32)))
            (br $dims)))
        (local.set $a (f32x4.add (local.get $a) (local.get $b)))
        (f32.store (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
            (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $items)))))
