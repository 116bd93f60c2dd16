import { describe, expect, it } from 'vitest';
import { type HeldLetter, type RedrivePorts, redriveDeadLetters } from './redrive-dead-letters.js';

/** A dead-letter subscription in memory: a pulled message is leased until acked or kept. */
function heldLetters(messages: { data: string; attributes: Record<string, string> }[]) {
  const held = messages.map((message, n) => ({ ...message, id: String(n) }));
  const leased = new Set<string>();
  const published: { data: string; attributes: Record<string, string>; key: string }[] = [];
  const ports: RedrivePorts = {
    async pull(max) {
      const free = held.filter((message) => !leased.has(message.id)).slice(0, max);
      for (const message of free) leased.add(message.id);
      return free.map(
        (message): HeldLetter => ({
          id: message.id,
          data: new TextEncoder().encode(message.data),
          attributes: message.attributes,
          ack: () => held.splice(held.indexOf(message), 1),
          keep: () => leased.delete(message.id),
        }),
      );
    },
    async publish(data, attributes, key) {
      published.push({ data: new TextDecoder().decode(data), attributes, key });
    },
  };
  return { ports, held, published };
}

describe('redriveDeadLetters', () => {
  it('publishes what Pub/Sub gave up on back to ratings, keyed by user, and keeps refusals', async () => {
    const event = JSON.stringify({ eventId: 'e1', userId: 'alice', movieId: 1 });
    const { ports, held, published } = heldLetters([
      {
        data: event,
        attributes: {
          eventId: 'e1',
          schema: 'reel.rating-event.v1',
          CloudPubSubDeadLetterSourceDeliveryCount: '5',
          CloudPubSubDeadLetterSourceSubscription: 'ratings-ingest',
        },
      },
      { data: '{"movieId": 1,', attributes: { deadLetterReason: 'message is not JSON' } },
      { data: event, attributes: { eventId: 'e1', deadLetterReason: 'movieId: 1 is not…' } },
      { data: 'not JSON and no reason', attributes: {} },
    ]);
    expect(await redriveDeadLetters(ports, { batch: 2 })).toEqual({ redriven: 1, kept: 3 });
    expect(published).toEqual([
      { data: event, attributes: { eventId: 'e1', schema: 'reel.rating-event.v1' }, key: 'alice' },
    ]);
    expect(held.map((message) => message.id)).toEqual(['1', '2', '3']);
    expect(await redriveDeadLetters(ports, { batch: 2 })).toEqual({ redriven: 0, kept: 3 });
  });

  it('does nothing on an empty subscription', async () => {
    expect(await redriveDeadLetters(heldLetters([]).ports)).toEqual({ redriven: 0, kept: 0 });
  });
});
