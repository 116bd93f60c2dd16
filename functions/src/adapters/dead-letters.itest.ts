import { randomUUID } from 'node:crypto';
import type { Message } from '@google-cloud/pubsub';
import { testClients } from '@reel/testing/clients';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../testing/until.js';
import { redriveDeadLetters } from '../usecases/redrive-dead-letters.js';
import { createDeadLetterRedrive } from './dead-letters.js';

const { pubsub, close } = testClients();
afterAll(close);

describe('the dead-letter redrive (against the Pub/Sub emulator)', () => {
  it('publishes what Pub/Sub gave up on to ratings, ordered by user, and keeps refusals', async () => {
    const run = randomUUID();
    const [deadLetterTopic] = await pubsub.createTopic(`itest-dead-${run}`);
    const [held] = await deadLetterTopic.createSubscription(`itest-dead-${run}`);
    const [ratings] = await pubsub.createTopic(`itest-ratings-${run}`);
    const [received] = await ratings.createSubscription(`itest-ratings-${run}`, {
      enableMessageOrdering: true,
    });
    const messages: Message[] = [];
    received.on('message', (message: Message) => {
      message.ack();
      messages.push(message);
    });
    const event = JSON.stringify({ eventId: randomUUID(), userId: 'alice', movieId: 1 });
    await deadLetterTopic.publishMessage({
      data: Buffer.from(event),
      attributes: { eventId: 'e1', CloudPubSubDeadLetterSourceDeliveryCount: '5' },
    });
    await deadLetterTopic.publishMessage({
      data: Buffer.from('{"movieId": 1,'),
      attributes: { eventId: 'e2', deadLetterReason: 'message is not JSON' },
    });

    const redrive = () =>
      createDeadLetterRedrive(pubsub, {
        subscription: held.name,
        ratings: pubsub.topic(ratings.name, { messageOrdering: true }),
        idleMs: 1_500,
      });
    const first = redrive();
    try {
      expect(await redriveDeadLetters(first)).toEqual({ redriven: 1, kept: 1 });
    } finally {
      await first.close();
    }
    const [message] = await until(() => (messages.length > 0 ? messages : undefined));
    expect(message!.data.toString()).toBe(event);
    expect(message!.attributes).toEqual({ eventId: 'e1' });
    expect(message!.orderingKey).toBe('alice');

    const second = redrive();
    try {
      expect(await redriveDeadLetters(second)).toEqual({ redriven: 0, kept: 1 });
    } finally {
      await second.close();
      await received.close();
    }
  });
});
