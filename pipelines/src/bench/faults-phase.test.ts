import { describe, expect, it } from 'vitest';
import { VisibilityLog } from './e2e-phase.js';
import {
  bigQueryFigures,
  type FaultFigures,
  faultProblems,
  notAcceptedStatuses,
  visibilityFigures,
} from './faults-phase.js';

const rating = (uid: string, ordinal: number, sentAt: number, status = 202) => ({
  uid,
  ordinal,
  sentAt,
  status,
  eventId: `${uid}-${ordinal}`,
});

describe('visibilityFigures', () => {
  it('measures the longest latency and the time to catch up after the fault cleared', () => {
    const log = new VisibilityLog();
    log.observe('a', 1, 1_100);
    log.observe('a', 2, 9_000); // held up by the fault, shown 4 s after it cleared
    log.observe('b', 1, 6_200);
    const figures = visibilityFigures(
      { name: 'x', startedAt: 1_500, clearedAt: 5_000 },
      [
        rating('a', 1, 1_000),
        rating('a', 2, 2_000),
        rating('b', 1, 6_000),
        rating('c', 1, 100, 503),
      ],
      log,
    );
    expect(figures).toEqual({ neverVisible: 0, longestLatencyMs: 7_000, recoveryMs: 4_000 });
  });

  it('has no recovery time when a rating never showed, and 0 when nothing was held up', () => {
    const log = new VisibilityLog();
    log.observe('a', 1, 1_100);
    const window = { name: 'x', startedAt: 0, clearedAt: 5_000 };
    expect(visibilityFigures(window, [rating('a', 1, 1_000), rating('a', 2, 2_000)], log)).toEqual({
      neverVisible: 1,
      longestLatencyMs: 100,
      recoveryMs: undefined,
    });
    expect(visibilityFigures(window, [rating('a', 1, 1_000)], log).recoveryMs).toBe(0);
  });
});

describe('notAcceptedStatuses', () => {
  it('counts the statuses of the POSTs not accepted, "no answer" for none', () => {
    expect(
      notAcceptedStatuses([
        rating('a', 1, 0),
        rating('a', 2, 0, 429),
        rating('a', 3, 0, 429),
        rating('b', 1, 0, 0),
        rating('b', 2, 0, 503),
      ]),
    ).toEqual({ 429: 2, 'no answer': 1, 503: 1 });
  });
});

describe('bigQueryFigures', () => {
  it('counts present, exactly-once and extra rows', () => {
    const rows = new Map([
      ['e1', 1],
      ['e2', 3],
    ]);
    expect(bigQueryFigures(['e1', 'e2', 'e3'], rows)).toEqual({
      inBigQuery: 2,
      exactlyOnce: 1,
      extraRows: 2,
    });
  });
});

describe('faultProblems', () => {
  const clean: FaultFigures = {
    fault: 'x',
    sent: 10,
    accepted: 10,
    notAccepted: {},
    inBigQuery: 10,
    exactlyOnce: 10,
    extraRows: 0,
    users: 3,
    usersMatching: 3,
    deadLetters: 2,
    deadLettersMalformed: 2,
    neverVisible: 0,
    longestLatencyMs: 100,
    recoveryMs: 0,
  };

  it('finds nothing in a clean phase, and names each shortfall', () => {
    expect(faultProblems(clean)).toEqual([]);
    expect(
      faultProblems({
        ...clean,
        accepted: 7,
        notAccepted: { 429: 2, 'no answer': 1 },
        inBigQuery: 6,
        usersMatching: 2,
        deadLetters: 3,
        neverVisible: 1,
      }),
    ).toEqual([
      '3 of 10 POSTs not accepted (429: 2, no answer: 1)',
      '1 accepted events not in BigQuery',
      "1 users' documents differ from their last ratings",
      '1 good events dead-lettered',
      '1 accepted ratings never shown in recommendations',
    ]);
  });
});
