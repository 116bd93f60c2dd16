import { type ModelConfig, type ModelConfigOverrides, resolveModelConfig } from './model/index.js';

/**
 * The functions' configuration, parsed once per instance from an injectable environment (as
 * functions-framework's `parseOptions(argv, env)`), so tests pass a plain object.
 */

/** The emulator endpoints the official clients use; absent = the real service. */
export interface EmulatorHosts {
  /** `host:port`, read by @google-cloud/pubsub from PUBSUB_EMULATOR_HOST. */
  pubsub?: string;
  /** `host:port`, read by the Firestore client from FIRESTORE_EMULATOR_HOST. */
  firestore?: string;
  /** `host:port`, read by firebase-admin's Auth from FIREBASE_AUTH_EMULATOR_HOST. */
  auth?: string;
  /** The Storage client's `apiEndpoint` (`http://host:port`), from STORAGE_EMULATOR_HOST. */
  storage?: string;
  /** The BigQuery client's `apiEndpoint` (`http://host:port`), from BIGQUERY_EMULATOR_HOST. */
  bigquery?: string;
  /**
   * `host:port` of the emulator's gRPC port (Storage Write API), from
   * BIGQUERY_STORAGE_EMULATOR_HOST: the Storage Write client has no variable of its own.
   */
  bigqueryStorage?: string;
}

export interface Config {
  project: string;
  dataset: string;
  modelsBucket: string;
  ratingsTopic: string;
  deadLetterTopic: string;
  retrainTopic: string;
  /** Where the publish step sends republish shards (one message per slice of users/movies). */
  republishTopic: string;
  /** Where republish shards go after their push subscription's last attempt. */
  republishDeadLetterTopic: string;
  /** People per republish shard. */
  republishUsersPerShard: number;
  /** Published versions older than the serving one kept for rollback; older ones are pruned. */
  rollbackTargets: number;
  /** Above this many current ratings a retrain trains on Spark, when a Spark trainer is wired. */
  sparkAboveRatings: number;
  /** Origins allowed to call the api function from a browser (exact match, no trailing slash). */
  allowedOrigins: readonly string[];
  rateLimitPerMinute: number;
  topN: number;
  /** How much worse (absolute, on the retrain's held-out metric) a new model may be. */
  retrainMaxRegression: number;
  /** Every model hyper-parameter: the defaults with REEL_MODEL_CONFIG's overrides applied. */
  modelConfig: ModelConfig;
  /** How often (at most) an instance re-reads the model pointer, in seconds; 0 = every event. */
  modelRecheckSeconds: number;
  emulators: EmulatorHosts;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Every problem found in the environment, one line each, naming the variable and the fix. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const RESOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const DATASET_NAME = /^[A-Za-z0-9_]{1,1024}$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

/** Reads and validates the configuration; throws one ConfigError listing every problem. */
export function parseConfig(env: Env): Config {
  const problems: string[] = [];
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const required = (name: string, what: string): string => {
    const value = read(name);
    if (value === undefined) problems.push(`${name} is not set: set it to ${what}`);
    return value ?? '';
  };

  const matching = (name: string, fallback: string, pattern: RegExp, what: string): string => {
    const value = read(name) ?? fallback;
    if (!pattern.test(value)) problems.push(`${name}="${value}" is not ${what}`);
    return value;
  };

  const number = (
    name: string,
    fallback: number,
    check: (value: number) => boolean,
    what: string,
  ): number => {
    const text = read(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || !check(value)) {
      problems.push(`${name}="${text}" must be ${what}`);
      return fallback;
    }
    return value;
  };

  const project = required('GOOGLE_CLOUD_PROJECT', 'the Google Cloud project id');
  const dataset = matching(
    'REEL_DATASET',
    'reel',
    DATASET_NAME,
    'a BigQuery dataset name (letters, digits, "_")',
  );
  const modelsBucket = required(
    'REEL_MODELS_BUCKET',
    'the Cloud Storage bucket holding models/ (Terraform output; the local stack prints it)',
  );
  if (modelsBucket && !/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(modelsBucket)) {
    problems.push(
      `REEL_MODELS_BUCKET="${modelsBucket}" is not a bucket name (lowercase, no gs://)`,
    );
  }
  const topic = (name: string, fallback: string) =>
    matching(name, fallback, RESOURCE_NAME, 'a Pub/Sub topic name');
  const ratingsTopic = topic('REEL_RATINGS_TOPIC', 'ratings');
  const deadLetterTopic = topic('REEL_DEAD_LETTER_TOPIC', 'ratings-dead-letter');
  const retrainTopic = topic('REEL_RETRAIN_TOPIC', 'retrain');
  const republishTopic = topic('REEL_REPUBLISH_TOPIC', 'republish');
  const republishDeadLetterTopic = topic(
    'REEL_REPUBLISH_DEAD_LETTER_TOPIC',
    'republish-dead-letter',
  );
  const republishUsersPerShard = number(
    'REEL_REPUBLISH_USERS_PER_SHARD',
    250,
    (value) => Number.isInteger(value) && value >= 1 && value <= 5000,
    'an integer from 1 to 5000 (people per republish shard; see docs/capacity.md)',
  );
  const rollbackTargets = number(
    'REEL_ROLLBACK_TARGETS',
    3,
    (value) => Number.isInteger(value) && value >= 0 && value <= 100,
    'an integer from 0 to 100 (older model versions kept for rollback)',
  );
  const sparkAboveRatings = number(
    'REEL_SPARK_ABOVE_RATINGS',
    20_000_000,
    (value) => Number.isInteger(value) && value >= 0,
    'a non-negative integer (current ratings above which a retrain trains on Spark)',
  );

  const allowedOrigins = (read('REEL_ALLOWED_ORIGINS') ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of allowedOrigins) {
    if (!isOrigin(origin)) {
      problems.push(
        `REEL_ALLOWED_ORIGINS has "${origin}", which is not an origin: write scheme://host[:port] with no path or trailing slash, comma-separated`,
      );
    }
  }

  const rateLimitPerMinute = number(
    'REEL_RATE_LIMIT_PER_MINUTE',
    60,
    (value) => Number.isInteger(value) && value > 0,
    'a positive integer (ratings per user per minute)',
  );
  const topN = number(
    'REEL_TOP_N',
    20,
    (value) => Number.isInteger(value) && value >= 1 && value <= 500,
    'an integer from 1 to 500',
  );
  const retrainMaxRegression = number(
    'REEL_RETRAIN_MAX_REGRESSION',
    0.005,
    (value) => value >= 0 && value < 1,
    'a number ≥ 0 and < 1 (how much a new model may lose on the held-out metric)',
  );

  const modelRecheckSeconds = number(
    'REEL_MODEL_RECHECK_SECONDS',
    30,
    (value) => value >= 0 && value <= 3600,
    'a number of seconds from 0 to 3600 (how often an instance looks for a new model)',
  );
  const modelConfig = parseModelConfigOverrides(read('REEL_MODEL_CONFIG'), problems);
  const emulators = parseEmulators(read, problems);
  if (project.startsWith('demo-')) {
    // A demo- project exists only on emulators: a client without its emulator variable would
    // try the real service with a project that cannot exist there.
    const missing = EMULATOR_VARIABLES.filter(([, key]) => emulators[key] === undefined);
    if (missing.length > 0) {
      problems.push(
        `GOOGLE_CLOUD_PROJECT="${project}" is a demo project, which exists only on emulators, but ${missing.map(([name]) => name).join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set: start the local stack (npm start) and use the variables it prints`,
      );
    }
  }

  if (emulators.auth !== undefined && project !== '' && !project.startsWith('demo-')) {
    // firebase-admin accepts the Auth emulator's unsigned tokens whenever this variable is set:
    // against a real project anyone could claim any uid.
    problems.push(
      `FIREBASE_AUTH_EMULATOR_HOST is set but GOOGLE_CLOUD_PROJECT="${project}" is not a demo- project: ID tokens would go unverified. Unset FIREBASE_AUTH_EMULATOR_HOST for a real project, or use a project id starting with "demo-" on the emulators`,
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    project,
    dataset,
    modelsBucket,
    ratingsTopic,
    deadLetterTopic,
    retrainTopic,
    republishTopic,
    republishDeadLetterTopic,
    republishUsersPerShard,
    rollbackTargets,
    sparkAboveRatings,
    allowedOrigins,
    rateLimitPerMinute,
    topN,
    retrainMaxRegression,
    modelConfig,
    modelRecheckSeconds,
    emulators,
  };
}

/** REEL_MODEL_CONFIG: JSON overrides of the model defaults, validated by the model's schema. */
function parseModelConfigOverrides(text: string | undefined, problems: string[]): ModelConfig {
  if (text === undefined) return resolveModelConfig();
  let overrides: unknown;
  try {
    overrides = JSON.parse(text);
  } catch (error) {
    problems.push(
      `REEL_MODEL_CONFIG is not JSON (${(error as Error).message}): write e.g. {"ranking":{"factors":32}}`,
    );
    return resolveModelConfig();
  }
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    problems.push('REEL_MODEL_CONFIG must be a JSON object such as {"ranking":{"factors":32}}');
    return resolveModelConfig();
  }
  const unknown = Object.keys(overrides).filter(
    (key) => !['explicit', 'ranking', 'popularity', 'genres'].includes(key),
  );
  if (unknown.length > 0) {
    problems.push(
      `REEL_MODEL_CONFIG has unknown part(s) ${unknown.map((key) => `"${key}"`).join(', ')}: use "explicit", "ranking", "popularity" or "genres"`,
    );
    return resolveModelConfig();
  }
  try {
    return resolveModelConfig(overrides as ModelConfigOverrides);
  } catch (error) {
    problems.push(`REEL_MODEL_CONFIG: ${(error as Error).message}`);
    return resolveModelConfig();
  }
}

const EMULATOR_VARIABLES = [
  ['PUBSUB_EMULATOR_HOST', 'pubsub'],
  ['FIRESTORE_EMULATOR_HOST', 'firestore'],
  ['FIREBASE_AUTH_EMULATOR_HOST', 'auth'],
  ['STORAGE_EMULATOR_HOST', 'storage'],
  ['BIGQUERY_EMULATOR_HOST', 'bigquery'],
  ['BIGQUERY_STORAGE_EMULATOR_HOST', 'bigqueryStorage'],
] as const satisfies readonly (readonly [string, keyof EmulatorHosts])[];

const HOST_PORT_VARIABLES = [
  ['PUBSUB_EMULATOR_HOST', 'pubsub'],
  ['FIRESTORE_EMULATOR_HOST', 'firestore'],
  ['FIREBASE_AUTH_EMULATOR_HOST', 'auth'],
  ['BIGQUERY_STORAGE_EMULATOR_HOST', 'bigqueryStorage'],
] as const;

function parseEmulators(read: (name: string) => string | undefined, problems: string[]) {
  const emulators: EmulatorHosts = {};
  for (const [name, key] of HOST_PORT_VARIABLES) {
    const value = read(name);
    if (value === undefined) continue;
    if (HOST_PORT.test(value)) emulators[key] = value;
    else problems.push(`${name}="${value}" must be host:port, e.g. 127.0.0.1:8085 (no scheme)`);
  }
  // @google-cloud/storage and @google-cloud/bigquery read their variables themselves and use
  // them verbatim as the API's base URL, so only the form with the API path works; the clients
  // get the origin as apiEndpoint (see adapters/cloud-clients.ts).
  const storage = read('STORAGE_EMULATOR_HOST');
  if (storage !== undefined) {
    const match = /^(https?:\/\/[^/]+)\/storage\/v1\/?$/.exec(storage);
    if (match) emulators.storage = match[1];
    else {
      problems.push(
        `STORAGE_EMULATOR_HOST="${storage}" must be the emulator's API base URL, e.g. http://127.0.0.1:4443/storage/v1 (the Storage client uses it verbatim)`,
      );
    }
  }
  const bigquery = read('BIGQUERY_EMULATOR_HOST');
  if (bigquery !== undefined) {
    const match = /^(https?:\/\/[^/]+)\/bigquery\/v2\/?$/.exec(bigquery);
    if (match) emulators.bigquery = match[1];
    else {
      problems.push(
        `BIGQUERY_EMULATOR_HOST="${bigquery}" must be the emulator's API base URL, e.g. http://127.0.0.1:9050/bigquery/v2 (the BigQuery client uses it verbatim)`,
      );
    }
  }
  return emulators;
}

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}
