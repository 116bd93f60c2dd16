import { describe, expect, it } from 'vitest';
import type { RatingEvent } from '../contracts/rating-event.js';
import { describeAppendFailure } from './bigquery-write.js';

const event = (eventId: string): RatingEvent => ({
  eventId,
  userId: 'alice',
  movieId: 1,
  rating: 4,
  ratedAt: '2026-11-23T10:00:00Z',
  source: 'site',
});

describe('describeAppendFailure', () => {
  const events = ['e-0', 'e-1', 'e-2'].map(event);

  it('is undefined for an append BigQuery took', () => {
    expect(describeAppendFailure({ appendResult: {}, rowErrors: [] }, events)).toBeUndefined();
  });

  it('names each event BigQuery refused, by the index of its row', () => {
    const failure = describeAppendFailure(
      {
        error: { code: 3, message: 'Row errors' },
        rowErrors: [{ index: 2, message: 'eventId: required field is missing' }],
      },
      events,
    );
    expect(failure).toBe(
      'BigQuery refused an append of 3 event(s) to rating_events: Row errors; event e-2: eventId: required field is missing',
    );
  });

  it('gives the status alone when no row is named, and counts the rows beyond five', () => {
    expect(describeAppendFailure({ error: { code: 7, message: 'denied' } }, events)).toBe(
      'BigQuery refused an append of 3 event(s) to rating_events: denied',
    );
    const many = Array.from({ length: 7 }, (_, index) => ({ index, message: 'bad' }));
    const sevenEvents = Array.from({ length: 7 }, (_, n) => event(`e-${n}`));
    expect(describeAppendFailure({ rowErrors: many }, sevenEvents)).toMatch(
      /: rows refused; event e-0: bad; .*event e-4: bad \(and 2 more\)$/,
    );
  });
});
