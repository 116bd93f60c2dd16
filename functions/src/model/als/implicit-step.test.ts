import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random.js';
import {
  addGramRows,
  ImplicitScratch,
  type ImplicitSide,
  refineImplicitRow,
  solveImplicitRow,
} from './implicit-step.js';
import { mirrorLower } from './linalg.js';

// Three movies with k = 2: y1 = (1, 0), y2 = (0, 1), y3 = (1, 1); α₀ = 1, π = 1, λ = 0.5.
function sideFor(itemFactors: Float64Array, k: number, itemWeights?: Float64Array): ImplicitSide {
  const gram = new Float64Array(k * k);
  addGramRows(
    gram,
    itemFactors,
    k,
    0,
    itemFactors.length / k,
    1,
    itemWeights,
    new ImplicitScratch(k),
  );
  mirrorLower(gram, k);
  return {
    k,
    unobservedWeight: 1,
    regularization: 0.5,
    frequencyExponent: 0,
    fixedFactors: itemFactors,
    gram,
    itemWeights,
    solvingItems: false,
  };
}

describe('the implicit user step', () => {
  it('matches a case worked out by hand', () => {
    // Movie 1 liked (w = 2, p = 1), movie 3 disliked (w = 1, p = 0).
    // A = YᵀY + 2·y1y1ᵀ + y3y3ᵀ + 0.5·I = [[5.5, 2], [2, 3.5]], b = (1 + 2)·y1 = (3, 0),
    // det = 15.25, x = (3.5·3, −2·3)/15.25.
    const side = sideFor(Float64Array.of(1, 0, 0, 1, 1, 1), 2);
    const x = new Float64Array(2);
    solveImplicitRow(
      side,
      Int32Array.of(0, 2),
      Float32Array.of(2, 1),
      Float32Array.of(1, 0),
      0,
      2,
      x,
      0,
      new ImplicitScratch(2),
    );
    expect(x[0]).toBeCloseTo(10.5 / 15.25, 12);
    expect(x[1]).toBeCloseTo(-6 / 15.25, 12);
  });

  it('weights unobserved cells by π: doubling an item’s π doubles its share of the Gram', () => {
    const factors = Float64Array.of(1, 0, 0, 1, 1, 1);
    const side = sideFor(factors, 2, Float64Array.of(2, 1, 1));
    // A = 2·y1y1ᵀ + y2y2ᵀ + y3y3ᵀ + w·y1y1ᵀ + λI with w = 2, b = (α₀π₁ + w)·y1 = (4, 0).
    // A = [[2+1+2+0.5, 1], [1, 1+1+0.5]] = [[5.5, 1], [1, 2.5]], det = 12.75.
    const x = new Float64Array(2);
    solveImplicitRow(
      side,
      Int32Array.of(0),
      Float32Array.of(2),
      Float32Array.of(1),
      0,
      1,
      x,
      0,
      new ImplicitScratch(2),
    );
    expect(x[0]).toBeCloseTo((2.5 * 4) / 12.75, 12);
    expect(x[1]).toBeCloseTo(-4 / 12.75, 12);
  });

  it('conjugate gradient converges to the exact solve', () => {
    const random = mulberry32(5);
    const k = 6;
    const items = 30;
    const factors = Float64Array.from({ length: items * k }, () => random() - 0.5);
    const side = sideFor(
      factors,
      k,
      Float64Array.from({ length: items }, () => 0.5 + random()),
    );
    const indices = Int32Array.of(1, 4, 7, 9, 20, 29);
    const weights = Float32Array.from(indices, () => 3 * random());
    const targets = Float32Array.of(1, 0, 1, 1, 0, 1);
    const exact = new Float64Array(k);
    solveImplicitRow(side, indices, weights, targets, 0, 6, exact, 0, new ImplicitScratch(k));
    const iterative = new Float64Array(k);
    refineImplicitRow(
      side,
      indices,
      weights,
      targets,
      0,
      6,
      iterative,
      0,
      k,
      new ImplicitScratch(k),
    );
    // To float32 rounding: conjugate gradient runs in float32.
    for (let d = 0; d < k; d++) expect(iterative[d]).toBeCloseTo(exact[d]!, 5);
  });

  it('gives the same bits on a scratch that held another side (stale padding is zeroed)', () => {
    // k = 5 pads each row to 8 values; the larger side's rows land where the smaller side's
    // cells were, so a padding left as it was would enter the sums.
    const random = mulberry32(9);
    const k = 5;
    const small = sideFor(
      Float64Array.from({ length: 3 * k }, () => random() - 0.5),
      k,
    );
    const large = sideFor(
      Float64Array.from({ length: 40 * k }, () => random() - 0.5),
      k,
    );
    const indices = Int32Array.from({ length: 30 }, (_, q) => q);
    const weights = Float32Array.from(indices, () => 1 + random());
    const targets = Float32Array.from(indices, (q) => q % 2);
    const solve = (scratch: ImplicitScratch) => {
      const x = new Float64Array(k);
      solveImplicitRow(large, indices, weights, targets, 0, 30, x, 0, scratch);
      refineImplicitRow(large, indices, weights, targets, 0, 30, x, 0, 2, scratch);
      return x;
    };
    const used = new ImplicitScratch(k);
    const smallIndices = indices.map((q) => q % 3);
    refineImplicitRow(
      small,
      smallIndices,
      weights,
      targets,
      0,
      30,
      new Float64Array(k),
      0,
      2,
      used,
    );
    expect(solve(used)).toEqual(solve(new ImplicitScratch(k)));
  });
});
