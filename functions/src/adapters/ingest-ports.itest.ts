import { randomUUID } from 'node:crypto';
import { BigQuery, Table } from '@google-cloud/bigquery';
import { testClients, testConfig } from '@reel/testing/clients';
import { provisionBigQuery } from '@reel/testing/provision';
import { PassThroughClient } from 'google-auth-library';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RatingEvent } from '../contracts/rating-event.js';
import { createLogger } from '../logging/logger.js';
import { countEvents } from './bigquery.js';
import { createIngestPorts } from './ingest-ports.js';
import { createModelSource } from './models.js';
import { createPublishers } from './pubsub.js';

const config = testConfig();
const { firestore, pubsub, storage } = testClients(config);
// bqemulator answers a row it cannot store with a 500 for the whole request (BigQuery names the
// row in insertErrors), which the client retries with backoff for 15 s; one retry keeps this
// file to a few seconds.
const bigquery = new BigQuery({
  projectId: config.project,
  apiEndpoint: config.emulators.bigquery,
  authClient: new PassThroughClient(),
  maxRetries: 1,
});
// A dataset of this file's own.
const ref = { project: config.project, dataset: `itest_${randomUUID().replaceAll('-', '')}` };
const ports = createIngestPorts({
  firestore,
  bigquery,
  dataset: ref,
  models: createModelSource(storage.bucket(`itest-none-${randomUUID()}`), {
    recheckMs: 0,
    log: createLogger(() => {}),
  }),
  deadLetterTopic: createPublishers(pubsub, config).deadLetter,
});

beforeAll(async () => {
  await provisionBigQuery(bigquery, ref);
});

afterEach(() => {
  vi.restoreAllMocks();
});

const event = (rating: number): RatingEvent => ({
  eventId: randomUUID(),
  userId: `u-${randomUUID()}`,
  movieId: 1,
  rating,
  ratedAt: '2026-11-23T10:00:00Z',
  source: 'site',
});

describe('the ingest ports (against bqemulator)', () => {
  it('appends the events of requests in flight together, one insert for them all', async () => {
    const inserts = vi.spyOn(Table.prototype, 'insert');
    const before = await countEvents(bigquery, ref);
    const events = [1, 2, 3, 4, 5, 4.5].map(event);

    await Promise.all(events.map((one) => ports.appendEvent(one)));

    expect(inserts.mock.calls.map(([rows]) => (rows as unknown[]).length)).toEqual([6]);
    const after = await countEvents(bigquery, ref);
    expect(after.events - before.events).toBe(6);
    expect(after.rows - before.rows).toBe(6);
  });

  it('fails only the event whose row BigQuery refuses; the others of its batch land', async () => {
    const inserts = vi.spyOn(Table.prototype, 'insert');
    const before = await countEvents(bigquery, ref);
    const refused = { ...event(4), movieId: 'not a number' } as unknown as RatingEvent;
    const good = [event(3), event(5)];

    const outcomes = await Promise.allSettled(
      [good[0]!, refused, good[1]!].map((one) => ports.appendEvent(one)),
    );

    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    // The batch of three, then each event alone.
    expect(inserts.mock.calls.map(([rows]) => (rows as unknown[]).length)).toEqual([3, 1, 1, 1]);
    const after = await countEvents(bigquery, ref);
    expect(after.events - before.events).toBe(2);
  });
});
