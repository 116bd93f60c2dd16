import { describe, expect, it } from 'vitest';
import {
  eventRowBytes,
  rampSeconds,
  ratingTraffic,
  republishEstimate,
  republishOperations,
  retrainBigQueryBytes,
} from './capacity.js';

describe('the capacity model', () => {
  it('follows Firestore’s ramp: 500/s for 5 minutes, then 750/s, ...', () => {
    expect(rampSeconds(150_000, Number.POSITIVE_INFINITY)).toBe(300);
    expect(rampSeconds(150_000 + 750 * 60, Number.POSITIVE_INFINITY)).toBe(360);
    // A cap below the ramp makes the rest linear.
    expect(rampSeconds(150_000 + 600 * 100, 600)).toBe(400);
  });

  it('counts two documents per person each way, and the shards’ bookkeeping', () => {
    expect(republishOperations(1000, 100, 250)).toEqual({
      shards: 1 + 1 + 4,
      reads: 2000 + 100 + 1 + 6 + 2,
      writes: 2000 + 100 + 1 + 12 + 2,
    });
  });

  it('is bound by the instances when their CPU cannot follow the ramp', () => {
    const slow = republishEstimate(10_000_000, 60_000, {
      cpuMsPerUser: 100,
      usersPerShard: 250,
      memoryGib: 1,
      concurrency: 2,
      maxInstances: 5,
    });
    expect(slow.bound).toBe('instances');
    // 5 instances × 20 writes/s = 100 writes/s for ~20M writes.
    expect(slow.minutes).toBeGreaterThan(20_000_000 / 100 / 60);
    const fast = republishEstimate(100_000, 60_000, {
      cpuMsPerUser: 1,
      usersPerShard: 250,
      memoryGib: 1,
      concurrency: 2,
      maxInstances: 1000,
    });
    expect(fast.bound).toBe('ramp');
  });

  it('prices BigQuery bytes and rating traffic from their parts', () => {
    expect(retrainBigQueryBytes(1, 28)).toBe(2 + 28 + 24 + 38 + 2 + 28);
    const traffic = ratingTraffic(10);
    expect(traffic.eventsPerMonth).toBe(25_920_000);
    expect(traffic.firestoreUsdPerMonth).toBeCloseTo(259.2 * 0.03 + 518.4 * 0.09, 6);
    expect(eventRowBytes(28)).toBe(106);
    expect(traffic.bigqueryAppendTib).toBeCloseTo((25_920_000 * 106) / 2 ** 40, 9);
    // Inside the Storage Write API's free 2 TiB a month, up to 1,000 ratings/s (0.25 TiB).
    expect(ratingTraffic(1000).bigqueryAppendUsdPerMonth).toBe(0);
    const heavy = ratingTraffic(10_000);
    expect(heavy.bigqueryAppendUsdPerMonth).toBeCloseTo(
      (heavy.bigqueryAppendTib * 1024 - 2048) * 0.025,
      6,
    );
  });
});
