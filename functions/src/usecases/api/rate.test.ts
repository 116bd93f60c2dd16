import { describe, expect, it } from 'vitest';
import { inMemoryApiPorts } from '../../testing/api-ports.js';
import { Refusal } from './errors.js';
import { rateMovie } from './rate.js';

describe('rateMovie', () => {
  it('publishes the event with a new eventId, the server time and the caller as the person', async () => {
    const { ports, published } = await inMemoryApiPorts();
    const event = await rateMovie(ports, 'alice', { movieId: 3, rating: 4.5 });
    expect(event).toEqual({
      eventId: '3b1f8a52-5d43-4f3e-9a51-2f0c1d7e9b10',
      userId: 'alice',
      movieId: 3,
      rating: 4.5,
      ratedAt: '2026-12-06T12:00:00.000Z',
      source: 'site',
    });
    expect(published).toEqual([event]);
  });

  it("keeps a retry's eventId and ratedAt, and withdraws with rating null", async () => {
    const { ports, published } = await inMemoryApiPorts();
    const eventId = '0e6c2f1a-9d3b-4c8e-8f7a-1b2c3d4e5f60';
    await rateMovie(ports, 'bob', {
      eventId,
      movieId: 4,
      rating: null,
      ratedAt: '2026-12-06T11:59:00.000Z',
    });
    expect(published.map((event) => [event.eventId, event.rating, event.ratedAt])).toEqual([
      [eventId, null, '2026-12-06T11:59:00.000Z'],
    ]);
  });

  it('refuses a movie the catalogue does not hold, and stars off the scale, publishing nothing', async () => {
    const { ports, published } = await inMemoryApiPorts();
    await expect(rateMovie(ports, 'carol', { movieId: 99_999, rating: 4 })).rejects.toMatchObject({
      kind: 'invalid',
      message: 'movieId: 99999 is not in the catalogue',
    });
    const offScale = await rateMovie(ports, 'carol', { movieId: 3, rating: 6 }).catch(
      (error: unknown) => error,
    );
    expect(offScale).toBeInstanceOf(Refusal);
    expect((offScale as Refusal).kind).toBe('invalid');
    expect((offScale as Refusal).message).toMatch(/^rating: /);
    expect(published).toEqual([]);
  });

  it('answers unavailable when the event cannot be queued, so the client retries with its eventId', async () => {
    const { ports } = await inMemoryApiPorts();
    const failing = {
      ...ports,
      publish: async () => {
        throw new Error('pubsub down');
      },
    };
    await expect(rateMovie(failing, 'dave', { movieId: 3, rating: 4 })).rejects.toMatchObject({
      kind: 'unavailable',
      message: 'the rating could not be queued; retry with the same eventId',
    });
  });
});
