import { parseRatingEvent } from '@reel/functions/contracts/rating-event';
import { entryOf, eventTag, UserRatings } from '@reel/functions/ratings';
import { describe, expect, it } from 'vitest';
import { importEvent, mergeImported, uuidV5 } from './import-events.js';

describe('uuidV5', () => {
  it('matches the RFC 9562 example (DNS namespace, "www.example.com")', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });
});

describe('importEvent', () => {
  const row = { userId: 1, movieId: 31, rating: 2.5, timestamp: 1260759144 };

  it('is a valid rating event of the imported user, at the file time', () => {
    const event = importEvent(row);
    expect(parseRatingEvent(event)).toEqual({ ok: true, value: event });
    expect(event).toMatchObject({
      userId: 'ml-1',
      movieId: 31,
      rating: 2.5,
      ratedAt: '2009-12-14T02:52:24.000Z',
      source: 'import',
    });
  });

  it('derives the eventId from user, movie and time only, so a re-load repeats it', () => {
    expect(importEvent(row).eventId).toBe(importEvent({ ...row, rating: 4 }).eventId);
    expect(importEvent(row).eventId).not.toBe(importEvent({ ...row, timestamp: 1 }).eventId);
    expect(importEvent(row).eventId).not.toBe(importEvent({ ...row, movieId: 32 }).eventId);
  });
});

describe('mergeImported', () => {
  const imported = importEvent({ userId: 7, movieId: 10, rating: 3, timestamp: 1_000_000_000 });

  it('adds a movie the user has not rated', () => {
    expect(mergeImported(UserRatings.empty, [imported])).toEqual(
      new Map([[10, entryOf(imported)]]),
    );
    expect(entryOf(imported)).toEqual({
      movieId: 10,
      rating: 3,
      ratedAtMicros: 1_000_000_000_000_000,
      eventTag: eventTag(imported.eventId),
    });
  });

  it('keeps a newer rating from the site, and changes nothing on a re-load', () => {
    const newer = UserRatings.of([
      {
        movieId: 10,
        rating: 5,
        ratedAtMicros: Date.parse('2026-11-23T10:00:00Z') * 1000,
        eventTag: 1,
      },
    ]);
    expect(mergeImported(newer, [imported])).toEqual(new Map());
    const loaded = UserRatings.of([entryOf(imported)]);
    expect(mergeImported(loaded, [imported])).toEqual(new Map());
  });
});
