import { RELEVANT_RATING } from '../contracts/limits.js';
import type { Recommender } from '../model/index.js';
import type { Holdout } from './holdout.js';
import { listMetrics } from './list-metrics.js';

/** A model's score on the retrain's held-out ratings. */
export interface HoldoutMetrics {
  /** Protocol T's NDCG@10 (relevant = held-out rating ≥ 4), over users with a relevant one. */
  ndcg10: number;
  /** RMSE of predicted stars on held-out ratings of movies the model knows. */
  rmse: number;
  /** Users with at least one relevant held-out movie. */
  users: number;
}

/**
 * Scores `recommender` as it serves: each evaluated user folded in from their train ratings,
 * their top 10 of unrated movies ranked against their held-out ratings. The same for the
 * candidate and the current model, so the two are compared on equal terms.
 */
export function evaluateOnHoldout(
  recommender: Recommender,
  holdout: Holdout,
  columns: { item: Int32Array; value: Float32Array; timestamp: Float64Array },
  itemIds: Int32Array,
): HoldoutMetrics {
  let ndcgSum = 0;
  let users = 0;
  let squared = 0;
  let predicted = 0;
  for (const { train, heldOut } of holdout.users) {
    const folded = recommender.foldIn(
      train.map((n) => ({
        movieId: itemIds[columns.item[n]!]!,
        rating: columns.value[n]!,
        ratedAt: columns.timestamp[n]!,
      })),
    );
    for (const n of heldOut) {
      const row = recommender.rowOfMovie(itemIds[columns.item[n]!]!);
      if (row === undefined) continue;
      const error =
        recommender.predictRating(folded, row, folded.latestRatedAt) - columns.value[n]!;
      squared += error * error;
      predicted++;
    }
    const relevant = new Set(
      heldOut
        .filter((n) => columns.value[n]! >= RELEVANT_RATING)
        .map((n) => itemIds[columns.item[n]!]!),
    );
    if (relevant.size === 0) continue;
    const { items } = recommender.recommend(folded, { count: 10, explain: false });
    ndcgSum += listMetrics(
      items.map((item) => item.movieId),
      relevant,
    ).ndcg10;
    users++;
  }
  return {
    ndcg10: users > 0 ? ndcgSum / users : 0,
    rmse: predicted > 0 ? Math.sqrt(squared / predicted) : Number.NaN,
    users,
  };
}
