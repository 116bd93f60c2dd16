import { DEFAULT_MODEL_CONFIG, type ModelSet } from '@reel/functions/model';
import { describe, expect, it } from 'vitest';
import { withoutTerm } from './contenders.js';

describe('withoutTerm', () => {
  // Only the config matters here.
  const set = { config: DEFAULT_MODEL_CONFIG } as ModelSet;
  const { weight, sequenceWeight } = DEFAULT_MODEL_CONFIG.genres;

  it('turns off the one term it names and leaves the other and the set alone', () => {
    expect(weight).toBeGreaterThan(0);
    expect(sequenceWeight).toBeGreaterThan(0);
    const genreOff = withoutTerm('genre', set).config.genres;
    expect([genreOff.weight, genreOff.sequenceWeight]).toEqual([0, sequenceWeight]);
    const sequenceOff = withoutTerm('sequence', set).config.genres;
    expect([sequenceOff.weight, sequenceOff.sequenceWeight]).toEqual([weight, 0]);
    expect(set.config.genres).toEqual(DEFAULT_MODEL_CONFIG.genres);
  });
});
