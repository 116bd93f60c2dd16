import type { Topic } from '@google-cloud/pubsub';
import type { Bucket } from '@google-cloud/storage';
import { AggregateField, type Firestore } from 'firebase-admin/firestore';
import { MOVIES_FILE, modelFilePath, parseMovieList } from '../model-store/bucket-layout.js';
import type { ApiPorts, Catalogue, CatalogueMovie, Stats } from '../usecases/api/ports.js';
import { readUserRatings } from './firestore.js';
import type { ModelSource } from './models.js';
import { publishRatingEvent } from './pubsub.js';
import { readCatalogue, readModelManifest, readPointer, readRetrainStatus } from './storage.js';

export interface ApiPortsOptions {
  firestore: Firestore;
  bucket: Bucket;
  ratings: Topic;
  models: ModelSource;
  /** Re-read the catalogue and the statistics at most this often (ms). */
  recheckMs: number;
  nowMs?: () => number;
}

/** A value read at most every `ms`; a failed read is not kept. */
function every<T>(ms: number, nowMs: () => number, read: () => Promise<T>): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = nowMs();
    if (cached === undefined || now - cached.at >= ms) {
      const value = read();
      const entry = { at: now, value };
      cached = entry;
      value.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.value;
  };
}

function catalogueOf(list: Awaited<ReturnType<typeof readCatalogue>>): Catalogue | undefined {
  if (!list) return undefined;
  const movies = new Map<number, CatalogueMovie>();
  list.movieIds.forEach((movieId, n) => {
    movies.set(movieId, {
      movieId,
      title: list.titles?.[n] || null,
      year: list.years?.[n] ?? null,
      genres: list.genres?.[n] ?? [],
    });
  });
  return { movies };
}

/**
 * The API's reads and its one write (publishing a rating), over the official clients: the
 * serving model from the instance's ModelSource (one load per version), the catalogue and the
 * statistics from the bucket and Firestore, each re-read at most every `recheckMs`.
 */
export function createApiPorts(
  options: ApiPortsOptions,
): Omit<ApiPorts, 'deleteMyData' | 'now' | 'newEventId'> {
  const { firestore, bucket, models } = options;
  const nowMs = options.nowMs ?? Date.now;
  const catalogue = every(options.recheckMs, nowMs, async () =>
    catalogueOf(await readCatalogue(bucket)),
  );
  const stats = every(options.recheckMs, nowMs, () => readStats(firestore, bucket, catalogue));
  // The door checks ratings against the serving version's movies.json alone, so a cold
  // instance answers its first rating without loading the whole model.
  const pointer = every(options.recheckMs, nowMs, () => readPointer(bucket));
  let versionMovies: { version: string; movies: Promise<ReadonlySet<number>> } | undefined;
  const knownMovies = async (): Promise<ReadonlySet<number> | undefined> => {
    const state = await pointer();
    if (!state) {
      const published = await catalogue();
      return published && new Set(published.movies.keys());
    }
    const { version } = state.pointer;
    if (versionMovies?.version !== version) {
      const entry = { version, movies: readVersionMovies(bucket, version, models) };
      versionMovies = entry;
      entry.movies.catch(() => {
        if (versionMovies === entry) versionMovies = undefined;
      });
    }
    return versionMovies.movies;
  };
  return {
    currentModel: async () => {
      const state = await models.current();
      return state.kind === 'model' ? state.model : undefined;
    },
    knownMovies,
    catalogue,
    publish: async (event) => {
      await publishRatingEvent(options.ratings, event);
    },
    readRatings: (uid) => readUserRatings(firestore, uid),
    readMovieStats: async (movieId) => {
      const snapshot = await firestore.collection('movies').doc(String(movieId)).get();
      const data = snapshot.data();
      if (!data) return undefined;
      return {
        meanRating: Number(data.meanRating),
        ratingsCount: Number(data.ratingsCount),
        modelVersion: String(data.modelVersion),
      };
    },
    readStats: stats,
  };
}

/** A version's movies.json; a version without one falls back to the loaded model's items. */
async function readVersionMovies(
  bucket: Bucket,
  version: string,
  models: ModelSource,
): Promise<ReadonlySet<number>> {
  try {
    const [contents] = await bucket.file(modelFilePath(version, MOVIES_FILE)).download();
    return new Set(parseMovieList(contents.toString('utf8'), `${version}/${MOVIES_FILE}`).movieIds);
  } catch (error) {
    if ((error as { code?: number }).code !== 404) throw error;
    const state = await models.current();
    return state.kind === 'model' ? state.model.movies : new Set();
  }
}

async function readStats(
  firestore: Firestore,
  bucket: Bucket,
  catalogue: () => Promise<Catalogue | undefined>,
): Promise<Stats> {
  const [pointer, status, counted, published] = await Promise.all([
    readPointer(bucket),
    readRetrainStatus(bucket) as Promise<Record<string, unknown> | undefined>,
    // One aggregation query: people with a users/ document and the sum of their ratings.
    firestore
      .collection('users')
      .aggregate({ users: AggregateField.count(), ratings: AggregateField.sum('ratingsCount') })
      .get(),
    catalogue(),
  ]);
  let model: Stats['model'] = null;
  if (pointer) {
    const manifest = (await readModelManifest(bucket, pointer.pointer.version)) as {
      createdAt: string;
      trainedThrough: string;
      training: { users: number; ratings: number };
      metrics: Record<string, number>;
      itemIds: number[];
    };
    model = {
      version: pointer.pointer.version,
      publishedAt: pointer.pointer.publishedAt,
      createdAt: manifest.createdAt,
      trainedThrough: manifest.trainedThrough,
      training: manifest.training,
      metrics: manifest.metrics,
    };
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    model,
    counts: {
      users: counted.data().users,
      movies: published?.movies.size ?? 0,
      ratings: counted.data().ratings ?? 0,
    },
    lastRetrain: status
      ? {
          outcome: text(status.kind) ?? 'unknown',
          startedAt: text(status.startedAt),
          finishedAt: text(status.finishedAt),
        }
      : null,
  };
}
