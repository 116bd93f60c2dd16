import type { Bucket } from '@google-cloud/storage';
import type { Logger } from '../logging/logger.js';
import { decodeModelFiles, Recommender } from '../model/index.js';
import { MOVIES_FILE, parseMovieList } from '../model-store/bucket-layout.js';
import { readCatalogue, readModelFiles, readPointer } from './storage.js';

/** One model version, decoded and ready to serve. */
export interface ServingModel {
  version: string;
  recommender: Recommender;
  /** The movies ratings may name under this version (see MOVIES_FILE). */
  movies: ReadonlySet<number>;
}

/** The serving model as the ingest sees it: the model, or before any, the catalogue. */
export type ModelState =
  | { kind: 'model'; model: ServingModel }
  | { kind: 'none'; catalogue: ReadonlySet<number> | undefined };

export interface ModelSource {
  current(): Promise<ModelState>;
}

export interface ModelSourceOptions {
  /** Re-read the pointer at most this often; 0 = on every call. */
  recheckMs: number;
  log: Logger;
  nowMs?: () => number;
}

/**
 * The current model, loaded from GCS once per version per instance: the pointer is re-read at
 * most every `recheckMs`, a new version's files are downloaded, checked (sizes, checksums)
 * and decoded once, and concurrent callers share one load. The previous version is dropped
 * when a new one is ready, so an instance holds at most two while switching.
 */
export function createModelSource(bucket: Bucket, options: ModelSourceOptions): ModelSource {
  const nowMs = options.nowMs ?? Date.now;
  let checkedAt = Number.NEGATIVE_INFINITY;
  let state: Promise<ModelState> | undefined;
  let loaded: { version: string; model: Promise<ServingModel> } | undefined;

  const load = async (version: string): Promise<ServingModel> => {
    const started = performance.now();
    const files = await readModelFiles(bucket, version);
    const { set } = decodeModelFiles(files);
    const moviesBytes = files.get(MOVIES_FILE);
    const movies = moviesBytes
      ? parseMovieList(new TextDecoder().decode(moviesBytes), `${version}/${MOVIES_FILE}`).movieIds
      : Array.from(set.itemIds);
    const model = { version, recommender: new Recommender(set), movies: new Set(movies) };
    options.log.info('model loaded', {
      modelVersion: version,
      items: set.itemIds.length,
      latencyMs: Math.round(performance.now() - started),
    });
    return model;
  };

  const refresh = async (): Promise<ModelState> => {
    const pointer = await readPointer(bucket);
    if (!pointer) {
      const catalogue = await readCatalogue(bucket);
      return { kind: 'none', catalogue: catalogue && new Set(catalogue.movieIds) };
    }
    const { version } = pointer.pointer;
    if (loaded?.version !== version) {
      const next = { version, model: load(version) };
      loaded = next;
      // A failed load must be retried on the next call, not cached.
      next.model.catch(() => {
        if (loaded === next) loaded = undefined;
      });
    }
    return { kind: 'model', model: await loaded.model };
  };

  return {
    current() {
      const now = nowMs();
      if (state === undefined || now - checkedAt >= options.recheckMs) {
        checkedAt = now;
        const next = refresh();
        state = next;
        next.catch(() => {
          if (state === next) {
            state = undefined;
            checkedAt = Number.NEGATIVE_INFINITY;
          }
        });
      }
      return state;
    },
  };
}
