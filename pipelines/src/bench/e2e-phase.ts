/**
 * Protocol E's bookkeeping, apart from any I/O: which recommendations update answers which
 * POST, and whether a phase held its rate.
 */
import { percentile } from '../eval/protocol-f.js';

/** One POSTed rating: the user's n-th (1-based), sent at `sentAt` (ms, performance.now()). */
export interface SentRating {
  uid: string;
  ordinal: number;
  sentAt: number;
  /** HTTP status of the POST (202 expected); 0 if the request failed. */
  status: number;
}

/**
 * Tracks, per user, when `recommendations/{uid}` first showed at least n ratings: the moment
 * the user's n-th rating became visible to the site's listener.
 */
export class VisibilityLog {
  private readonly seenAt = new Map<string, number[]>();

  /** A snapshot of `recommendations/{uid}` with `ratingsCount`, received at `at`. */
  observe(uid: string, ratingsCount: number, at: number): void {
    const times = this.seenAt.get(uid) ?? [];
    for (let n = times.length + 1; n <= ratingsCount; n++) times[n - 1] = at;
    this.seenAt.set(uid, times);
  }

  /** When the user's n-th rating became visible, if it has. */
  visibleAt(uid: string, ordinal: number): number | undefined {
    return this.seenAt.get(uid)?.[ordinal - 1];
  }

  /** Ratings visible for `uid`. */
  count(uid: string): number {
    return this.seenAt.get(uid)?.length ?? 0;
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarise(latencies: number[]): LatencySummary {
  if (latencies.length === 0) return { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN };
  return {
    count: latencies.length,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    max: Math.max(...latencies),
  };
}

/** POST → visible latencies (ms) of the ratings that became visible; the rest are missing. */
export function latencies(
  sent: readonly SentRating[],
  log: VisibilityLog,
): { latencies: number[]; missing: number } {
  const values: number[] = [];
  let missing = 0;
  for (const rating of sent) {
    const at = log.visibleAt(rating.uid, rating.ordinal);
    if (at === undefined) missing += 1;
    else values.push(Math.max(0, at - rating.sentAt));
  }
  return { latencies: values, missing };
}

export interface PhaseChecks {
  targetRate: number;
  /** Ratings per second the generator actually sent (POSTs started / duration). */
  achievedRate: number;
  sent: number;
  accepted: number;
  /** Events of this run in BigQuery: distinct eventIds, and rows (duplicates included). */
  bigQueryEvents: number;
  bigQueryRows: number;
  /** Users whose users/{uid}.ratings equal their last rating of every movie they rated. */
  usersConsistent: number;
  users: number;
  /** Ratings whose recommendations update was seen. */
  visible: number;
  latency: LatencySummary;
}

/** The bound on p99 for a rate to count as held: the pipeline keeps up, no growing backlog. */
export const HELD_P99_MS = 5_000;

/** Why the phase did not hold its rate (empty: it held). */
export function phaseProblems(checks: PhaseChecks): string[] {
  const problems: string[] = [];
  if (checks.achievedRate < 0.95 * checks.targetRate) {
    problems.push(
      `the load generator sent only ${checks.achievedRate.toFixed(1)}/s of ${checks.targetRate}/s`,
    );
  }
  if (checks.accepted !== checks.sent) {
    problems.push(`${checks.sent - checks.accepted} of ${checks.sent} POSTs not answered 202`);
  }
  if (checks.bigQueryEvents !== checks.accepted) {
    problems.push(`BigQuery holds ${checks.bigQueryEvents} of ${checks.accepted} events`);
  }
  if (checks.bigQueryRows !== checks.bigQueryEvents) {
    problems.push(`BigQuery has ${checks.bigQueryRows - checks.bigQueryEvents} duplicate rows`);
  }
  if (checks.usersConsistent !== checks.users) {
    problems.push(
      `${checks.users - checks.usersConsistent} of ${checks.users} users' documents miss their last rating`,
    );
  }
  if (checks.visible !== checks.accepted) {
    problems.push(
      `${checks.accepted - checks.visible} recommendations updates never seen by the listener`,
    );
  }
  if (!(checks.latency.p99 <= HELD_P99_MS)) {
    problems.push(
      `p99 ${Math.round(checks.latency.p99)} ms > ${HELD_P99_MS} ms: the pipeline fell behind`,
    );
  }
  return problems;
}
