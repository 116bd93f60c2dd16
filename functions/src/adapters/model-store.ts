import type { Bucket } from '@google-cloud/storage';
import { decodeModelFiles, Recommender } from '../model/index.js';
import type { ModelLoader, ModelStore, RetrainRecord, RetrainRecords } from '../usecases/ports.js';
import {
  deleteModelVersion,
  deleteStagedVersion,
  listModelVersions,
  listStagedVersions,
  movePointer,
  promoteStaged,
  readCatalogue,
  readModelFiles,
  readModelManifest,
  readPointer,
  readRetrainStatus,
  readStagedFiles,
  writeRetrainStatus,
  writeStagedFiles,
} from './storage.js';

/** The models bucket as the use cases see it. */
export function bucketModelStore(bucket: Bucket): ModelStore {
  return {
    readPointer: () => readPointer(bucket),
    movePointer: (pointer, expectedGeneration) => movePointer(bucket, pointer, expectedGeneration),
    writeStagedFiles: (version, files) => writeStagedFiles(bucket, version, files),
    readStagedFiles: (version) => readStagedFiles(bucket, version),
    promoteStaged: (version) => promoteStaged(bucket, version),
    readModelFiles: (version) => readModelFiles(bucket, version),
    readManifest: (version) => readModelManifest(bucket, version),
    listVersions: () => listModelVersions(bucket),
    listStagedVersions: () => listStagedVersions(bucket),
    deleteVersion: (version) => deleteModelVersion(bucket, version),
    deleteStaged: (version) => deleteStagedVersion(bucket, version),
    readCatalogue: () => readCatalogue(bucket),
  };
}

/** retrain/status.json: the last retrain's record. */
export function bucketRetrainRecords(bucket: Bucket): RetrainRecords {
  return {
    read: async () => (await readRetrainStatus(bucket)) as RetrainRecord | undefined,
    write: (record) => writeRetrainStatus(bucket, record),
  };
}

/**
 * Models decoded once per instance: the last `keep` versions asked for (a republish reads one,
 * two while a rollback overtakes it).
 */
export function bucketModelLoader(bucket: Bucket, keep = 2): ModelLoader {
  const cache = new Map<string, Promise<Recommender>>();
  return {
    load(version) {
      let model = cache.get(version);
      if (!model) {
        model = readModelFiles(bucket, version).then(
          (files) => new Recommender(decodeModelFiles(files).set),
        );
        // A failed read is not kept: the next shard tries again.
        model.catch(() => cache.delete(version));
        cache.set(version, model);
        while (cache.size > keep) cache.delete(cache.keys().next().value!);
      } else {
        cache.delete(version);
        cache.set(version, model);
      }
      return model;
    },
  };
}
