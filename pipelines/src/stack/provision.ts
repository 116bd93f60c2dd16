import type { BigQuery } from '@google-cloud/bigquery';
import type { PubSub } from '@google-cloud/pubsub';
import { type Clients, CURRENT_RATINGS_VIEW, type DatasetRef } from '@reel/functions/adapters';
import type { Config } from '@reel/functions/config';
import { renderSql } from '../sql/sql-files.js';
import { MODEL_STAGED_TOPIC } from './spark.js';

const ALREADY_EXISTS = 6;
const CONFLICT = 409;

async function ignoreExisting(create: Promise<unknown>): Promise<void> {
  try {
    await create;
  } catch (error) {
    const code = (error as { code?: number }).code;
    if (code !== ALREADY_EXISTS && code !== CONFLICT) throw error;
  }
}

/**
 * Creates what the functions expect to exist, the same on every start (idempotent): the
 * topics, a pull subscription that keeps dead letters for a person (or a test) to read, the
 * BigQuery dataset with the table and view from the same .sql files Terraform uses, and the
 * models bucket.
 */
export async function provisionResources(
  clients: Clients,
  config: Config,
  progress: (message: string) => void = () => {},
): Promise<void> {
  const topics = [
    config.ratingsTopic,
    config.retrainTopic,
    config.deadLetterTopic,
    config.republishTopic,
    config.republishDeadLetterTopic,
    MODEL_STAGED_TOPIC,
  ];
  const deadLetters = [config.deadLetterTopic, config.republishDeadLetterTopic];
  await provisionTopics(clients.pubsub, topics, deadLetters);
  progress(`Pub/Sub topics ${topics.join(', ')}; pull subscriptions ${deadLetters.join(', ')}`);
  await provisionBigQuery(clients.bigquery, config);
  progress(`BigQuery dataset ${config.dataset}: table rating_events, view ${CURRENT_RATINGS_VIEW}`);
  await ignoreExisting(clients.storage.createBucket(config.modelsBucket));
  progress(`Cloud Storage bucket ${config.modelsBucket}`);
}

export async function provisionTopics(
  pubsub: PubSub,
  topics: readonly string[],
  deadLetterTopics: string | readonly string[],
): Promise<void> {
  await Promise.all(topics.map((topic) => ignoreExisting(pubsub.createTopic(topic))));
  // A topic keeps no messages without a subscription; these hold them for inspection.
  for (const deadLetterTopic of typeof deadLetterTopics === 'string'
    ? [deadLetterTopics]
    : deadLetterTopics) {
    await ignoreExisting(
      pubsub.topic(deadLetterTopic).createSubscription(deadLetterTopic, {
        messageRetentionDuration: { seconds: 7 * 24 * 3600 },
      }),
    );
  }
}

/** The dataset, then rating_events.sql and deletions.sql (CREATE TABLE IF NOT EXISTS) and the view. */
export async function provisionBigQuery(bigquery: BigQuery, ref: DatasetRef): Promise<void> {
  await ignoreExisting(bigquery.createDataset(ref.dataset));
  const sqlVariables = { project: ref.project, dataset: ref.dataset };
  await bigquery.query(renderSql('rating_events', sqlVariables));
  await bigquery.query(renderSql('deletions', sqlVariables));
  // Replaced every time, so an edited current_ratings.sql takes effect on the next start.
  await bigquery.query(
    `CREATE OR REPLACE VIEW \`${ref.project}.${ref.dataset}.${CURRENT_RATINGS_VIEW}\` AS\n${renderSql('current_ratings', sqlVariables)}`,
  );
}

export interface PushSubscription {
  /** Subscription name, e.g. "ingest-rating". */
  name: string;
  topic: string;
  /** Where Pub/Sub POSTs each message (a local functions-framework server). */
  pushEndpoint: string;
  /** Deliver a user's messages in publish order (the ratings topic publishes with keys). */
  ordered: boolean;
  ackDeadlineSeconds: number;
  /** Redelivery backoff after a failed (non-2xx) push. */
  minimumBackoffSeconds: number;
  maximumBackoffSeconds: number;
  /** After `maxDeliveryAttempts` failed deliveries the message goes to `topic`; absent = never. */
  deadLetter?: { topic: string; maxDeliveryAttempts: number };
}

/**
 * A CloudEvent function served by functions-framework takes Pub/Sub pushes at a path that
 * names the topic (it builds the CloudEvent's source from it).
 */
export function localPushEndpoint(functionUrl: string, project: string, topic: string): string {
  return `${functionUrl.replace(/\/$/, '')}/projects/${project}/topics/${topic}`;
}

/** Creates (or recreates, if settings changed) push subscriptions to the local functions. */
export async function provisionPushSubscriptions(
  pubsub: PubSub,
  project: string,
  subscriptions: readonly PushSubscription[],
): Promise<void> {
  for (const spec of subscriptions) {
    const subscription = pubsub.subscription(spec.name);
    const [exists] = await subscription.exists();
    // The emulator keeps nothing across restarts, but within one it may hold older settings.
    if (exists) await subscription.delete();
    await pubsub.topic(spec.topic).createSubscription(spec.name, {
      pushConfig: { pushEndpoint: spec.pushEndpoint },
      ackDeadlineSeconds: spec.ackDeadlineSeconds,
      enableMessageOrdering: spec.ordered,
      retryPolicy: {
        minimumBackoff: duration(spec.minimumBackoffSeconds),
        maximumBackoff: duration(spec.maximumBackoffSeconds),
      },
      ...(spec.deadLetter && {
        deadLetterPolicy: {
          deadLetterTopic: `projects/${project}/topics/${spec.deadLetter.topic}`,
          maxDeliveryAttempts: spec.deadLetter.maxDeliveryAttempts,
        },
      }),
    });
  }
}

function duration(seconds: number): { seconds: number; nanos: number } {
  const whole = Math.floor(seconds);
  return { seconds: whole, nanos: Math.round((seconds - whole) * 1e9) };
}
