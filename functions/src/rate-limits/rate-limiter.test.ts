import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a burst of perMinute, then one per 60/perMinute seconds', () => {
    const limiter = new RateLimiter(3);
    const at = (ms: number) => limiter.take('u', ms);
    expect([at(0), at(1), at(2)].every((d) => d.allowed)).toBe(true);
    expect(at(3)).toEqual({ allowed: false, retryAfterSeconds: 20 });
    // 15 s later three quarters of a token has come back: 5 s to go.
    expect(at(15_003)).toEqual({ allowed: false, retryAfterSeconds: 5 });
    expect(at(20_003)).toEqual({ allowed: true });
    expect(at(20_004).allowed).toBe(false);
  });

  it('keeps each key apart', () => {
    const limiter = new RateLimiter(1);
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('a', 0).allowed).toBe(false);
    expect(limiter.take('b', 0).allowed).toBe(true);
  });

  it('forgets keys whose bucket has refilled once it tracks too many', () => {
    const limiter = new RateLimiter(60, 2);
    limiter.take('a', 0);
    limiter.take('b', 0);
    limiter.take('c', 5_000);
    // a and b are full again after a second; c is not.
    expect(limiter.size).toBe(1);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new RateLimiter(0)).toThrow(/perMinute must be a positive integer \(got 0\)/);
  });
});
