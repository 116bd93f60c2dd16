import { describe, expect, it } from 'vitest';
import { inMemoryLimiter, type KeyLimiter, limiterWithFallback } from './fallback-limiter.js';

const answering = (allowed: boolean): KeyLimiter => ({ tryAcquire: async () => allowed });
const failing: KeyLimiter = {
  tryAcquire: () => Promise.reject(new Error('14 UNAVAILABLE: connection refused')),
};
const hanging: KeyLimiter = { tryAcquire: () => new Promise(() => {}) };

describe('limiterWithFallback', () => {
  it('answers with the shared limiter while it answers in time', async () => {
    const limiter = limiterWithFallback(answering(false), answering(true), { timeoutMs: 50 });
    expect(await limiter.tryAcquire('a')).toBe(false);
  });

  it('answers with the fallback when the shared limiter fails or takes too long', async () => {
    const fallback = inMemoryLimiter(2, () => 0);
    for (const shared of [failing, hanging]) {
      const limiter = limiterWithFallback(shared, fallback, { timeoutMs: 20 });
      expect(await limiter.tryAcquire(`k-${shared === failing}`)).toBe(true);
    }
    // The fallback still limits: two a minute per key.
    const limiter = limiterWithFallback(failing, fallback, { timeoutMs: 20 });
    expect([await limiter.tryAcquire('b'), await limiter.tryAcquire('b')]).toEqual([true, true]);
    expect(await limiter.tryAcquire('b')).toBe(false);
  });

  it('says once when it falls back and once when the shared limiter answers again', async () => {
    const changes: unknown[] = [];
    let shared = failing;
    const limiter = limiterWithFallback(
      { tryAcquire: (key) => shared.tryAcquire(key) },
      answering(true),
      {
        timeoutMs: 20,
        onChange: (state) =>
          changes.push(state.degraded ? `degraded: ${state.error.message}` : 'recovered'),
      },
    );
    await limiter.tryAcquire('a');
    await limiter.tryAcquire('a');
    shared = answering(false);
    expect(await limiter.tryAcquire('a')).toBe(false);
    await limiter.tryAcquire('a');
    shared = hanging;
    await limiter.tryAcquire('a');
    expect(changes).toEqual([
      'degraded: 14 UNAVAILABLE: connection refused',
      'recovered',
      'degraded: no answer within 20 ms',
    ]);
  });

  it('while degraded, lets one call at a time reach the store and answers the rest itself', async () => {
    const pending: ((allowed: boolean) => void)[] = [];
    const slow: KeyLimiter = {
      tryAcquire: () => new Promise<boolean>((resolve) => pending.push(resolve)),
    };
    const limiter = limiterWithFallback(slow, answering(true), { timeoutMs: 10 });
    // The first call times out: degraded. Its call to the store goes on.
    expect(await limiter.tryAcquire('a')).toBe(true);
    expect(pending).toHaveLength(1);
    // The next is the probe (it times out too); the ones after it do not reach the store.
    await limiter.tryAcquire('a');
    await Promise.all([limiter.tryAcquire('a'), limiter.tryAcquire('b')]);
    expect(pending).toHaveLength(2);
    // Once the probe's call settles, the next call probes again and answers from the store.
    pending[1]!(true);
    await Promise.resolve();
    const next = limiter.tryAcquire('a');
    expect(pending).toHaveLength(3);
    pending[2]!(false);
    expect(await next).toBe(false);
    // Recovered: calls reach the store side by side again.
    const together = [limiter.tryAcquire('a'), limiter.tryAcquire('b')];
    expect(pending).toHaveLength(5);
    pending[3]!(true);
    pending[4]!(true);
    expect(await Promise.all(together)).toEqual([true, true]);
  });
});
