/**
 * A per-key token bucket: `perMinute` tokens, refilled continuously, so a person may rate a
 * burst of up to `perMinute` movies and then one every 60/perMinute seconds. It lives in one
 * function instance's memory: with several instances the limit applies per instance, which
 * bounds abuse without a shared store on the hot path.
 */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms). */
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    readonly perMinute: number,
    /** Keys kept before full buckets are dropped (a full bucket is the same as no bucket). */
    private readonly maxKeys = 100_000,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) {
      throw new RangeError(`RateLimiter: perMinute must be a positive integer (got ${perMinute})`);
    }
    this.perMs = perMinute / 60_000;
  }

  /** Takes one token for `key` at time `nowMs`, or says how long until one is available. */
  take(key: string, nowMs: number): RateDecision {
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: nowMs };
    bucket.tokens = Math.min(
      this.perMinute,
      bucket.tokens + Math.max(0, nowMs - bucket.at) * this.perMs,
    );
    bucket.at = nowMs;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      return {
        allowed: false,
        retryAfterSeconds: Math.ceil((1 - bucket.tokens) / this.perMs / 1000),
      };
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.dropFull(nowMs);
    return { allowed: true };
  }

  /** Keys currently tracked (for tests and memory checks). */
  get size(): number {
    return this.buckets.size;
  }

  private dropFull(nowMs: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (nowMs - bucket.at) * this.perMs >= this.perMinute) {
        this.buckets.delete(key);
      }
    }
  }
}
