import { describe, expect, it } from 'vitest';
import { parseSparkConfig } from './spark-config.js';

describe('parseSparkConfig', () => {
  it('wires no Spark trainer when nothing is set', () => {
    expect(parseSparkConfig({})).toBeUndefined();
  });

  it('reads Dataproc settings with their defaults', () => {
    expect(
      parseSparkConfig({
        REEL_SPARK_JOB_URI: 'gs://p-reel-models/jobs/train_job-1.py',
        REEL_SPARK_REGION: 'us-central1',
        REEL_SPARK_SERVICE_ACCOUNT: 'reel-spark-batch@p.iam.gserviceaccount.com',
      }),
    ).toEqual({
      kind: 'dataproc',
      jobUri: 'gs://p-reel-models/jobs/train_job-1.py',
      region: 'us-central1',
      serviceAccount: 'reel-spark-batch@p.iam.gserviceaccount.com',
      runtimeVersion: '2.2',
      executors: 2,
      ttlSeconds: 14400,
    });
  });

  it('reads the local spark-submit settings', () => {
    expect(
      parseSparkConfig({
        REEL_SPARK_SUBMIT: '/r/.venv/bin/spark-submit',
        REEL_SPARK_JOB: '/r/pipelines/spark/train_job.py',
        REEL_SPARK_WORK_DIR: '/r/.reel/spark',
        REEL_BQ_EXPORT_ROOT: '/r/.reel/bq-exports',
      }),
    ).toMatchObject({ kind: 'local', master: 'local[2]', driverMemory: '2g' });
  });

  it('names every problem: both kinds, a missing region, a bad executor count', () => {
    expect(() =>
      parseSparkConfig({ REEL_SPARK_JOB_URI: 'gs://b/j.py', REEL_SPARK_SUBMIT: '/x' }),
    ).toThrow(/both set/);
    expect(() =>
      parseSparkConfig({
        REEL_SPARK_JOB_URI: 'gs://b/j.py',
        REEL_SPARK_SERVICE_ACCOUNT: 'a@b',
        REEL_SPARK_EXECUTORS: '1',
      }),
    ).toThrow(/REEL_SPARK_REGION is not set[\s\S]*REEL_SPARK_EXECUTORS="1"/);
  });
});
