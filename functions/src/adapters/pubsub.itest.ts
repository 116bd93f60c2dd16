import { randomUUID } from 'node:crypto';
import type { Message, Subscription, Topic } from '@google-cloud/pubsub';
import { testClients, testConfig } from '@reel/testing/clients';
import { afterAll, describe, expect, it } from 'vitest';
import { RATING_EVENT_SCHEMA, type RatingEvent } from '../contracts/rating-event.js';
import {
  createPublishers,
  publishDeadLetter,
  publishRatingEvent,
  publishRetrainRequest,
} from './pubsub.js';

const config = testConfig();
const { pubsub, close } = testClients(config);
const publishers = createPublishers(pubsub, config);
afterAll(close);

/** A fresh subscription, created before publishing so it sees the messages. */
async function subscribe(topic: Topic, ordered = false): Promise<Subscription> {
  const [subscription] = await topic.createSubscription(`itest-${randomUUID()}`, {
    enableMessageOrdering: ordered,
  });
  return subscription;
}

function receive(
  subscription: Subscription,
  count: number,
  timeoutMs = 10_000,
): Promise<Message[]> {
  return new Promise((resolve, reject) => {
    const messages: Message[] = [];
    const timer = setTimeout(() => {
      void subscription.close();
      reject(new Error(`received ${messages.length} of ${count} messages in ${timeoutMs} ms`));
    }, timeoutMs);
    subscription.on('message', (message: Message) => {
      message.ack();
      messages.push(message);
      if (messages.length === count) {
        clearTimeout(timer);
        void subscription.close().then(() => resolve(messages));
      }
    });
    subscription.on('error', reject);
  });
}

describe('Pub/Sub adapter (against the Pub/Sub emulator)', () => {
  it('publishes rating events as JSON with eventId and schema attributes, ordered per user', async () => {
    const subscription = await subscribe(publishers.ratings, true);
    const userId = `u-${randomUUID()}`;
    const events: RatingEvent[] = Array.from({ length: 5 }, (_, n) => ({
      eventId: randomUUID(),
      userId,
      movieId: n + 1,
      rating: 3,
      ratedAt: `2026-11-23T10:00:0${n}Z`,
      source: 'site',
    }));
    const received = receive(subscription, events.length);
    for (const event of events) await publishRatingEvent(publishers.ratings, event);
    const messages = await received;

    expect(messages.map((message) => JSON.parse(message.data.toString()))).toEqual(events);
    expect(messages.map((message) => message.attributes)).toEqual(
      events.map((event) => ({ eventId: event.eventId, schema: RATING_EVENT_SCHEMA })),
    );
    expect(messages.map((message) => message.orderingKey)).toEqual(events.map(() => userId));
  });

  it('dead-letters a message with its reason, original data and attributes', async () => {
    const subscription = await subscribe(publishers.deadLetter);
    const received = receive(subscription, 1);
    await publishDeadLetter(publishers.deadLetter, {
      reason: 'movieId: must be an integer',
      data: new TextEncoder().encode('{"movieId":1.5}'),
      attributes: { eventId: 'e-1', schema: RATING_EVENT_SCHEMA },
      messageId: '42',
    });
    const [message] = await received;
    expect(message!.data.toString()).toBe('{"movieId":1.5}');
    expect(message!.attributes).toMatchObject({
      eventId: 'e-1',
      schema: RATING_EVENT_SCHEMA,
      deadLetterReason: 'movieId: must be an integer',
      originalMessageId: '42',
    });
    expect(Date.parse(message!.attributes.deadLetteredAt!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('keeps dead letters on the provisioned pull subscription', async () => {
    const [exists] = await pubsub.subscription(config.deadLetterTopic).exists();
    expect(exists).toBe(true);
  });

  it('publishes a retrain request the way Cloud Scheduler would', async () => {
    const subscription = await subscribe(publishers.retrain);
    const received = receive(subscription, 1);
    await publishRetrainRequest(publishers.retrain, 'itest');
    const [message] = await received;
    expect(JSON.parse(message!.data.toString())).toMatchObject({ requestedBy: 'itest' });
  });
});
