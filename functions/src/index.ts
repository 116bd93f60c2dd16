import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { CloudEventFunction } from '@google-cloud/functions-framework';
import * as functions from '@google-cloud/functions-framework';
import {
  adaptFramework,
  type Clients,
  createApiPorts,
  createClients,
  createIngestPorts,
  createModelSource,
  createPublishers,
  createUseCasePorts,
  verifyIdToken,
} from './adapters/index.js';
import { createSparkTrainer } from './adapters/spark-trainer.js';
import { createApiApp } from './api/app.js';
import { type Config, parseConfig } from './config.js';
import { createApi } from './handlers/api.js';
import { createIngestRating } from './handlers/ingest-rating.js';
import { createRepublishUsers } from './handlers/republish-users.js';
import { createRetrainModel } from './handlers/retrain-model.js';
import { createLogger } from './logging/logger.js';
import { createDeleteMyData, createDeletionSweep, createWriteGuards } from './privacy.js';
import { logKeyOf, parsePrivacyConfig } from './privacy-config.js';
import { parseSparkConfig } from './spark-config.js';

/**
 * The entry points. Configuration and clients are created once per instance, lazily on the
 * first request (so a deploy's health check and the tests' imports do not need them), and
 * passed to the handlers; an invalid configuration fails every request with the ConfigError
 * naming each variable to fix.
 */
const log = createLogger(undefined, {}, { uidKey: logKeyOf(process.env) });
// Before the framework builds its server.
adaptFramework();

function lazy<T>(make: () => T): () => T {
  let value: { made: T } | undefined;
  return () => {
    value ??= { made: make() };
    return value.made;
  };
}

const instance = lazy(() => {
  const config: Config = parseConfig(process.env);
  // Checked here so an instance without its log key fails loudly rather than log without uids.
  const privacy = parsePrivacyConfig(process.env);
  const clients: Clients = createClients(config);
  return { config, privacy, clients, publishers: createPublishers(clients.pubsub, config) };
});

const api = lazy(() => {
  const { config, privacy, clients, publishers } = instance();
  const models = createModelSource(clients.storage.bucket(config.modelsBucket), {
    recheckMs: config.modelRecheckSeconds * 1000,
    log,
  });
  const app = createApiApp({
    ports: {
      ...createApiPorts({
        firestore: clients.firestore,
        bucket: clients.storage.bucket(config.modelsBucket),
        ratings: publishers.ratings,
        models,
        recheckMs: config.modelRecheckSeconds * 1000,
      }),
      deleteMyData: createDeleteMyData(clients, config, log).deleteMyData,
      now: () => new Date(),
      newEventId: randomUUID,
    },
    verifyUser: (authorization) => verifyIdToken(clients.auth, authorization),
    ...createWriteGuards(clients, config, privacy, log),
    allowedOrigins: config.allowedOrigins,
    log,
  });
  return createApi(app);
});

const ingestRating = lazy(() => {
  const { config, clients, publishers } = instance();
  return createIngestRating({
    ...createIngestPorts({
      firestore: clients.firestore,
      bigqueryWrite: clients.bigqueryWrite,
      dataset: config,
      models: createModelSource(clients.storage.bucket(config.modelsBucket), {
        recheckMs: config.modelRecheckSeconds * 1000,
        log,
      }),
      deadLetterTopic: publishers.deadLetter,
      log,
    }),
    topN: config.topN,
    log,
  });
});

const useCasePorts = lazy(() => {
  const { config, clients, publishers } = instance();
  const spark = parseSparkConfig(process.env);
  const trainer = spark && createSparkTrainer(spark, clients, config, log);
  const ports = createUseCasePorts(clients, config, publishers, log, trainer);
  return {
    ...ports,
    retrain: { ...ports.retrain, sweepDeletions: createDeletionSweep(clients, config, log) },
  };
});

const retrainModel = lazy(() => {
  const { config } = instance();
  return createRetrainModel({
    ports: useCasePorts().retrain,
    settings: {
      modelConfig: config.modelConfig,
      maxRegression: config.retrainMaxRegression,
      rollbackTargets: config.rollbackTargets,
      sparkAboveRatings: config.sparkAboveRatings,
      // Training runs on every vCPU the instance has (Terraform gives the retrain four).
      threads: availableParallelism(),
    },
    modelsBucket: config.modelsBucket,
  });
});

const republishUsers = lazy(() =>
  createRepublishUsers({ ports: useCasePorts().shard, settings: useCasePorts().republishSettings }),
);

functions.http('api', (req, res) => api()(req, res));
const ingest: CloudEventFunction<unknown> = (event) => ingestRating()(event);
const retrainEntry: CloudEventFunction<unknown> = (event) => retrainModel()(event);
const republishEntry: CloudEventFunction<unknown> = (event) => republishUsers()(event);
functions.cloudEvent('ingestRating', ingest);
functions.cloudEvent('retrainModel', retrainEntry);
functions.cloudEvent('republishUsers', republishEntry);
