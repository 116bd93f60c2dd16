import { randomUUID } from 'node:crypto';
import { managedwriter } from '@google-cloud/bigquery-storage';
import { testClients, testConfig } from '@reel/testing/clients';
import { provisionBigQuery } from '@reel/testing/provision';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RatingEvent } from '../contracts/rating-event.js';
import { createLogger } from '../logging/logger.js';
import { countEvents } from './bigquery.js';
import { createEventAppender } from './bigquery-write.js';

const clients = testClients();
const ref = { project: testConfig().project, dataset: `itest_${randomUUID().replaceAll('-', '')}` };
const silent = createLogger(() => {});
const appender = createEventAppender(clients.bigqueryWrite, ref, silent, 500);

beforeAll(async () => {
  await provisionBigQuery(clients.bigquery, ref);
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await appender.close();
});

const event = (): RatingEvent => ({
  eventId: randomUUID(),
  userId: `u-${randomUUID()}`,
  movieId: 1,
  rating: 4,
  ratedAt: '2026-11-23T10:00:00Z',
  source: 'site',
});

describe('the Storage Write appender (against bqemulator)', () => {
  it('keeps one stream for its appends', async () => {
    const connections = vi.spyOn(managedwriter.WriterClient.prototype, 'createStreamConnection');
    const before = await countEvents(clients.bigquery, ref);
    for (let n = 0; n < 3; n++) await appender.append([event()]);
    const after = await countEvents(clients.bigquery, ref);
    expect(after.events - before.events).toBe(3);
    expect(connections.mock.calls.length).toBeLessThanOrEqual(1);
  });

  it('fails an append left unanswered past its deadline; the next goes on a new stream', async () => {
    await appender.append([event()]);
    const connections = vi.spyOn(managedwriter.WriterClient.prototype, 'createStreamConnection');
    vi.spyOn(managedwriter.JSONWriter.prototype, 'appendRows').mockReturnValueOnce({
      getResult: () => new Promise(() => {}),
    } as unknown as ReturnType<managedwriter.JSONWriter['appendRows']>);
    const before = await countEvents(clients.bigquery, ref);

    await expect(appender.append([event()])).rejects.toThrow(
      'BigQuery append of 1 event(s) unanswered after 500 ms',
    );
    await appender.append([event()]);

    expect(connections).toHaveBeenCalledTimes(1);
    const after = await countEvents(clients.bigquery, ref);
    expect(after.events - before.events).toBe(1);
  });

  it('rejects an append whose row BigQuery refuses, and the stream serves the next one', async () => {
    const before = await countEvents(clients.bigquery, ref);
    const refused = { ...event(), eventId: null } as unknown as RatingEvent;
    await expect(appender.append([event(), refused])).rejects.toThrow();
    await appender.append([event()]);
    const after = await countEvents(clients.bigquery, ref);
    // A refused append writes nothing of it.
    expect(after.events - before.events).toBe(1);
  });

  // Each function instance keeps a stream open; the local stack must serve many at once while
  // queries run (see bqemulator_launch.py).
  it('serves appends on eight streams at once while queries run', async () => {
    const appenders = Array.from({ length: 8 }, () =>
      createEventAppender(clients.bigqueryWrite, ref, silent, 20_000),
    );
    try {
      const before = await countEvents(clients.bigquery, ref);
      await Promise.all(
        appenders.map(async (each) => {
          for (let n = 0; n < 5; n++) {
            await each.append([event()]);
            await countEvents(clients.bigquery, ref);
          }
        }),
      );
      const after = await countEvents(clients.bigquery, ref);
      expect(after.events - before.events).toBe(40);
    } finally {
      await Promise.all(appenders.map((each) => each.close()));
    }
  }, 90_000);
});
