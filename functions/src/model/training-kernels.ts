/**
 * training-kernels.wat compiled by wabt 1.0.39 (`npx -p wabt@1.0.39 wat2wasm
 * training-kernels.wat -o training-kernels.wasm`, then base64), so the deploy bundle needs no
 * build step and nothing is fetched at run time. A unit test compares every kernel with the
 * scalar loop it replaces.
 */
const TRAINING_KERNELS_WASM =
  'AGFzbQEAAAABKwVgBX9/f39/AGAGf39/f39/AGADf39/AXxgCH9/f39/f39/AGADf39/AX8DBwYAAQIDAgQFAwEAAQcxBQZtZW1vcnkCAARncmFtAAAGcm90YXRlAAEJY2VsbFRlcm1zAAMIY2hvbGVza3kABQrLEAbgBAIHfw57IAFBA3QhBUEAIQYCQANAIAYgBU8NAUEAIQcCQANAIAcgBksNAf0MAAAAAAAAAAAAAAAAAAAAACES/QwAAAAAAAAAAAAAAAAAAAAAIRP9DAAAAAAAAAAAAAAAAAAAAAAhFP0MAAAAAAAAAAAAAAAAAAAAACEV/QwAAAAAAAAAAAAAAAAAAAAAIRb9DAAAAAAAAAAAAAAAAAAAAAAhF/0MAAAAAAAAAAAAAAAAAAAAACEY/QwAAAAAAAAAAAAAAAAAAAAAIRkgAiAGaiEIIAMgB2ohCSAIIAQgBWxqIQoCQANAIAggCk8NASAI/QoDACEMIAj9CgMIIQ0gCP0KAxAhDiAI/QoDGCEPIAn9AAQAIRAgCf0ABBAhESASIAwgEP3yAf3wASESIBMgDCAR/fIB/fABIRMgFCANIBD98gH98AEhFCAVIA0gEf3yAf3wASEVIBYgDiAQ/fIB/fABIRYgFyAOIBH98gH98AEhFyAYIA8gEP3yAf3wASEYIBkgDyAR/fIB/fABIRkgCCAFaiEIIAkgBWohCQwACwsgACAGIAFsIAdqaiELIAsgC/0ABAAgEv3wAf0LBAAgCyAL/QAEECAT/fAB/QsEECALIAVqIQsgCyAL/QAEACAU/fAB/QsEACALIAv9AAQQIBX98AH9CwQQIAsgBWohCyALIAv9AAQAIBb98AH9CwQAIAsgC/0ABBAgF/3wAf0LBBAgCyAFaiELIAsgC/0ABAAgGP3wAf0LBAAgCyAL/QAEECAZ/fAB/QsEECAHQSBqIQcMAAsLIAZBIGohBgwACwsL3wIDB38DewF8IAJBA3QhCCAIQWBxIQkgACEGIAAgASADbEEDdGohBwJAA0AgBiAHTw0BIAUgBiAI/AoAAEEAIQoCQANAIAogCU8NAf0MAAAAAAAAAAAAAAAAAAAAACEN/QwAAAAAAAAAAAAAAAAAAAAAIQ5BACELIAQgCmohDAJAA0AgCyAITw0BIAUgC2r9CgMAIQ8gDSAPIAz9AAQA/fIB/fABIQ0gDiAPIAz9AAQQ/fIB/fABIQ4gDCAIaiEMIAtBCGohCwwACwsgBiAKaiAN/QsEACAGIApqIA79CwQQIApBIGohCgwACwsCQANAIAogCE8NAUQAAAAAAAAAACEQQQAhCyAEIApqIQwCQANAIAsgCE8NASAQIAUgC2orAwAgDCsDAKKgIRAgDCAIaiEMIAtBCGohCwwACwsgBiAKaiAQOQMAIApBCGohCgwACwsgBiADQQN0aiEGDAALCwuUAQIBfwJ7/QwAAAAAAAAAAAAAAAAAAAAAIQT9DAAAAAAAAAAAAAAAAAAAAAAhBUEAIQMCQANAIAMgAk8NASAEIAAgA2r9AAQAIAEgA2r9AAQA/fIB/fABIQQgBSAAIANq/QAEECABIANq/QAEEP3yAf3wASEFIANBIGohAwwACwsgBCAF/fABIQQgBP0hACAE/SEBoAvKAgQFfwJ8BHsCfyACQQN0IQggACEJIAAgASAIbGohCkEAIQsCQANAIAkgCk8NASAFIAtqKwMAIQ0gDSAJIAMgCBACoiEOIAcEQCAGIAtqKwMAIA6hIQ4LIA79FCEPQQAhDAJAA0AgDCAITw0BIAkgDGr9AAQAIREgCSAMav0ABBAhEiAEIAxqIRMgEyAT/QAEACAPIBH98gH98AH9CwQAIBMgE/0ABBAgDyAS/fIB/fAB/QsEECAMQSBqIQwMAAsLIAcEQCAN/RQhEEEAIQwCQANAIAwgCE8NASAJIAxq/QAEACERIAkgDGr9AAQQIRIgByAMaiEUIBQgFP0ABAAgECAR/fIBIBH98gH98AH9CwQAIBQgFP0ABBAgECAS/fIBIBL98gH98AH9CwQQIAxBIGohDAwACwsLIAkgCGohCSALQQhqIQsMAAsLC9cBAwN/AnsBfP0MAAAAAAAAAAAAAAAAAAAAACEG/QwAAAAAAAAAAAAAAAAAAAAAIQcgAkEDdCEFIAVBYHEhBEEAIQMCQANAIAMgBE8NASAGIAAgA2r9AAQAIAEgA2r9AAQA/fIB/fABIQYgByAAIANq/QAEECABIANq/QAEEP3yAf3wASEHIANBIGohAwwACwsgBv0hACEIAkADQCADIAVPDQEgCCAAIANqKwMAIAEgA2orAwCioCEIIANBCGohAwwACwsgCCAG/SEBoCAH/SEAIAf9IQGgoAvKAwMGfwN8AX8gAkEDdCEDQQAhBAJAA0AgBCACTw0BIAAgBCADbGohByAHIARBA3RqIQwgDCsDACAHIAcgBBAEoSEJIAlEAAAAAAAAAABkRQRAQQAPCyAJnyEJIAwgCTkDAEQAAAAAAADwPyAJoyEKIARBAWohBSAHIANqIQgCQANAIAUgAk8NASAIIARBA3RqIQwgDCAMKwMAIAggByAEEAShIAqiOQMAIAggA2ohCCAFQQFqIQUMAAsLIARBAWohBAwACwtBACEFAkADQCAFIAJPDQEgACAFIANsaiEIIAEgBUEDdGorAwAhC0EAIQYCQANAIAYgBU8NASALIAggBkEDdGorAwAgASAGQQN0aisDAKKhIQsgBkEBaiEGDAALCyABIAVBA3RqIAsgCCAFQQN0aisDAKM5AwAgBUEBaiEFDAALCyACIQUCQANAIAVFDQEgBUEBayEFIAEgBUEDdGorAwAhCyAFQQFqIQYCQANAIAYgAk8NASALIAAgBiACbCAFakEDdGorAwAgASAGQQN0aisDAKKhIQsgBkEBaiEGDAALCyABIAVBA3RqIAsgACAFIAJsIAVqQQN0aisDAKM5AwAMAAsLQQEL';

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
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  readonly gram: (g: number, size: number, left: number, right: number, n: number) => void;
  readonly rotate: (
    rows: number,
    count: number,
    k: number,
    size: number,
    rotation: number,
    row: number,
  ) => void;
  readonly cellTerms: (
    cells: number,
    n: number,
    size: number,
    v: number,
    out: number,
    weights: number,
    coefficients: number,
    diagonal: number,
  ) => void;
  readonly cholesky: (a: number, b: number, n: number) => number;
}

// Compiled once per thread, instantiated once per scratch.
let compiled: object | undefined;

/**
 * The SIMD kernels of the row solves over their own WebAssembly memory: the arrays they work on
 * are views of it, handed out by {@link array} up to the capacity given at construction (the
 * memory never grows afterwards, so the views stay valid). Vectors are laid out with a stride of
 * `size` values, a multiple of 4 whose padding stays zero.
 */
export class TrainingKernels {
  private readonly exports: KernelExports;
  private readonly capacity: number;
  // Byte offset 0 is never handed out: the kernels read offset 0 as "no array".
  private next = ALIGN_FLOATS * FLOAT_BYTES;

  /** Room for arrays of these lengths. */
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
   * The observed cells' part of a conjugate-gradient product, over the n vectors f_q in
   * `cells` (stride size): out += Σ_q w_q·(f_q·v)·f_q; or, given `diagonal` (the residual
   * pass), out += Σ_q (c_q − w_q·(f_q·v))·f_q and diagonal += Σ_q w_q·f_q².
   */
  cellTerms(
    cells: Float64Array,
    n: number,
    size: number,
    v: Float64Array,
    out: Float64Array,
    weights: Float64Array,
    coefficients: Float64Array,
    diagonal: Float64Array | undefined,
  ): void {
    this.exports.cellTerms(
      cells.byteOffset,
      n,
      size,
      v.byteOffset,
      out.byteOffset,
      weights.byteOffset,
      coefficients.byteOffset,
      diagonal ? diagonal.byteOffset : 0,
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
