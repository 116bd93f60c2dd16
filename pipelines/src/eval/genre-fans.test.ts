import { DEFAULT_MODEL_CONFIG, type ModelSet, Recommender } from '@reel/functions/model';
import { describe, expect, it } from 'vitest';
import { genreFans } from './genre-fans.js';

// 30 movies (ids 100..129): 0-14 are Action with ranking factors along (1, 0), 15-29 Drama
// along (0, 1); movie 29 is also a Western, the only one (too rare to get a fan). The lower
// the row, the better its ratings, so each genre's most popular are its first rows.
const items = 30;
const set: ModelSet = {
  itemIds: Int32Array.from({ length: items }, (_, row) => 100 + row),
  config: { ...DEFAULT_MODEL_CONFIG, genres: { ...DEFAULT_MODEL_CONFIG.genres, weight: 0 } },
  explicit: {
    k: 1,
    globalMean: 3.5,
    config: { ...DEFAULT_MODEL_CONFIG.explicit, implicitRegularization: null },
    itemFactors: new Float64Array(items),
    itemBiases: new Float64Array(items),
  },
  ranking: {
    k: 2,
    config: { ...DEFAULT_MODEL_CONFIG.ranking, factors: 2 },
    itemFactors: Float64Array.from({ length: 2 * items }, (_, n) => {
      const row = n >> 1;
      const along = row < 15 ? n % 2 === 0 : n % 2 === 1;
      return along ? 1 : 0.01 * (row % 15);
    }),
    itemWeights: new Float64Array(items).fill(1),
  },
  popularity: {
    counts: new Int32Array(items).fill(50),
    means: Float64Array.from({ length: items }, (_, row) => 5 - 0.1 * (row % 15)),
    globalMean: 3.5,
  },
  genres: {
    names: ['Action', 'Drama', 'Western'],
    masks: Uint32Array.from({ length: items }, (_, row) =>
      row < 15 ? 0b001 : row === 29 ? 0b110 : 0b010,
    ),
  },
};

describe('genreFans', () => {
  it("rates each common genre's five most popular movies and measures the genre's share", () => {
    const fans = genreFans(new Recommender(set), set.genres!);
    expect(fans.map((fan) => fan.genre)).toEqual(['Action', 'Drama']);
    expect(fans[0]!.rated).toEqual([100, 101, 102, 103, 104]);
    expect(fans[1]!.rated).toEqual([115, 116, 117, 118, 119]);
    expect(fans.map((fan) => fan.share)).toEqual([1, 1]);
  });
});
