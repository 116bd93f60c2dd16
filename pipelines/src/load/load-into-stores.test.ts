import type { BigQuery } from '@google-cloud/bigquery';
import type { Bucket } from '@google-cloud/storage';
import { isWithinStreamingWindow } from '@reel/functions/adapters';
import type { Firestore } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { parseRatingsText } from '../data/read-ratings-file.js';
import type { LoadRoute } from './bulk-load.js';
import { loadIntoStores } from './load-into-stores.js';

/**
 * The import path against recording stand-ins of the clients: the emulator accepts streamed
 * rows of any date, so what is checked is the path the loader takes, not what BigQuery says.
 */
function recordingClients() {
  const calls = { streamed: 0, loads: [] as Array<{ source: unknown; metadata: unknown }> };
  const files = new Map<string, string>();
  const table = {
    insert: async () => {
      calls.streamed += 1;
    },
    load: async (source: unknown, metadata: unknown) => {
      calls.loads.push({ source, metadata });
      return [{}];
    },
  };
  const bigquery = {
    dataset: () => ({ table: () => table }),
    query: async () => [[]],
  } as unknown as BigQuery;
  const bucket = {
    name: 'reel-prod-reel-models',
    file: (name: string) => ({
      name,
      save: async (content: string) => {
        files.set(name, content);
      },
    }),
  } as unknown as Bucket;
  const firestore = {
    collection: () => ({ doc: (id: string) => ({ id }) }),
    getAll: async (...refs: Array<{ id: string }>) =>
      refs.map((ref) => ({ id: ref.id, ref, get: () => undefined, data: () => undefined })),
    bulkWriter: () => ({
      onWriteError: () => {},
      set: async () => {},
      create: async () => {},
      update: async () => {},
      close: async () => {},
    }),
  } as unknown as Firestore;
  return { calls, files, bigquery, bucket, firestore };
}

// 1996 and 2018: the bundled sample's first and last years, far outside the streaming window.
const RATINGS = [
  'userId,movieId,rating,timestamp',
  '1,1,4.0,829000000',
  '1,2,3.5,829000100',
  '2,1,5.0,1537799250',
  '3,3,2.0,900000000',
].join('\n');

async function load(route: LoadRoute, rowsPerFile?: number) {
  const clients = recordingClients();
  const summary = await loadIntoStores(parseRatingsText(RATINGS), {
    bigquery: clients.bigquery,
    firestore: clients.firestore,
    bucket: clients.bucket,
    dataset: { project: 'reel-prod', dataset: 'reel' },
    route,
    progress: () => {},
    rowsPerFile,
  });
  return { ...clients, summary };
}

describe('the import path (npm run load)', () => {
  it('streams no row: on Google Cloud it runs one load job over the files it wrote to the bucket', async () => {
    const { calls, files, summary } = await load('bucket', 3);
    expect(calls.streamed).toBe(0);
    expect(calls.loads).toHaveLength(1);
    const sources = calls.loads[0]!.source as Array<{ name: string }>;
    expect(sources.map((file) => file.name)).toEqual([...files.keys()]);
    expect([...files.keys()]).toHaveLength(2);
    expect(
      [...files.keys()].every((name) => /^imports\/[\w-]+\/part-\d{5}\.ndjson$/.test(name)),
    ).toBe(true);
    expect(calls.loads[0]!.metadata).toEqual({
      sourceFormat: 'NEWLINE_DELIMITED_JSON',
      writeDisposition: 'WRITE_APPEND',
      createDisposition: 'CREATE_NEVER',
    });
    expect(summary.inserted).toBe(4);
    expect(summary.loadJobs).toBe(1);
    expect(summary.importFiles).toEqual(
      [...files.keys()].map((name) => `gs://reel-prod-reel-models/${name}`),
    );
  });

  it('streams no row on the local stack either: one upload load job per file', async () => {
    const { calls, files } = await load('upload');
    expect(calls.streamed).toBe(0);
    expect(calls.loads).toHaveLength(files.size);
    expect(typeof calls.loads[0]!.source).toBe('string');
  });

  it('stamps every row with one receipt time, inside the window, keeping the historic ratedAt', async () => {
    const before = Date.now();
    const { files } = await load('bucket');
    const rows = [...files.values()]
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { ratedAt: string; ingestedAt: string });
    expect(rows.map((row) => row.ratedAt)).toEqual([
      '1996-04-08T21:46:40.000Z',
      '1996-04-08T21:48:20.000Z',
      '2018-09-24T14:27:30.000Z',
      '1998-07-09T16:00:00.000Z',
    ]);
    expect(new Set(rows.map((row) => row.ingestedAt)).size).toBe(1);
    const ingestedAt = new Date(rows[0]!.ingestedAt);
    expect(ingestedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(isWithinStreamingWindow(ingestedAt, new Date())).toBe(true);
    // Partitioned by ratedAt, as before, these rows could not have been streamed.
    expect(isWithinStreamingWindow(new Date(rows[0]!.ratedAt), new Date())).toBe(false);
  });
});

describe('the streaming window', () => {
  const now = new Date('2026-12-06T12:00:00Z');
  it('holds the last five years and the next one, and nothing older', () => {
    expect(isWithinStreamingWindow(now, now)).toBe(true);
    expect(isWithinStreamingWindow(new Date('2022-01-01T00:00:00Z'), now)).toBe(true);
    expect(isWithinStreamingWindow(new Date('2021-11-01T00:00:00Z'), now)).toBe(false);
    expect(isWithinStreamingWindow(new Date('2018-09-24T00:00:00Z'), now)).toBe(false);
    expect(isWithinStreamingWindow(new Date('2027-12-07T00:00:00Z'), now)).toBe(false);
  });
});
