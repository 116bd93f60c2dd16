import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRatingsFile } from './read-ratings-file.js';
import { generateSyntheticRatings, SYNTHETIC_SIZES, writeSyntheticCsv } from './synthetic.js';

const SMALL = { users: 60, movies: 120, ratings: 2000 };

function quantile(sorted: number[], p: number): number {
  return sorted[Math.floor(p * (sorted.length - 1))];
}

describe('synthetic ratings', () => {
  it('are the same for the same seed and differ for another', () => {
    const a = generateSyntheticRatings(SMALL, { seed: 7 }).ratings;
    const b = generateSyntheticRatings(SMALL, { seed: 7 }).ratings;
    const c = generateSyntheticRatings(SMALL, { seed: 8 }).ratings;
    expect(b).toEqual(a);
    expect(c.value).not.toEqual(a.value);
  });

  it('have exact counts, every user and movie rated, no repeated pair, half stars', () => {
    const { ratings } = generateSyntheticRatings(SMALL, { seed: 1 });
    expect(ratings.value.length).toBe(SMALL.ratings);
    const perUser = new Int32Array(SMALL.users);
    const perMovie = new Int32Array(SMALL.movies);
    const pairs = new Set<number>();
    for (let n = 0; n < ratings.value.length; n++) {
      perUser[ratings.user[n]]++;
      perMovie[ratings.item[n]]++;
      pairs.add(ratings.user[n] * SMALL.movies + ratings.item[n]);
      expect(Number.isInteger(ratings.value[n] * 2)).toBe(true);
    }
    expect(pairs.size).toBe(SMALL.ratings);
    expect(Math.min(...perUser)).toBeGreaterThanOrEqual(20);
    expect(Math.min(...perMovie)).toBeGreaterThanOrEqual(1);
    expect(Math.min(...ratings.value)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...ratings.value)).toBeLessThanOrEqual(5);
  });

  it('at ml1m size look like MovieLens: long tails, ≥ 20 per user, mean near 3.5', () => {
    const size = SYNTHETIC_SIZES.ml1m;
    const { ratings } = generateSyntheticRatings(size, { seed: 42 });
    expect(ratings.value.length).toBe(1_000_209);
    const perUser = new Array<number>(size.users).fill(0);
    const perMovie = new Array<number>(size.movies).fill(0);
    let sum = 0;
    for (let n = 0; n < ratings.value.length; n++) {
      perUser[ratings.user[n]]++;
      perMovie[ratings.item[n]]++;
      sum += ratings.value[n];
    }
    perUser.sort((a, b) => a - b);
    perMovie.sort((a, b) => a - b);
    expect(perUser[0]).toBeGreaterThanOrEqual(20);
    expect(perMovie[0]).toBeGreaterThanOrEqual(1);
    // Long tails: the most active user and most rated movie are far above the median.
    expect(quantile(perUser, 1) / quantile(perUser, 0.5)).toBeGreaterThan(10);
    expect(quantile(perMovie, 1) / quantile(perMovie, 0.5)).toBeGreaterThan(10);
    expect(quantile(perMovie, 0.9) / quantile(perMovie, 0.5)).toBeGreaterThan(3);
    expect(sum / ratings.value.length).toBeGreaterThan(3.3);
    expect(sum / ratings.value.length).toBeLessThan(3.7);
    const first = ratings.timestamp.reduce((a, b) => Math.min(a, b));
    const last = ratings.timestamp.reduce((a, b) => Math.max(a, b));
    expect(first).toBeGreaterThanOrEqual(789_652_009);
    expect(last).toBeLessThanOrEqual(1_574_327_703);
  });

  it('write a ratings.csv that loads back to the same arrays', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reel-synthetic-'));
    try {
      const path = join(dir, 'ratings.csv');
      await writeSyntheticCsv(SMALL, { seed: 3 }, path);
      const loaded = await loadRatingsFile(path);
      const generated = generateSyntheticRatings(SMALL, { seed: 3 });
      expect(loaded.format).toBe('ratings.csv');
      // Dense indices follow first appearance; map back through the ids to compare.
      const users = Array.from(loaded.ratings.user, (u) => loaded.userIds[u] - 1);
      const movies = Array.from(loaded.ratings.item, (i) => loaded.movieIds[i] - 1);
      expect(users).toEqual([...generated.ratings.user]);
      expect(movies).toEqual([...generated.ratings.item]);
      expect(loaded.ratings.value).toEqual(generated.ratings.value);
      expect(loaded.ratings.timestamp).toEqual(generated.ratings.timestamp);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
