import { describe, expect, it } from 'vitest';
import {
  latencies,
  type PhaseChecks,
  phaseProblems,
  summarise,
  VisibilityLog,
} from './e2e-phase.js';

describe('VisibilityLog and latencies', () => {
  it('answers the n-th rating with the first snapshot showing at least n ratings', () => {
    const log = new VisibilityLog();
    log.observe('u', 1, 110);
    // Two ratings landed together: both become visible at 260.
    log.observe('u', 3, 260);
    log.observe('u', 3, 300);
    const sent = [1, 2, 3, 4].map((ordinal) => ({
      uid: 'u',
      ordinal,
      sentAt: 100 * ordinal,
      status: 202,
    }));
    expect(latencies(sent, log)).toEqual({ latencies: [10, 60, 0], missing: 1 });
    expect(log.count('u')).toBe(3);
  });

  it('summarises by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, n) => n + 1);
    expect(summarise(values)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
  });
});

describe('phaseProblems', () => {
  const held: PhaseChecks = {
    targetRate: 200,
    achievedRate: 199.5,
    sent: 12_000,
    accepted: 12_000,
    bigQueryEvents: 12_000,
    bigQueryRows: 12_000,
    usersConsistent: 500,
    users: 500,
    visible: 12_000,
    latency: { count: 12_000, p50: 120, p95: 400, p99: 900, max: 1500 },
  };

  it('holds when everything arrived once and the pipeline kept up', () => {
    expect(phaseProblems(held)).toEqual([]);
  });

  it('names each way a phase can fail', () => {
    expect(
      phaseProblems({
        ...held,
        achievedRate: 150,
        accepted: 11_990,
        bigQueryEvents: 11_980,
        bigQueryRows: 11_985,
        usersConsistent: 499,
        visible: 11_900,
        latency: { ...held.latency, p99: 8000 },
      }),
    ).toEqual([
      'the load generator sent only 150.0/s of 200/s',
      '10 of 12000 POSTs not answered 202',
      'BigQuery holds 11980 of 11990 events',
      'BigQuery has 5 duplicate rows',
      "1 of 500 users' documents miss their last rating",
      '90 recommendations updates never seen by the listener',
      'p99 8000 ms > 5000 ms: the pipeline fell behind',
    ]);
  });
});
