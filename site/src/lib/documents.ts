import type {
  MovieDocument,
  PopularDocument,
  RecommendationsDocument,
  RecommendedItem,
} from '@reel/functions/contracts/firestore-documents';
import { eventTag, UserRatings } from '@reel/functions/ratings';

// The Firestore documents the site reads, as the functions write them (their types are the
// contract, contracts/firestore-documents.ts); a field the site can do without becomes null
// here. Firestore hands back untyped data; these readers check the shape and say what is wrong
// instead of rendering half a list.

export type RecommendationItem = Omit<RecommendedItem, 'because'> & {
  because: NonNullable<RecommendedItem['because']> | null;
};

export type Recommendations = Omit<RecommendationsDocument, 'items' | 'modelVersion'> & {
  items: RecommendationItem[];
  modelVersion: string | null;
};

export type PopularItem = Omit<PopularDocument['items'][number], 'meanRating'> & {
  meanRating: number | null;
};

export type MovieStats = Pick<MovieDocument, 'similar' | 'ratingsCount'> & {
  meanRating: number | null;
};

export interface UserRating {
  rating: number | null;
  ratedAt: string;
  /** The stored event's tag (the last 8 hex digits of its eventId, see eventTag). */
  eventTag: number;
}

export class DocumentShapeError extends Error {
  constructor(path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = 'DocumentShapeError';
  }
}

type Data = Record<string, unknown>;

const isObject = (value: unknown): value is Data =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

function items<T>(path: string, value: unknown, read: (item: Data, at: string) => T): T[] {
  if (!Array.isArray(value)) throw new DocumentShapeError(path, 'items must be an array');
  return value.map((item, index) => {
    const at = `${path}.items[${index}]`;
    if (!isObject(item) || !Number.isInteger(item.movieId)) {
      throw new DocumentShapeError(at, 'must be an object with an integer movieId');
    }
    return read(item, at);
  });
}

export function readRecommendations(path: string, data: Data): Recommendations {
  if (data.basis !== 'popular' && data.basis !== 'personal') {
    throw new DocumentShapeError(
      path,
      `basis must be "popular" or "personal", not ${JSON.stringify(data.basis)}`,
    );
  }
  return {
    basis: data.basis,
    modelVersion: typeof data.modelVersion === 'string' ? data.modelVersion : null,
    ratingsCount: isNumber(data.ratingsCount) ? data.ratingsCount : 0,
    items: items(path, data.items, (item, at) => {
      if (!isNumber(item.predictedRating))
        throw new DocumentShapeError(at, 'predictedRating must be a number');
      const because = item.because;
      return {
        movieId: item.movieId as number,
        score: isNumber(item.score) ? item.score : 0,
        predictedRating: item.predictedRating,
        because:
          isObject(because) && Number.isInteger(because.movieId) && isNumber(because.rating)
            ? { movieId: because.movieId as number, rating: because.rating }
            : null,
      };
    }),
  };
}

export function readPopular(path: string, data: Data): PopularItem[] {
  return items(path, data.items, (item) => ({
    movieId: item.movieId as number,
    score: isNumber(item.score) ? item.score : 0,
    meanRating: isNumber(item.meanRating) ? item.meanRating : null,
    ratingsCount: isNumber(item.ratingsCount) ? item.ratingsCount : 0,
  }));
}

export function readMovieStats(path: string, data: Data): MovieStats {
  return {
    similar: Array.isArray(data.similar)
      ? items(path, data.similar, (item) => ({
          movieId: item.movieId as number,
          score: isNumber(item.score) ? item.score : 0,
        }))
      : [],
    meanRating: isNumber(data.meanRating) ? data.meanRating : null,
    ratingsCount: isNumber(data.ratingsCount) ? data.ratingsCount : 0,
  };
}

/**
 * users/{uid}.ratings, a Bytes field packed by the functions' codec (ratings/user-ratings.ts):
 * movieId → latest rating (null = withdrawn, kept as a tombstone).
 */
export function readUserRatings(path: string, data: Data): Map<number, UserRating> {
  const ratings = new Map<number, UserRating>();
  if (data.ratings === undefined) return ratings;
  const bytes = data.ratings as { toUint8Array?: () => Uint8Array };
  if (!isObject(bytes) || typeof bytes.toUint8Array !== 'function') {
    throw new DocumentShapeError(`${path}.ratings`, 'must be Bytes');
  }
  let decoded: UserRatings;
  try {
    decoded = UserRatings.decode(bytes.toUint8Array());
  } catch (error) {
    throw new DocumentShapeError(`${path}.ratings`, (error as Error).message);
  }
  for (const entry of decoded) {
    ratings.set(entry.movieId, {
      rating: entry.rating,
      ratedAt: new Date(entry.ratedAtMicros / 1000).toISOString(),
      eventTag: entry.eventTag,
    });
  }
  return ratings;
}

/**
 * What the person sees as their rating of each movie: the stored rating, unless a rating they
 * made since (still on its way, or accepted but not yet stored) is newer.
 */
export function effectiveRatings(
  stored: ReadonlyMap<number, UserRating>,
  local: Iterable<{ movieId: number; rating: number | null; ratedAt: string; eventId: string }>,
): Map<number, number | null> {
  const result = new Map<number, number | null>();
  for (const [movieId, rating] of stored) result.set(movieId, rating.rating);
  for (const rating of local) {
    const storedRating = stored.get(rating.movieId);
    const storedTime = storedRating ? Date.parse(storedRating.ratedAt) : Number.NEGATIVE_INFINITY;
    if (
      !storedRating ||
      (storedRating.eventTag !== eventTag(rating.eventId) &&
        Date.parse(rating.ratedAt) > storedTime)
    ) {
      result.set(rating.movieId, rating.rating);
    }
  }
  return result;
}
