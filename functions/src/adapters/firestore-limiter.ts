import { createHash } from 'node:crypto';
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import { slidingWindowAllows, windowAt } from '../rate-limits/sliding-window.js';

/** A limit every instance shares: `tryAcquire` is true while `key` is within its budget. */
export interface Limiter {
  tryAcquire(key: string): Promise<boolean>;
}

/** The collection of counters; terraform/privacy.tf puts a TTL policy on its `expiresAt`. */
export const RATE_LIMITS_COLLECTION = 'rateLimits';

export interface FirestoreLimiterOptions {
  /** Requests allowed per window, per key. */
  limit: number;
  windowMs?: number;
  /** Names the limit (e.g. "user", "address"), so two limits never share counters. */
  scope: string;
  now?: () => number;
}

interface CounterDocument {
  count: number;
  /** When Firestore's TTL policy may delete the counter: once it no longer counts. */
  expiresAt: Timestamp;
}

/**
 * A sliding-window limit over counters in Firestore, read and incremented in one transaction,
 * so every function instance draws on the same budget. Counter documents are named by a
 * SHA-256 of the key (a uid or an address is not stored as such) and the window's index, and
 * expire two windows after theirs.
 */
export function createFirestoreLimiter(db: Firestore, options: FirestoreLimiterOptions): Limiter {
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(options.limit) || options.limit < 1) {
    throw new RangeError(`limit must be a positive integer (got ${options.limit})`);
  }
  const collection = db.collection(RATE_LIMITS_COLLECTION);
  return {
    tryAcquire: async (key) => {
      const hashed = createHash('sha256').update(`${options.scope}\n${key}`).digest('hex');
      return db.runTransaction(async (transaction) => {
        const { index, fraction } = windowAt(now(), windowMs);
        const currentRef = collection.doc(`${options.scope}-${hashed.slice(0, 32)}-${index}`);
        const previousRef = collection.doc(`${options.scope}-${hashed.slice(0, 32)}-${index - 1}`);
        const [current, previous] = await transaction.getAll(currentRef, previousRef);
        const counts = {
          current: (current!.data() as CounterDocument | undefined)?.count ?? 0,
          previous: (previous!.data() as CounterDocument | undefined)?.count ?? 0,
        };
        if (!slidingWindowAllows(counts, fraction, options.limit)) return false;
        transaction.set(currentRef, {
          count: counts.current + 1,
          expiresAt: Timestamp.fromMillis((index + 2) * windowMs),
        } satisfies CounterDocument);
        return true;
      });
    },
  };
}
