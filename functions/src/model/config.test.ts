import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_CONFIG, parseModelConfig, resolveModelConfig } from './config.js';

describe('resolveModelConfig', () => {
  it('applies overrides over the defaults', () => {
    const config = resolveModelConfig({ ranking: { factors: 32 }, explicit: { sessionGap: null } });
    expect(config.ranking.factors).toBe(32);
    expect(config.ranking.alpha).toBe(DEFAULT_MODEL_CONFIG.ranking.alpha);
    expect(config.explicit.sessionGap).toBeNull();
  });

  it('names every bad field, the rule and the value', () => {
    expect(() =>
      resolveModelConfig({
        ranking: { factors: 0, recencyFloor: 2 },
        explicit: { iterations: 1.5 },
      }),
    ).toThrow(
      'model config: explicit.iterations: must be an integer (got 1.5); ranking.factors: must be ' +
        'positive (got 0); ranking.recencyFloor: must be at most 1 (got 2)',
    );
  });

  it('rejects unknown and missing fields in a whole config', () => {
    const { popularity, ...withoutPopularity } = DEFAULT_MODEL_CONFIG;
    expect(popularity.priorCount).toBeGreaterThan(0);
    expect(() => parseModelConfig(withoutPopularity, 'manifest config')).toThrow(
      'manifest config: popularity: Invalid input: expected object, received undefined (got missing)',
    );
    expect(() =>
      parseModelConfig(
        { ...DEFAULT_MODEL_CONFIG, ranking: { ...DEFAULT_MODEL_CONFIG.ranking, k: 3 } },
        'x',
      ),
    ).toThrow('x: ranking: unknown field "k"');
  });
});
