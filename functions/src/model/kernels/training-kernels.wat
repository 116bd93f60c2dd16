;; The inner loops of the ALS row solves (see training-kernels.ts): the exact solves in f64x2
;; SIMD, conjugate gradient (refine) in f32x4 as `implicit` runs it, since its few steps from the
;; previous iterate need no more and float32 halves its work. Every pointer is a byte offset;
;; vectors are stored with a stride of `size` values, size a multiple of 4, the padding zero.
;; Products and sums are rounded separately (no fused multiply-add), so a float64 kernel that
;; sums in the order of the scalar loop it replaces gives the same bits.
(module
  ;; Shared, so growing it (TrainingKernels.rows) leaves the views of the arrays before valid;
  ;; a shared memory reserves its maximum up front, so that is 1 GiB (2 million vectors at k = 64).
  (memory (export "memory") 1 16384 shared)

  ;; gram(g, size, left, right, n): g[r][c] += Σ_{q<n} left[q·size + r]·right[q·size + c] for
  ;; every 4×4 block of the size × size matrix g on or below its diagonal. Each lane sums over q
  ;; in order from zero and then adds to g, as the scalar register-blocked loop did.
  (func (export "gram")
    (param $g i32) (param $size i32) (param $left i32) (param $right i32) (param $n i32)
    (local $rowBytes i32) (local $r i32) (local $c i32) (local $l i32) (local $y i32)
    (local $end i32) (local $o i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $ya v128) (local $yb v128)
    (local $s0a v128) (local $s0b v128) (local $s1a v128) (local $s1b v128)
    (local $s2a v128) (local $s2b v128) (local $s3a v128) (local $s3b v128)
    (local.set $rowBytes (i32.shl (local.get $size) (i32.const 3)))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rowBytes)))
        (local.set $c (i32.const 0))
        (block $colsDone
          (loop $cols
            (br_if $colsDone (i32.gt_u (local.get $c) (local.get $r)))
            (local.set $s0a (v128.const i64x2 0 0))
            (local.set $s0b (v128.const i64x2 0 0))
            (local.set $s1a (v128.const i64x2 0 0))
            (local.set $s1b (v128.const i64x2 0 0))
            (local.set $s2a (v128.const i64x2 0 0))
            (local.set $s2b (v128.const i64x2 0 0))
            (local.set $s3a (v128.const i64x2 0 0))
            (local.set $s3b (v128.const i64x2 0 0))
            (local.set $l (i32.add (local.get $left) (local.get $r)))
            (local.set $y (i32.add (local.get $right) (local.get $c)))
            (local.set $end
              (i32.add (local.get $l) (i32.mul (local.get $n) (local.get $rowBytes))))
            (block $sumDone
              (loop $sum
                (br_if $sumDone (i32.ge_u (local.get $l) (local.get $end)))
                (local.set $x0 (v128.load64_splat (local.get $l)))
                (local.set $x1 (v128.load64_splat offset=8 (local.get $l)))
                (local.set $x2 (v128.load64_splat offset=16 (local.get $l)))
                (local.set $x3 (v128.load64_splat offset=24 (local.get $l)))
                (local.set $ya (v128.load (local.get $y)))
                (local.set $yb (v128.load offset=16 (local.get $y)))
                (local.set $s0a (f64x2.add (local.get $s0a) (f64x2.mul (local.get $x0) (local.get $ya))))
                (local.set $s0b (f64x2.add (local.get $s0b) (f64x2.mul (local.get $x0) (local.get $yb))))
                (local.set $s1a (f64x2.add (local.get $s1a) (f64x2.mul (local.get $x1) (local.get $ya))))
                (local.set $s1b (f64x2.add (local.get $s1b) (f64x2.mul (local.get $x1) (local.get $yb))))
                (local.set $s2a (f64x2.add (local.get $s2a) (f64x2.mul (local.get $x2) (local.get $ya))))
                (local.set $s2b (f64x2.add (local.get $s2b) (f64x2.mul (local.get $x2) (local.get $yb))))
                (local.set $s3a (f64x2.add (local.get $s3a) (f64x2.mul (local.get $x3) (local.get $ya))))
                (local.set $s3b (f64x2.add (local.get $s3b) (f64x2.mul (local.get $x3) (local.get $yb))))
                (local.set $l (i32.add (local.get $l) (local.get $rowBytes)))
                (local.set $y (i32.add (local.get $y) (local.get $rowBytes)))
                (br $sum)))
            ;; g + r·size + c is element (r/8, c/8): r and c count bytes.
            (local.set $o
              (i32.add (local.get $g) (i32.add (i32.mul (local.get $r) (local.get $size)) (local.get $c))))
            (v128.store (local.get $o) (f64x2.add (v128.load (local.get $o)) (local.get $s0a)))
            (v128.store offset=16 (local.get $o)
              (f64x2.add (v128.load offset=16 (local.get $o)) (local.get $s0b)))
            (local.set $o (i32.add (local.get $o) (local.get $rowBytes)))
            (v128.store (local.get $o) (f64x2.add (v128.load (local.get $o)) (local.get $s1a)))
            (v128.store offset=16 (local.get $o)
              (f64x2.add (v128.load offset=16 (local.get $o)) (local.get $s1b)))
            (local.set $o (i32.add (local.get $o) (local.get $rowBytes)))
            (v128.store (local.get $o) (f64x2.add (v128.load (local.get $o)) (local.get $s2a)))
            (v128.store offset=16 (local.get $o)
              (f64x2.add (v128.load offset=16 (local.get $o)) (local.get $s2b)))
            (local.set $o (i32.add (local.get $o) (local.get $rowBytes)))
            (v128.store (local.get $o) (f64x2.add (v128.load (local.get $o)) (local.get $s3a)))
            (v128.store offset=16 (local.get $o)
              (f64x2.add (v128.load offset=16 (local.get $o)) (local.get $s3b)))
            (local.set $c (i32.add (local.get $c) (i32.const 32)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 32)))
        (br $rows))))

  ;; rotate(rows, count, k, size, rotation, row): each of `count` vectors f at `rows` (stride
  ;; size) becomes f·V, V the k × k row-major matrix at `rotation`; `row` is work space for k
  ;; values. Four output columns at a time, each summed over d in order from zero; the last
  ;; k mod 4 one at a time.
  (func (export "rotate")
    (param $rows i32) (param $count i32) (param $k i32) (param $size i32) (param $rotation i32)
    (param $row i32)
    (local $base i32) (local $end i32) (local $kBytes i32) (local $k4Bytes i32) (local $c i32)
    (local $d i32) (local $v i32) (local $sa v128) (local $sb v128) (local $x v128) (local $s f64)
    (local.set $kBytes (i32.shl (local.get $k) (i32.const 3)))
    (local.set $k4Bytes (i32.and (local.get $kBytes) (i32.const -32)))
    (local.set $base (local.get $rows))
    (local.set $end
      (i32.add (local.get $rows) (i32.shl (i32.mul (local.get $count) (local.get $size)) (i32.const 3))))
    (block $rowsDone
      (loop $rowsLoop
        (br_if $rowsDone (i32.ge_u (local.get $base) (local.get $end)))
        (memory.copy (local.get $row) (local.get $base) (local.get $kBytes))
        (local.set $c (i32.const 0))
        (block $blocksDone
          (loop $blocks
            (br_if $blocksDone (i32.ge_u (local.get $c) (local.get $k4Bytes)))
            (local.set $sa (v128.const i64x2 0 0))
            (local.set $sb (v128.const i64x2 0 0))
            (local.set $d (i32.const 0))
            (local.set $v (i32.add (local.get $rotation) (local.get $c)))
            (block $dimsDone
              (loop $dims
                (br_if $dimsDone (i32.ge_u (local.get $d) (local.get $kBytes)))
                (local.set $x (v128.load64_splat (i32.add (local.get $row) (local.get $d))))
                (local.set $sa (f64x2.add (local.get $sa) (f64x2.mul (local.get $x) (v128.load (local.get $v)))))
                (local.set $sb
                  (f64x2.add (local.get $sb) (f64x2.mul (local.get $x) (v128.load offset=16 (local.get $v)))))
                (local.set $v (i32.add (local.get $v) (local.get $kBytes)))
                (local.set $d (i32.add (local.get $d) (i32.const 8)))
                (br $dims)))
            (v128.store (i32.add (local.get $base) (local.get $c)) (local.get $sa))
            (v128.store offset=16 (i32.add (local.get $base) (local.get $c)) (local.get $sb))
            (local.set $c (i32.add (local.get $c) (i32.const 32)))
            (br $blocks)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $c) (local.get $kBytes)))
            (local.set $s (f64.const 0))
            (local.set $d (i32.const 0))
            (local.set $v (i32.add (local.get $rotation) (local.get $c)))
            (block $tailDimsDone
              (loop $tailDims
                (br_if $tailDimsDone (i32.ge_u (local.get $d) (local.get $kBytes)))
                (local.set $s
                  (f64.add (local.get $s)
                    (f64.mul (f64.load (i32.add (local.get $row) (local.get $d))) (f64.load (local.get $v)))))
                (local.set $v (i32.add (local.get $v) (local.get $kBytes)))
                (local.set $d (i32.add (local.get $d) (i32.const 8)))
                (br $tailDims)))
            (f64.store (i32.add (local.get $base) (local.get $c)) (local.get $s))
            (local.set $c (i32.add (local.get $c) (i32.const 8)))
            (br $tail)))
        (local.set $base (i32.add (local.get $base) (i32.shl (local.get $size) (i32.const 3))))
        (br $rowsLoop))))

  ;; gather(rows, indices, n, size, weights, coefficients, gathered, weighted, b, sessions, sums):
  ;; for each of n cells q, f_q being vector indices[q] (i32) of `rows` (stride size):
  ;; gathered[q] = f_q; with weighted ≠ 0, weighted[q] = weights[q]·f_q; b += coefficients[q]·f_q,
  ;; each lane summed over q in order; with sessions ≠ 0, sums[sessions[q]] += f_q (i32 session
  ;; numbers, sums with stride size). gathered and weighted have stride size; weights and
  ;; coefficients hold n f64. What the row solves did per cell in JavaScript, with the same
  ;; products and sums. The rows are copied first, in a loop that does nothing else: they are
  ;; scattered over a fixed side larger than the cache, and a tight loop keeps more of them in
  ;; flight at once.
  (func (export "gather")
    (param $rows i32) (param $indices i32) (param $n i32) (param $size i32) (param $weights i32)
    (param $coefficients i32) (param $gathered i32) (param $weighted i32) (param $b i32)
    (param $sessions i32) (param $sums i32)
    (local $bytes i32) (local $q i32) (local $f i32) (local $d i32) (local $to i32)
    (local $scaledTo i32) (local $sum i32) (local $fa v128) (local $fb v128) (local $cv v128)
    (local $sv v128)
    (local.set $bytes (i32.shl (local.get $size) (i32.const 3)))
    (local.set $to (local.get $gathered))
    (block $copiesDone
      (loop $copies
        (br_if $copiesDone (i32.ge_u (local.get $q) (local.get $n)))
        (local.set $f
          (i32.add (local.get $rows)
            (i32.mul
              (i32.load (i32.add (local.get $indices) (i32.shl (local.get $q) (i32.const 2))))
              (local.get $bytes))))
        (local.set $d (i32.const 0))
        (block $dimsDone
          (loop $dims
            (br_if $dimsDone (i32.ge_u (local.get $d) (local.get $bytes)))
            (v128.store (i32.add (local.get $to) (local.get $d))
              (v128.load (i32.add (local.get $f) (local.get $d))))
            (v128.store offset=16 (i32.add (local.get $to) (local.get $d))
              (v128.load offset=16 (i32.add (local.get $f) (local.get $d))))
            (local.set $d (i32.add (local.get $d) (i32.const 32)))
            (br $dims)))
        (local.set $to (i32.add (local.get $to) (local.get $bytes)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $copies)))
    (local.set $q (i32.const 0))
    (local.set $to (local.get $gathered))
    (local.set $scaledTo (local.get $weighted))
    (block $cellsDone
      (loop $cells
        (br_if $cellsDone (i32.ge_u (local.get $q) (local.get $n)))
        (local.set $cv
          (v128.load64_splat (i32.add (local.get $coefficients) (i32.shl (local.get $q) (i32.const 3)))))
        (if (local.get $weighted)
          (then
            (local.set $sv
              (v128.load64_splat (i32.add (local.get $weights) (i32.shl (local.get $q) (i32.const 3)))))))
        (if (local.get $sessions)
          (then
            (local.set $sum
              (i32.add (local.get $sums)
                (i32.mul
                  (i32.load (i32.add (local.get $sessions) (i32.shl (local.get $q) (i32.const 2))))
                  (local.get $bytes))))))
        (local.set $d (i32.const 0))
        (block $dimsDone
          (loop $dims
            (br_if $dimsDone (i32.ge_u (local.get $d) (local.get $bytes)))
            (local.set $fa (v128.load (i32.add (local.get $to) (local.get $d))))
            (local.set $fb (v128.load offset=16 (i32.add (local.get $to) (local.get $d))))
            (v128.store (i32.add (local.get $b) (local.get $d))
              (f64x2.add (v128.load (i32.add (local.get $b) (local.get $d)))
                (f64x2.mul (local.get $cv) (local.get $fa))))
            (v128.store offset=16 (i32.add (local.get $b) (local.get $d))
              (f64x2.add (v128.load offset=16 (i32.add (local.get $b) (local.get $d)))
                (f64x2.mul (local.get $cv) (local.get $fb))))
            (if (local.get $weighted)
              (then
                (v128.store (i32.add (local.get $scaledTo) (local.get $d))
                  (f64x2.mul (local.get $sv) (local.get $fa)))
                (v128.store offset=16 (i32.add (local.get $scaledTo) (local.get $d))
                  (f64x2.mul (local.get $sv) (local.get $fb)))))
            (if (local.get $sessions)
              (then
                (v128.store (i32.add (local.get $sum) (local.get $d))
                  (f64x2.add (v128.load (i32.add (local.get $sum) (local.get $d))) (local.get $fa)))
                (v128.store offset=16 (i32.add (local.get $sum) (local.get $d))
                  (f64x2.add (v128.load offset=16 (i32.add (local.get $sum) (local.get $d)))
                    (local.get $fb)))))
            (local.set $d (i32.add (local.get $d) (i32.const 32)))
            (br $dims)))
        (local.set $to (i32.add (local.get $to) (local.get $bytes)))
        (local.set $scaledTo (i32.add (local.get $scaledTo) (local.get $bytes)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $cells))))

  ;; Σ_{p<length} x[p]·y[p] as four running sums s_(p mod 4) (two f64x2), the last
  ;; length mod 4 terms added to s0, then (s0 + s1) + (s2 + s3).
  (func $dotPrefix (param $x i32) (param $y i32) (param $length i32) (result f64)
    (local $p i32) (local $end4 i32) (local $end i32) (local $sa v128) (local $sb v128)
    (local $s0 f64)
    (local.set $sa (v128.const i64x2 0 0))
    (local.set $sb (v128.const i64x2 0 0))
    (local.set $end (i32.shl (local.get $length) (i32.const 3)))
    (local.set $end4 (i32.and (local.get $end) (i32.const -32)))
    (local.set $p (i32.const 0))
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.ge_u (local.get $p) (local.get $end4)))
        (local.set $sa
          (f64x2.add (local.get $sa)
            (f64x2.mul
              (v128.load (i32.add (local.get $x) (local.get $p)))
              (v128.load (i32.add (local.get $y) (local.get $p))))))
        (local.set $sb
          (f64x2.add (local.get $sb)
            (f64x2.mul
              (v128.load offset=16 (i32.add (local.get $x) (local.get $p)))
              (v128.load offset=16 (i32.add (local.get $y) (local.get $p))))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $blocks)))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $sa)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $s0
          (f64.add (local.get $s0)
            (f64.mul
              (f64.load (i32.add (local.get $x) (local.get $p)))
              (f64.load (i32.add (local.get $y) (local.get $p))))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $tail)))
    (f64.add
      (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $sa)))
      (f64.add (f64x2.extract_lane 0 (local.get $sb)) (f64x2.extract_lane 1 (local.get $sb)))))

  ;; cholesky(a, b, n): solves A·x = b for the symmetric positive-definite n × n matrix A
  ;; (row-major, only the lower triangle read): A's lower triangle becomes its Cholesky factor
  ;; L, b becomes x. Returns 0, leaving A and b partly overwritten, when A is not positive
  ;; definite, else 1.
  (func (export "cholesky") (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $rowBytes i32) (local $j i32) (local $i i32) (local $p i32) (local $rowJ i32)
    (local $rowI i32) (local $d f64) (local $inv f64) (local $s f64) (local $at i32)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 3)))
    (local.set $j (i32.const 0))
    (block $factorDone
      (loop $columns
        (br_if $factorDone (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $rowJ (i32.add (local.get $a) (i32.mul (local.get $j) (local.get $rowBytes))))
        (local.set $at (i32.add (local.get $rowJ) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $d
          (f64.sub (f64.load (local.get $at))
            (call $dotPrefix (local.get $rowJ) (local.get $rowJ) (local.get $j))))
        (if (i32.eqz (f64.gt (local.get $d) (f64.const 0))) (then (return (i32.const 0))))
        (local.set $d (f64.sqrt (local.get $d)))
        (f64.store (local.get $at) (local.get $d))
        (local.set $inv (f64.div (f64.const 1) (local.get $d)))
        (local.set $i (i32.add (local.get $j) (i32.const 1)))
        (local.set $rowI (i32.add (local.get $rowJ) (local.get $rowBytes)))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $at (i32.add (local.get $rowI) (i32.shl (local.get $j) (i32.const 3))))
            (f64.store (local.get $at)
              (f64.mul
                (f64.sub (f64.load (local.get $at))
                  (call $dotPrefix (local.get $rowI) (local.get $rowJ) (local.get $j)))
                (local.get $inv)))
            (local.set $rowI (i32.add (local.get $rowI) (local.get $rowBytes)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $columns)))
    ;; L·y = b, then Lᵀ·x = y, each sum in index order.
    (local.set $i (i32.const 0))
    (block $forwardDone
      (loop $forward
        (br_if $forwardDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $rowI (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $s (f64.load (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $p (i32.const 0))
        (block $termsDone
          (loop $terms
            (br_if $termsDone (i32.ge_u (local.get $p) (local.get $i)))
            (local.set $s
              (f64.sub (local.get $s)
                (f64.mul
                  (f64.load (i32.add (local.get $rowI) (i32.shl (local.get $p) (i32.const 3))))
                  (f64.load (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 3)))))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $terms)))
        (f64.store (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 3)))
          (f64.div (local.get $s)
            (f64.load (i32.add (local.get $rowI) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $forward)))
    (local.set $i (local.get $n))
    (block $backDone
      (loop $back
        (br_if $backDone (i32.eqz (local.get $i)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (local.set $s (f64.load (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $p (i32.add (local.get $i) (i32.const 1)))
        (block $termsDone
          (loop $terms
            (br_if $termsDone (i32.ge_u (local.get $p) (local.get $n)))
            (local.set $s
              (f64.sub (local.get $s)
                (f64.mul
                  (f64.load
                    (i32.add (local.get $a)
                      (i32.shl (i32.add (i32.mul (local.get $p) (local.get $n)) (local.get $i))
                        (i32.const 3))))
                  (f64.load (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 3)))))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $terms)))
        (f64.store (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 3)))
          (f64.div (local.get $s)
            (f64.load
              (i32.add (local.get $a)
                (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $i))
                  (i32.const 3))))))
        (br $back)))
    (i32.const 1))

  ;; dot(a, b, bytes): Σ a[d]·b[d] over bytes / 4 f32 values (a multiple of 4) in two f32x4
  ;; partial sums, one over the even and one over the odd groups of 4, added lane by lane, then
  ;; (l0 + l1) + (l2 + l3).
  (func $dot (param $a i32) (param $b i32) (param $bytes i32) (result f32)
    (local $d i32) (local $pairs i32) (local $sa v128) (local $sb v128)
    (local.set $sa (v128.const i64x2 0 0))
    (local.set $sb (v128.const i64x2 0 0))
    (local.set $pairs (i32.and (local.get $bytes) (i32.const -32)))
    (block $done
      (loop $dims
        (br_if $done (i32.ge_u (local.get $d) (local.get $pairs)))
        (local.set $sa
          (f32x4.add (local.get $sa)
            (f32x4.mul
              (v128.load (i32.add (local.get $a) (local.get $d)))
              (v128.load (i32.add (local.get $b) (local.get $d))))))
        (local.set $sb
          (f32x4.add (local.get $sb)
            (f32x4.mul
              (v128.load offset=16 (i32.add (local.get $a) (local.get $d)))
              (v128.load offset=16 (i32.add (local.get $b) (local.get $d))))))
        (local.set $d (i32.add (local.get $d) (i32.const 32)))
        (br $dims)))
    (if (i32.lt_u (local.get $d) (local.get $bytes))
      (then
        (local.set $sa
          (f32x4.add (local.get $sa)
            (f32x4.mul
              (v128.load (i32.add (local.get $a) (local.get $d)))
              (v128.load (i32.add (local.get $b) (local.get $d))))))))
    (local.set $sa (f32x4.add (local.get $sa) (local.get $sb)))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $sa)) (f32x4.extract_lane 1 (local.get $sa)))
      (f32.add (f32x4.extract_lane 2 (local.get $sa)) (f32x4.extract_lane 3 (local.get $sa)))))

  ;; cellTerms(rows, indices, n, size, v, out, weights, coefficients, diagonal), all f32: for
  ;; each of n cells q, f_q being vector indices[q] (i32) of `rows` (stride size), t_q =
  ;; w_q·(f_q·v) and out += Σ_q t_q·f_q. With diagonal ≠ 0 (conjugate gradient's residual pass)
  ;; t_q = c_q − w_q·(f_q·v) instead, and diagonal += Σ_q w_q·f_q² (the Jacobi preconditioner).
  ;; weights and coefficients hold n f32 each.
  (func $cellTerms
    (param $rows i32) (param $indices i32) (param $n i32) (param $size i32) (param $v i32)
    (param $out i32) (param $weights i32) (param $coefficients i32) (param $diagonal i32)
    (local $bytes i32) (local $f i32) (local $end i32) (local $q i32) (local $d i32)
    (local $w f32) (local $t f32) (local $tv v128) (local $wv v128) (local $fa v128)
    (local $o i32)
    (local.set $bytes (i32.shl (local.get $size) (i32.const 2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $cellsDone
      (loop $cellsLoop
        (br_if $cellsDone (i32.ge_u (local.get $q) (local.get $end)))
        (local.set $f
          (i32.add (local.get $rows)
            (i32.mul
              (i32.load (i32.add (local.get $indices) (local.get $q)))
              (local.get $bytes))))
        (local.set $w (f32.load (i32.add (local.get $weights) (local.get $q))))
        (local.set $t (f32.mul (local.get $w) (call $dot (local.get $f) (local.get $v) (local.get $bytes))))
        (if (local.get $diagonal)
          (then
            (local.set $t
              (f32.sub (f32.load (i32.add (local.get $coefficients) (local.get $q))) (local.get $t)))))
        (local.set $tv (f32x4.splat (local.get $t)))
        (local.set $d (i32.const 0))
        (block $dimsDone
          (loop $dims
            (br_if $dimsDone (i32.ge_u (local.get $d) (local.get $bytes)))
            (local.set $o (i32.add (local.get $out) (local.get $d)))
            (v128.store (local.get $o)
              (f32x4.add (v128.load (local.get $o))
                (f32x4.mul (local.get $tv) (v128.load (i32.add (local.get $f) (local.get $d))))))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br $dims)))
        (if (local.get $diagonal)
          (then
            (local.set $wv (f32x4.splat (local.get $w)))
            (local.set $d (i32.const 0))
            (block $diagDone
              (loop $diag
                (br_if $diagDone (i32.ge_u (local.get $d) (local.get $bytes)))
                (local.set $fa (v128.load (i32.add (local.get $f) (local.get $d))))
                (local.set $o (i32.add (local.get $diagonal) (local.get $d)))
                (v128.store (local.get $o)
                  (f32x4.add (v128.load (local.get $o))
                    (f32x4.mul (f32x4.mul (local.get $wv) (local.get $fa)) (local.get $fa))))
                (local.set $d (i32.add (local.get $d) (i32.const 16)))
                (br $diag)))))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (br $cellsLoop))))

  ;; out[d] = s·(G·v)[d] + λ·v[d] for d < k, all f32, G k × k at `gram` with a row stride of
  ;; size, each row's product summed as $dot does; or, given diagonal ≠ 0 (G diagonal),
  ;; out[d] = (s·diagonal[d] + λ)·v[d] over all size values (the padding stays zero).
  (func $multiplyGram
    (param $gram i32) (param $diagonal i32) (param $scale f32) (param $lambda f32) (param $v i32)
    (param $out i32) (param $k i32) (param $size i32)
    (local $d i32) (local $end i32) (local $bytes i32) (local $row i32) (local $sv v128)
    (local $lv v128)
    (local.set $bytes (i32.shl (local.get $size) (i32.const 2)))
    (if (local.get $diagonal)
      (then
        (local.set $sv (f32x4.splat (local.get $scale)))
        (local.set $lv (f32x4.splat (local.get $lambda)))
        (block $done
          (loop $dims
            (br_if $done (i32.ge_u (local.get $d) (local.get $bytes)))
            (v128.store (i32.add (local.get $out) (local.get $d))
              (f32x4.mul
                (f32x4.add
                  (f32x4.mul (local.get $sv)
                    (v128.load (i32.add (local.get $diagonal) (local.get $d))))
                  (local.get $lv))
                (v128.load (i32.add (local.get $v) (local.get $d)))))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br $dims)))
        (return)))
    (local.set $end (i32.shl (local.get $k) (i32.const 2)))
    (local.set $row (local.get $gram))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $d) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $d))
          (f32.add
            (f32.mul (local.get $scale) (call $dot (local.get $row) (local.get $v) (local.get $bytes)))
            (f32.mul (local.get $lambda) (f32.load (i32.add (local.get $v) (local.get $d))))))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (br $rows))))

  ;; refine(rows, indices, n, size, k, weights, coefficients, gram, diagonal, scale, lambda,
  ;; steps, x, r, p, ap, z, m), all f32 (as implicit's conjugate gradient): `steps`
  ;; Jacobi-preconditioned conjugate-gradient steps on (s·G + Σ_q w_q·f_q·f_qᵀ + λ·I)·x =
  ;; Σ_q c_q·f_q from x, the cells as in cellTerms, G as in $multiplyGram (its diagonal read
  ;; from `gram` for the preconditioner in either case); x, r, p, ap, z and m (the
  ;; preconditioner) hold size values each, their padding zero. Stops early when rᵀ·M⁻¹·r ≤ 1e-30.
  (func (export "refine")
    (param $rows i32) (param $indices i32) (param $n i32) (param $size i32) (param $k i32)
    (param $weights i32) (param $coefficients i32) (param $gram i32) (param $diagonal i32)
    (param $scale f32) (param $lambda f32) (param $steps i32)
    (param $x i32) (param $r i32) (param $p i32) (param $ap i32) (param $z i32) (param $m i32)
    (local $d i32) (local $end i32) (local $step i32) (local $rz f32) (local $rzNew f32)
    (local $pAp f32) (local $alpha f32) (local $beta f32) (local $zd f32) (local $rd f32)
    (local.set $end (i32.shl (local.get $k) (i32.const 2)))
    ;; r = b − A·x with A·x = s·G·x + Σ w (f·x) f + λx and b = Σ c f; M = diag(A).
    (call $multiplyGram (local.get $gram) (local.get $diagonal) (local.get $scale)
      (local.get $lambda) (local.get $x) (local.get $r) (local.get $k) (local.get $size))
    (block $done
      (loop $dims
        (br_if $done (i32.ge_u (local.get $d) (local.get $end)))
        (f32.store (i32.add (local.get $r) (local.get $d))
          (f32.neg (f32.load (i32.add (local.get $r) (local.get $d)))))
        (f32.store (i32.add (local.get $m) (local.get $d))
          (f32.add
            (f32.mul (local.get $scale)
              (f32.load
                (i32.add (local.get $gram)
                  (i32.add (i32.mul (local.get $d) (local.get $size)) (local.get $d)))))
            (local.get $lambda)))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (br $dims)))
    (call $cellTerms (local.get $rows) (local.get $indices) (local.get $n) (local.get $size)
      (local.get $x) (local.get $r) (local.get $weights) (local.get $coefficients) (local.get $m))
    (local.set $d (i32.const 0))
    (block $done
      (loop $dims
        (br_if $done (i32.ge_u (local.get $d) (local.get $end)))
        (local.set $rd (f32.load (i32.add (local.get $r) (local.get $d))))
        (local.set $zd (f32.div (local.get $rd) (f32.load (i32.add (local.get $m) (local.get $d)))))
        (f32.store (i32.add (local.get $z) (local.get $d)) (local.get $zd))
        (f32.store (i32.add (local.get $p) (local.get $d)) (local.get $zd))
        (local.set $rz (f32.add (local.get $rz) (f32.mul (local.get $rd) (local.get $zd))))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (br $dims)))
    (block $stepsDone
      (loop $stepsLoop
        (br_if $stepsDone (i32.ge_u (local.get $step) (local.get $steps)))
        (br_if $stepsDone (i32.eqz (f32.gt (local.get $rz) (f32.const 1e-30))))
        (call $multiplyGram (local.get $gram) (local.get $diagonal) (local.get $scale)
          (local.get $lambda) (local.get $p) (local.get $ap) (local.get $k) (local.get $size))
        (call $cellTerms (local.get $rows) (local.get $indices) (local.get $n) (local.get $size)
          (local.get $p) (local.get $ap) (local.get $weights) (local.get $coefficients)
          (i32.const 0))
        (local.set $pAp (f32.const 0))
        (local.set $d (i32.const 0))
        (block $done
          (loop $dims
            (br_if $done (i32.ge_u (local.get $d) (local.get $end)))
            (local.set $pAp
              (f32.add (local.get $pAp)
                (f32.mul
                  (f32.load (i32.add (local.get $p) (local.get $d)))
                  (f32.load (i32.add (local.get $ap) (local.get $d))))))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (br $dims)))
        (local.set $alpha (f32.div (local.get $rz) (local.get $pAp)))
        (local.set $rzNew (f32.const 0))
        (local.set $d (i32.const 0))
        (block $done
          (loop $dims
            (br_if $done (i32.ge_u (local.get $d) (local.get $end)))
            (f32.store (i32.add (local.get $x) (local.get $d))
              (f32.add (f32.load (i32.add (local.get $x) (local.get $d)))
                (f32.mul (local.get $alpha) (f32.load (i32.add (local.get $p) (local.get $d))))))
            (local.set $rd
              (f32.sub (f32.load (i32.add (local.get $r) (local.get $d)))
                (f32.mul (local.get $alpha) (f32.load (i32.add (local.get $ap) (local.get $d))))))
            (f32.store (i32.add (local.get $r) (local.get $d)) (local.get $rd))
            (local.set $zd
              (f32.div (local.get $rd) (f32.load (i32.add (local.get $m) (local.get $d)))))
            (f32.store (i32.add (local.get $z) (local.get $d)) (local.get $zd))
            (local.set $rzNew (f32.add (local.get $rzNew) (f32.mul (local.get $rd) (local.get $zd))))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (br $dims)))
        (local.set $beta (f32.div (local.get $rzNew) (local.get $rz)))
        (local.set $d (i32.const 0))
        (block $done
          (loop $dims
            (br_if $done (i32.ge_u (local.get $d) (local.get $end)))
            (f32.store (i32.add (local.get $p) (local.get $d))
              (f32.add (f32.load (i32.add (local.get $z) (local.get $d)))
                (f32.mul (local.get $beta) (f32.load (i32.add (local.get $p) (local.get $d))))))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (br $dims)))
        (local.set $rz (local.get $rzNew))
        (local.set $step (i32.add (local.get $step) (i32.const 1)))
        (br $stepsLoop)))))
