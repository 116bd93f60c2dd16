import { randomUUID } from 'node:crypto';
import { managedwriter } from '@google-cloud/bigquery-storage';
import { testClients, testConfig } from '@reel/testing/clients';
import { provisionBigQuery } from '@reel/testing/provision';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RatingEvent } from '../contracts/rating-event.js';
import { createLogger } from '../logging/logger.js';
import { countEvents } from './bigquery.js';
import { createIngestPorts } from './ingest-ports.js';
import { createModelSource } from './models.js';
import { createPublishers } from './pubsub.js';

const config = testConfig();
const { firestore, pubsub, storage, bigquery, bigqueryWrite } = testClients(config);
// A dataset of this file's own.
const ref = { project: config.project, dataset: `itest_${randomUUID().replaceAll('-', '')}` };
const ports = createIngestPorts({
  firestore,
  bigqueryWrite,
  dataset: ref,
  models: createModelSource(storage.bucket(`itest-none-${randomUUID()}`), {
    recheckMs: 0,
    log: createLogger(() => {}),
  }),
  deadLetterTopic: createPublishers(pubsub, config).deadLetter,
  log: createLogger(() => {}),
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
  it('appends the events of requests in flight together, one append for them all', async () => {
    const appends = vi.spyOn(managedwriter.JSONWriter.prototype, 'appendRows');
    const before = await countEvents(bigquery, ref);
    const events = [1, 2, 3, 4, 5, 4.5].map(event);

    await Promise.all(events.map((one) => ports.appendEvent(one)));

    expect(appends.mock.calls.map(([rows]) => rows.length)).toEqual([6]);
    const after = await countEvents(bigquery, ref);
    expect(after.events - before.events).toBe(6);
    expect(after.rows - before.rows).toBe(6);
  });

  it('fails only the event whose row BigQuery refuses; the others of its batch land', async () => {
    const appends = vi.spyOn(managedwriter.JSONWriter.prototype, 'appendRows');
    const before = await countEvents(bigquery, ref);
    // eventId is REQUIRED: BigQuery refuses the row, and with it the whole append.
    const refused = { ...event(4), eventId: null } as unknown as RatingEvent;
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
    expect(appends.mock.calls.map(([rows]) => rows.length)).toEqual([3, 1, 1, 1]);
    const after = await countEvents(bigquery, ref);
    expect(after.events - before.events).toBe(2);
  });
});
