import { bayesianAverage, DEFAULT_PRIOR_COUNT } from '@reel/functions/contracts/popularity-score';

/** Per-movie rating totals, accumulated from ratings.csv at build time. */
export interface RatingTotals {
  count: number;
  sum: number;
}

export interface Popularity {
  movieId: number;
  ratingsCount: number;
  meanRating: number | null;
  /** Bayesian average: the mean rating shrunk toward the global mean by `priorWeight` ratings. */
  score: number;
}

export interface PopularityOptions {
  /** Pseudo-ratings at the global mean added to every movie. */
  priorWeight?: number;
}

/**
 * Ranks movies by Bayesian-average rating (the model's formula), best first; ties go to the
 * more-rated movie, then the lower id, so the order is deterministic. Movies without ratings
 * score −Infinity: they come last, never ahead of a rated movie.
 */
export function rankByPopularity(
  totals: ReadonlyMap<number, RatingTotals>,
  movieIds: readonly number[],
  options: PopularityOptions = {},
): { ranked: Popularity[]; globalMean: number; priorWeight: number } {
  let count = 0;
  let sum = 0;
  for (const total of totals.values()) {
    count += total.count;
    sum += total.sum;
  }
  const globalMean = count > 0 ? sum / count : 0;
  // The model's default, so the build-time list and the live public/popular agree.
  const priorWeight = options.priorWeight ?? DEFAULT_PRIOR_COUNT;
  const ranked = movieIds.map((movieId): Popularity => {
    const total = totals.get(movieId) ?? { count: 0, sum: 0 };
    const meanRating = total.count > 0 ? total.sum / total.count : null;
    return {
      movieId,
      ratingsCount: total.count,
      meanRating,
      score: bayesianAverage(total.count, meanRating ?? 0, globalMean, priorWeight),
    };
  });
  ranked.sort(
    (a, b) => b.score - a.score || b.ratingsCount - a.ratingsCount || a.movieId - b.movieId,
  );
  return { ranked, globalMean, priorWeight };
}

export interface GenredMovie {
  movieId: number;
  genres: readonly string[];
  ratingsCount: number;
}

/**
 * Movies a newcomer has probably seen, spread over genres: the most-rated movie of each genre in
 * turn (genres ordered by how many ratings they hold), skipping movies already picked.
 */
export function pickOnboarding<T extends GenredMovie>(movies: readonly T[], count: number): T[] {
  const byCount = [...movies].sort(
    (a, b) => b.ratingsCount - a.ratingsCount || a.movieId - b.movieId,
  );
  const weight = new Map<string, number>();
  for (const movie of byCount) {
    for (const genre of movie.genres)
      weight.set(genre, (weight.get(genre) ?? 0) + movie.ratingsCount);
  }
  const genres = [...weight.keys()].sort(
    (a, b) => weight.get(b)! - weight.get(a)! || a.localeCompare(b),
  );
  const picked: T[] = [];
  const taken = new Set<number>();
  const cursor = new Map<string, number>();
  while (picked.length < count && picked.length < byCount.length) {
    let progressed = false;
    for (const genre of genres) {
      if (picked.length >= count) break;
      let index = cursor.get(genre) ?? 0;
      while (
        index < byCount.length &&
        (taken.has(byCount[index].movieId) || !byCount[index].genres.includes(genre))
      ) {
        index++;
      }
      cursor.set(genre, index + 1);
      if (index < byCount.length) {
        picked.push(byCount[index]);
        taken.add(byCount[index].movieId);
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  return picked;
}
