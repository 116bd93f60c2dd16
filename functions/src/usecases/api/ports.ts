import type { RatingEvent } from '../../contracts/rating-event.js';
import type { Recommender } from '../../model/index.js';
import type { UserRatings } from '../../ratings/user-ratings.js';

/** One model version as the API serves it. */
export interface ServingModel {
  version: string;
  recommender: Recommender;
  /** The movies ratings may name under this version (the model's movies.json). */
  movies: ReadonlySet<number>;
}

/** The published catalogue's description of one movie. */
export interface CatalogueMovie {
  movieId: number;
  title: string | null;
  year: number | null;
  genres: string[];
}

/** The published catalogue (`catalogue/movies.json`), indexed by movie id. */
export interface Catalogue {
  movies: ReadonlyMap<number, CatalogueMovie>;
}

/** The serving model's record and what the stores count, for GET /v1/stats. */
export interface Stats {
  model: {
    version: string;
    publishedAt: string;
    createdAt: string;
    trainedThrough: string;
    training: { users: number; ratings: number };
    metrics: Record<string, number>;
  } | null;
  counts: { users: number; movies: number; ratings: number };
  lastRetrain: {
    outcome: string;
    startedAt: string | null;
    finishedAt: string | null;
  } | null;
}

/** What `DELETE /v1/me` reports (the privacy use case's answer). */
export interface DeletionReport {
  firestoreDocuments: number;
  bigQuery: 'deleted' | 'scheduled';
}

/** Everything the API's use cases need of the world; adapters implement it over the clients. */
export interface ApiPorts {
  /** The serving model, or undefined before the first is published. */
  currentModel(): Promise<ServingModel | undefined>;
  /**
   * The movies ratings may name: the serving model's movies.json, or before any model the
   * catalogue (undefined: neither is published). Cheap: it does not load the model.
   */
  knownMovies(): Promise<ReadonlySet<number> | undefined>;
  /** The published catalogue with titles, years and genres, or undefined if none. */
  catalogue(): Promise<Catalogue | undefined>;
  /** Publishes to topic `ratings`, ordering key = uid. */
  publish(event: RatingEvent): Promise<void>;
  /** `users/{uid}.ratings` (tombstones included); empty for someone who never rated. */
  readRatings(uid: string): Promise<UserRatings>;
  /** `movies/{movieId}` as the retrain wrote it, or undefined. */
  readMovieStats(
    movieId: number,
  ): Promise<{ meanRating: number; ratingsCount: number; modelVersion: string } | undefined>;
  readStats(): Promise<Stats>;
  /** Deletes everything Reel holds about the person; resolves when Firestore and Auth are gone and their events are excluded. */
  deleteMyData(uid: string): Promise<DeletionReport>;
  now(): Date;
  newEventId(): string;
}
