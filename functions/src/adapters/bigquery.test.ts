import { describe, expect, it } from 'vitest';
import type { RatingEvent } from '../contracts/rating-event.js';
import { describeInsertError, eventInsertId } from './bigquery.js';

describe('describeInsertError', () => {
  it('names each rejected event and the reason', () => {
    // The shape @google-cloud/bigquery gives a PartialFailureError for insertErrors.
    const partial = Object.assign(new Error('A failure occurred during this request.'), {
      name: 'PartialFailureError',
      errors: [
        {
          errors: [{ reason: 'invalid', message: 'Cannot convert value to integer.' }],
          row: { insertId: 'e-1', json: { eventId: 'e-1' } },
        },
        {
          errors: [{ reason: 'stopped', message: '' }],
          row: { insertId: 'e-2', json: { eventId: 'e-2' } },
        },
      ],
    });
    const described = describeInsertError(partial) as Error;
    expect(described.message).toBe(
      'BigQuery rejected 2 row(s) of rating_events: event e-1: invalid: Cannot convert value to integer.; event e-2: stopped: ',
    );
    expect(described.cause).toBe(partial);
  });

  it('passes any other error through unchanged', () => {
    const other = new Error('Not Found');
    expect(describeInsertError(other)).toBe(other);
  });
});

describe('eventInsertId', () => {
  const NIL = '00000000-0000-0000-0000-000000000000';
  const event: RatingEvent = {
    eventId: NIL,
    userId: 'alice',
    movieId: 1,
    rating: 4,
    ratedAt: '2026-11-23T10:00:00Z',
    source: 'site',
  };

  it('is the same for a redelivery, whatever the source or the spelling of the instant', () => {
    expect(eventInsertId({ ...event })).toBe(eventInsertId(event));
    expect(eventInsertId({ ...event, ratedAt: '2026-11-23T11:00:00.000000+01:00' })).toBe(
      eventInsertId(event),
    );
    expect(eventInsertId({ ...event, eventId: NIL.toUpperCase() })).toBe(eventInsertId(event));
  });

  it('differs between users and for other content under the same key (the nil UUID)', () => {
    const ids = new Set(
      [
        event,
        { ...event, userId: 'bob' },
        { ...event, movieId: 2 },
        { ...event, rating: null },
        { ...event, ratedAt: '2026-11-23T10:00:00.000001Z' },
      ].map(eventInsertId),
    );
    expect(ids.size).toBe(5);
    expect(eventInsertId(event)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
