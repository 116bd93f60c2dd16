import { availableParallelism } from 'node:os';
import type { CloudEventFunction } from '@google-cloud/functions-framework';
import * as functions from '@google-cloud/functions-framework';
import {
  type Clients,
  createClients,
  createIngestPorts,
  createModelSource,
  createPublishers,
  publishRatingEvent,
  verifyIdToken,
} from './adapters/index.js';
import { type Config, parseConfig } from './config.js';
import { createLogger } from './core/logger.js';
import { RateLimiter } from './core/rate-limiter.js';
import { createIngestRating } from './handlers/ingest-rating.js';
import { createRateMovie } from './handlers/rate-movie.js';
import { createRetrainModel } from './handlers/retrain-model.js';
import { createDeletionSweep } from './privacy.js';
import { logKeyOf, parsePrivacyConfig } from './privacy-config.js';

/**
 * The three entry points. Configuration and clients are created once per instance, lazily on
 * the first request (so a deploy's health check and the tests' imports do not need them), and
 * passed to the handlers; an invalid configuration fails every request with the ConfigError
 * naming each variable to fix.
 */
const log = createLogger(undefined, {}, { uidKey: logKeyOf(process.env) });

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
  parsePrivacyConfig(process.env);
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
    ...createIngestPorts({
      firestore: clients.firestore,
      bigquery: clients.bigquery,
      dataset: config,
      models: createModelSource(clients.storage.bucket(config.modelsBucket), {
        recheckMs: config.modelRecheckSeconds * 1000,
        log,
      }),
      deadLetterTopic: publishers.deadLetter,
    }),
    topN: config.topN,
    log,
  });
});

const retrainModel = lazy(() => {
  const { config, clients } = instance();
  return createRetrainModel({
    bigquery: clients.bigquery,
    dataset: config,
    bucket: clients.storage.bucket(config.modelsBucket),
    firestore: clients.firestore,
    modelConfig: config.modelConfig,
    maxRegression: config.retrainMaxRegression,
    topN: config.topN,
    // Training runs on every vCPU the instance has (Terraform gives the retrain four).
    threads: availableParallelism(),
    log,
    sweepDeletions: createDeletionSweep(clients, config, log),
  });
});

functions.http('rateMovie', (req, res) => rateMovie()(req, res));
const ingest: CloudEventFunction<unknown> = (event) => ingestRating()(event);
const retrainEntry: CloudEventFunction<unknown> = (event) => retrainModel()(event);
functions.cloudEvent('ingestRating', ingest);
functions.cloudEvent('retrainModel', retrainEntry);
