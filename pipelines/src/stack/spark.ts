import { join } from 'node:path';

/** Cloud Storage's notifications of staging/ (terraform/dataproc.tf's topic). */
export const MODEL_STAGED_TOPIC = 'model-staged';
/** The push subscription that takes them to retrainModel, as in terraform/dataproc.tf. */
export const MODEL_STAGED_SUBSCRIPTION = 'model-staged-publish';

/**
 * The Spark trainer on the local stack: spark-submit from the project venv, the job from the
 * repository, its files in the stack's state directory, and the directory the BigQuery
 * emulator writes gs:// exports to (its BQEMU_GCS_LOCAL_ROOT).
 */
export function localSparkEnv(root: string, stateDir: string): Record<string, string> {
  return {
    REEL_SPARK_SUBMIT: join(root, '.venv', 'bin', 'spark-submit'),
    REEL_SPARK_JOB: join(root, 'pipelines', 'spark', 'train_job.py'),
    REEL_SPARK_WORK_DIR: join(stateDir, 'spark'),
    REEL_BQ_EXPORT_ROOT: join(stateDir, 'bq-exports'),
  };
}
