/**
 * The metric definitions every figure uses: ours, the baselines' and the peers' (the peers
 * return predictions and top-N lists, scored here).
 */

export const MIN_STARS = 0.5;
export const MAX_STARS = 5;

/** RMSE and MAE of predictions clipped to [0.5, 5] stars (Protocol R). */
export function ratingErrors(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
): { rmse: number; mae: number } {
  if (predicted.length !== actual.length || actual.length === 0) {
    throw new RangeError(
      `ratingErrors: need as many predictions as ratings, and at least one (got ${predicted.length} and ${actual.length})`,
    );
  }
  let squared = 0;
  let absolute = 0;
  for (let n = 0; n < actual.length; n++) {
    const error = Math.min(MAX_STARS, Math.max(MIN_STARS, predicted[n])) - actual[n];
    squared += error * error;
    absolute += Math.abs(error);
  }
  return { rmse: Math.sqrt(squared / actual.length), mae: absolute / actual.length };
}

/** Protocol T's per-list metrics, averaged over evaluated users. */
export interface RankingMetrics {
  ndcg10: number;
  recall10: number;
  recall20: number;
  precision10: number;
  map10: number;
  hr10: number;
}

/** Ranking metrics of a whole run: the means, plus what describes all lists together. */
export interface RankingSummary extends RankingMetrics {
  /** Users evaluated (at least one relevant held-out movie). */
  users: number;
  /** Distinct movies in all top-10 lists ÷ movies in the catalogue. */
  coverage10: number;
  /** Mean popularity percentile (0 = least rated in train, 100 = most) of top-10 movies. */
  popularityPercentile: number;
}

const LOG2 = Array.from({ length: 21 }, (_, r) => 1 / Math.log2(r + 2));

/**
 * The metrics of one ranked list against one user's relevant set, binary relevance:
 * NDCG@10 = DCG/IDCG with gain 1/log2(rank+1); Recall@K = hits in the top K ÷ |relevant|;
 * Precision@10 = hits in the top 10 ÷ 10; MAP@10 = Σ over hits in the top 10 of precision at
 * that rank, ÷ min(10, |relevant|); HR@10 = 1 if any hit in the top 10.
 */
export function listMetrics(
  ranked: ArrayLike<number>,
  relevant: ReadonlySet<number>,
): RankingMetrics {
  if (relevant.size === 0) throw new RangeError('listMetrics: the user has no relevant movie');
  let dcg = 0;
  let hits10 = 0;
  let hits20 = 0;
  let precisionSum = 0;
  const length = Math.min(20, ranked.length);
  for (let r = 0; r < length; r++) {
    if (!relevant.has(ranked[r])) continue;
    hits20++;
    if (r < 10) {
      hits10++;
      dcg += LOG2[r];
      precisionSum += hits10 / (r + 1);
    }
  }
  let idcg = 0;
  for (let r = 0; r < Math.min(10, relevant.size); r++) idcg += LOG2[r];
  return {
    ndcg10: dcg / idcg,
    recall10: hits10 / relevant.size,
    recall20: hits20 / relevant.size,
    precision10: hits10 / 10,
    map10: precisionSum / Math.min(10, relevant.size),
    hr10: hits10 > 0 ? 1 : 0,
  };
}

/**
 * Percentile of each movie's train popularity: the share of the other movies rated fewer
 * times (ties count half) × 100, so 0 = the least rated, 100 = the most.
 */
export function popularityPercentiles(trainCounts: ArrayLike<number>): Float64Array {
  const count = trainCounts.length;
  const order = Array.from({ length: count }, (_, i) => i).sort(
    (a, b) => trainCounts[a] - trainCounts[b],
  );
  const percentile = new Float64Array(count);
  for (let start = 0; start < count; ) {
    let end = start;
    while (end < count && trainCounts[order[end]] === trainCounts[order[start]]) end++;
    const value = (100 * (start + (end - start - 1) / 2)) / Math.max(1, count - 1);
    for (let p = start; p < end; p++) percentile[order[p]] = value;
    start = end;
  }
  return percentile;
}

/** Sums per-user list metrics and the top-10 lists' coverage and popularity. */
export class RankingAccumulator {
  private readonly sums: RankingMetrics = {
    ndcg10: 0,
    recall10: 0,
    recall20: 0,
    precision10: 0,
    map10: 0,
    hr10: 0,
  };
  private users = 0;
  private readonly recommended: Uint8Array;
  private popularitySum = 0;
  private recommendations = 0;

  constructor(private readonly percentiles: Float64Array) {
    this.recommended = new Uint8Array(percentiles.length);
  }

  add(ranked: ArrayLike<number>, relevant: ReadonlySet<number>): RankingMetrics {
    const metrics = listMetrics(ranked, relevant);
    for (const key of Object.keys(this.sums) as (keyof RankingMetrics)[]) {
      this.sums[key] += metrics[key];
    }
    this.users++;
    for (let r = 0; r < Math.min(10, ranked.length); r++) {
      this.recommended[ranked[r]] = 1;
      this.popularitySum += this.percentiles[ranked[r]];
      this.recommendations++;
    }
    return metrics;
  }

  summary(): RankingSummary {
    const mean = (sum: number) => (this.users > 0 ? sum / this.users : 0);
    let covered = 0;
    for (const flag of this.recommended) covered += flag;
    return {
      ndcg10: mean(this.sums.ndcg10),
      recall10: mean(this.sums.recall10),
      recall20: mean(this.sums.recall20),
      precision10: mean(this.sums.precision10),
      map10: mean(this.sums.map10),
      hr10: mean(this.sums.hr10),
      users: this.users,
      coverage10: covered / this.recommended.length,
      popularityPercentile:
        this.recommendations > 0 ? this.popularitySum / this.recommendations : 0,
    };
  }
}
