import { RateLimiter } from './rate-limiter.js';

/** A limit: `tryAcquire` is true while `key` is within its budget. */
export interface KeyLimiter {
  tryAcquire(key: string): Promise<boolean>;
}

export interface FallbackOptions {
  /** How long the shared limiter may take before the fallback answers instead (ms). */
  timeoutMs: number;
  /** Told when the shared limiter stops answering (with why) and when it answers again. */
  onChange?: (state: { degraded: true; error: Error } | { degraded: false }) => void;
}

/**
 * A shared limit that never blocks the write path on its store: when `shared` fails or takes
 * longer than `timeoutMs`, `fallback` answers (a per-instance limit), so writes go on being
 * accepted, still limited, while the store is unreachable; a rating queued then is not lost.
 * The shared limiter's late answer is ignored (its count, if it lands, still counts).
 *
 * While it is degraded, one call at a time probes the store and the others go straight to the
 * fallback: a call that timed out may still be running (its client retries), and starting one
 * more per request would pile work onto a store that is down or recovering — on the Firestore
 * emulator that pile of transactions on the same counters never drained (docs/faults.md).
 */
export function limiterWithFallback(
  shared: KeyLimiter,
  fallback: KeyLimiter,
  { timeoutMs, onChange }: FallbackOptions,
): KeyLimiter {
  let degraded = false;
  let probing = false;
  return {
    tryAcquire: async (key) => {
      if (degraded && probing) return fallback.tryAcquire(key);
      const probe = degraded;
      if (probe) probing = true;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      const call = shared.tryAcquire(key);
      // The probe ends when the store answers, not at the deadline: a late call still runs.
      const endProbe = () => {
        probing = false;
      };
      if (probe) call.then(endProbe, endProbe);
      try {
        const allowed = await Promise.race([call, deadline]);
        if (degraded) {
          degraded = false;
          onChange?.({ degraded: false });
        }
        return allowed;
      } catch (error) {
        if (!degraded) {
          degraded = true;
          onChange?.({ degraded: true, error: error as Error });
        }
        return fallback.tryAcquire(key);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The per-instance token bucket (rate-limiter.ts) as a KeyLimiter. */
export function inMemoryLimiter(perMinute: number, now: () => number = Date.now): KeyLimiter {
  const buckets = new RateLimiter(perMinute);
  return { tryAcquire: async (key) => buckets.take(key, now()).allowed };
}
