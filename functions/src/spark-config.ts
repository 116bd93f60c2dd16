import { ConfigError, type Env } from './config.js';

/**
 * Where the Spark trainer runs, from the environment (absent: every retrain trains in-process).
 * In the cloud Terraform sets REEL_SPARK_JOB_URI and the rest (terraform/dataproc.tf); the
 * local stack sets REEL_SPARK_SUBMIT and the rest (pipelines/src/stack). Never both.
 */
export type SparkConfig =
  | {
      kind: 'dataproc';
      region: string;
      jobUri: string;
      serviceAccount: string;
      runtimeVersion: string;
      executors: number;
      ttlSeconds: number;
    }
  | {
      kind: 'local';
      sparkSubmit: string;
      jobPath: string;
      workDir: string;
      exportRoot: string;
      master: string;
      driverMemory: string;
    };

export function parseSparkConfig(env: Env): SparkConfig | undefined {
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const problems: string[] = [];
  const required = (name: string, what: string) => {
    const value = read(name);
    if (value === undefined) problems.push(`${name} is not set: set it to ${what}`);
    return value ?? '';
  };
  const whole = (name: string, fallback: number, min: number, max: number) => {
    const text = read(name);
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}="${text}" must be a whole number from ${min} to ${max}`);
    }
    return value;
  };
  const jobUri = read('REEL_SPARK_JOB_URI');
  const sparkSubmit = read('REEL_SPARK_SUBMIT');
  let config: SparkConfig | undefined;
  if (jobUri && sparkSubmit) {
    problems.push(
      'REEL_SPARK_JOB_URI (Dataproc) and REEL_SPARK_SUBMIT (local spark-submit) are both set: set one',
    );
  } else if (jobUri) {
    if (!/^gs:\/\/[a-z0-9][a-z0-9._-]*\/.+\.py$/.test(jobUri)) {
      problems.push(`REEL_SPARK_JOB_URI="${jobUri}" is not a gs:// URI of a .py file`);
    }
    config = {
      kind: 'dataproc',
      jobUri,
      region: required('REEL_SPARK_REGION', 'the Dataproc region, e.g. us-central1'),
      serviceAccount: required('REEL_SPARK_SERVICE_ACCOUNT', 'the batches’ service account email'),
      runtimeVersion: read('REEL_SPARK_RUNTIME_VERSION') ?? '2.2',
      executors: whole('REEL_SPARK_EXECUTORS', 2, 2, 1000),
      ttlSeconds: whole('REEL_SPARK_TTL_SECONDS', 4 * 3600, 600, 14 * 24 * 3600),
    };
  } else if (sparkSubmit) {
    config = {
      kind: 'local',
      sparkSubmit,
      jobPath: required('REEL_SPARK_JOB', 'the path of pipelines/spark/train_job.py'),
      workDir: required('REEL_SPARK_WORK_DIR', 'a directory for the job’s files'),
      exportRoot: required(
        'REEL_BQ_EXPORT_ROOT',
        'the directory where the BigQuery emulator writes gs:// exports (its BQEMU_GCS_LOCAL_ROOT)',
      ),
      master: read('REEL_SPARK_MASTER') ?? 'local[2]',
      driverMemory: read('REEL_SPARK_DRIVER_MEMORY') ?? '2g',
    };
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
