/**
 * In-memory implementations of the use cases' ports, for their unit tests only (the functions
 * and the local stack use the adapters over the emulators). They keep the rules the adapters
 * keep: versions immutable, the pointer moved only from the generation read, user writes only
 * over what was read, movie writes only over an older serial, shards counted once.
 */

import { PointerMovedError } from '../adapters/storage.js';
import type {
  MovieDocument,
  PopularDocument,
  RecommendationsDocument,
} from '../contracts/firestore-documents.js';
import { createLogger } from '../logging/logger.js';
import {
  decodeModelFiles,
  encodeModelFiles,
  type ModelSet,
  mulberry32,
  type Ratings,
  Recommender,
  trainModelSet,
} from '../model/index.js';
import type { ModelPointer, MovieList } from '../model-store/bucket-layout.js';
import { type StoredRating, UserRatings } from '../ratings/user-ratings.js';
import type {
  ModelFiles,
  ModelLoader,
  ModelStore,
  PointerState,
  RepublishProgress,
  RepublishShard,
  RepublishState,
  RetrainRecord,
  RetrainRecords,
  ServedDocuments,
  ShardQueue,
  StoredUser,
  UserDirectory,
} from '../usecases/ports.js';
import { type FixtureRating, SMALL_MODEL_CONFIG, tasteRatings } from './fixtures.js';

export const silentLog = createLogger(() => {});

export class MemoryModelStore implements ModelStore {
  readonly staged = new Map<string, ModelFiles>();
  readonly published = new Map<string, ModelFiles>();
  pointer: PointerState | undefined;
  catalogue: MovieList | undefined;
  private generation = 0;

  async readPointer() {
    return this.pointer && { ...this.pointer, pointer: { ...this.pointer.pointer } };
  }
  async movePointer(pointer: ModelPointer, expectedGeneration: string) {
    if ((this.pointer?.generation ?? '0') !== expectedGeneration) {
      throw new PointerMovedError(expectedGeneration);
    }
    this.generation += 1;
    this.pointer = { pointer: { ...pointer }, generation: String(this.generation) };
    return this.pointer.generation;
  }
  async writeStagedFiles(version: string, files: ModelFiles) {
    if (this.staged.has(version)) throw new Error(`staging/${version}/ already exists`);
    this.staged.set(version, new Map(files));
  }
  async readStagedFiles(version: string) {
    const files = this.staged.get(version);
    if (!files) throw new Error(`no model files under staging/${version}/`);
    return new Map(files);
  }
  async promoteStaged(version: string) {
    const files = await this.readStagedFiles(version);
    if (!this.published.has(version)) this.published.set(version, files);
  }
  async readModelFiles(version: string) {
    const files = this.published.get(version);
    if (!files) throw new Error(`no model files under models/${version}/`);
    return new Map(files);
  }
  async readManifest(version: string) {
    const bytes = (await this.readModelFiles(version)).get('manifest.json');
    if (!bytes) throw new Error(`models/${version}/manifest.json does not exist`);
    return JSON.parse(new TextDecoder().decode(bytes));
  }
  async listVersions() {
    return [...this.published.keys()].sort();
  }
  async listStagedVersions() {
    return [...this.staged.keys()].sort();
  }
  async deleteVersion(version: string) {
    this.published.delete(version);
  }
  async deleteStaged(version: string) {
    this.staged.delete(version);
  }
  async readCatalogue() {
    return this.catalogue;
  }
}

export class MemoryRecords implements RetrainRecords {
  record: RetrainRecord | undefined;
  /** Every record written, in order. */
  readonly written: RetrainRecord[] = [];
  async read() {
    return this.record && structuredClone(this.record);
  }
  async write(record: RetrainRecord) {
    this.record = structuredClone(record);
    this.written.push(structuredClone(record));
  }
}

export class MemoryLoader implements ModelLoader {
  loads = 0;
  constructor(private readonly store: MemoryModelStore) {}
  async load(version: string) {
    this.loads += 1;
    return new Recommender(decodeModelFiles(await this.store.readModelFiles(version)).set);
  }
}

export class MemoryQueue implements ShardQueue {
  readonly shards: RepublishShard[] = [];
  async publish(shards: readonly RepublishShard[]) {
    this.shards.push(...shards.map((shard) => structuredClone(shard)));
  }
  /** Takes every queued shard (as a push subscription delivers them). */
  drain(): RepublishShard[] {
    return this.shards.splice(0);
  }
}

interface UserRow {
  ratings: UserRatings;
  factors?: number[];
  bias?: number;
  modelVersion?: string;
  modelSerial?: number;
  revision: number;
}

export class MemoryDocuments implements ServedDocuments, UserDirectory {
  readonly users = new Map<string, UserRow>();
  readonly recommendations = new Map<
    string,
    { document: RecommendationsDocument; revision: number }
  >();
  readonly movies = new Map<number, MovieDocument>();
  popular: PopularDocument | undefined;
  /** Called before each user write commits: a test changes documents under the republish. */
  beforeUserWrite: (uid: string) => void = () => {};
  /** Throws in the write of the n-th user (1-based) from now: a crash mid-shard. */
  crashAtUserWrite: number | undefined;
  private revision = 0;

  addUser(uid: string, ratings: UserRatings) {
    this.users.set(uid, { ratings, revision: ++this.revision });
  }
  /** An ingest applying a rating meanwhile: both documents change. */
  touchUser(uid: string) {
    const user = this.users.get(uid)!;
    user.revision = ++this.revision;
    const list = this.recommendations.get(uid);
    if (list) list.revision = ++this.revision;
  }

  async *listUserIds() {
    yield [...this.users.keys()].sort();
  }

  async readUsers(uids: readonly string[]): Promise<StoredUser[]> {
    return uids.map((uid) => {
      const user = this.users.get(uid);
      return {
        uid,
        ratings: user?.ratings,
        serial: user?.modelSerial ?? 0,
        ...(user?.modelVersion && { modelVersion: user.modelVersion }),
        readAt: user && {
          user: user.revision,
          recommendations: this.recommendations.get(uid)?.revision ?? 'absent',
        },
      };
    });
  }

  async writeUser(
    stored: StoredUser,
    write: Parameters<ServedDocuments['writeUser']>[1],
  ): Promise<'written' | 'changed'> {
    if (this.crashAtUserWrite !== undefined && --this.crashAtUserWrite === 0) {
      this.crashAtUserWrite = undefined;
      throw new Error('instance crashed (injected)');
    }
    this.beforeUserWrite(stored.uid);
    const readAt = stored.readAt as { user: number; recommendations: number | 'absent' };
    const user = this.users.get(stored.uid);
    const list = this.recommendations.get(stored.uid);
    if (!user || user.revision !== readAt.user) return 'changed';
    if ((list?.revision ?? 'absent') !== readAt.recommendations) return 'changed';
    Object.assign(user, {
      factors: write.factors,
      bias: write.bias,
      modelVersion: write.modelVersion,
      modelSerial: write.serial,
      revision: ++this.revision,
    });
    this.recommendations.set(stored.uid, {
      document: structuredClone(write.recommendations),
      revision: ++this.revision,
    });
    return 'written';
  }

  async writeMovies(
    movies: readonly { movieId: number; document: MovieDocument }[],
    serial: number,
  ) {
    let written = 0;
    let newer = 0;
    for (const { movieId, document } of movies) {
      if ((this.movies.get(movieId)?.modelSerial ?? 0) > serial) newer += 1;
      else {
        this.movies.set(movieId, { ...structuredClone(document), modelSerial: serial });
        written += 1;
      }
    }
    return { written, newer };
  }

  async writePopular(document: PopularDocument, serial: number) {
    if ((this.popular?.modelSerial ?? 0) > serial) return 'newer' as const;
    this.popular = { ...structuredClone(document), modelSerial: serial };
    return 'written' as const;
  }
}

export class MemoryProgress implements RepublishProgress {
  readonly states = new Map<string, RepublishState>();
  private readonly counted = new Set<string>();

  async begin(request: { version: string; serial: number }, startedAt: string) {
    const current = this.states.get(request.version);
    if (current && current.serial > request.serial) return;
    this.states.set(request.version, {
      version: request.version,
      serial: request.serial,
      startedAt,
      shardsDone: 0,
      superseded: 0,
      written: 0,
      skipped: 0,
      missing: 0,
      failed: 0,
      running: true,
    });
  }
  async planned(
    request: { version: string; serial: number },
    totals: { shards: number; users: number },
  ) {
    const state = this.states.get(request.version);
    if (!state || state.serial !== request.serial) return;
    Object.assign(state, totals);
    this.finish(state, state.startedAt);
  }
  async shardDone(
    shard: Pick<RepublishShard, 'version' | 'serial' | 'shard' | 'kind'>,
    counts: Parameters<RepublishProgress['shardDone']>[1],
    at: string,
  ) {
    const key = `${shard.version}/${shard.serial}-${shard.shard}`;
    if (this.counted.has(key)) return 'already counted' as const;
    this.counted.add(key);
    const state = this.states.get(shard.version);
    if (state && state.serial === shard.serial) {
      state.shardsDone += 1;
      state.superseded += counts.superseded ? 1 : 0;
      state.written += counts.written;
      state.skipped += counts.skipped;
      state.missing += counts.missing;
      state.failed += counts.failed;
      this.finish(state, at);
    }
    return 'counted' as const;
  }
  private finish(state: RepublishState, at: string) {
    if (state.shards !== undefined && state.shardsDone >= state.shards && state.running) {
      state.running = false;
      state.finishedAt = at;
    }
  }
  async read(version: string) {
    const state = this.states.get(version);
    return state && { ...state };
  }
  async runningVersions() {
    return [...this.states.values()].filter((state) => state.running).map((s) => s.version);
  }
}

/** The taste fixture's people as Firestore holds their ratings, `u{n}` → ratings. */
export function fixtureUsers(ratings: readonly FixtureRating[]): Map<string, UserRatings> {
  const users = new Map<string, StoredRating[]>();
  for (const r of ratings) {
    const uid = `u${r.user}`;
    const mine = users.get(uid) ?? [];
    mine.push({
      movieId: r.movieId,
      rating: r.rating,
      ratedAtMicros: Math.round(r.ratedAt * 1e6),
      eventTag: r.movieId,
    });
    users.set(uid, mine);
  }
  return new Map([...users].map(([uid, mine]) => [uid, UserRatings.of(mine)]));
}

/** The taste fixture as the BigQuery adapter streams it. */
export function fixtureRatingsSource(ratings: readonly FixtureRating[]) {
  return {
    countRatings: async () => ratings.length,
    async *readRatings() {
      yield {
        userIds: ratings.map((r) => `u${r.user}`),
        movieIds: Int32Array.from(ratings, (r) => r.movieId),
        ratings: Float32Array.from(ratings, (r) => r.rating),
        ratedAtMicros: Float64Array.from(ratings, (r) => r.ratedAt * 1e6),
      };
    },
  };
}

let trainedFixture: Promise<ModelSet> | undefined;

/** A small trained model's files under `version`, with held-out metrics as given. */
export async function fixtureModelFiles(
  version: string,
  metrics: Record<string, number> = { ndcg10: 0.5 },
): Promise<ModelFiles> {
  trainedFixture ??= (async () => {
    const ratings = tasteRatings({ users: 24, movies: 48, perUser: 8 });
    const itemIds = Int32Array.from(new Set(ratings.map((r) => r.movieId))).sort();
    const itemOf = new Map(Array.from(itemIds, (movieId, item) => [movieId, item]));
    const data: Ratings = {
      userCount: 24,
      itemCount: itemIds.length,
      user: Int32Array.from(ratings, (r) => r.user),
      item: Int32Array.from(ratings, (r) => itemOf.get(r.movieId)!),
      value: Float32Array.from(ratings, (r) => r.rating),
      timestamp: Float64Array.from(ratings, (r) => r.ratedAt),
    };
    return trainModelSet(data, itemIds, SMALL_MODEL_CONFIG, { random: mulberry32(1) });
  })();
  return encodeModelFiles(await trainedFixture, {
    version,
    createdAt: '2026-12-01T00:00:00.000Z',
    trainedThrough: '2026-12-01T00:00:00.000Z',
    training: { users: 24, ratings: 24 * 8 },
    metrics,
  });
}
