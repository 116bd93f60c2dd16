import type { Firestore } from 'firebase-admin/firestore';
import {
  type BulkProgress,
  type BulkWrite,
  bulkWrite,
  decodeUserDocument,
  writePopular,
} from '../adapters/firestore.js';
import type { Logger } from '../core/logger.js';
import { personalise } from '../core/recommendations.js';
import type { Recommender } from '../model/index.js';

export interface RepublishOptions {
  firestore: Firestore;
  recommender: Recommender;
  version: string;
  topN: number;
  log: Logger;
  /** Length of `public/popular`'s list. */
  popularCount?: number;
  /** Similar movies per `movies/{movieId}`. */
  similarCount?: number;
  /** Users read per Firestore getAll. */
  readBatch?: number;
}

export interface RepublishReport extends BulkProgress {
  users: number;
  /** Users without a `users/{uid}` document (nothing to fold in). */
  missingUsers: number;
  movies: number;
}

/**
 * Writes everything that depends on the serving model, for model `version`: every listed
 * user's factors and recommendations (folded in from their ratings as Firestore holds them
 * now, so ratings that arrived after the training data was read count), `movies/{movieId}`
 * (similar movies, mean, count) for every movie of the model, and `public/popular`. Batched
 * through a BulkWriter, progress logged.
 */
export async function republish(
  options: RepublishOptions,
  userIds: AsyncIterable<string> | Iterable<string>,
): Promise<RepublishReport> {
  const { firestore, recommender, version, topN, log } = options;
  const readBatch = options.readBatch ?? 300;
  const similarCount = options.similarCount ?? 20;
  let users = 0;
  let missingUsers = 0;
  let movies = 0;

  async function* userWrites(): AsyncGenerator<BulkWrite> {
    let pending: string[] = [];
    const flush = async function* (): AsyncGenerator<BulkWrite> {
      // Each person's user and recommendations documents, read together; the writes are
      // conditional on both being unchanged since, so a rating the ingest applies meanwhile
      // (whose transaction writes both) is never overwritten with recommendations without it.
      const snapshots = await firestore.getAll(
        ...pending.flatMap((uid) => [
          firestore.collection('users').doc(uid),
          firestore.collection('recommendations').doc(uid),
        ]),
      );
      for (let n = 0; n < snapshots.length; n += 2) {
        const snapshot = snapshots[n]!;
        const recommendations = snapshots[n + 1]!;
        const data = snapshot.data();
        if (data?.ratings === undefined) {
          missingUsers++;
          continue;
        }
        const { ratings } = decodeUserDocument(data);
        const personal = personalise(recommender, version, ratings, topN);
        users++;
        yield {
          kind: 'userModel',
          update: {
            uid: snapshot.id,
            factors: personal.factors,
            bias: personal.bias,
            modelVersion: version,
          },
          readAt: snapshot.updateTime!,
        };
        yield {
          kind: 'recommendations',
          uid: snapshot.id,
          document: personal.document,
          readAt: recommendations.exists ? recommendations.updateTime! : 'absent',
        };
      }
      pending = [];
    };
    for await (const uid of userIds) {
      pending.push(uid);
      if (pending.length === readBatch) yield* flush();
    }
    if (pending.length > 0) yield* flush();
    const { itemIds, popularity } = recommender.set;
    for (let row = 0; row < itemIds.length; row++) {
      const movieId = itemIds[row]!;
      movies++;
      yield {
        kind: 'movie',
        movieId,
        document: {
          similar: recommender.similar(movieId, similarCount),
          meanRating: popularity.means[row]!,
          ratingsCount: popularity.counts[row]!,
          modelVersion: version,
        },
      };
    }
  }

  await writePopular(firestore, {
    items: recommender.popular(options.popularCount ?? 100),
    modelVersion: version,
  });
  const progress = await bulkWrite(firestore, userWrites(), {
    progressEvery: 2000,
    onProgress: (p) => log.info('republishing', { modelVersion: version, ...p }),
  });
  return { ...progress, users, missingUsers, movies };
}
