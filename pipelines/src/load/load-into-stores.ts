/**
 * `npm run load`: a MovieLens ratings file into BigQuery (as import events, by load jobs: see
 * bulk-load.ts) and into the users' Firestore rating maps, idempotently: events already stored
 * are not loaded again, and a user's newer rating from the site is kept.
 */
import { randomUUID } from 'node:crypto';
import type { BigQuery } from '@google-cloud/bigquery';
import type { Bucket } from '@google-cloud/storage';
import {
  type DatasetRef,
  decodeUserDocument,
  EVENTS_TABLE,
  userRatingsFields,
  writeCatalogue,
} from '@reel/functions/adapters';
import type { RatingEvent } from '@reel/functions/contracts/rating-event';
import { MAX_RATINGS_PER_USER, UserRatings } from '@reel/functions/ratings';
import { FieldValue, type Firestore } from 'firebase-admin/firestore';
import { moviesBeside } from '../data/catalogue.js';
import type { LoadedRatings } from '../data/ratings-parser.js';
import { type ProgressSink, progressMeter } from '../report/progress.js';
import { BulkLoader, type LoadRoute } from './bulk-load.js';
import { IMPORT_SOURCE, importEvent, mergeImported } from './import-events.js';

export interface LoadOptions {
  bigquery: BigQuery;
  firestore: Firestore;
  dataset: DatasetRef;
  /** The models bucket, where the import files are written (under imports/). */
  bucket: Bucket;
  /** `bucket` on Google Cloud, `upload` on the local stack (see bulk-load.ts). */
  route: LoadRoute;
  progress: ProgressSink;
  /** Users whose stored eventIds are looked up per query. */
  batchSize?: number;
  /** Rows per import file. */
  rowsPerFile?: number;
  /** User documents read per Firestore getAll. */
  usersPerRead?: number;
}

export interface LoadSummary {
  ratings: number;
  users: number;
  /** Events loaded into BigQuery now (the rest were there from an earlier load). */
  inserted: number;
  /** BigQuery load jobs run, and the files they read. */
  loadJobs: number;
  importFiles: string[];
  /** Rating entries written to Firestore now. */
  entriesWritten: number;
  usersWritten: number;
}

/** The events of a loaded file grouped by user, in file order (the files are sorted by user). */
export function eventsByUser(loaded: LoadedRatings): Map<string, RatingEvent[]> {
  const { ratings, userIds, movieIds } = loaded;
  const byUser = new Map<string, RatingEvent[]>();
  for (let row = 0; row < ratings.value.length; row++) {
    const event = importEvent({
      userId: userIds[ratings.user[row]!]!,
      movieId: movieIds[ratings.item[row]!]!,
      rating: ratings.value[row]!,
      timestamp: ratings.timestamp[row]!,
    });
    const list = byUser.get(event.userId);
    if (list) list.push(event);
    else byUser.set(event.userId, [event]);
  }
  return byUser;
}

/** Groups users into batches of at most `size` events (a user is never split). */
function* userBatches(
  byUser: Map<string, RatingEvent[]>,
  size: number,
): Generator<[string[], RatingEvent[]]> {
  let users: string[] = [];
  let events: RatingEvent[] = [];
  for (const [uid, list] of byUser) {
    if (events.length > 0 && events.length + list.length > size) {
      yield [users, events];
      users = [];
      events = [];
    }
    users.push(uid);
    events.push(...list);
  }
  if (events.length > 0) yield [users, events];
}

const quoted = (uid: string) => `'${uid.replace(/[^A-Za-z0-9_-]/g, '')}'`;

/** The import eventIds already in rating_events for these users. */
async function storedImportIds(
  bigquery: BigQuery,
  ref: DatasetRef,
  users: readonly string[],
): Promise<Set<string>> {
  const [rows] = await bigquery.query(
    `SELECT eventId FROM \`${ref.project}.${ref.dataset}.${EVENTS_TABLE}\`
     WHERE source = '${IMPORT_SOURCE}' AND userId IN (${users.map(quoted).join(', ')})`,
  );
  return new Set((rows as { eventId: string }[]).map((row) => row.eventId));
}

export async function loadIntoStores(
  loaded: LoadedRatings,
  options: LoadOptions,
): Promise<LoadSummary> {
  const { bigquery, firestore, dataset, progress } = options;
  const byUser = eventsByUser(loaded);
  const total = loaded.ratings.value.length;
  const summary: LoadSummary = {
    ratings: total,
    users: byUser.size,
    inserted: 0,
    loadJobs: 0,
    importFiles: [],
    entriesWritten: 0,
    usersWritten: 0,
  };

  const events = progressMeter(progress, `BigQuery ${EVENTS_TABLE}`, total, 'ratings');
  const receivedAt = new Date();
  const importId = `${receivedAt.toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
  const loader = new BulkLoader(
    bigquery,
    options.bucket,
    dataset,
    options.route,
    importId,
    receivedAt,
    options.rowsPerFile,
  );
  let done = 0;
  for (const [users, batch] of userBatches(byUser, options.batchSize ?? 10_000)) {
    const stored = await storedImportIds(bigquery, dataset, users);
    await loader.add(batch.filter((event) => !stored.has(event.eventId)));
    done += batch.length;
    events.update(done);
  }
  const loadedRows = await loader.finish();
  summary.inserted = loadedRows.rows;
  summary.loadJobs = loadedRows.jobs;
  summary.importFiles = loadedRows.files;
  events.done();

  const docs = progressMeter(progress, 'Firestore users/{uid}.ratings', byUser.size, 'users');
  const writer = firestore.bulkWriter();
  const failures: string[] = [];
  writer.onWriteError((error) => {
    // ALREADY_EXISTS / FAILED_PRECONDITION: a rating arrived since the read; loading again
    // merges it.
    const changedMeanwhile = error.code === 6 || error.code === 9;
    if (!changedMeanwhile && error.failedAttempts < 10) return true;
    failures.push(
      `${error.documentRef.path}: ${changedMeanwhile ? 'changed while loading; run the load again' : error.message}`,
    );
    return false;
  });
  const uids = [...byUser.keys()];
  const perRead = options.usersPerRead ?? 300;
  for (let start = 0; start < uids.length; start += perRead) {
    const chunk = uids.slice(start, start + perRead);
    const snapshots = await firestore.getAll(
      ...chunk.map((uid) => firestore.collection('users').doc(uid)),
    );
    for (const snapshot of snapshots) {
      const stored = decodeUserDocument(snapshot.data() ?? {}).ratings;
      const changes = mergeImported(stored, byUser.get(snapshot.id)!);
      if (changes.size === 0) continue;
      const ratings = UserRatings.of([...stored, ...changes.values()]);
      if (ratings.size > MAX_RATINGS_PER_USER) {
        throw new Error(
          `user ${snapshot.id} would hold ${ratings.size} ratings; one person can hold at most ${MAX_RATINGS_PER_USER}`,
        );
      }
      summary.entriesWritten += changes.size;
      summary.usersWritten += 1;
      // Conditional on the document being unchanged since it was read, so a rating the
      // ingest applied meanwhile is not overwritten (the write fails and the load says so);
      // merge keeps the user's model fields.
      const fields = { ...userRatingsFields(ratings), updatedAt: FieldValue.serverTimestamp() };
      void (
        snapshot.exists
          ? writer.update(snapshot.ref, fields, { lastUpdateTime: snapshot.updateTime! })
          : writer.create(snapshot.ref, fields)
      ).catch(() => undefined);
    }
    docs.update(Math.min(start + perRead, uids.length));
  }
  await writer.close();
  docs.done();
  if (failures.length > 0) {
    throw new Error(
      `${failures.length} user documents could not be written: ${failures.slice(0, 5).join('; ')}`,
    );
  }
  return summary;
}

/** How many import events rating_events holds (npm start loads only when there are none). */
export async function countImportEvents(bigquery: BigQuery, ref: DatasetRef): Promise<number> {
  const [rows] = await bigquery.query(
    `SELECT COUNT(DISTINCT eventId) AS events FROM \`${ref.project}.${ref.dataset}.${EVENTS_TABLE}\` WHERE source = '${IMPORT_SOURCE}'`,
  );
  return Number((rows as { events: number }[])[0]?.events ?? 0);
}

/**
 * Publishes which movies exist (the movie list beside the ratings, plus every rated movie) and their
 * genres to
 * the models bucket, where the ingest checks ratings against it until a model carries its own
 * copy (see CATALOGUE_PATH). Returns how many movies and where they came from.
 */
export async function publishCatalogue(
  bucket: Bucket,
  ratingsFile: string,
  loaded: LoadedRatings,
): Promise<{ movies: number; source: string }> {
  const { movies, file } = moviesBeside(ratingsFile);
  const movieIds = new Set([...movies.map((movie) => movie.movieId), ...loaded.movieIds]);
  await writeCatalogue(
    bucket,
    movieIds,
    file ? new Map(movies.map((movie) => [movie.movieId, movie.genres])) : undefined,
    file
      ? new Map(movies.map(({ movieId, title, year }) => [movieId, { title, year }]))
      : undefined,
  );
  return {
    movies: movieIds.size,
    source: file ? `${file} and the ratings` : 'the ratings (no movie list beside them)',
  };
}
