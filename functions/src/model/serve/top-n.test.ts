import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random.js';
import { type ItemMetadata, topNByFactors, topNByScores } from './top-n.js';

// Five items with k = 1 and the user vector (1): the score is the item's factor.
const factors = Float64Array.of(0.5, 2, 1, 2, -1);
const user = Float64Array.of(1);

describe('topNByFactors', () => {
  it('returns the best items first with their scores, ties to the lower index', () => {
    const top = topNByFactors(factors, 1, user, undefined, { count: 3 });
    expect(Array.from(top.items)).toEqual([1, 3, 2]);
    expect(Array.from(top.scores)).toEqual([2, 2, 1]);
  });

  it('leaves out excluded (rated) items', () => {
    const top = topNByFactors(factors, 1, user, undefined, {
      count: 10,
      exclude: Int32Array.of(1, 2),
    });
    expect(Array.from(top.items)).toEqual([3, 0, 4]);
  });

  it('adds item biases to the dot product', () => {
    const top = topNByFactors(factors, 1, user, Float64Array.of(3, 0, 0, 0, 0), { count: 2 });
    expect(Array.from(top.items)).toEqual([0, 1]);
    expect(top.scores[0]).toBe(3.5);
  });

  it('keeps only items passing the genre and year filters', () => {
    const metadata: ItemMetadata = {
      genres: Uint32Array.of(0b01, 0b10, 0b11, 0b10, 0b01),
      years: Uint16Array.of(1990, 2001, 0, 1995, 2010),
    };
    const byGenre = topNByFactors(factors, 1, user, undefined, {
      count: 5,
      filter: { metadata, genres: 0b01 },
    });
    expect(Array.from(byGenre.items)).toEqual([2, 0, 4]);
    const byYear = topNByFactors(factors, 1, user, undefined, {
      count: 5,
      filter: { metadata, yearFrom: 1991, yearTo: 2005 },
    });
    // Item 2 has no known year, so a year filter drops it.
    expect(Array.from(byYear.items)).toEqual([1, 3]);
    const both = topNByFactors(factors, 1, user, undefined, {
      count: 5,
      filter: { metadata, genres: 0b10, yearTo: 1999 },
    });
    expect(Array.from(both.items)).toEqual([3]);
  });

  it('agrees with a full sort on random data with many ties (k not a multiple of 4)', () => {
    const random = mulberry32(4);
    const k = 7;
    const items = 500;
    const data = Float64Array.from({ length: items * k }, () => Math.round(random() * 4) / 4);
    const vector = Float64Array.from({ length: k }, () => Math.round(random() * 2));
    const exclude = Int32Array.from([3, 10, 11, 250, 499]);
    const top = topNByFactors(data, k, vector, undefined, { count: 40, exclude });
    const expected = Array.from({ length: items }, (_, i) => i)
      .filter((i) => !exclude.includes(i))
      .map((i) => ({
        i,
        s: data.slice(i * k, i * k + k).reduce((s, v, d) => s + v * vector[d]!, 0),
      }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .slice(0, 40);
    expect(Array.from(top.items)).toEqual(expected.map((e) => e.i));
  });

  it('rejects an unsorted exclusion list and a negative count', () => {
    expect(() =>
      topNByFactors(factors, 1, user, undefined, { count: 2, exclude: Int32Array.of(2, 1) }),
    ).toThrow('top-N: exclude must be ascending item indices without repeats');
    expect(() => topNByFactors(factors, 1, user, undefined, { count: -1 })).toThrow(
      'top-N: count must be a non-negative integer, got -1',
    );
  });
});

describe('topNByScores', () => {
  it('selects from precomputed scores with the same rules', () => {
    const top = topNByScores(Float64Array.of(1, 3, 3, 2), { count: 3, exclude: Int32Array.of(0) });
    expect(Array.from(top.items)).toEqual([1, 2, 3]);
  });
});
