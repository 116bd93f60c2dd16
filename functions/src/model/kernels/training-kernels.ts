/**
 * The row solves' SIMD kernels: training-kernels.wat, compiled into wasm-modules.ts by
 * wasm-build.ts. A unit test compares every kernel with the scalar loop it replaces.
 */
import { TRAINING_KERNELS_WASM } from './wasm-modules.js';

const FLOAT_BYTES = 8;
const PAGE_BYTES = 65_536;
/** Arrays start on 32-byte boundaries and reserve a multiple of 4 values (one SIMD step). */
const ALIGN_FLOATS = 4;

// The WebAssembly global of Node and browsers, which lib ES2023 and @types/node 20 do not type.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

interface KernelExports {
  readonly memory: { readonly buffer: SharedArrayBuffer; grow(pages: number): number };
  readonly gram: (g: number, size: number, left: number, right: number, n: number) => void;
  readonly rotate: (
    rows: number,
    count: number,
    k: number,
    size: number,
    rotation: number,
    row: number,
  ) => void;
  readonly refine: (
    rows: number,
    indices: number,
    n: number,
    size: number,
    k: number,
    weights: number,
    coefficients: number,
    gram: number,
    diagonal: number,
    scale: number,
    lambda: number,
    steps: number,
    x: number,
    r: number,
    p: number,
    ap: number,
    z: number,
    m: number,
  ) => void;
  readonly cholesky: (a: number, b: number, n: number) => number;
  readonly gather: (
    rows: number,
    indices: number,
    n: number,
    size: number,
    weights: number,
    coefficients: number,
    gathered: number,
    weighted: number,
    b: number,
    sessions: number,
    sums: number,
  ) => void;
}

/**
 * One row's conjugate-gradient system in float32, every array in the kernels' memory (see
 * refine): the fixed side's vectors (stride size), each cell's vector index, w_q and c_q, G
 * (k rows with a stride of size) and, when G is diagonal, its diagonal (size values).
 */
export interface CgSystem {
  readonly rows: Float32Array;
  readonly indices: Int32Array;
  readonly weights: Float32Array;
  readonly coefficients: Float32Array;
  readonly gram: Float32Array;
  readonly gramDiagonal: Float32Array | undefined;
}

/** The cells of one row as {@link TrainingKernels.gather} reads them, in the kernels' memory. */
export interface GatherCells {
  /** The fixed side's vectors, stride size. */
  readonly rows: Float64Array;
  /** Which vector of `rows` each cell reads. */
  readonly indices: Int32Array;
  /** Each cell's factor for `weighted` (needed only with it). */
  readonly weights?: Float64Array;
  /** Each cell's factor for the right-hand side. */
  readonly coefficients: Float64Array;
}

/** Conjugate gradient's float32 vectors (k values each, padded to size), in the kernels' memory. */
export interface CgWork {
  readonly k: number;
  readonly size: number;
  /** The starting point in, the result out. */
  readonly x: Float32Array;
  readonly r: Float32Array;
  readonly p: Float32Array;
  readonly ap: Float32Array;
  readonly z: Float32Array;
  readonly preconditioner: Float32Array;
}

// Compiled once per thread, instantiated once per scratch.
let compiled: object | undefined;

/**
 * The SIMD kernels of the row solves over their own WebAssembly memory: the arrays they work on
 * are views of it, handed out by {@link array}, {@link float32Array} and {@link int32Array} up to the capacity given at
 * construction, and after them one matrix of any size ({@link rows}). The memory is shared (with
 * no other thread), so growing it for a larger matrix leaves the arrays' views valid. Vectors are
 * laid out with a stride of `size` values, a multiple of 4 whose padding stays zero.
 */
export class TrainingKernels {
  private readonly exports: KernelExports;
  private readonly capacity: number;
  // Byte offset 0 is never handed out: the kernels read offset 0 as "no array".
  private next = ALIGN_FLOATS * FLOAT_BYTES;

  /** Room for arrays of these lengths (in 8-byte values: an Int32Array of n takes n / 2). */
  constructor(lengths: readonly number[]) {
    compiled ??= new WebAssembly.Module(
      Uint8Array.from(atob(TRAINING_KERNELS_WASM), (c) => c.charCodeAt(0)),
    );
    this.exports = new WebAssembly.Instance(compiled, {}).exports as KernelExports;
    let floats = ALIGN_FLOATS;
    for (const length of lengths) floats += roundUp(length);
    this.capacity = floats * FLOAT_BYTES;
    const { memory } = this.exports;
    const pages = Math.ceil(this.capacity / PAGE_BYTES) - memory.buffer.byteLength / PAGE_BYTES;
    if (pages > 0) memory.grow(pages);
  }

  /** A zeroed array of `length` values in the kernels' memory (one of the lengths given). */
  array(length: number): Float64Array {
    const bytes = roundUp(length) * FLOAT_BYTES;
    if (this.next + bytes > this.capacity) {
      throw new RangeError(`training kernels: no room for ${length} more values`);
    }
    const view = new Float64Array(this.exports.memory.buffer, this.next, length);
    this.next += bytes;
    return view;
  }

  /**
   * A zeroed Float32Array of `length` values in the kernels' memory (length / 2 of the lengths
   * given).
   */
  float32Array(length: number): Float32Array {
    const bytes = roundUp(Math.ceil(length / 2)) * FLOAT_BYTES;
    if (this.next + bytes > this.capacity) {
      throw new RangeError(`training kernels: no room for ${length} more float32 values`);
    }
    const view = new Float32Array(this.exports.memory.buffer, this.next, length);
    this.next += bytes;
    return view;
  }

  /** A zeroed Int32Array of `length` values in the kernels' memory (length / 2 of the lengths given). */
  int32Array(length: number): Int32Array {
    const bytes = roundUp(Math.ceil(length / 2)) * FLOAT_BYTES;
    if (this.next + bytes > this.capacity) {
      throw new RangeError(`training kernels: no room for ${length} more indices`);
    }
    const view = new Int32Array(this.exports.memory.buffer, this.next, length);
    this.next += bytes;
    return view;
  }

  /**
   * `length` values after the arrays, growing the memory when needed: room for a matrix the
   * kernels read by row. Each call hands out the same region, so a view from an earlier call
   * sees what is written through this one.
   */
  rows(length: number): Float64Array {
    const { memory } = this.exports;
    const bytes = this.capacity + length * FLOAT_BYTES;
    const pages = Math.ceil(bytes / PAGE_BYTES) - memory.buffer.byteLength / PAGE_BYTES;
    if (pages > 0) memory.grow(pages);
    return new Float64Array(memory.buffer, this.capacity, length);
  }

  /**
   * g[r·size + c] += Σ_{q<n} left[q·size + r]·right[q·size + c] over the 4×4 blocks of the
   * size × size matrix g on or below its diagonal (so the upper halves of the diagonal blocks
   * are written too). Equal bit for bit to the scalar loop with one accumulator per entry.
   */
  gram(g: Float64Array, size: number, left: Float64Array, right: Float64Array, n: number): void {
    this.exports.gram(g.byteOffset, size, left.byteOffset, right.byteOffset, n);
  }

  /**
   * Each of the `count` vectors f in `rows` (stride size) becomes f·V, V being `rotation`
   * (k × k, row-major); `row` is work space for k values. Equal bit for bit to the scalar loop
   * that sums each output over d in order.
   */
  rotate(
    rows: Float64Array,
    count: number,
    k: number,
    size: number,
    rotation: Float64Array,
    row: Float64Array,
  ): void {
    this.exports.rotate(rows.byteOffset, count, k, size, rotation.byteOffset, row.byteOffset);
  }

  /**
   * For cells [from, from + n) of `cells`, f_q being vector indices[q] of `cells.rows` (stride
   * size): writes f_q and, given `weighted`, weights[q]·f_q to row q − from of `gathered` and
   * `weighted` (stride size), adds coefficients[q]·f_q to `b` (each entry summed over q in
   * order) and, given `sessions`, adds f_q to vector sessions[q] of `sessionSums` (stride size).
   * The same products and sums as the scalar loop over q and then d.
   */
  gather(
    cells: GatherCells,
    from: number,
    n: number,
    size: number,
    gathered: Float64Array,
    weighted: Float64Array | undefined,
    b: Float64Array,
    sessions?: Int32Array,
    sessionSums?: Float64Array,
  ): void {
    this.exports.gather(
      cells.rows.byteOffset,
      cells.indices.byteOffset + from * 4,
      n,
      size,
      cells.weights ? cells.weights.byteOffset + from * FLOAT_BYTES : 0,
      cells.coefficients.byteOffset + from * FLOAT_BYTES,
      gathered.byteOffset,
      weighted && cells.weights ? weighted.byteOffset : 0,
      b.byteOffset,
      sessions && sessionSums ? sessions.byteOffset + from * 4 : 0,
      sessionSums ? sessionSums.byteOffset : 0,
    );
  }

  /**
   * `steps` Jacobi-preconditioned conjugate-gradient steps in float32 from x = `work.x` on one
   * row's system (s·G + Σ_q w_q·f_q·f_qᵀ + λ·I)·x = Σ_q c_q·f_q over its n cells, f_q being
   * vector indices[q] of `system.rows` (stride work.size), G `system.gram` (k rows, stride
   * work.size; when `system.gramDiagonal` is given, G is diagonal and only its diagonal is read).
   * Stops early when rᵀ·M⁻¹·r ≤ 1e-30. Agrees with the float64 scalar loop to float32 rounding
   * (see the unit test).
   */
  refine(
    system: CgSystem,
    n: number,
    scale: number,
    lambda: number,
    steps: number,
    work: CgWork,
  ): void {
    this.exports.refine(
      system.rows.byteOffset,
      system.indices.byteOffset,
      n,
      work.size,
      work.k,
      system.weights.byteOffset,
      system.coefficients.byteOffset,
      system.gram.byteOffset,
      system.gramDiagonal ? system.gramDiagonal.byteOffset : 0,
      scale,
      lambda,
      steps,
      work.x.byteOffset,
      work.r.byteOffset,
      work.p.byteOffset,
      work.ap.byteOffset,
      work.z.byteOffset,
      work.preconditioner.byteOffset,
    );
  }

  /**
   * Solves A·x = b for a symmetric positive-definite n×n matrix A (row-major; only the lower
   * triangle is read). A is overwritten with its Cholesky factor L (lower triangle) and b with
   * x. Returns false, leaving A and b partly overwritten, when A is not positive definite.
   * Equal bit for bit to the scalar Cholesky–Banachiewicz loop whose inner products keep four
   * running sums (see the unit test).
   */
  choleskySolve(a: Float64Array, b: Float64Array, n: number): boolean {
    return this.exports.cholesky(a.byteOffset, b.byteOffset, n) === 1;
  }
}

function roundUp(length: number): number {
  return Math.ceil(length / ALIGN_FLOATS) * ALIGN_FLOATS;
}
