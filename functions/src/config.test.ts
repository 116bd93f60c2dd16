import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';
import { DEFAULT_MODEL_CONFIG } from './model/index.js';

const cloud = { GOOGLE_CLOUD_PROJECT: 'reel-prod', REEL_MODELS_BUCKET: 'reel-prod-models' };

const emulators = {
  PUBSUB_EMULATOR_HOST: '127.0.0.1:8085',
  FIRESTORE_EMULATOR_HOST: '127.0.0.1:8080',
  FIREBASE_AUTH_EMULATOR_HOST: '127.0.0.1:9099',
  STORAGE_EMULATOR_HOST: 'http://127.0.0.1:4443/storage/v1',
  BIGQUERY_EMULATOR_HOST: 'http://127.0.0.1:9050/bigquery/v2',
  BIGQUERY_STORAGE_EMULATOR_HOST: '127.0.0.1:9060',
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    expect(parseConfig(cloud)).toEqual({
      project: 'reel-prod',
      dataset: 'reel',
      modelsBucket: 'reel-prod-models',
      ratingsTopic: 'ratings',
      deadLetterTopic: 'ratings-dead-letter',
      retrainTopic: 'retrain',
      republishTopic: 'republish',
      republishDeadLetterTopic: 'republish-dead-letter',
      republishUsersPerShard: 250,
      rollbackTargets: 3,
      sparkAboveRatings: 20_000_000,
      allowedOrigins: [],
      rateLimitPerMinute: 60,
      topN: 20,
      retrainMaxRegression: 0.005,
      modelConfig: DEFAULT_MODEL_CONFIG,
      modelRecheckSeconds: 30,
      emulators: {},
    });
  });

  it('reads every variable', () => {
    const config = parseConfig({
      ...cloud,
      ...emulators,
      GOOGLE_CLOUD_PROJECT: 'demo-reel-test',
      REEL_DATASET: 'reel_test',
      REEL_RATINGS_TOPIC: 'r',
      REEL_DEAD_LETTER_TOPIC: 'd',
      REEL_RETRAIN_TOPIC: 't',
      REEL_REPUBLISH_TOPIC: 'p',
      REEL_REPUBLISH_DEAD_LETTER_TOPIC: 'pd',
      REEL_REPUBLISH_USERS_PER_SHARD: '100',
      REEL_ROLLBACK_TARGETS: '1',
      REEL_SPARK_ABOVE_RATINGS: '1000',
      REEL_ALLOWED_ORIGINS: 'https://reel.example, http://127.0.0.1:4321',
      REEL_RATE_LIMIT_PER_MINUTE: '10',
      REEL_TOP_N: '50',
      REEL_RETRAIN_MAX_REGRESSION: '0.01',
      REEL_MODEL_CONFIG: '{"ranking":{"factors":8,"iterations":3},"genres":{"weight":0}}',
      REEL_MODEL_RECHECK_SECONDS: '0',
    });
    expect(config).toMatchObject({
      dataset: 'reel_test',
      ratingsTopic: 'r',
      deadLetterTopic: 'd',
      retrainTopic: 't',
      republishTopic: 'p',
      republishDeadLetterTopic: 'pd',
      republishUsersPerShard: 100,
      rollbackTargets: 1,
      sparkAboveRatings: 1000,
      allowedOrigins: ['https://reel.example', 'http://127.0.0.1:4321'],
      rateLimitPerMinute: 10,
      topN: 50,
      retrainMaxRegression: 0.01,
      modelConfig: {
        ...DEFAULT_MODEL_CONFIG,
        ranking: { ...DEFAULT_MODEL_CONFIG.ranking, factors: 8, iterations: 3 },
        genres: { ...DEFAULT_MODEL_CONFIG.genres, weight: 0 },
      },
      modelRecheckSeconds: 0,
      emulators: {
        pubsub: '127.0.0.1:8085',
        firestore: '127.0.0.1:8080',
        auth: '127.0.0.1:9099',
        storage: 'http://127.0.0.1:4443',
        bigquery: 'http://127.0.0.1:9050',
        bigqueryStorage: '127.0.0.1:9060',
      },
    });
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig({ ...cloud, REEL_DATASET: '', REEL_TOP_N: ' ' }).topN).toBe(20);
  });

  it('lists every problem at once, naming the variable and the fix', () => {
    expect(
      problemsOf({
        REEL_TOP_N: '0',
        REEL_RATE_LIMIT_PER_MINUTE: 'many',
        REEL_ALLOWED_ORIGINS: 'https://reel.example/',
        REEL_DATASET: 'my-dataset',
      }),
    ).toEqual([
      'GOOGLE_CLOUD_PROJECT is not set: set it to the Google Cloud project id',
      'REEL_DATASET="my-dataset" is not a BigQuery dataset name (letters, digits, "_")',
      'REEL_MODELS_BUCKET is not set: set it to the Cloud Storage bucket holding models/ (Terraform output; the local stack prints it)',
      'REEL_ALLOWED_ORIGINS has "https://reel.example/", which is not an origin: write scheme://host[:port] with no path or trailing slash, comma-separated',
      'REEL_RATE_LIMIT_PER_MINUTE="many" must be a positive integer (ratings per user per minute)',
      'REEL_TOP_N="0" must be an integer from 1 to 500',
    ]);
  });

  it.each([
    ['REEL_MODELS_BUCKET', 'gs://models', 'is not a bucket name'],
    ['REEL_RATINGS_TOPIC', 'has space', 'is not a Pub/Sub topic name'],
    ['REEL_RETRAIN_MAX_REGRESSION', '-0.1', 'must be a number ≥ 0 and < 1'],
    ['REEL_MODEL_RECHECK_SECONDS', '-1', 'must be a number of seconds from 0 to 3600'],
    ['REEL_MODEL_CONFIG', '{ranking', 'is not JSON'],
    ['REEL_MODEL_CONFIG', '[1]', 'must be a JSON object'],
    ['REEL_MODEL_CONFIG', '{"rankng":{}}', 'unknown part(s) "rankng"'],
    ['REEL_MODEL_CONFIG', '{"ranking":{"factors":0}}', 'ranking.factors: must be positive (got 0)'],
    ['PUBSUB_EMULATOR_HOST', 'http://127.0.0.1:8085', 'must be host:port'],
    ['BIGQUERY_STORAGE_EMULATOR_HOST', 'http://127.0.0.1:9060', 'must be host:port'],
    ['STORAGE_EMULATOR_HOST', 'http://127.0.0.1:4443', 'http://127.0.0.1:4443/storage/v1'],
    ['BIGQUERY_EMULATOR_HOST', 'http://127.0.0.1:9050', 'http://127.0.0.1:9050/bigquery/v2'],
  ])('rejects %s=%s', (name, value, message) => {
    const problems = problemsOf({ ...cloud, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
    expect(problems[0]).toContain(message);
  });

  it('refuses a demo project unless every emulator is configured', () => {
    const { FIRESTORE_EMULATOR_HOST: _, ...allButFirestore } = emulators;
    expect(
      problemsOf({
        ...allButFirestore,
        GOOGLE_CLOUD_PROJECT: 'demo-reel',
        REEL_MODELS_BUCKET: 'models',
      }),
    ).toEqual([
      'GOOGLE_CLOUD_PROJECT="demo-reel" is a demo project, which exists only on emulators, but FIRESTORE_EMULATOR_HOST is not set: start the local stack (npm start) and use the variables it prints',
    ]);
    expect(
      parseConfig({ ...emulators, GOOGLE_CLOUD_PROJECT: 'demo-reel', REEL_MODELS_BUCKET: 'models' })
        .project,
    ).toBe('demo-reel');
  });

  it('refuses to start with the Auth emulator variable set for a project that is not demo-', () => {
    expect(problemsOf({ ...cloud, FIREBASE_AUTH_EMULATOR_HOST: '127.0.0.1:9099' })).toEqual([
      'FIREBASE_AUTH_EMULATOR_HOST is set but GOOGLE_CLOUD_PROJECT="reel-prod" is not a demo- project: ID tokens would go unverified. Unset FIREBASE_AUTH_EMULATOR_HOST for a real project, or use a project id starting with "demo-" on the emulators',
    ]);
    expect(parseConfig(cloud).emulators.auth).toBeUndefined();
  });
});
