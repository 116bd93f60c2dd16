import { randomUUID } from 'node:crypto';
import { countEvents } from '@reel/functions/adapters';
import { testClients, testConfig } from '@reel/testing/clients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_RATINGS } from '../data/bundled.js';
import { loadRatingsFile } from '../data/read-ratings-file.js';
import { provisionBigQuery } from '../stack/provision.js';
import { countImportEvents, loadIntoStores } from './load-into-stores.js';

// A dataset of its own, so the counts are this file's alone.
const config = testConfig({ REEL_DATASET: `load_${randomUUID().replaceAll('-', '')}` });
const clients = testClients(config);
const bucket = clients.storage.bucket(config.modelsBucket);

beforeAll(async () => {
  await provisionBigQuery(clients.bigquery, config);
  await bucket.create().catch((error: { code?: number }) => {
    if (error.code !== 409) throw error;
  });
}, 60_000);

afterAll(async () => {
  await clients.close();
});

describe('the bundled sample on the local stack', () => {
  it('loads through load jobs, one receipt-time partition, and a re-load adds nothing', async () => {
    const loaded = await loadRatingsFile(BUNDLED_RATINGS);
    const options = {
      bigquery: clients.bigquery,
      firestore: clients.firestore,
      dataset: config,
      bucket,
      route: 'upload' as const,
      progress: () => {},
    };
    const first = await loadIntoStores(loaded, options);
    expect(first.ratings).toBe(100_836);
    expect(first.inserted).toBe(100_836);
    expect(first.loadJobs).toBe(first.importFiles.length);
    expect(first.loadJobs).toBeGreaterThan(0);

    const [jobs] = await clients.bigquery.getJobs({ allUsers: true });
    const loads = jobs.filter(
      (job) => job.metadata?.configuration?.load?.destinationTable?.datasetId === config.dataset,
    );
    expect(loads).toHaveLength(first.loadJobs);

    const [partitions] = await clients.bigquery.query(
      `SELECT DATE(ingestedAt) AS day, MIN(ratedAt) AS first, MAX(ratedAt) AS last, COUNT(*) AS n
       FROM \`${config.project}.${config.dataset}.rating_events\` GROUP BY day`,
    );
    expect(partitions).toHaveLength(1);
    expect(Number(partitions[0].n)).toBe(100_836);
    expect(String(partitions[0].first.value)).toMatch(/^1996-/);
    expect(String(partitions[0].last.value)).toMatch(/^2018-/);

    for (const name of first.importFiles) {
      const [exists] = await bucket.file(name.replace(`gs://${bucket.name}/`, '')).exists();
      expect(exists, name).toBe(true);
    }

    const again = await loadIntoStores(loaded, options);
    expect(again.inserted).toBe(0);
    expect(again.loadJobs).toBe(0);
    expect(await countImportEvents(clients.bigquery, config)).toBe(100_836);
    expect((await countEvents(clients.bigquery, config)).rows).toBe(100_836);
  }, 240_000);
});
