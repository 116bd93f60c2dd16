import { describe, expect, it } from 'vitest';
import {
  type BatchClient,
  batchIdOf,
  createDataprocTrainer,
  type DataprocSettings,
} from './dataproc.js';

const settings: DataprocSettings = {
  project: 'reel-prod',
  region: 'europe-west1',
  jobUri: 'gs://reel-prod-reel-models/jobs/train_job-abc.py',
  serviceAccount: 'reel-spark-batch@reel-prod.iam.gserviceaccount.com',
  runtimeVersion: '2.2',
  executors: 6,
  bucket: 'reel-prod-reel-models',
  ttlSeconds: 3600,
};
const request = {
  version: '20261206T031500Z-3f2a9c',
  holdout: { minRatings: 5, fraction: 0.2, maxUsers: 2000 },
  seed: 7,
  requestedAt: '2026-12-06T03:15:00.000Z',
};

const unused = async (): Promise<never> => {
  throw new Error('not called in this test');
};
const noExport = async () => {};

describe('the Dataproc Serverless trainer', () => {
  it('exports the ratings, then submits one PySpark batch of the job over the export', async () => {
    const calls: string[] = [];
    const requests: unknown[] = [];
    const trainer = createDataprocTrainer(
      {
        createBatch: async (built) => {
          calls.push('createBatch');
          requests.push(built);
          return [{ name: 'operations/1' }];
        },
        getBatch: unused,
      },
      async (uri) => {
        calls.push(`export ${uri}`);
      },
      settings,
    );
    const { batchId } = await trainer.submit(request);
    expect(calls).toEqual([
      'export gs://reel-prod-reel-models/exports/20261206T031500Z-3f2a9c/ratings-*.parquet',
      'createBatch',
    ]);
    expect(batchId).toBe('reel-20261206t031500z-3f2a9c');
    expect(requests[0]).toEqual({
      parent: 'projects/reel-prod/locations/europe-west1',
      batchId,
      requestId: batchId,
      batch: {
        pysparkBatch: {
          mainPythonFileUri: 'gs://reel-prod-reel-models/jobs/train_job-abc.py',
          args: [
            '--ratings=gs://reel-prod-reel-models/exports/20261206T031500Z-3f2a9c/',
            '--output=gs://reel-prod-reel-models/staging/20261206T031500Z-3f2a9c/',
            '--version=20261206T031500Z-3f2a9c',
            '--catalogue=gs://reel-prod-reel-models/catalogue/movies.json',
            '--holdout={"minRatings":5,"fraction":0.2,"maxUsers":2000}',
            '--seed=7',
            '--created-at=2026-12-06T03:15:00.000Z',
          ],
        },
        runtimeConfig: {
          version: '2.2',
          properties: {
            'spark.executor.instances': '6',
            'spark.dynamicAllocation.enabled': 'false',
            'spark.driver.extraJavaOptions': '-Xss64m',
            'spark.executor.extraJavaOptions': '-Xss64m',
          },
        },
        environmentConfig: {
          executionConfig: {
            serviceAccount: 'reel-spark-batch@reel-prod.iam.gserviceaccount.com',
            ttl: { seconds: 3600 },
          },
        },
        labels: { app: 'reel', purpose: 'retrain' },
      },
    });
  });

  it('submits nothing when the export fails', async () => {
    let submitted = false;
    const trainer = createDataprocTrainer(
      {
        createBatch: async () => {
          submitted = true;
        },
        getBatch: unused,
      },
      async () => {
        throw new Error('Access Denied: BigQuery');
      },
      settings,
    );
    await expect(trainer.submit(request)).rejects.toThrow('Access Denied');
    expect(submitted).toBe(false);
  });

  it('names batches as Dataproc allows: 4-63 lowercase letters, digits and hyphens', () => {
    for (const version of ['A', 'v1.2_3', `x${'y'.repeat(80)}`, '20261206T031500Z-3f2a9c']) {
      expect(batchIdOf(version)).toMatch(/^[a-z0-9][a-z0-9-]{2,61}[a-z0-9]$/);
    }
  });
});

describe('a Dataproc batch’s state', () => {
  const stateOf = (getBatch: BatchClient['getBatch']) => {
    const names: string[] = [];
    const trainer = createDataprocTrainer(
      {
        createBatch: unused,
        getBatch: async (request) => {
          names.push(request.name);
          return getBatch(request);
        },
      },
      noExport,
      settings,
    );
    return { state: trainer.state('reel-v1'), names };
  };

  it.each([
    [{ state: 'PENDING' }, { phase: 'running', state: 'PENDING' }],
    [{ state: 'RUNNING' }, { phase: 'running', state: 'RUNNING' }],
    [{ state: 'CANCELLING' }, { phase: 'running', state: 'CANCELLING' }],
    [{ state: 'SUCCEEDED' }, { phase: 'succeeded', state: 'SUCCEEDED' }],
    [
      { state: 'FAILED', stateMessage: 'Job failed with message [OOM]' },
      { phase: 'ended', state: 'FAILED', message: 'Job failed with message [OOM]' },
    ],
    [
      { state: 'CANCELLED' },
      { phase: 'ended', state: 'CANCELLED', message: 'Dataproc gives no message (CANCELLED)' },
    ],
    [
      { state: 6, stateMessage: 'numbers too' },
      { phase: 'ended', state: 'FAILED', message: 'numbers too' },
    ],
  ] as const)('%j is %j', async (batch, expected) => {
    const { state, names } = stateOf(async () => [batch]);
    expect(await state).toEqual(expected);
    expect(names).toEqual(['projects/reel-prod/locations/europe-west1/batches/reel-v1']);
  });

  it('is ended when Dataproc has no such batch, and an error otherwise', async () => {
    const missing = stateOf(async () => {
      throw Object.assign(new Error('5 NOT_FOUND: batch not found'), { code: 5 });
    });
    expect(await missing.state).toEqual({
      phase: 'ended',
      state: 'NOT_FOUND',
      message: 'Dataproc has no batch projects/reel-prod/locations/europe-west1/batches/reel-v1',
    });
    const denied = stateOf(async () => {
      throw Object.assign(new Error('7 PERMISSION_DENIED'), { code: 7 });
    });
    await expect(denied.state).rejects.toThrow('PERMISSION_DENIED');
  });
});
