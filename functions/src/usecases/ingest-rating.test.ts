import { beforeAll, describe, expect, it } from 'vitest';
import type { ApplyResult } from '../adapters/firestore.js';
import type { ModelState } from '../adapters/models.js';
import type { DeadLetter } from '../adapters/pubsub.js';
import type { RecommendationsDocument } from '../contracts/firestore-documents.js';
import type { RatingEvent } from '../contracts/rating-event.js';
import { createLogger } from '../logging/logger.js';
import type { PushedMessage } from '../messages/pushed-message.js';
import { mulberry32, type Ratings, Recommender, trainModelSet } from '../model/index.js';
import { applyRating, epochMicros } from '../ratings/last-write-wins.js';
import { MAX_RATINGS_PER_USER, UserRatings } from '../ratings/user-ratings.js';
import { SMALL_MODEL_CONFIG, tasteRatings } from '../testing/fixtures.js';
import { type IngestPorts, type IngestRatingDeps, ingestRating } from './ingest-rating.js';

/**
 * The ports in memory: `users` is Firestore's users/{uid}.ratings, `rows` BigQuery's
 * rating_events (every appended row, as the emulator keeps them). `failures` makes the next
 * calls of a port throw, and `lostAck` makes Firestore commit and then throw (the commit's
 * answer lost on the way back).
 */
/** What makes two rows one event delivered twice: the same user, key and content. */
const rowIdentity = (event: RatingEvent) =>
  JSON.stringify([
    event.userId,
    event.eventId.toLowerCase(),
    event.movieId,
    event.rating,
    epochMicros(event.ratedAt),
  ]);

class MemoryPorts implements IngestPorts {
  users = new Map<string, UserRatings>();
  recommendations = new Map<string, RecommendationsDocument>();
  /** Appended rows, each with the identity the readers count an event by (see rowIdentity). */
  rows: { identity: string; event: RatingEvent }[] = [];
  letters: DeadLetter[] = [];
  failures = { firestore: 0, bigquery: 0, lostAck: 0 };

  constructor(private readonly state: ModelState) {}

  async currentModel(): Promise<ModelState> {
    return this.state;
  }

  async applyRating(
    event: RatingEvent,
    derive?: Parameters<IngestPorts['applyRating']>[1],
  ): Promise<ApplyResult> {
    if (this.failures.firestore > 0) {
      this.failures.firestore -= 1;
      throw new Error('Firestore unavailable');
    }
    const { decision, ratings } = applyRating(
      this.users.get(event.userId) ?? UserRatings.empty,
      event,
    );
    if (decision === 'applied') {
      this.users.set(event.userId, ratings);
      const derived = derive?.(ratings);
      if (derived) this.recommendations.set(event.userId, derived.recommendations);
    }
    if (this.failures.lostAck > 0) {
      this.failures.lostAck -= 1;
      throw new Error('Firestore commit answer lost');
    }
    return { decision, ratings };
  }

  async appendEvent(event: RatingEvent): Promise<void> {
    if (this.failures.bigquery > 0) {
      this.failures.bigquery -= 1;
      throw new Error('BigQuery unavailable');
    }
    this.rows.push({ identity: rowIdentity(event), event });
  }

  async deadLetter(letter: DeadLetter): Promise<void> {
    this.letters.push(letter);
  }

  /**
   * BigQuery's current_ratings view over `rows`, written as its SQL says (ORDER BY ratedAt
   * DESC, SUBSTR(LOWER(eventId), 29) DESC, rating DESC NULLS LAST), withdrawn ones kept here
   * to compare with Firestore's tombstones.
   */
  view(uid: string): Map<number, number | null> {
    const latest = new Map<number, RatingEvent>();
    const key = (e: RatingEvent) =>
      [epochMicros(e.ratedAt), e.eventId.toLowerCase().slice(28), e.rating ?? -1] as const;
    for (const { event } of this.rows) {
      if (event.userId !== uid) continue;
      const current = latest.get(event.movieId);
      if (current === undefined) {
        latest.set(event.movieId, event);
        continue;
      }
      const [a, b] = [key(event), key(current)];
      const newer = a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] > b[2];
      if (newer) latest.set(event.movieId, event);
    }
    return new Map([...latest].map(([movieId, event]) => [movieId, event.rating]));
  }

  firestoreView(uid: string): Map<number, number | null> {
    const ratings = this.users.get(uid) ?? UserRatings.empty;
    return new Map(Array.from(ratings, (entry) => [entry.movieId, entry.rating]));
  }
}

let model: ModelState;
const CATALOGUE = new Set(Array.from({ length: 60 }, (_, n) => n + 1));

beforeAll(async () => {
  const fixture = tasteRatings({ users: 30, movies: 40, perUser: 10 });
  const itemIds = Int32Array.from(new Set(fixture.map((r) => r.movieId))).sort();
  const row = new Map(Array.from(itemIds, (id, n) => [id, n]));
  const ratings: Ratings = {
    userCount: 30,
    itemCount: itemIds.length,
    user: Int32Array.from(fixture, (r) => r.user),
    item: Int32Array.from(fixture, (r) => row.get(r.movieId)!),
    value: Float32Array.from(fixture, (r) => r.rating),
    timestamp: Float64Array.from(fixture, (r) => r.ratedAt),
  };
  const set = await trainModelSet(ratings, itemIds, SMALL_MODEL_CONFIG, { random: mulberry32(3) });
  model = {
    kind: 'model',
    model: { version: 'v1', recommender: new Recommender(set), movies: CATALOGUE },
  };
});

const deps = (ports: MemoryPorts): IngestRatingDeps =>
  Object.assign(ports, { topN: 5, log: createLogger(() => {}) });

let sequence = 0;
const rating = (overrides: Partial<RatingEvent> = {}): RatingEvent => {
  sequence += 1;
  return {
    eventId: `00000000-0000-4000-8000-${sequence.toString(16).padStart(12, '0')}`,
    userId: 'u1',
    movieId: 1,
    rating: 4,
    ratedAt: `2026-11-23T10:00:${String(sequence % 60).padStart(2, '0')}Z`,
    source: 'site',
    ...overrides,
  };
};

const message = (event: RatingEvent | string): PushedMessage => ({
  data: new TextEncoder().encode(typeof event === 'string' ? event : JSON.stringify(event)),
  attributes: typeof event === 'string' ? {} : { eventId: event.eventId },
  messageId: '1',
});

/** Pub/Sub: delivers the message again while the function throws, up to `attempts` times. */
async function deliver(ports: MemoryPorts, event: RatingEvent | string, attempts = 10) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ingestRating(deps(ports), message(event));
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

describe('ingestRating', () => {
  it('stores the rating, writes personal recommendations and appends the event', async () => {
    const ports = new MemoryPorts(model);
    const event = rating({ movieId: 1, rating: 5 });
    expect(await deliver(ports, event)).toEqual({ kind: 'applied', modelVersion: 'v1' });
    expect(ports.firestoreView('u1')).toEqual(new Map([[1, 5]]));
    expect(ports.rows.map((row) => row.event)).toEqual([event]);
    const recommendations = ports.recommendations.get('u1');
    expect(recommendations).toMatchObject({
      basis: 'personal',
      modelVersion: 'v1',
      ratingsCount: 1,
    });
    expect(recommendations?.items.map((item) => item.movieId)).not.toContain(1);
  });

  it('stores the rating without recommendations while no model is published', async () => {
    const ports = new MemoryPorts({ kind: 'none', catalogue: undefined });
    expect(await deliver(ports, rating({ movieId: 424_242 }))).toEqual({ kind: 'applied' });
    expect(ports.firestoreView('u1')).toEqual(new Map([[424_242, 4]]));
    expect(ports.recommendations.size).toBe(0);
    expect(ports.rows).toHaveLength(1);
  });

  it.each([
    ['not JSON', '{"movieId": 1,', /^message is not JSON: /],
    ['a rating out of range', { rating: 6 }, /^rating: must be at most 5$/],
    ['a movie not in the catalogue', { movieId: 999 }, /^movieId: 999 is not in the catalogue$/],
  ])('dead-letters %s and stores it nowhere', async (_what, change, reason) => {
    const ports = new MemoryPorts(model);
    const data = typeof change === 'string' ? change : JSON.stringify({ ...rating(), ...change });
    const outcome = await deliver(ports, data);
    expect(outcome.kind).toBe('dead-lettered');
    expect(ports.letters).toHaveLength(1);
    expect(ports.letters[0]!.reason).toMatch(reason);
    expect(new TextDecoder().decode(ports.letters[0]!.data)).toBe(data);
    expect(ports.users.size + ports.rows.length + ports.recommendations.size).toBe(0);
  });

  it('dead-letters a new movie of a person at the limit, stored in neither store', async () => {
    const ports = new MemoryPorts(model);
    ports.users.set(
      'u1',
      UserRatings.of(
        Array.from({ length: MAX_RATINGS_PER_USER }, (_, n) => ({
          movieId: 1_000_000 + n,
          rating: 3,
          ratedAtMicros: 0,
          eventTag: 0,
        })),
      ),
    );
    const outcome = await deliver(ports, rating({ movieId: 2 }));
    expect(outcome).toEqual({
      kind: 'dead-lettered',
      reason: `user u1 already holds ${MAX_RATINGS_PER_USER} ratings, the most one person can`,
    });
    expect(ports.rows).toHaveLength(0);
    expect(ports.users.get('u1')?.get(2)).toBeUndefined();
  });
});

describe('one outcome per event, whichever store fails, however often, in any order', () => {
  const failureOrders: [string, Partial<MemoryPorts['failures']>][] = [
    ['nothing fails', {}],
    ['Firestore fails once', { firestore: 1 }],
    ['Firestore fails four times', { firestore: 4 }],
    ['BigQuery fails once', { bigquery: 1 }],
    ['BigQuery fails four times', { bigquery: 4 }],
    ['Firestore commits but its answer is lost', { lostAck: 1 }],
    ['Firestore fails, then BigQuery', { firestore: 2, bigquery: 2 }],
    ['Firestore loses an answer, then BigQuery fails', { lostAck: 1, bigquery: 3 }],
  ];

  it.each(failureOrders)('%s: both stores hold the event, once', async (_what, failures) => {
    const ports = new MemoryPorts(model);
    Object.assign(ports.failures, failures);
    const event = rating({ movieId: 3, rating: 2.5 });
    expect((await deliver(ports, event)).kind).toMatch(/^(applied|duplicate)$/);
    expect(ports.firestoreView('u1')).toEqual(new Map([[3, 2.5]]));
    expect(ports.view('u1')).toEqual(ports.firestoreView('u1'));
    expect(new Set(ports.rows.map((row) => row.identity)).size).toBe(1);
    expect(ports.recommendations.get('u1')?.ratingsCount).toBe(1);
  });

  it('a delivery that runs out of attempts leaves the event in one store until it is delivered again', async () => {
    const ports = new MemoryPorts(model);
    ports.failures.bigquery = 5;
    const event = rating({ movieId: 4 });
    await expect(deliver(ports, event, 5)).rejects.toThrow('BigQuery unavailable');
    expect(ports.firestoreView('u1').get(4)).toBe(4);
    expect(ports.rows).toHaveLength(0);
    // The repair: the dead-lettered message delivered again (npm run redrive).
    expect(await deliver(ports, event)).toEqual({ kind: 'duplicate' });
    expect(ports.view('u1')).toEqual(ports.firestoreView('u1'));
  });

  it('reaches the same state for every delivery order of one person’s events, with failures between', async () => {
    const events = [
      rating({ movieId: 5, rating: 4, ratedAt: '2026-11-23T10:00:00Z' }),
      rating({ movieId: 5, rating: 1, ratedAt: '2026-11-23T10:00:01Z' }),
      rating({ movieId: 5, rating: null, ratedAt: '2026-11-23T10:00:02Z' }),
      rating({ movieId: 6, rating: 3, ratedAt: '2026-11-23T10:00:00Z' }),
      rating({ movieId: 6, rating: 5, ratedAt: '2026-11-23T10:00:00Z' }),
    ];
    const orders = permutations(events.length);
    const states = new Set<string>();
    for (const [n, order] of orders.entries()) {
      const ports = new MemoryPorts(model);
      for (const [step, index] of order.entries()) {
        // Fail one store or the other on some deliveries, depending on the order's number.
        if ((n + step) % 3 === 0) ports.failures.firestore = 1;
        if ((n + step) % 4 === 0) ports.failures.bigquery = 2;
        if ((n + step) % 5 === 0) ports.failures.lostAck = 1;
        await deliver(ports, events[index]!);
      }
      // A duplicate delivery of every event at the end changes nothing.
      for (const event of events) await deliver(ports, event);
      expect(ports.view('u1')).toEqual(ports.firestoreView('u1'));
      states.add(JSON.stringify([...ports.firestoreView('u1')]));
    }
    expect(orders).toHaveLength(120);
    expect([...states]).toEqual([
      JSON.stringify([
        [5, null],
        [6, 5],
      ]),
    ]);
  });
});

describe('eventId is an idempotency key scoped to its user', () => {
  const NIL = '00000000-0000-0000-0000-000000000000';

  it('two users with the same eventId (the nil UUID) never collide', async () => {
    const ports = new MemoryPorts(model);
    await deliver(ports, rating({ eventId: NIL, userId: 'alice', movieId: 7, rating: 5 }));
    await deliver(ports, rating({ eventId: NIL, userId: 'bob', movieId: 7, rating: 5 }));
    expect(new Set(ports.rows.map((row) => row.identity)).size).toBe(2);
    expect(ports.firestoreView('alice')).toEqual(new Map([[7, 5]]));
    expect(ports.firestoreView('bob')).toEqual(new Map([[7, 5]]));
    expect(ports.view('bob')).toEqual(ports.firestoreView('bob'));
  });

  it('one user re-using a key for other content is harmless: another event, ordered like any', async () => {
    const ports = new MemoryPorts(model);
    const at = '2026-11-23T11:00:00Z';
    const reused = [
      rating({ eventId: NIL, movieId: 8, rating: 2, ratedAt: at }),
      rating({ eventId: NIL, movieId: 9, rating: 3, ratedAt: at }),
      rating({ eventId: NIL, movieId: 8, rating: 4.5, ratedAt: at }),
      rating({ eventId: NIL, movieId: 8, rating: 1, ratedAt: '2026-11-23T10:00:00Z' }),
    ];
    for (const event of reused) await deliver(ports, event);
    // A true redelivery is the same event again; the re-used key with other content is not.
    await deliver(ports, reused[0]!);
    expect(new Set(ports.rows.map((row) => row.identity)).size).toBe(4);
    expect(ports.firestoreView('u1')).toEqual(
      new Map([
        [8, 4.5],
        [9, 3],
      ]),
    );
    expect(ports.view('u1')).toEqual(ports.firestoreView('u1'));
  });
});

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((rest) =>
    Array.from({ length: n }, (_, at) => [...rest.slice(0, at), n - 1, ...rest.slice(at)]),
  );
}
