import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_CONFIG } from '../config.js';
import { mulberry32 } from '../random.js';
import { randomRatings, referenceSolve } from '../test-support.js';
import { createWorkerPool, serialExecutor } from './executor.js';
import { fitImplicitFactors, implicitFeedbackState } from './implicit-feedback.js';
import { buildLayout, sharedFloat64 } from './rating-layout.js';

const ratings = randomRatings(mulberry32(3), 40, 25, 6);
const layout = buildLayout(ratings);
const k = 3;
const config = { ...DEFAULT_MODEL_CONFIG.explicit, regularization: 0.8, implicitRegularization: 2 };

function userFactors(seed: number): Float64Array {
  const random = mulberry32(seed);
  const factors = sharedFloat64(ratings.userCount * k);
  for (let n = 0; n < factors.length; n++) factors[n] = random() - 0.5;
  return factors;
}

/**
 * The y minimising Σ_u w_u·‖p_u − c_u·Σ_{j∈R(u)} y_j‖² + λ_y·Σ_j ‖y_j‖², column by column from
 * its normal equations, by ml-matrix.
 */
function exactY(p: Float64Array): number[][] {
  const items = ratings.itemCount;
  const m = Array.from({ length: items }, (_, j) =>
    Array.from({ length: items }, (_, l) => (j === l ? config.implicitRegularization! : 0)),
  );
  const rhs = Array.from({ length: k }, () => new Array<number>(items).fill(0));
  const { offsets, indices } = layout.byUser;
  for (let u = 0; u < ratings.userCount; u++) {
    const n = offsets[u + 1] - offsets[u];
    const w = config.regularization * n ** config.frequencyExponent;
    const c = 1 / Math.sqrt(n);
    for (let q = offsets[u]; q < offsets[u + 1]; q++) {
      for (let r = offsets[u]; r < offsets[u + 1]; r++) m[indices[q]][indices[r]] += w * c * c;
      for (let d = 0; d < k; d++) rhs[d][indices[q]] += w * c * p[u * k + d];
    }
  }
  return rhs.map((column) => referenceSolve(m, column));
}

describe('the y step', () => {
  it('converges to the exact minimiser, also after the user factors change', async () => {
    const y = sharedFloat64(ratings.itemCount * k);
    const p = userFactors(1);
    const state = implicitFeedbackState(y, p, layout, k, config, 4);
    await fitImplicitFactors(state, serialExecutor, 60);
    // The residual carried over must follow a new right side.
    p.set(userFactors(2));
    await fitImplicitFactors(state, serialExecutor, 60);
    const exact = exactY(p);
    for (let j = 0; j < ratings.itemCount; j++) {
      for (let d = 0; d < k; d++) expect(y[j * k + d]).toBeCloseTo(exact[d][j], 9);
    }
  });

  it('a few warm-started steps move toward it, and threads do not change the result', async () => {
    const exact = exactY(userFactors(1));
    const distance = (y: Float64Array) => {
      let sum = 0;
      for (let j = 0; j < ratings.itemCount; j++) {
        for (let d = 0; d < k; d++) sum += (y[j * k + d] - exact[d][j]) ** 2;
      }
      return Math.sqrt(sum);
    };
    const serial = sharedFloat64(ratings.itemCount * k);
    const state = implicitFeedbackState(serial, userFactors(1), layout, k, config, 4);
    await fitImplicitFactors(state, serialExecutor, 2);
    const afterTwo = distance(serial);
    await fitImplicitFactors(state, serialExecutor, 2);
    expect(afterTwo).toBeLessThan(distance(new Float64Array(serial.length)));
    expect(distance(serial)).toBeLessThan(afterTwo);

    const pool = createWorkerPool(2);
    try {
      const parallel = sharedFloat64(ratings.itemCount * k);
      const pooled = implicitFeedbackState(parallel, userFactors(1), layout, k, config, 4);
      await fitImplicitFactors(pooled, pool, 2);
      await fitImplicitFactors(pooled, pool, 2);
      expect(parallel).toEqual(serial);
    } finally {
      await pool.close();
    }
  }, 30_000);
});
