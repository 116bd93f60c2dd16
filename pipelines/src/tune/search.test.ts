import { describe, expect, it } from 'vitest';
import { coordinateDescent } from './search.js';

describe('coordinateDescent', () => {
  it('finds the grid optimum of a separable score and evaluates each config once', async () => {
    let calls = 0;
    const { best, trials } = await coordinateDescent({
      start: { a: 1, b: 0 },
      dimensions: [
        { key: 'a', values: [1, 2, 3, 4] },
        { key: 'b', values: [0, 1, 2] },
      ],
      score: async ({ a, b }) => {
        calls++;
        return 10 - (a - 3) ** 2 - (b - 1) ** 2;
      },
      passes: 3,
      tolerance: 0,
    });
    expect(best).toEqual({ config: { a: 3, b: 1 }, score: 10 });
    expect(calls).toBe(trials.length);
    expect(new Set(trials.map((t) => JSON.stringify(t.config))).size).toBe(trials.length);
  });

  it('takes the cheapest cost value within the tolerance of the best', async () => {
    const { best } = await coordinateDescent({
      start: { iterations: 20 },
      dimensions: [{ key: 'iterations', values: [5, 10, 20, 40], cost: true }],
      // Diminishing returns: 10 iterations is within 0.01 of 40.
      score: async ({ iterations }) => 1 - 1 / iterations,
      passes: 1,
      tolerance: 0.1,
    });
    expect(best.config.iterations).toBe(10);
  });

  it('keeps the start value when no grid value beats it', async () => {
    const { best } = await coordinateDescent({
      start: { x: 7 },
      dimensions: [{ key: 'x', values: [1, 2, 3] }],
      score: async ({ x }) => -Math.abs(x - 7),
      passes: 2,
      tolerance: 0,
    });
    expect(best.config.x).toBe(7);
  });
});
