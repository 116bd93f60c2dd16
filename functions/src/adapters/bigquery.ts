import type { BigQuery } from '@google-cloud/bigquery';
import type { RatingEvent } from '../contracts/rating-event.js';

export const EVENTS_TABLE = 'rating_events';
export const CURRENT_RATINGS_VIEW = 'current_ratings';

export interface DatasetRef {
  project: string;
  dataset: string;
}

const qualified = ({ project, dataset }: DatasetRef, name: string) =>
  `\`${project}.${dataset}.${name}\``;

/** One row of `rating_events`: the event plus when Reel received it (the partitioning column). */
export interface EventRow {
  eventId: string;
  userId: string;
  movieId: number;
  rating: number | null;
  ratedAt: string;
  source: string;
  ingestedAt: string;
}

export function eventRow(event: RatingEvent, ingestedAt: Date): EventRow {
  return {
    eventId: event.eventId,
    userId: event.userId,
    movieId: event.movieId,
    rating: event.rating,
    ratedAt: event.ratedAt,
    source: event.source,
    ingestedAt: ingestedAt.toISOString(),
  };
}

/**
 * BigQuery accepts streamed rows only for partitions from 5 years before to 1 year after now
 * (of the partitioning column, here ingestedAt). Rows stamped with the time they arrive are
 * always inside; history goes through load jobs (pipelines/src/load), which have no window.
 */
export const STREAMING_WINDOW_DAYS = { past: 5 * 365, future: 365 } as const;

export function isWithinStreamingWindow(partitionTime: Date, now: Date): boolean {
  const days = (partitionTime.getTime() - now.getTime()) / 86_400_000;
  return days > -STREAMING_WINDOW_DAYS.past && days < STREAMING_WINDOW_DAYS.future;
}

/**
 * A page of current ratings in column form: row n is user `userIds[n]` rating movie
 * `movieIds[n]` with `ratings[n]` at `ratedAtMicros[n]` (µs since the epoch).
 */
export interface RatingsBatch {
  userIds: string[];
  movieIds: Int32Array;
  ratings: Float32Array;
  ratedAtMicros: Float64Array;
}

/**
 * Streams the current_ratings view in pages of at most `pageSize` rows, each turned into typed
 * arrays before the next is fetched, so 25M ratings never become 25M objects at once.
 */
export async function* readCurrentRatings(
  bigquery: BigQuery,
  ref: DatasetRef,
  pageSize = 50_000,
): AsyncGenerator<RatingsBatch> {
  const [job] = await bigquery.createQueryJob({
    query: `SELECT userId, movieId, rating, UNIX_MICROS(ratedAt) AS ratedAtMicros FROM ${qualified(ref, CURRENT_RATINGS_VIEW)}`,
  });
  let pageToken: string | undefined;
  do {
    const [rows, next] = await job.getQueryResults({
      maxResults: pageSize,
      pageToken,
      autoPaginate: false,
    });
    const batch: RatingsBatch = {
      userIds: new Array<string>(rows.length),
      movieIds: new Int32Array(rows.length),
      ratings: new Float32Array(rows.length),
      ratedAtMicros: new Float64Array(rows.length),
    };
    rows.forEach((row, n) => {
      batch.userIds[n] = row.userId;
      batch.movieIds[n] = row.movieId;
      batch.ratings[n] = row.rating;
      batch.ratedAtMicros[n] = Number(row.ratedAtMicros);
    });
    if (rows.length > 0) yield batch;
    pageToken = (next as { pageToken?: string } | null | undefined)?.pageToken;
  } while (pageToken);
}

export interface EventCounts {
  /** Rows in rating_events, duplicates included. */
  rows: number;
  /** Distinct eventIds: what "every event exactly once" is measured by. */
  events: number;
  /** Rows of the current_ratings view. */
  currentRatings: number;
}

export async function countEvents(bigquery: BigQuery, ref: DatasetRef): Promise<EventCounts> {
  const [rows] = await bigquery.query(
    `SELECT
       (SELECT COUNT(*) FROM ${qualified(ref, EVENTS_TABLE)}) AS rows,
       (SELECT COUNT(DISTINCT eventId) FROM ${qualified(ref, EVENTS_TABLE)}) AS events,
       (SELECT COUNT(*) FROM ${qualified(ref, CURRENT_RATINGS_VIEW)}) AS currentRatings`,
  );
  const [counts] = rows as { rows: number; events: number; currentRatings: number }[];
  return {
    rows: Number(counts!.rows),
    events: Number(counts!.events),
    currentRatings: Number(counts!.currentRatings),
  };
}

/**
 * Exports the current ratings as Parquet files matching `uriPattern` (gs://bucket/path-*.parquet,
 * one `*`) with BigQuery's EXPORT DATA, for the Spark trainer: the rows go from BigQuery to
 * Cloud Storage, never through the function. Columns as readCurrentRatings reads them.
 */
export async function exportCurrentRatings(
  bigquery: BigQuery,
  ref: DatasetRef,
  uriPattern: string,
): Promise<void> {
  if (!/^gs:\/\/[a-z0-9][a-z0-9._-]*\/[A-Za-z0-9._/-]*\*[A-Za-z0-9._/-]*$/.test(uriPattern)) {
    throw new Error(
      `export URI ${JSON.stringify(uriPattern)} must be gs://bucket/path with exactly one * and no quotes`,
    );
  }
  const [job] = await bigquery.createQueryJob({
    query: `EXPORT DATA OPTIONS (uri = '${uriPattern}', format = 'PARQUET', overwrite = true) AS
SELECT userId, movieId, rating, UNIX_MICROS(ratedAt) AS ratedAtMicros FROM ${qualified(ref, CURRENT_RATINGS_VIEW)}`,
  });
  await job.getQueryResults();
}

/** Rows of the current_ratings view (what a retrain would train on). */
export async function countCurrentRatings(bigquery: BigQuery, ref: DatasetRef): Promise<number> {
  const [rows] = await bigquery.query(
    `SELECT COUNT(*) AS ratings FROM ${qualified(ref, CURRENT_RATINGS_VIEW)}`,
  );
  return Number((rows as { ratings: number }[])[0]!.ratings);
}

/**
 * Everyone who ever rated (rating_events, withdrawn ratings included), in pages by user id:
 * who a republish writes for. From BigQuery rather than by listing Firestore's users, which
 * would cost a document read per person.
 */
export async function* readUserIds(
  bigquery: BigQuery,
  ref: DatasetRef,
  pageSize = 10_000,
): AsyncGenerator<string[]> {
  const [job] = await bigquery.createQueryJob({
    query: `SELECT DISTINCT userId FROM ${qualified(ref, EVENTS_TABLE)} ORDER BY userId`,
  });
  let pageToken: string | undefined;
  do {
    const [rows, next] = await job.getQueryResults({
      maxResults: pageSize,
      pageToken,
      autoPaginate: false,
    });
    if (rows.length > 0) yield rows.map((row) => String(row.userId));
    pageToken = (next as { pageToken?: string } | null | undefined)?.pageToken;
  } while (pageToken);
}
