import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { Config } from '../config.js';
import { RATING_EVENT_SCHEMA, type RatingEvent } from '../contracts/rating-event.js';
import type { RepublishShard } from '../usecases/ports.js';

/** The three topics the functions publish to, each created once per instance. */
export interface Publishers {
  ratings: Topic;
  deadLetter: Topic;
  retrain: Topic;
  republish: Topic;
}

export function createPublishers(pubsub: PubSub, config: Config): Publishers {
  return {
    // Ordering by user keeps one user's events in order through the ingest function.
    ratings: pubsub.topic(config.ratingsTopic, { messageOrdering: true }),
    deadLetter: pubsub.topic(config.deadLetterTopic),
    retrain: pubsub.topic(config.retrainTopic),
    // A fan-out publishes thousands of shards at once: batch them into few requests.
    republish: pubsub.topic(config.republishTopic, {
      batching: { maxMessages: 100, maxMilliseconds: 20 },
    }),
  };
}

/** A rating event as a message of topic `ratings`: its JSON, its eventId and schema as attributes. */
export function ratingEventMessage(event: RatingEvent): {
  data: Buffer;
  attributes: Record<string, string>;
} {
  return {
    data: Buffer.from(JSON.stringify(event)),
    attributes: { eventId: event.eventId, schema: RATING_EVENT_SCHEMA },
  };
}

/** Publishes a rating event (ordering key = userId); resolves to the Pub/Sub message id. */
export async function publishRatingEvent(topic: Topic, event: RatingEvent): Promise<string> {
  try {
    return await topic.publishMessage({ ...ratingEventMessage(event), orderingKey: event.userId });
  } catch (error) {
    // After a failed publish the client pauses that ordering key until told to resume;
    // without this, every later rating of the user would fail too.
    topic.resumePublishing(event.userId);
    throw error;
  }
}

export interface DeadLetter {
  /** Why the message cannot be processed, for a person reading the dead-letter topic. */
  reason: string;
  /** The original message data, unchanged. */
  data: Uint8Array;
  /** The original message attributes. */
  attributes?: Record<string, string>;
  /** The original message id, if known. */
  messageId?: string;
}

/** Publishes an unprocessable message to the dead-letter topic with the reason as attributes. */
export async function publishDeadLetter(topic: Topic, letter: DeadLetter): Promise<string> {
  return topic.publishMessage({
    data: Buffer.from(letter.data),
    attributes: {
      ...letter.attributes,
      deadLetterReason: letter.reason,
      deadLetteredAt: new Date().toISOString(),
      ...(letter.messageId && { originalMessageId: letter.messageId }),
    },
  });
}

export interface RetrainRequest {
  /** Who asked: "scheduler", "cli", a test name. */
  requestedBy: string;
  requestedAt: string;
}

/** Asks for a retrain the way Cloud Scheduler does: a JSON message on the retrain topic. */
export async function publishRetrainRequest(topic: Topic, requestedBy: string): Promise<string> {
  const request: RetrainRequest = { requestedBy, requestedAt: new Date().toISOString() };
  return topic.publishMessage({ json: request });
}

/** Publishes republish shards (JSON, one message each) and waits until Pub/Sub has them all. */
export async function publishRepublishShards(
  topic: Topic,
  shards: readonly RepublishShard[],
): Promise<void> {
  await Promise.all(
    shards.map((shard) =>
      topic.publishMessage({
        json: shard,
        attributes: { version: shard.version, serial: String(shard.serial), kind: shard.kind },
      }),
    ),
  );
}
