import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_CONFIG, type ModelConfig } from '../config.js';
import { decodeModelFiles, encodeModelFiles } from '../model-files.js';
import { mulberry32 } from '../random.js';
import { referenceSolve } from '../test-support.js';
import { explicitUserSide } from '../train/explicit.js';
import type { ModelSet } from '../train/model-set.js';
import { rankingUserSide } from '../train/ranking.js';
import { foldInRanking } from './fold-in.js';
import { Recommender } from './recommender.js';
import { foldInSparkExplicit, foldInSparkRanking, SPARK_USER_STEP } from './spark-fold-in.js';

const random = mulberry32(11);
const items = 30;
const config: ModelConfig = {
  ...DEFAULT_MODEL_CONFIG,
  explicit: {
    ...DEFAULT_MODEL_CONFIG.explicit,
    factors: 3,
    regularization: 0.1,
    sessionGap: null,
    implicitRegularization: null,
  },
  ranking: { ...DEFAULT_MODEL_CONFIG.ranking, factors: 4, regularization: 0.05 },
  genres: {
    weight: 0,
    fadeRatings: 1,
    candidates: 1,
    popularityWeight: 0,
    popularityFadeRatings: 1,
    sequenceWeight: 0,
    sequenceRampRatings: 1,
    sequenceRecent: 1,
    sequenceWindow: 1,
    sequenceKeep: 1,
  },
};
const float32 = (n: number) => Float64Array.from({ length: n }, () => Math.fround(random() - 0.5));
const set: ModelSet = {
  itemIds: Int32Array.from({ length: items }, (_, n) => 100 + n),
  config,
  explicit: {
    k: 3,
    globalMean: 3.5,
    config: config.explicit,
    itemFactors: float32(items * 3),
    itemBiases: float32(items),
  },
  ranking: {
    k: 4,
    config: config.ranking,
    itemFactors: float32(items * 4),
    itemWeights: new Float64Array(items).fill(1),
  },
  popularity: {
    counts: new Int32Array(items).fill(1),
    means: new Float64Array(items),
    globalMean: 3.5,
  },
  trainer: { engine: 'spark-mllib-als', sparkVersion: '4.0.1', userStep: SPARK_USER_STEP },
};
const ratings = {
  items: Int32Array.from([7, 2, 19, 11, 4]),
  values: Float32Array.from([5, 2, 4, 3.5, 4.5]),
  timestamps: Float64Array.from([50, 10, 40, 20, 30]),
};

describe('fold-in against Spark-trained factors', () => {
  it('solves MLlib’s implicit user step: YᵀY + Σ w·y·yᵀ + λ·(liked count)·I', () => {
    const folded = foldInSparkRanking(rankingUserSide(set.ranking), config.ranking, ratings);
    const { k, itemFactors: y } = set.ranking;
    const a = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    const b = new Array<number>(k).fill(0);
    for (let i = 0; i < items; i++) {
      for (let r = 0; r < k; r++)
        for (let c = 0; c < k; c++) a[r]![c]! += y[i * k + r]! * y[i * k + c]!;
    }
    // Items ascending (2, 4, 7, 11, 19): the recency weights by age in the user's history.
    const sorted = [2, 4, 7, 11, 19];
    let liked = 0;
    sorted.forEach((item, q) => {
      const n = ratings.items.indexOf(item);
      const w = folded.coefficients[q]! > 0 ? folded.coefficients[q]! - 1 : undefined;
      const stars = ratings.values[n]!;
      const age = ratings.timestamps.filter((t) => t > ratings.timestamps[n]!).length;
      const {
        alpha,
        ratingSlope,
        negativeWeight,
        positiveThreshold,
        recencyHalfLife,
        recencyFloor,
      } = config.ranking;
      const weight = Math.fround(
        (stars >= positiveThreshold
          ? alpha * (1 + ratingSlope * (stars - positiveThreshold))
          : alpha * negativeWeight) * Math.max(recencyFloor, 2 ** (-age / recencyHalfLife!)),
      );
      if (stars >= positiveThreshold) {
        liked++;
        expect(w).toBeCloseTo(weight, 12);
        for (let r = 0; r < k; r++) b[r]! += (1 + weight) * y[item * k + r]!;
      } else expect(folded.coefficients[q]).toBe(0);
      for (let r = 0; r < k; r++)
        for (let c = 0; c < k; c++) a[r]![c]! += weight * y[item * k + r]! * y[item * k + c]!;
    });
    for (let r = 0; r < k; r++) a[r]![r]! += config.ranking.regularization * liked;
    const want = referenceSolve(a, b);
    want.forEach((value, d) => {
      expect(folded.factors[d]).toBeCloseTo(value, 12);
    });
  });

  it('takes the user bias first, then MLlib’s explicit step on the residuals with λ·n', () => {
    const folded = foldInSparkExplicit(explicitUserSide(set.explicit), ratings);
    const { k, itemFactors: q, itemBiases, globalMean } = set.explicit;
    const n = ratings.items.length;
    let sum = 0;
    for (let j = 0; j < n; j++)
      sum += ratings.values[j]! - globalMean - itemBiases[ratings.items[j]!]!;
    const bias = sum / (config.explicit.biasRegularization + n);
    expect(folded.bias).toBeCloseTo(bias, 14);
    const a = Array.from({ length: k }, (_, r) =>
      Array.from({ length: k }, (_, c) => (r === c ? config.explicit.regularization * n : 0)),
    );
    const b = new Array<number>(k).fill(0);
    for (let j = 0; j < n; j++) {
      const item = ratings.items[j]!;
      const residual = ratings.values[j]! - globalMean - bias - itemBiases[item]!;
      for (let r = 0; r < k; r++) {
        b[r]! += residual * q[item * k + r]!;
        for (let c = 0; c < k; c++) a[r]![c]! += q[item * k + r]! * q[item * k + c]!;
      }
    }
    referenceSolve(a, b).forEach((value, d) => {
      expect(folded.factors[d]).toBeCloseTo(value, 12);
    });
    expect(folded.sessionBias).toBe(0);
    expect(folded.sessionEnd).toBe(50);
  });

  it('is what the Recommender serves for a model whose manifest names Spark’s step', () => {
    const decoded = decodeModelFiles(
      encodeModelFiles(set, {
        version: 'v1',
        createdAt: '2026-12-06T00:00:00Z',
        trainedThrough: '2026-12-06T00:00:00Z',
        training: { users: 1, ratings: 5 },
        metrics: {},
      }),
    );
    expect(decoded.manifest.trainer?.userStep).toBe(SPARK_USER_STEP);
    const user = new Recommender(decoded.set).foldIn(
      Array.from(ratings.items, (item, n) => ({
        movieId: 100 + item,
        rating: ratings.values[n]!,
        ratedAt: ratings.timestamps[n]!,
      })),
    );
    const side = rankingUserSide(decoded.set.ranking);
    expect(Array.from(user.ranking.factors)).toEqual(
      Array.from(foldInSparkRanking(side, config.ranking, ratings).factors),
    );
    // The in-process step gives another vector for the same ratings.
    const inProcess = foldInRanking(side, config.ranking, ratings).factors;
    expect(Array.from(user.ranking.factors)).not.toEqual(Array.from(inProcess));
    const { trainer: _, ...withoutTrainer } = decoded.set;
    const plain = new Recommender(withoutTrainer).foldIn([{ movieId: 107, rating: 5, ratedAt: 1 }]);
    expect(plain.ranking.factors.length).toBe(4);
  });
});
