import type { RecommendationsDocument } from '../contracts/firestore-documents.js';
import type { Recommender, UserRating } from '../model/index.js';
import type { UserRatings } from '../ratings/user-ratings.js';

/** A person's stored ratings (tombstones included) as the model reads them. */
export function userRatingsOf(ratings: UserRatings): UserRating[] {
  return Array.from(ratings, (entry) => ({
    movieId: entry.movieId,
    rating: entry.rating,
    ratedAt: entry.ratedAtMicros / 1e6,
  }));
}

/** What the fold-in of one person gives: their model fields and their recommendations. */
export interface Personalised {
  factors: number[];
  bias: number;
  document: RecommendationsDocument;
}

/**
 * Folds a person into model `version` from their current ratings and ranks the catalogue for
 * them: `basis: "personal"` once a rating gave the ranking model something to go on, else the
 * popularity list (minus what they rated). `factors` are the ranking model's (what their list
 * comes from), `bias` the rating model's.
 */
export function personalise(
  recommender: Recommender,
  version: string,
  ratings: UserRatings,
  topN: number,
): Personalised {
  const folded = recommender.foldIn(userRatingsOf(ratings));
  const { basis, items } = recommender.recommend(folded, { count: topN });
  return {
    factors: Array.from(folded.ranking.factors),
    bias: folded.explicit.bias,
    document: {
      basis,
      items: items.map((item) => ({
        movieId: item.movieId,
        score: item.score,
        predictedRating: item.predictedRating,
        ...(item.because && { because: { ...item.because } }),
      })),
      modelVersion: version,
      ratingsCount: ratings.count,
    },
  };
}
