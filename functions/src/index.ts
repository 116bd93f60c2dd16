import { availableParallelism } from 'node:os';
import type { CloudEventFunction } from '@google-cloud/functions-framework';
import * as functions from '@google-cloud/functions-framework';
import {
  appendEvents,
  type Clients,
  createClients,
  createModelSource,
  createPublishers,
  createUseCasePorts,
  publishDeadLetter,
  publishRatingEvent,
  verifyIdToken,
} from './adapters/index.js';
import { createSparkTrainer } from './adapters/spark-trainer.js';
import { type Config, parseConfig } from './config.js';
import { createLogger } from './core/logger.js';
import { RateLimiter } from './core/rate-limiter.js';
import { createIngestRating } from './handlers/ingest-rating.js';
import { createRateMovie } from './handlers/rate-movie.js';
import { createRepublishUsers } from './handlers/republish-users.js';
import { createRetrainModel } from './handlers/retrain-model.js';
import { parseSparkConfig } from './spark-config.js';

/**
 * The entry points. Configuration and clients are created once per instance, lazily on
 * the first request (so a deploy's health check and the tests' imports do not need them), and
 * passed to the handlers; an invalid configuration fails every request with the ConfigError
 * naming each variable to fix.
 */
const log = createLogger();

function lazy<T>(make: () => T): () => T {
  let value: { made: T } | undefined;
  return () => {
    value ??= { made: make() };
    return value.made;
  };
}

const instance = lazy(() => {
  const config: Config = parseConfig(process.env);
  const clients: Clients = createClients(config);
  return { config, clients, publishers: createPublishers(clients.pubsub, config) };
});

const rateMovie = lazy(() => {
  const { config, clients, publishers } = instance();
  return createRateMovie({
    allowedOrigins: config.allowedOrigins,
    verifyUser: (authorization) => verifyIdToken(clients.auth, authorization),
    publish: async (event) => {
      await publishRatingEvent(publishers.ratings, event);
    },
    limiter: new RateLimiter(config.rateLimitPerMinute),
    log,
  });
});

const ingestRating = lazy(() => {
  const { config, clients, publishers } = instance();
  return createIngestRating({
    appendEvent: (event) => appendEvents(clients.bigquery, config, [event]),
    firestore: clients.firestore,
    models: createModelSource(clients.storage.bucket(config.modelsBucket), {
      recheckMs: config.modelRecheckSeconds * 1000,
      log,
    }),
    deadLetter: async (letter) => {
      await publishDeadLetter(publishers.deadLetter, letter);
    },
    topN: config.topN,
    log,
  });
});

const useCasePorts = lazy(() => {
  const { config, clients, publishers } = instance();
  const spark = parseSparkConfig(process.env);
  const trainer = spark && createSparkTrainer(spark, clients, config, log);
  return createUseCasePorts(clients, config, publishers, log, trainer);
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

functions.http('rateMovie', (req, res) => rateMovie()(req, res));
const ingest: CloudEventFunction<unknown> = (event) => ingestRating()(event);
const retrainEntry: CloudEventFunction<unknown> = (event) => retrainModel()(event);
const republishEntry: CloudEventFunction<unknown> = (event) => republishUsers()(event);
functions.cloudEvent('ingestRating', ingest);
functions.cloudEvent('retrainModel', retrainEntry);
functions.cloudEvent('republishUsers', republishEntry);
