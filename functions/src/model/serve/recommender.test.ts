import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_CONFIG, type GenreConfig, type ModelConfig } from '../config.js';
import { mulberry32 } from '../random.js';
import { randomRatings } from '../test-support.js';
import type { ModelSet } from '../train/model-set.js';
import { trainModelSet } from '../train/model-set.js';
import { Recommender } from './recommender.js';

const config: ModelConfig = {
  ...DEFAULT_MODEL_CONFIG,
  explicit: {
    ...DEFAULT_MODEL_CONFIG.explicit,
    factors: 1,
    sessionGap: 600,
    implicitRegularization: null,
  },
  ranking: {
    ...DEFAULT_MODEL_CONFIG.ranking,
    factors: 2,
    positiveThreshold: 3,
    recencyHalfLife: null,
    unobservedExponent: 0,
  },
  popularity: { priorCount: 1 },
};

// Five movies (ids 10..50). Ranking factors: 10 = (1, 0), 20 = (0, 1), 30 = (1, 0.1) (like
// 10), 40 = (0.1, 1) (like 20), 50 = (0, 0) (never rated in training).
const set: ModelSet = {
  itemIds: Int32Array.of(10, 20, 30, 40, 50),
  config,
  explicit: {
    k: 1,
    globalMean: 3.5,
    config: config.explicit,
    itemFactors: Float64Array.of(0.1, -0.1, 0.2, 0, 0),
    itemBiases: Float64Array.of(0.5, 0, 0.25, -0.25, 0),
  },
  ranking: {
    k: 2,
    config: config.ranking,
    itemFactors: Float64Array.of(1, 0, 0, 1, 1, 0.1, 0.1, 1, 0, 0),
    itemWeights: Float64Array.of(1, 1, 1, 1, 1),
  },
  popularity: {
    counts: Int32Array.of(5, 1, 3, 2, 0),
    means: Float64Array.of(4, 5, 3, 4.5, 0),
    globalMean: 3.5,
  },
};

describe('Recommender', () => {
  const recommender = new Recommender(set);

  it('gives people without usable ratings the Bayesian-average popularity list', () => {
    const nobody = recommender.foldIn([]);
    const list = recommender.recommend(nobody, { count: 10 });
    expect(list.basis).toBe('popular');
    // m = 1, C = 3.5: 10 → 23.5/6, 20 → 8.5/2, 30 → 12.5/4, 40 → 12.5/3; 50 is never listed.
    expect(list.items.map((item) => item.movieId)).toEqual([20, 40, 10, 30]);
    expect(list.items[0]!.score).toBeCloseTo(4.25, 12);
    expect(list.items[0]!.because).toBeUndefined();
    // Only dislikes (below the threshold) give the ranking model nothing to go on either.
    const grumpy = recommender.foldIn([{ movieId: 10, rating: 1, ratedAt: 100 }]);
    expect(recommender.recommend(grumpy, { count: 2 }).basis).toBe('popular');
    expect(recommender.recommend(grumpy, { count: 2 }).items.map((i) => i.movieId)).toEqual([
      20, 40,
    ]);
  });

  it('counts withdrawn ratings and unknown movies, and leaves them out', () => {
    const user = recommender.foldIn([
      { movieId: 10, rating: 5, ratedAt: 100 },
      { movieId: 20, rating: null, ratedAt: 110 },
      { movieId: 999, rating: 4, ratedAt: 120 },
    ]);
    expect({ used: user.used, withdrawn: user.withdrawn, unknown: user.unknown }).toEqual({
      used: 1,
      withdrawn: 1,
      unknown: 1,
    });
    expect(Array.from(user.rated)).toEqual([0]);
    const list = recommender.recommend(user, { count: 10 });
    expect(list.basis).toBe('personal');
    expect(list.items.map((item) => item.movieId)).not.toContain(10);
  });

  it('explains each recommendation by the rating that contributed most', () => {
    const user = recommender.foldIn([
      { movieId: 10, rating: 5, ratedAt: 100 },
      { movieId: 20, rating: 4, ratedAt: 200 },
    ]);
    const list = recommender.recommend(user, { count: 2 });
    expect(list.basis).toBe('personal');
    const byMovie = new Map(list.items.map((item) => [item.movieId, item]));
    expect([...byMovie.keys()].sort()).toEqual([30, 40]);
    expect(byMovie.get(30)!.because).toEqual({ movieId: 10, rating: 5 });
    expect(byMovie.get(40)!.because).toEqual({ movieId: 20, rating: 4 });
  });

  it('splits the score exactly into per-rating contributions', async () => {
    const ratings = randomRatings(mulberry32(2), 30, 40, 10);
    const trained = await trainModelSet(
      ratings,
      Int32Array.from({ length: 40 }, (_, i) => i + 1),
      {
        ...DEFAULT_MODEL_CONFIG,
        ranking: { ...DEFAULT_MODEL_CONFIG.ranking, factors: 6, iterations: 3 },
      },
      { random: mulberry32(1) },
    );
    const served = new Recommender(trained);
    const history = Array.from({ length: 10 }, (_, n) => ({
      movieId: ratings.item[n]! + 1,
      rating: ratings.value[n]!,
      ratedAt: ratings.timestamp[n]!,
    }));
    const user = served.foldIn(history);
    const { k, itemFactors } = trained.ranking;
    for (let row = 0; row < 40; row++) {
      let score = 0;
      for (let d = 0; d < k; d++) score += user.ranking.factors[d]! * itemFactors[row * k + d]!;
      expect(served.contributions(user, row).reduce((a, b) => a + b, 0)).toBeCloseTo(score, 10);
    }
  });

  it('predicts stars with the current session’s bias while the session lasts, clipped', () => {
    const user = recommender.foldIn([
      { movieId: 10, rating: 5, ratedAt: 1000 },
      { movieId: 30, rating: 5, ratedAt: 1060 },
    ]);
    expect(user.explicit.sessionBias).toBeGreaterThan(0);
    const during = recommender.predictRating(user, 1, 1100);
    const later = recommender.predictRating(user, 1, 1060 + 601);
    expect(during - later).toBeCloseTo(user.explicit.sessionBias, 12);
    expect(
      recommender.predictRating({ ...user, explicit: { ...user.explicit, bias: 9 } }, 1, 0),
    ).toBe(5);
  });

  it('lists similar movies by cosine of the ranking factors, never unrated ones', () => {
    const similar = recommender.similar(10, 3);
    expect(similar.map((s) => s.movieId)).toEqual([30, 40, 20]);
    expect(similar[0]!.score).toBeCloseTo(1 / Math.sqrt(1.01), 12);
    expect(recommender.similar(50, 3)).toEqual([]);
    expect(recommender.similar(999, 3)).toEqual([]);
  });

  /** The test model with the re-rank of its 5 best movies: both terms off but for `terms`. */
  const reRanking = (terms: Partial<GenreConfig>, genres?: ModelSet['genres']) =>
    new Recommender({
      ...set,
      config: {
        ...config,
        genres: {
          weight: 0,
          fadeRatings: 1,
          candidates: 5,
          popularityWeight: 0,
          popularityFadeRatings: 1,
          sequenceWeight: 0,
          sequenceRampRatings: 1,
          sequenceRecent: 1,
          sequenceWindow: 1,
          sequenceKeep: 1,
          ...terms,
        },
      },
      ...(genres && { genres }),
    });

  it("re-orders the ranking model's best movies by genre when the genre term is on", () => {
    // 10 and 40 are science fiction, 20 and 30 drama; liking 10 puts 30 first by factors.
    const withGenres = (weight: number) =>
      reRanking(
        { weight, fadeRatings: 10 },
        { names: ['Drama', 'Sci-Fi'], masks: Uint32Array.of(0b10, 0b01, 0b01, 0b10, 0) },
      );
    const likesTen = [{ movieId: 10, rating: 5, ratedAt: 100 }];
    const off = withGenres(0);
    const plain = off.recommend(off.foldIn(likesTen), { count: 2 }).items;
    expect(plain.map((item) => item.movieId)).toEqual([30, 40]);

    const on = withGenres(2);
    const blended = on.recommend(on.foldIn(likesTen), { count: 2 }).items;
    expect(blended.map((item) => item.movieId)).toEqual([40, 30]);
    // score / the best candidate's + w·similarity, w = 2·10/(10 + 1); 40 shares 10's only genre.
    const w = 20 / 11;
    expect(blended[0]!.score).toBeCloseTo(plain[1]!.score / plain[0]!.score + w, 12);
    expect(blended[1]!.score).toBeCloseTo(1, 12);
    expect(blended[0]!.because).toEqual({ movieId: 10, rating: 5 });
  });

  it("adds the popularity term to the re-rank, fading with the person's ratings", () => {
    const withPopularity = (popularityWeight: number) =>
      reRanking({ popularityWeight, popularityFadeRatings: 10 });
    const likesTen = [{ movieId: 10, rating: 5, ratedAt: 100 }];
    const off = withPopularity(0);
    const plain = off.recommend(off.foldIn(likesTen), { count: 4 }).items;
    expect(plain.map((item) => item.movieId)).toEqual([30, 40, 50, 20]);
    // Bayesian averages (m = 1) scaled to [0, 1]: 20 → 4.25 is 1, 30 → 3.125 is 0, 40 → 12.5/3,
    // and 50, unrated, 0; v = 2·2^(−1/10). Each candidate: score / the best + v·that.
    const v = 2 * 2 ** (-1 / 10);
    const term = new Map([
      [20, 1],
      [30, 0],
      [40, (12.5 / 3 - 3.125) / (4.25 - 3.125)],
      [50, 0],
    ]);
    const expected = plain
      .map((item) => ({
        movieId: item.movieId,
        score: item.score / plain[0]!.score + v * term.get(item.movieId)!,
      }))
      .sort((a, b) => b.score - a.score);
    const on = withPopularity(2);
    const blended = on.recommend(on.foldIn(likesTen), { count: 4 }).items;
    expect(blended.map((item) => item.movieId)).toEqual(expected.map((item) => item.movieId));
    blended.forEach((item, n) => {
      expect(item.score).toBeCloseTo(expected[n]!.score, 12);
    });
    // The most popular movie, last by the ranking model, moves up past 30 and 50.
    expect(blended.findIndex((item) => item.movieId === 20)).toBeLessThan(2);
  });

  /** The test model with successors: 10 → 20 (0.5) and 40 (0.25); 20 → 50 (0.5). */
  const withSuccessors = (terms: Partial<GenreConfig>) =>
    new Recommender({
      ...reRanking(terms).set,
      successors: {
        offsets: Int32Array.of(0, 2, 3, 3, 3, 3),
        items: Int32Array.of(1, 3, 4),
        weights: Float64Array.of(0.5, 0.25, 0.5),
      },
    });

  it('re-orders by what others rated after the latest movies, u growing with the ratings', () => {
    const likesTen = [{ movieId: 10, rating: 5, ratedAt: 100 }];
    const off = withSuccessors({});
    const plain = off.recommend(off.foldIn(likesTen), { count: 4 }).items;
    expect(plain.map((item) => item.movieId)).toEqual([30, 40, 50, 20]);
    // After 1 rating u = 2·1/(1 + 1) = 1; t(20) = 0.5 is the best candidate's, t(40) = 0.25.
    const on = withSuccessors({ sequenceWeight: 2, sequenceRampRatings: 1, sequenceRecent: 2 });
    const folded = on.foldIn(likesTen);
    expect(Array.from(folded.recent)).toEqual([0]);
    const next = new Map([
      [20, 1],
      [40, 0.5],
    ]);
    const expected = plain
      .map((item) => ({
        movieId: item.movieId,
        score: item.score / plain[0]!.score + (next.get(item.movieId) ?? 0),
      }))
      .sort((a, b) => b.score - a.score);
    const blended = on.recommend(folded, { count: 4 }).items;
    expect(blended.map((item) => item.movieId)).toEqual(expected.map((item) => item.movieId));
    blended.forEach((item, n) => {
      expect(item.score).toBeCloseTo(expected[n]!.score, 12);
    });
    // 20, last by the ranking model, moves up past 40 and 50.
    expect(blended.findIndex((item) => item.movieId === 20)).toBeLessThan(2);
  });

  it("follows the person's latest ratings, in time then movie id order, and needs their times", () => {
    const on = withSuccessors({ sequenceWeight: 1, sequenceRecent: 2 });
    const ratings = [
      { movieId: 40, rating: 2, ratedAt: 300 },
      { movieId: 20, rating: 5, ratedAt: 100 },
      { movieId: 10, rating: 4, ratedAt: 300 },
    ];
    // 20 first, then 10 and 40 at the same time: the latest two are 10 and 40 (rows 0 and 3).
    expect(Array.from(on.foldIn(ratings).recent)).toEqual([0, 3]);
    const untimed = [...ratings.slice(0, 2), { movieId: 10, rating: 4 }];
    expect(on.foldIn(untimed).recent).toHaveLength(0);
    expect(withSuccessors({}).foldIn(ratings).recent).toHaveLength(0);
  });

  it('leaves the list alone without genres, and for a model whose config predates them', () => {
    const likesTen = recommender.foldIn([{ movieId: 10, rating: 5, ratedAt: 100 }]);
    expect(recommender.recommend(likesTen, { count: 2 }).items.map((i) => i.movieId)).toEqual([
      30, 40,
    ]);
  });
});
