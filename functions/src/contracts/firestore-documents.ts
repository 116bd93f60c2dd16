/**
 * The Firestore documents the functions write and the site reads (see firestore.rules for who
 * may read each). Types only: the site imports them type-only and checks what it reads against
 * them (site/src/lib/documents.ts). `users/{uid}` is written by the functions alone
 * (adapters/firestore.ts); its ratings are packed by ratings/user-ratings.ts, whose codec the
 * site reads them with.
 */

export interface RecommendedItem {
  movieId: number;
  score: number;
  predictedRating: number;
  because?: { movieId: number; rating: number };
}

/** `recommendations/{uid}`; owner-read only, no client writes. */
export interface RecommendationsDocument {
  items: RecommendedItem[];
  basis: 'popular' | 'personal';
  modelVersion: string;
  ratingsCount: number;
}

/** `public/popular`: the cold-start list (Bayesian-average popularity). */
export interface PopularDocument {
  items: { movieId: number; score: number; meanRating: number; ratingsCount: number }[];
  modelVersion: string;
  /** The republish that wrote it (absent before republishes were numbered). */
  modelSerial?: number;
}

/** `movies/{movieId}`; written by the retrain. */
export interface MovieDocument {
  similar: { movieId: number; score: number }[];
  meanRating: number;
  ratingsCount: number;
  modelVersion: string;
  /** The republish that wrote it (absent before republishes were numbered). */
  modelSerial?: number;
}
