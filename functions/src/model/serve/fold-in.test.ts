import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_CONFIG, type ExplicitConfig, type RankingConfig } from '../config.js';
import { mulberry32 } from '../random.js';
import { randomRatings } from '../test-support.js';
import { trainExplicit } from '../train/explicit.js';
import { rankingUserSide, trainRanking } from '../train/ranking.js';
import type { Ratings } from '../types.js';
import { foldInExplicit, foldInRanking, sortByItem, type UserItemRatings } from './fold-in.js';

const ratings = randomRatings(mulberry32(1), 60, 80, 12);
const explicitConfig: ExplicitConfig = {
  ...DEFAULT_MODEL_CONFIG.explicit,
  factors: 4,
  iterations: 3,
  sessionGap: 60,
};
const rankingConfig: RankingConfig = {
  ...DEFAULT_MODEL_CONFIG.ranking,
  factors: 5,
  iterations: 3,
  unobservedExponent: 0.3,
};

// One user's training ratings, in a shuffled order (fold-in must not depend on it).
function ratingsOf(data: Ratings & { timestamp: Float64Array }, user: number): UserItemRatings {
  const rows: number[] = [];
  for (let n = 0; n < data.user.length; n++) if (data.user[n] === user) rows.push(n);
  rows.reverse();
  return {
    items: Int32Array.from(rows, (n) => data.item[n]!),
    values: Float32Array.from(rows, (n) => data.value[n]!),
    timestamps: Float64Array.from(rows, (n) => data.timestamp[n]!),
  };
}

describe('fold-in equals the trainer’s user step', () => {
  it('for every user of the rating-prediction model (bias, factors, session biases)', async () => {
    const model = await trainExplicit(ratings, explicitConfig, { random: mulberry32(2) });
    const k = model.k;
    for (let u = 0; u < ratings.userCount; u++) {
      const folded = foldInExplicit(model, ratingsOf(ratings, u));
      expect(folded.bias).toBe(model.userBiases[u]);
      expect(Array.from(folded.factors)).toEqual(
        Array.from(model.userFactors.subarray(u * k, u * k + k)),
      );
      const lastSession = model.sessions!.starts[u + 1]! - 1;
      expect(folded.sessionBias).toBe(model.sessions!.biases[lastSession]);
    }
  });

  it('for every user of the rating-prediction model with implicit feedback, bit for bit', async () => {
    const config = { ...explicitConfig, implicitRegularization: 3 };
    const model = await trainExplicit(ratings, config, { random: mulberry32(2) });
    const k = model.k;
    // y was fitted (it pulls the users' factors), so the comparison covers the prior.
    expect(model.implicitFactors!.some((y) => y !== 0)).toBe(true);
    for (let u = 0; u < ratings.userCount; u++) {
      const folded = foldInExplicit(model, ratingsOf(ratings, u));
      expect(folded.bias).toBe(model.userBiases[u]);
      expect(Array.from(folded.factors)).toEqual(
        Array.from(model.userFactors.subarray(u * k, u * k + k)),
      );
    }
    const plain = await trainExplicit(ratings, explicitConfig, { random: mulberry32(2) });
    expect(Array.from(model.userFactors)).not.toEqual(Array.from(plain.userFactors));
  });

  it('for every user of the ranking model, with exact and with CG training', async () => {
    for (const cgSteps of [0, 3]) {
      const config = { ...rankingConfig, cgSteps };
      const model = await trainRanking(ratings, config, { random: mulberry32(2) });
      const side = rankingUserSide(model);
      const k = model.k;
      for (let u = 0; u < ratings.userCount; u++) {
        const folded = foldInRanking(side, config, ratingsOf(ratings, u));
        expect(Array.from(folded.factors)).toEqual(
          Array.from(model.userFactors.subarray(u * k, u * k + k)),
        );
      }
    }
  });
});

describe('sortByItem', () => {
  it('orders items with their values and timestamps', () => {
    const sorted = sortByItem(
      {
        items: Int32Array.of(7, 2, 9, 0),
        values: Float32Array.of(1, 2.5, 4, 5),
        timestamps: Float64Array.of(10, 20, 30, 40),
      },
      10,
    );
    expect(Array.from(sorted.items)).toEqual([0, 2, 7, 9]);
    expect(Array.from(sorted.values)).toEqual([5, 2.5, 1, 4]);
    expect(Array.from(sorted.timestamps!)).toEqual([40, 20, 10, 30]);
  });

  it('returns ratings already in item order as they are', () => {
    const ratings = { items: Int32Array.of(1, 4, 8), values: Float32Array.of(3, 4, 5) };
    expect(sortByItem(ratings, 10)).toBe(ratings);
  });

  it('rejects a repeated item out of order and a rating that is not finite', () => {
    const values = Float32Array.of(3, 4, 5);
    expect(() => sortByItem({ items: Int32Array.of(4, 1, 4), values }, 10)).toThrow(
      'fold-in: item 4 is rated twice; pass one current rating per item',
    );
    expect(() =>
      sortByItem({ items: Int32Array.of(1, 2), values: Float32Array.of(3, Number.NaN) }, 10),
    ).toThrow('fold-in: the rating of item 2 is NaN');
  });
});

describe('fold-in edge cases', () => {
  const none: UserItemRatings = { items: new Int32Array(0), values: new Float32Array(0) };

  it('gives zero factors to a user with no ratings', async () => {
    const explicit = await trainExplicit(ratings, explicitConfig, { random: mulberry32(2) });
    const ranking = await trainRanking(ratings, rankingConfig, { random: mulberry32(2) });
    expect(foldInExplicit(explicit, none)).toEqual({
      factors: new Float64Array(explicit.k),
      bias: 0,
      sessionBias: 0,
      sessionEnd: Number.NaN,
    });
    const folded = foldInRanking(rankingUserSide(ranking), rankingConfig, none);
    expect(Array.from(folded.factors)).toEqual(new Array(ranking.k).fill(0));
  });

  it('folds in a single rating, with and without a timestamp', async () => {
    const explicit = await trainExplicit(ratings, explicitConfig, { random: mulberry32(2) });
    const one = { items: Int32Array.of(3), values: Float32Array.of(4.5) };
    const untimed = foldInExplicit(explicit, one);
    const timed = foldInExplicit(explicit, { ...one, timestamps: Float64Array.of(1e9) });
    expect(untimed.bias).toBeGreaterThan(0);
    expect(timed.sessionEnd).toBe(1e9);
    // With a session, part of the surprise goes to the session bias instead of b_u.
    expect(timed.sessionBias).not.toBe(0);
    expect(timed.bias).toBeLessThan(untimed.bias);
  });

  it('rejects a movie rated twice and a row outside the model', async () => {
    const explicit = await trainExplicit(ratings, explicitConfig, { random: mulberry32(2) });
    expect(() =>
      foldInExplicit(explicit, { items: Int32Array.of(3, 3), values: Float32Array.of(4, 5) }),
    ).toThrow('fold-in: item 3 is rated twice; pass one current rating per item');
    expect(() =>
      foldInExplicit(explicit, { items: Int32Array.of(80), values: Float32Array.of(4) }),
    ).toThrow('fold-in: item 80 is outside 0..79');
  });
});
