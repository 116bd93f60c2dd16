import { CATALOGUE_SCORES_WASM } from '../kernels/wasm-modules.js';
import {
  checkOptions,
  passes,
  rowDot,
  Selection,
  type TopN,
  type TopNOptions,
  topNByFactors,
} from './top-n.js';

const FLOAT_BYTES = 4;
const PAGE_BYTES = 65_536;

// The WebAssembly global of Node and browsers, which lib ES2023 and @types/node 20 do not type.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

interface ScoresExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  readonly scores: (
    factors: number,
    user: number,
    out: number,
    count: number,
    stride: number,
  ) => void;
}

/**
 * Top-N over the whole catalogue by x_u·y_i, equal item for item and bit for bit to
 * {@link topNByFactors} without biases, several times faster: a WebAssembly SIMD pass scores
 * every movie in float32; each float32 score is within a bound of the exact one
 * ((k + 16)·2⁻²⁴·‖x_u‖·‖y_i‖, rounding of the inputs, products and sums); the N-th best lower
 * bound then rules out every movie whose upper bound falls below it, and only the rest are
 * scored exactly in float64 by the same sum topNByFactors uses.
 */
export class CatalogueScorer {
  private readonly exports: ScoresExports;
  private readonly itemNorms: Float64Array;
  private readonly stride: number;
  private readonly userOffset: number;
  private readonly outOffset: number;
  private readonly user32: Float32Array;
  private readonly approx: Float32Array;

  constructor(
    private readonly factors: Float64Array,
    private readonly k: number,
  ) {
    const itemCount = factors.length / k;
    if (!Number.isInteger(itemCount)) {
      throw new RangeError(
        `catalogue scorer: ${factors.length} factors is not a multiple of k = ${k}`,
      );
    }
    // Rows padded with zeros to a multiple of 8 floats: the kernel takes two f32x4 a step.
    this.stride = Math.ceil(k / 8) * 8;
    const module = new WebAssembly.Module(
      Uint8Array.from(atob(CATALOGUE_SCORES_WASM), (c) => c.charCodeAt(0)),
    );
    this.exports = new WebAssembly.Instance(module, {}).exports as ScoresExports;
    const { memory } = this.exports;
    this.userOffset = itemCount * this.stride * FLOAT_BYTES;
    this.outOffset = this.userOffset + this.stride * FLOAT_BYTES;
    const bytes = this.outOffset + itemCount * FLOAT_BYTES;
    const pages = Math.ceil(bytes / PAGE_BYTES) - memory.buffer.byteLength / PAGE_BYTES;
    if (pages > 0) memory.grow(pages);
    const rows = new Float32Array(memory.buffer, 0, itemCount * this.stride);
    this.itemNorms = new Float64Array(itemCount);
    for (let item = 0; item < itemCount; item++) {
      let norm = 0;
      for (let d = 0; d < k; d++) {
        const value = factors[item * k + d];
        rows[item * this.stride + d] = value;
        norm += value * value;
      }
      this.itemNorms[item] = Math.sqrt(norm);
    }
    this.user32 = new Float32Array(memory.buffer, this.userOffset, this.stride);
    this.approx = new Float32Array(memory.buffer, this.outOffset, itemCount);
  }

  /** The best `options.count` items for `user` (k values), as topNByFactors(…, undefined, options). */
  topN(user: Float64Array, options: TopNOptions): TopN {
    const { factors, k, itemNorms, approx } = this;
    const itemCount = itemNorms.length;
    checkOptions(options, itemCount);
    const count = Math.min(options.count, itemCount);
    let userNorm = 0;
    for (let d = 0; d < k; d++) {
      this.user32[d] = user[d];
      userNorm += user[d] * user[d];
    }
    this.exports.scores(0, this.userOffset, this.outOffset, itemCount, this.stride);
    const slack = (k + 16) * 2 ** -24 * Math.sqrt(userNorm);
    const tiny = 1e-30;
    const exclude = options.exclude ?? EMPTY;
    const { filter } = options;
    // Pass 1: the N-th best lower bound.
    const lower = new Selection(count);
    let next = 0;
    for (let item = 0; item < itemCount; item++) {
      if (next < exclude.length && exclude[next] === item) {
        next++;
        continue;
      }
      if (filter && !passes(filter, item)) continue;
      const score = approx[item];
      // Out of float32's range: only the exact path can rank it.
      if (!Number.isFinite(score)) return topNByFactors(factors, k, user, undefined, options);
      lower.offer(item, score - slack * itemNorms[item] - tiny);
    }
    const threshold = lower.size < count ? Number.NEGATIVE_INFINITY : lower.scores[0];

    // Pass 2: exact scores of every movie whose upper bound reaches it, in ascending order.
    const selection = new Selection(count);
    const k4 = k - (k % 4);
    next = 0;
    for (let item = 0; item < itemCount; item++) {
      if (next < exclude.length && exclude[next] === item) {
        next++;
        continue;
      }
      if (approx[item] + slack * itemNorms[item] + tiny < threshold) continue;
      if (filter && !passes(filter, item)) continue;
      selection.offer(item, rowDot(factors, item * k, user, k, k4));
    }
    return selection.sorted();
  }
}

const EMPTY = new Int32Array(0);
