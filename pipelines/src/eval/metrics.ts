import { MAX_RATING, MIN_RATING } from '@reel/functions/contracts/limits';
import { listMetrics, type RankingMetrics } from '@reel/functions/evaluation';

/**
 * The metric definitions every figure uses: ours, the baselines' and the peers' (the peers
 * return predictions and top-N lists, scored here). One list's metrics (NDCG@10 and the rest)
 * are the functions' own, so the figures and the retrain's quality gate count alike.
 */

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
    const error = Math.min(MAX_RATING, Math.max(MIN_RATING, predicted[n])) - actual[n];
    squared += error * error;
    absolute += Math.abs(error);
  }
  return { rmse: Math.sqrt(squared / actual.length), mae: absolute / actual.length };
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
