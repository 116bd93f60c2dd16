/** Protocol T's per-list metrics, averaged over evaluated users. */
export interface RankingMetrics {
  ndcg10: number;
  recall10: number;
  recall20: number;
  precision10: number;
  map10: number;
  hr10: number;
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
