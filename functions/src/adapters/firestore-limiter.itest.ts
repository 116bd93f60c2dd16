import { randomUUID } from 'node:crypto';
import { testClients } from '@reel/testing/clients';
import { afterAll, describe, expect, it } from 'vitest';
import { createFirestoreLimiter, RATE_LIMITS_COLLECTION } from './firestore-limiter.js';

// Two sets of clients: two function instances, each with its own connection and limiter.
const first = testClients();
const second = testClients();
afterAll(async () => {
  await first.close();
  await second.close();
});

describe('the Firestore limiter (against the Firestore emulator)', () => {
  it('shares one budget between two instances', async () => {
    // Fixed at the start of a window, so the previous window counts nothing.
    const now = () => 600_000;
    const limit = 6;
    const a = createFirestoreLimiter(first.firestore, { scope: 'user', limit, now });
    const b = createFirestoreLimiter(second.firestore, { scope: 'user', limit, now });
    const key = `user-${randomUUID()}`;
    // Concurrent, from both instances: transactions serialise them.
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) => (n % 2 === 0 ? a : b).tryAcquire(key)),
    );
    expect(results.filter(Boolean)).toHaveLength(limit);
    expect(await a.tryAcquire(key)).toBe(false);
    expect(await b.tryAcquire(key)).toBe(false);
    // Another key, and the same key under another scope, have budgets of their own.
    expect(await b.tryAcquire(`user-${randomUUID()}`)).toBe(true);
    const perAddress = createFirestoreLimiter(second.firestore, { scope: 'address', limit, now });
    expect(await perAddress.tryAcquire(key)).toBe(true);
  });

  it('frees the budget as the window slides, and stores counters with an expiry, not the key', async () => {
    let clock = 1_200_000;
    const limit = 4;
    const limiter = createFirestoreLimiter(first.firestore, {
      scope: 'address',
      limit,
      windowMs: 60_000,
      now: () => clock,
    });
    const key = `203.0.113.${Math.floor(Math.random() * 250)}-${randomUUID()}`;
    for (let n = 0; n < limit; n++) expect(await limiter.tryAcquire(key)).toBe(true);
    expect(await limiter.tryAcquire(key)).toBe(false);
    // Half-way through the next window half of the previous one still counts: 2 + 1 ≤ 4.
    clock += 90_000;
    expect(await limiter.tryAcquire(key)).toBe(true);
    expect(await limiter.tryAcquire(key)).toBe(true);
    expect(await limiter.tryAcquire(key)).toBe(false);

    const counters = await first.firestore
      .collection(RATE_LIMITS_COLLECTION)
      .where('expiresAt', '>=', new Date(1_200_000))
      .get();
    const documents = counters.docs.filter((doc) => doc.id.startsWith('address-'));
    expect(documents.length).toBeGreaterThanOrEqual(2);
    for (const doc of documents) {
      expect(doc.id).not.toContain(key);
      expect(JSON.stringify(doc.data())).not.toContain(key);
      expect(doc.data().expiresAt.toMillis()).toBeGreaterThan(1_200_000);
    }
  });
});
