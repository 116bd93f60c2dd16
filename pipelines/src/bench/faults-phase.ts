/**
 * The fault bench's bookkeeping, apart from any I/O: per fault, what was accepted, what
 * reached BigQuery and how often, how long the longest rating took to show, and how long the
 * pipeline took to catch up once the fault was cleared.
 */
import type { SentRating, VisibilityLog } from './e2e-phase.js';

export interface FaultRating extends SentRating {
  eventId: string;
}

export interface FaultWindow {
  name: string;
  /** performance.now() when the fault began and when it was cleared (server back, …). */
  startedAt: number;
  clearedAt: number;
}

export interface FaultFigures {
  fault: string;
  sent: number;
  accepted: number;
  /** POSTs not accepted, by status ("no answer" when none came: a timeout or a reset). */
  notAccepted: Record<string, number>;
  /** Accepted events with at least one row in rating_events. */
  inBigQuery: number;
  /** Of those, events with exactly one row. */
  exactlyOnce: number;
  /** Rows beyond the first, over the phase's events (every delivery appends a row). */
  extraRows: number;
  users: number;
  /** Users whose users/{uid}.ratings equal what they last rated. */
  usersMatching: number;
  /** Dead letters of this phase's events or its malformed messages. */
  deadLetters: number;
  deadLettersMalformed: number;
  /** Accepted ratings never seen in recommendations/{uid}. */
  neverVisible: number;
  /** Longest POST → recommendations latency, ms. */
  longestLatencyMs: number;
  /**
   * From the fault's clearing until every rating accepted before then was visible, ms; 0 when
   * nothing was held up; undefined when some never became visible.
   */
  recoveryMs: number | undefined;
}

/** Latency, never-visible count and recovery time of one phase's ratings. */
export function visibilityFigures(
  window: FaultWindow,
  ratings: readonly FaultRating[],
  visibility: VisibilityLog,
): Pick<FaultFigures, 'neverVisible' | 'longestLatencyMs' | 'recoveryMs'> {
  let neverVisible = 0;
  let longest = 0;
  let lastBeforeClear = window.clearedAt;
  for (const rating of ratings) {
    if (rating.status !== 202) continue;
    const at = visibility.visibleAt(rating.uid, rating.ordinal);
    if (at === undefined) {
      neverVisible += 1;
      continue;
    }
    longest = Math.max(longest, at - rating.sentAt);
    if (rating.sentAt <= window.clearedAt) lastBeforeClear = Math.max(lastBeforeClear, at);
  }
  return {
    neverVisible,
    longestLatencyMs: longest,
    recoveryMs: neverVisible > 0 ? undefined : lastBeforeClear - window.clearedAt,
  };
}

/** How many POSTs got each status other than 202, "no answer" for those that got none. */
export function notAcceptedStatuses(ratings: readonly FaultRating[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status } of ratings) {
    if (status === 202) continue;
    const key = status === 0 ? 'no answer' : String(status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Rows per eventId → how many accepted events are present, exactly once, and extra rows. */
export function bigQueryFigures(
  acceptedEventIds: readonly string[],
  rowsByEventId: ReadonlyMap<string, number>,
): Pick<FaultFigures, 'inBigQuery' | 'exactlyOnce' | 'extraRows'> {
  let inBigQuery = 0;
  let exactlyOnce = 0;
  let extraRows = 0;
  for (const eventId of acceptedEventIds) {
    const rows = rowsByEventId.get(eventId) ?? 0;
    if (rows > 0) inBigQuery += 1;
    if (rows === 1) exactlyOnce += 1;
    extraRows += Math.max(0, rows - 1);
  }
  return { inBigQuery, exactlyOnce, extraRows };
}

/** What falls short of "nothing lost, nothing doubled" in one phase, in words. */
export function faultProblems(figures: FaultFigures): string[] {
  const problems: string[] = [];
  if (figures.accepted < figures.sent) {
    const statuses = Object.entries(figures.notAccepted)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, count]) => `${status}: ${count}`)
      .join(', ');
    problems.push(
      `${figures.sent - figures.accepted} of ${figures.sent} POSTs not accepted (${statuses})`,
    );
  }
  if (figures.inBigQuery < figures.accepted) {
    problems.push(`${figures.accepted - figures.inBigQuery} accepted events not in BigQuery`);
  }
  if (figures.usersMatching < figures.users) {
    problems.push(
      `${figures.users - figures.usersMatching} users' documents differ from their last ratings`,
    );
  }
  if (figures.deadLetters > figures.deadLettersMalformed) {
    problems.push(
      `${figures.deadLetters - figures.deadLettersMalformed} good events dead-lettered`,
    );
  }
  if (figures.neverVisible > 0) {
    problems.push(`${figures.neverVisible} accepted ratings never shown in recommendations`);
  }
  return problems;
}
