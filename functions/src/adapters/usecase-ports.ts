import type { Config } from '../config.js';
import type { Logger } from '../logging/logger.js';
import type { RepublishStarter, SparkTrainer } from '../usecases/ports.js';
import {
  DEFAULT_REPUBLISH_SETTINGS,
  type RepublishSettings,
  type ShardPorts,
  startRepublish,
} from '../usecases/republish.js';
import type { RetrainPorts } from '../usecases/retrain.js';
import { countCurrentRatings, readCurrentRatings, readUserIds } from './bigquery.js';
import type { Clients } from './cloud-clients.js';
import { firestoreRepublishProgress } from './model-records.js';
import { bucketModelLoader, bucketModelStore, bucketRetrainRecords } from './model-store.js';
import { type Publishers, publishRepublishShards } from './pubsub.js';
import { firestoreServedDocuments } from './served-documents.js';

/** The ports of every use case, over one instance's clients. */
export interface UseCasePorts {
  retrain: RetrainPorts;
  shard: ShardPorts;
  republishSettings: RepublishSettings;
}

/**
 * Builds the use cases' ports from the clients (created once per instance). `spark`, when
 * given, lets retrains train on Spark (above config.sparkAboveRatings or when asked).
 */
export function createUseCasePorts(
  clients: Clients,
  config: Config,
  publishers: Pick<Publishers, 'republish'>,
  log: Logger,
  spark?: SparkTrainer,
): UseCasePorts {
  const bucket = clients.storage.bucket(config.modelsBucket);
  const models = bucketModelStore(bucket);
  const loader = bucketModelLoader(bucket);
  const progress = firestoreRepublishProgress(clients.firestore);
  const republishSettings: RepublishSettings = {
    ...DEFAULT_REPUBLISH_SETTINGS,
    usersPerShard: config.republishUsersPerShard,
    topN: config.topN,
  };
  const republish: RepublishStarter = {
    start: (request) =>
      startRepublish(
        {
          directory: { listUserIds: () => readUserIds(clients.bigquery, config) },
          queue: { publish: (shards) => publishRepublishShards(publishers.republish, shards) },
          progress,
          models: loader,
          log,
        },
        request,
        republishSettings,
      ),
  };
  return {
    retrain: {
      ratings: {
        countRatings: () => countCurrentRatings(clients.bigquery, config),
        readRatings: () => readCurrentRatings(clients.bigquery, config),
      },
      models,
      records: bucketRetrainRecords(bucket),
      republish,
      running: progress,
      ...(spark && { spark }),
      log,
    },
    shard: {
      pointer: models,
      models: loader,
      documents: firestoreServedDocuments(clients.firestore),
      progress,
      log,
    },
    republishSettings,
  };
}
