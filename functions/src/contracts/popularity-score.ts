/**
 * The cold-start list's score, shared by the model's `public/popular` and the site's build-time
 * list so the two rank movies alike.
 */

/** Pseudo-ratings at the global mean that the model adds to every movie unless told otherwise. */
export const DEFAULT_PRIOR_COUNT = 10;

/**
 * The Bayesian average (m·C + n·mean)/(m + n) of a movie with `count` ratings of mean `mean`,
 * C the global mean and m `priorCount`, so a movie needs many good ratings, not one, to rank
 * high. An unrated movie scores −Infinity so it never heads the list.
 */
export function bayesianAverage(
  count: number,
  mean: number,
  globalMean: number,
  priorCount: number,
): number {
  return count === 0
    ? Number.NEGATIVE_INFINITY
    : (priorCount * globalMean + count * mean) / (priorCount + count);
}
