import { randomUUID } from 'node:crypto';
import { appendEvents } from '@reel/testing/bigquery';
import { testClients, testConfig } from '@reel/testing/clients';
import { provisionBigQuery } from '@reel/testing/provision';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RatingEvent } from '../contracts/rating-event.js';
import { countEvents, EVENTS_TABLE, readCurrentRatings } from './bigquery.js';

const clients = testClients();
const { bigquery } = clients;
// A dataset of this file's own, created from the same .sql files as npm start and Terraform.
const ref = { project: testConfig().project, dataset: `itest_${randomUUID().replaceAll('-', '')}` };

beforeAll(async () => {
  await provisionBigQuery(bigquery, ref);
});

const event = (overrides: Partial<RatingEvent>): RatingEvent => ({
  eventId: randomUUID(),
  userId: 'u1',
  movieId: 1,
  rating: 4,
  ratedAt: '2026-11-23T10:00:00Z',
  source: 'site',
  ...overrides,
});

describe('BigQuery adapter (against bqemulator)', () => {
  it('creates the table from rating_events.sql with its schema', async () => {
    const [metadata] = await bigquery.dataset(ref.dataset).table(EVENTS_TABLE).getMetadata();
    expect(
      metadata.schema.fields.map((field: { name: string; type: string; mode: string }) => [
        field.name,
        field.type,
        field.mode,
      ]),
    ).toEqual([
      ['eventId', 'STRING', 'REQUIRED'],
      ['userId', 'STRING', 'REQUIRED'],
      ['movieId', 'INTEGER', 'REQUIRED'],
      ['rating', 'FLOAT', 'NULLABLE'],
      ['ratedAt', 'TIMESTAMP', 'REQUIRED'],
      ['source', 'STRING', 'REQUIRED'],
      ['ingestedAt', 'TIMESTAMP', 'REQUIRED'],
    ]);
  });

  it('appends events; a redelivered event is one event, and the view returns the latest rating', async () => {
    const first = event({ rating: 3, ratedAt: '2026-11-23T10:00:00Z' });
    const latest = event({ rating: 4.5, ratedAt: '2026-11-23T10:05:00.123456Z' });
    const older = event({ rating: 1, ratedAt: '2026-11-23T09:00:00Z' });
    const ingestedAt = new Date('2026-11-23T10:06:00Z');
    await appendEvents(clients, ref, [first, latest], ingestedAt);
    // The same event delivered again, and a late older one.
    await appendEvents(clients, ref, [latest, older], ingestedAt);

    const counts = await countEvents(bigquery, ref);
    // The default stream is at-least-once: the redelivered event is a second row, and what
    // must hold is one distinct event each.
    expect(counts.events).toBe(3);
    expect(counts.rows).toBe(4);
    expect(counts.currentRatings).toBe(1);

    const [rows] = await bigquery.query(
      `SELECT eventId, rating, ingestedAt FROM \`${ref.project}.${ref.dataset}.${EVENTS_TABLE}\` WHERE eventId = '${latest.eventId}'`,
    );
    expect(rows[0]).toMatchObject({ eventId: latest.eventId, rating: 4.5 });
    expect(rows[0].ingestedAt.value).toBe('2026-11-23T10:06:00.000Z');

    const batches = [];
    for await (const batch of readCurrentRatings(bigquery, ref)) batches.push(batch);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual({
      userIds: ['u1'],
      movieIds: new Int32Array([1]),
      ratings: new Float32Array([4.5]),
      ratedAtMicros: new Float64Array([Date.parse('2026-11-23T10:05:00.123Z') * 1000 + 456]),
    });
  });

  it('streams the view in pages of typed arrays, withdrawn ratings dropped', async () => {
    const events = Array.from({ length: 7 }, (_, n) =>
      event({ userId: `pager-${n % 3}`, movieId: 100 + n, rating: 0.5 * (n + 1) }),
    );
    events.push(
      event({ userId: 'pager-0', movieId: 100, rating: null, ratedAt: '2026-11-23T11:00:00Z' }),
    );
    await appendEvents(clients, ref, events);

    const seen = new Map<string, number>();
    const sizes: number[] = [];
    for await (const batch of readCurrentRatings(bigquery, ref, 3)) {
      sizes.push(batch.movieIds.length);
      expect(batch.ratings).toBeInstanceOf(Float32Array);
      batch.userIds.forEach((userId, n) => {
        if (userId.startsWith('pager-'))
          seen.set(`${userId}/${batch.movieIds[n]}`, batch.ratings[n]!);
      });
    }
    expect(sizes.every((size) => size <= 3)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(7);
    expect(seen.has('pager-0/100')).toBe(false);
    expect(seen.get('pager-1/101')).toBe(1);
    expect(seen.size).toBe(6);
  });
});
