import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random.js';
import { CatalogueScorer } from './catalogue-scorer.js';
import { type ItemMetadata, type TopNOptions, topNByFactors } from './top-n.js';

function randomFactors(items: number, k: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  return Float64Array.from({ length: items * k }, () => random() - 0.5);
}

describe('CatalogueScorer', () => {
  it('gives topNByFactors’ items and scores bit for bit, for any k, count, exclusion and filter', () => {
    const random = mulberry32(3);
    for (const k of [1, 5, 8, 13, 64]) {
      const items = 700;
      const factors = randomFactors(items, k, k);
      // Duplicated rows tie exactly: ties must still go to the lower index.
      factors.copyWithin(10 * k, 3 * k, 4 * k);
      factors.copyWithin(500 * k, 3 * k, 4 * k);
      const scorer = new CatalogueScorer(factors, k);
      const metadata: ItemMetadata = {
        genres: Uint32Array.from({ length: items }, () => 1 + Math.floor(random() * 7)),
        years: Uint16Array.from({ length: items }, () => 1950 + Math.floor(random() * 70)),
      };
      for (let trial = 0; trial < 12; trial++) {
        const user = Float64Array.from({ length: k }, () => random() - 0.5);
        if (trial === 0) user.set(factors.subarray(3 * k, 4 * k));
        const exclude = Int32Array.from(
          new Set(Array.from({ length: trial * 5 }, () => Math.floor(random() * items))),
        ).sort();
        const options: TopNOptions = {
          count: [0, 1, 20, 100, 1000][trial % 5],
          exclude,
          filter:
            trial % 3 === 1
              ? { metadata, genres: 0b010 }
              : trial % 3 === 2
                ? { metadata, yearFrom: 1980, yearTo: 1999 }
                : undefined,
        };
        const expected = topNByFactors(factors, k, user, undefined, options);
        const actual = scorer.topN(user, options);
        expect(Array.from(actual.items)).toEqual(Array.from(expected.items));
        expect(Array.from(actual.scores)).toEqual(Array.from(expected.scores));
      }
    }
  });

  it('ranks by exact scores where float32 cannot tell movies apart', () => {
    // Scores 1 + 1e-12·i: identical in float32, ordered in float64.
    const k = 2;
    const factors = Float64Array.from({ length: 50 * k }, (_, n) =>
      n % k === 0 ? 1 + 1e-12 * (n / k) : 0,
    );
    const top = new CatalogueScorer(factors, k).topN(Float64Array.of(1, 0), { count: 3 });
    expect(Array.from(top.items)).toEqual([49, 48, 47]);
  });

  it('rejects factors that are not whole rows', () => {
    expect(() => new CatalogueScorer(new Float64Array(7), 2)).toThrow(
      'catalogue scorer: 7 factors is not a multiple of k = 2',
    );
  });
});
