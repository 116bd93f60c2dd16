import { dirname } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logging/logger.js';
import type { SparkConfig } from '../spark-config.js';
import type { SparkTrainer } from '../usecases/ports.js';
import { exportCurrentRatings } from './bigquery.js';
import type { Clients } from './cloud-clients.js';
import { type BatchClient, createDataprocTrainer } from './dataproc.js';
import { createLocalSparkTrainer, sparkSubmitEnv } from './spark-submit.js';

/**
 * The SparkTrainer port for this deployment: Dataproc Serverless in the cloud, spark-submit on
 * the local stack; both export the ratings with the same EXPORT DATA statement. The Dataproc
 * client is loaded on the first submit, so instances that never train on Spark never load it.
 */
export function createSparkTrainer(
  spark: SparkConfig,
  clients: Clients,
  config: Config,
  log: Logger,
): SparkTrainer {
  const exportRatings = (uri: string) => exportCurrentRatings(clients.bigquery, config, uri);
  const bucket = clients.storage.bucket(config.modelsBucket);
  if (spark.kind === 'local') {
    return createLocalSparkTrainer(
      bucket,
      exportRatings,
      { ...spark, env: sparkSubmitEnv(dirname(dirname(spark.sparkSubmit)), process.env) },
      log,
    );
  }
  let client: Promise<BatchClient> | undefined;
  const controller = () => {
    client ??= import('@google-cloud/dataproc').then(
      ({ BatchControllerClient }) =>
        new BatchControllerClient({ apiEndpoint: `${spark.region}-dataproc.googleapis.com` }),
    );
    return client;
  };
  const batches: BatchClient = {
    createBatch: async (request) => (await controller()).createBatch(request),
    getBatch: async (request) => (await controller()).getBatch(request),
  };
  return createDataprocTrainer(batches, exportRatings, {
    ...spark,
    project: config.project,
    bucket: config.modelsBucket,
  });
}
