import { bayesianAverage as bayesianScore } from '../../contracts/popularity-score.js';
import type { PopularityConfig } from '../config.js';
import type { Ratings } from '../types.js';
import type { Csr, RatingLayout } from './rating-layout.js';

/** How often and how well each item was rated in the training data. */
export interface ItemPopularity {
  /** Ratings per item. */
  readonly counts: Int32Array;
  /** Mean rating per item (0 for an unrated item). */
  readonly means: Float64Array;
  /** Mean of all ratings. */
  readonly globalMean: number;
}

/** Counts and mean ratings per item. */
export function itemPopularity(ratings: Ratings): ItemPopularity {
  const counts = new Int32Array(ratings.itemCount);
  const sums = new Float64Array(ratings.itemCount);
  let total = 0;
  for (let n = 0; n < ratings.value.length; n++) {
    const item = ratings.item[n];
    counts[item]++;
    sums[item] += ratings.value[n];
    total += ratings.value[n];
  }
  const means = new Float64Array(ratings.itemCount);
  for (let item = 0; item < means.length; item++) {
    if (counts[item] > 0) means[item] = sums[item] / counts[item];
  }
  return { counts, means, globalMean: ratings.value.length > 0 ? total / ratings.value.length : 0 };
}

/** The popularity baseline: each item's score is its rating count. */
export function popularityByCount(popularity: ItemPopularity): Float64Array {
  return Float64Array.from(popularity.counts);
}

/** The cold-start list's score of each item (see contracts/popularity-score.ts). */
export function bayesianAverage(
  popularity: ItemPopularity,
  config: PopularityConfig,
): Float64Array {
  const { counts, means, globalMean } = popularity;
  const scores = new Float64Array(counts.length);
  for (let item = 0; item < counts.length; item++) {
    scores[item] = bayesianScore(counts[item], means[item], globalMean, config.priorCount);
  }
  return scores;
}

/**
 * Item-kNN: for every item its `neighbors` most similar items by cosine over who rated them
 * (binary: co-raters / √(raters_i · raters_j)), ties to the lower index.
 */
export interface ItemKnn {
  /** Item i's neighbours are at offsets[i] ≤ n < offsets[i+1]. */
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  readonly similarities: Float64Array;
}

/** Builds the item-kNN baseline from a rating layout (O(Σ_u n_u²) time, O(items) work space). */
export function trainItemKnn(layout: RatingLayout, neighbors: number): ItemKnn {
  if (!Number.isInteger(neighbors) || neighbors < 1) {
    throw new RangeError(`item-kNN: neighbors must be a positive integer, got ${neighbors}`);
  }
  const { byItem, byUser } = layout;
  const itemCount = byItem.rowCount;
  const raters = (csr: Csr, row: number) => csr.offsets[row + 1] - csr.offsets[row];
  const coRatings = new Float64Array(itemCount);
  const touched = new Int32Array(itemCount);
  const offsets = new Int32Array(itemCount + 1);
  const items: number[] = [];
  const similarities: number[] = [];
  const order: number[] = [];
  for (let i = 0; i < itemCount; i++) {
    let touchedCount = 0;
    for (let p = byItem.offsets[i]; p < byItem.offsets[i + 1]; p++) {
      const user = byItem.indices[p];
      for (let q = byUser.offsets[user]; q < byUser.offsets[user + 1]; q++) {
        const j = byUser.indices[q];
        if (j === i) continue;
        if (coRatings[j] === 0) touched[touchedCount++] = j;
        coRatings[j]++;
      }
    }
    order.length = 0;
    const ni = raters(byItem, i);
    for (let t = 0; t < touchedCount; t++) {
      const j = touched[t];
      coRatings[j] /= Math.sqrt(ni * raters(byItem, j));
      order.push(j);
    }
    order.sort((a, b) => coRatings[b] - coRatings[a] || a - b);
    for (let t = 0; t < Math.min(neighbors, order.length); t++) {
      items.push(order[t]);
      similarities.push(coRatings[order[t]]);
    }
    offsets[i + 1] = items.length;
    for (let t = 0; t < touchedCount; t++) coRatings[touched[t]] = 0;
  }
  return { offsets, items: Int32Array.from(items), similarities: Float64Array.from(similarities) };
}

/**
 * Item-kNN scores for a user who rated `rated` (item indices): score_i = Σ over rated j of
 * sim(j, i) for the i among j's neighbours. Writes every item's score to `scores`.
 */
export function scoreItemKnn(knn: ItemKnn, rated: Int32Array, scores: Float64Array): void {
  scores.fill(0);
  for (const j of rated) {
    for (let p = knn.offsets[j]; p < knn.offsets[j + 1]; p++) {
      scores[knn.items[p]] += knn.similarities[p];
    }
  }
}
