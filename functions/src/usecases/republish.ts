import { pointerSerial } from '../model-store/bucket-layout.js';
import { personalise } from './personalise.js';
import type {
  Logger,
  ModelLoader,
  ModelStore,
  RepublishProgress,
  RepublishRequest,
  RepublishShard,
  RepublishStart,
  ServedDocuments,
  ShardCounts,
  ShardQueue,
  UserDirectory,
} from './ports.js';

export interface RepublishSettings {
  /** People per shard: a shard must finish well inside the function's timeout (docs/capacity.md). */
  usersPerShard: number;
  /** Movies per shard. */
  moviesPerShard: number;
  topN: number;
  /** Length of `public/popular`'s list. */
  popularCount?: number;
  /** Similar movies per `movies/{movieId}`. */
  similarCount?: number;
  now?: () => Date;
}

export const DEFAULT_REPUBLISH_SETTINGS = {
  usersPerShard: 250,
  moviesPerShard: 2000,
  popularCount: 100,
  similarCount: 20,
} as const;

/** Shards published per call to the queue. */
const PUBLISH_BATCH = 100;
/** Reads of a person whose documents keep changing under the shard before it gives up on them. */
const MAX_USER_ATTEMPTS = 5;

export interface StartPorts {
  directory: UserDirectory;
  queue: ShardQueue;
  progress: RepublishProgress;
  models: ModelLoader;
  log: Logger;
}

/**
 * Fans a republish out: one shard for the popularity list, the movies in slices, then every
 * person with a `users/{uid}` document in slices of `usersPerShard`, each a message on topic
 * `republish` that republishUsers handles. The totals go on the model's record once every shard
 * is out; the shards' progress is counted there as they finish.
 */
export async function startRepublish(
  ports: StartPorts,
  request: RepublishRequest,
  settings: RepublishSettings,
): Promise<RepublishStart> {
  const now = settings.now ?? (() => new Date());
  const { version, serial } = request;
  await ports.progress.begin(request, now().toISOString());
  const recommender = await ports.models.load(version);
  let shard = 0;
  let pending: RepublishShard[] = [];
  const send = async (next: RepublishShard | undefined) => {
    if (next) pending.push(next);
    if (pending.length >= PUBLISH_BATCH || (next === undefined && pending.length > 0)) {
      await ports.queue.publish(pending);
      pending = [];
    }
  };
  await send({ version, serial, shard: shard++, kind: 'popular' });
  const movies = recommender.set.itemIds.length;
  for (let from = 0; from < movies; from += settings.moviesPerShard) {
    const to = Math.min(movies, from + settings.moviesPerShard);
    await send({ version, serial, shard: shard++, kind: 'movies', from, to });
  }
  let users = 0;
  let uids: string[] = [];
  const sendUsers = async () => {
    users += uids.length;
    await send({ version, serial, shard: shard++, kind: 'users', uids });
    uids = [];
  };
  for await (const page of ports.directory.listUserIds()) {
    for (const uid of page) {
      uids.push(uid);
      if (uids.length === settings.usersPerShard) await sendUsers();
    }
  }
  if (uids.length > 0) await sendUsers();
  await send(undefined);
  await ports.progress.planned(request, { shards: shard, users });
  ports.log.info('republish fanned out', { modelVersion: version, serial, shards: shard, users });
  return { serial, shards: shard, users };
}

export interface ShardPorts {
  /** Where the serving pointer is read, to drop shards a later republish superseded. */
  pointer: Pick<ModelStore, 'readPointer'>;
  models: ModelLoader;
  documents: ServedDocuments;
  progress: RepublishProgress;
  log: Logger;
}

export type ShardOutcome = ShardCounts & {
  superseded: boolean;
  /** The shard's wall time in this function, for throughput per shard. */
  seconds: number;
};

/**
 * One shard of a republish: each of its people folded in from their ratings as Firestore holds
 * them now and ranked, or its movies, or the popularity list, written conditionally (see
 * ServedDocuments): a person already on this republish (a redelivery) or on a later one is
 * skipped, so a shard delivered again finishes what its first delivery started, and a shard of
 * an older republish never overwrites a newer one's. A shard whose republish a later pointer
 * move superseded writes nothing. Throws if a write failed for good, so Pub/Sub delivers the
 * shard again; counted once on the model's record when it succeeds.
 */
export async function republishShard(
  ports: ShardPorts,
  shard: RepublishShard,
  settings: Pick<RepublishSettings, 'topN' | 'popularCount' | 'similarCount' | 'now'>,
): Promise<ShardOutcome> {
  const now = settings.now ?? (() => new Date());
  const started = performance.now();
  const counts: ShardCounts = { written: 0, skipped: 0, missing: 0, failed: 0 };
  const serving = await ports.pointer.readPointer();
  const superseded = pointerSerial(serving?.pointer) > shard.serial;
  if (!superseded) {
    const recommender = await ports.models.load(shard.version);
    if (shard.kind === 'users') await republishUsers(recommender, shard.uids);
    else if (shard.kind === 'movies') {
      const { itemIds, popularity } = recommender.set;
      const movies = [];
      for (let row = shard.from; row < shard.to; row++) {
        const movieId = itemIds[row]!;
        movies.push({
          movieId,
          document: {
            similar: recommender.similar(movieId, settings.similarCount ?? 20),
            meanRating: popularity.means[row]!,
            ratingsCount: popularity.counts[row]!,
            modelVersion: shard.version,
          },
        });
      }
      const result = await ports.documents.writeMovies(movies, shard.serial);
      counts.written += result.written;
      counts.skipped += result.newer;
    } else {
      const result = await ports.documents.writePopular(
        {
          items: recommender.popular(settings.popularCount ?? 100),
          modelVersion: shard.version,
        },
        shard.serial,
      );
      counts[result === 'written' ? 'written' : 'skipped'] += 1;
    }
  }
  if (counts.failed > 0) {
    throw new Error(
      `shard ${shard.shard} of republish ${shard.serial} (${shard.version}): ${counts.failed} people's documents kept changing under it; Pub/Sub delivers it again`,
    );
  }
  const outcome = { ...counts, superseded, seconds: (performance.now() - started) / 1000 };
  await ports.progress.shardDone(shard, outcome, now().toISOString());
  return outcome;

  async function republishUsers(
    recommender: Awaited<ReturnType<ModelLoader['load']>>,
    uids: readonly string[],
  ): Promise<void> {
    let remaining = uids;
    for (let attempt = 1; remaining.length > 0; attempt++) {
      if (attempt > MAX_USER_ATTEMPTS) {
        counts.failed += remaining.length;
        return;
      }
      const stored = await ports.documents.readUsers(remaining);
      const changed: string[] = [];
      await Promise.all(
        stored.map(async (user) => {
          if (user.ratings === undefined) {
            counts.missing += 1;
            return;
          }
          if (user.serial > shard.serial) {
            counts.skipped += 1;
            return;
          }
          if (user.serial === shard.serial && user.modelVersion === shard.version) {
            counts.skipped += 1;
            return;
          }
          const personal = personalise(recommender, shard.version, user.ratings, settings.topN);
          const result = await ports.documents.writeUser(user, {
            factors: personal.factors,
            bias: personal.bias,
            modelVersion: shard.version,
            serial: shard.serial,
            recommendations: personal.document,
          });
          if (result === 'written') counts.written += 1;
          else changed.push(user.uid);
        }),
      );
      remaining = changed;
    }
  }
}
