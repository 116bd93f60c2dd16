import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random.js';
import { referenceSolve } from '../test-support.js';
import { ExplicitScratch, type ExplicitSide, solveExplicitRow } from './explicit-step.js';

// Three movies with k = 2: q1 = (1, 0), q2 = (0, 1), q3 = (1, 1); biases 0.5, 0, −0.5; μ = 3.
const side: ExplicitSide = {
  k: 2,
  globalMean: 3,
  regularization: 1,
  biasRegularization: 1,
  frequencyExponent: 0,
  biasFrequencyExponent: 0,
  fixedFactors: Float64Array.of(1, 0, 0, 1, 1, 1),
  fixedBiases: Float64Array.of(0.5, 0, -0.5),
};

function userStep(items: number[], values: number[]) {
  const factors = new Float64Array(2);
  const biases = new Float64Array(1);
  solveExplicitRow(
    side,
    Int32Array.from(items),
    Float32Array.from(values),
    0,
    items.length,
    factors,
    biases,
    0,
    undefined,
    true,
    0,
    0,
    new ExplicitScratch(2),
  );
  return { bias: biases[0], factors: Array.from(factors) };
}

describe('the explicit user step', () => {
  it('matches a 2 users × 3 movies case worked out by hand', () => {
    // User 1 rated movie 1 ★4 and movie 3 ★2: targets r − μ − b_i = 0.5, −0.5 on features
    // (1, q): A = [[3,2,1],[2,3,1],[1,1,2]] (with λ = λ_b = 1), rhs (0, 0, −0.5); by symmetry
    // b_u = p₁ = a, p₂ = c with 5a + c = 0 and 2a + 2c = −0.5: a = 1/16, c = −5/16.
    const first = userStep([0, 2], [4, 2]);
    expect(first.bias).toBeCloseTo(0.0625, 12);
    expect(first.factors[0]).toBeCloseTo(0.0625, 12);
    expect(first.factors[1]).toBeCloseTo(-0.3125, 12);
    // User 2 rated movie 2 ★5 and movie 3 ★3: targets 2, 0.5; A = [[3,1,2],[1,2,1],[2,1,3]],
    // rhs (2.5, 0.5, 2.5); b_u = p₂ = a, p₁ = c with 5a + c = 2.5, 2a + 2c = 0.5: a = 9/16,
    // c = −5/16.
    const second = userStep([1, 2], [5, 3]);
    expect(second.bias).toBeCloseTo(0.5625, 12);
    expect(second.factors[0]).toBeCloseTo(-0.3125, 12);
    expect(second.factors[1]).toBeCloseTo(0.5625, 12);
  });

  it('gives a user without ratings zero bias and factors', () => {
    expect(userStep([], [])).toEqual({ bias: 0, factors: [0, 0] });
  });

  it('eliminates session biases exactly: same answer as solving them jointly', () => {
    const random = mulberry32(11);
    const k = 3;
    const items = 40;
    const rich: ExplicitSide = {
      ...side,
      k,
      regularization: 0.7,
      biasRegularization: 2,
      frequencyExponent: 0.5,
      fixedFactors: Float64Array.from({ length: items * k }, () => random() - 0.5),
      fixedBiases: Float64Array.from({ length: items }, () => random() - 0.5),
    };
    const n = 25;
    const indices = Int32Array.from({ length: n }, (_, q) => q);
    const values = Float32Array.from({ length: n }, () => 0.5 * (1 + Math.floor(random() * 10)));
    const ofRating = Int32Array.from({ length: n }, (_, q) => Math.min(3, Math.floor(q / 7)));
    const sessionCount = 4;
    const lambdaS = 3;
    const sessions = { ofRating, biases: new Float64Array(sessionCount), regularization: lambdaS };
    const factors = new Float64Array(k);
    const biases = new Float64Array(1);
    solveExplicitRow(
      rich,
      indices,
      values,
      0,
      n,
      factors,
      biases,
      0,
      sessions,
      true,
      0,
      sessionCount,
      new ExplicitScratch(k),
    );
    // Joint system over (b, p₁..p_k, s₁..s_S): features (1, q_j, e_session(j)).
    const dim = 1 + k + sessionCount;
    const a = Array.from({ length: dim }, () => new Array<number>(dim).fill(0));
    const rhs = new Array<number>(dim).fill(0);
    for (let q = 0; q < n; q++) {
      const feature = new Array<number>(dim).fill(0);
      feature[0] = 1;
      for (let d = 0; d < k; d++) feature[1 + d] = rich.fixedFactors[q * k + d]!;
      feature[1 + k + ofRating[q]!] = 1;
      const t = values[q]! - rich.globalMean - rich.fixedBiases[q]!;
      for (let r = 0; r < dim; r++) {
        rhs[r]! += t * feature[r]!;
        for (let c = 0; c < dim; c++) a[r]![c]! += feature[r]! * feature[c]!;
      }
    }
    a[0]![0]! += rich.biasRegularization;
    for (let d = 1; d <= k; d++) a[d]![d]! += rich.regularization * n ** 0.5;
    for (let s = 0; s < sessionCount; s++) a[1 + k + s]![1 + k + s]! += lambdaS;
    const want = referenceSolve(a, rhs);
    expect(biases[0]).toBeCloseTo(want[0]!, 10);
    for (let d = 0; d < k; d++) expect(factors[d]).toBeCloseTo(want[1 + d]!, 10);
    for (let s = 0; s < sessionCount; s++) {
      expect(sessions.biases[s]).toBeCloseTo(want[1 + k + s]!, 10);
    }
  });

  it('subtracts the fixed side’s session biases in the item step', () => {
    // Item step: the fixed side is two users with biases and session offsets.
    const itemSide: ExplicitSide = {
      ...side,
      k: 1,
      fixedFactors: Float64Array.of(1, 2),
      fixedBiases: Float64Array.of(0.25, -0.25),
    };
    const sessions = {
      ofRating: Int32Array.of(1, 0),
      biases: Float64Array.of(0.5, -1),
      regularization: 1,
    };
    const factors = new Float64Array(1);
    const biases = new Float64Array(1);
    solveExplicitRow(
      itemSide,
      Int32Array.of(0, 1),
      Float32Array.of(4, 3),
      0,
      2,
      factors,
      biases,
      0,
      sessions,
      false,
      0,
      0,
      new ExplicitScratch(1),
    );
    // Targets: 4 − 3 − 0.25 − (−1) = 1.75 and 3 − 3 + 0.25 − 0.5 = −0.25 on features (1, 1)
    // and (1, 2): A = [[3, 3], [3, 6]], rhs = (1.5, 1.25) → z = (7.75, −3.5)/9.
    const want = referenceSolve(
      [
        [3, 3],
        [3, 6],
      ],
      [1.5, 1.25],
    );
    expect(biases[0]).toBeCloseTo(want[0]!, 12);
    expect(factors[0]).toBeCloseTo(want[1]!, 12);
  });
});
