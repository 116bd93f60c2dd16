import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bucket } from '@google-cloud/storage';
import type { Logger } from '../logging/logger.js';
import type { SparkBatchState } from '../usecases/ports.js';
import { jobArguments, type RatingsExport, type SparkJobRequest, sparkPaths } from './dataproc.js';

export interface LocalSparkSettings {
  /** The project venv's spark-submit (pyspark from requirements.txt). */
  sparkSubmit: string;
  /** pipelines/spark/train_job.py */
  jobPath: string;
  /** {workDir}/{version}/ holds the catalogue in and the staged files out. */
  workDir: string;
  /** Where the BigQuery emulator writes gs:// exports (its BQEMU_GCS_LOCAL_ROOT). */
  exportRoot: string;
  /** Spark master: local[2] on this machine. */
  master: string;
  /** Driver memory, e.g. "2g" (local mode runs the executors inside the driver). */
  driverMemory: string;
  /** Environment of spark-submit (JAVA_HOME, PATH). */
  env: NodeJS.ProcessEnv;
}

/**
 * spark-submit's environment for a venv's pyspark: its scripts find Spark and run the job with
 * the `python3` on PATH, which must be the venv's.
 */
export function sparkSubmitEnv(venv: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...base,
    PATH: `${join(venv, 'bin')}:${base.PATH ?? ''}`,
    PYSPARK_PYTHON: join(venv, 'bin', 'python3'),
    PYSPARK_DRIVER_PYTHON: join(venv, 'bin', 'python3'),
  };
}

/**
 * MLlib's ALS builds a lineage as long as its iterations; serialising it recurses that deep, and
 * 20 iterations overflow the default thread stack. (Checkpointing would cut it, but needs a
 * directory every executor shares.)
 */
export const SPARK_JAVA_OPTIONS = '-Xss64m';

/** Keeps what explains a failed spark-submit: its error lines, not Java's stack frames. */
export function sparkErrors() {
  const found: string[] = [];
  let pending = '';
  return {
    add(chunk: string): void {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (/(Error|Exception)\b/.test(line) && !/^\s+at /.test(line) && found.length < 20) {
          found.push(line.trim().slice(0, 500));
        }
      }
    },
    summary(): string {
      return found.length > 0 ? found.slice(0, 5).join(' | ') : 'no error line in its output';
    },
  };
}

const FAILED_FILE = 'failed.json';
const MANIFEST_FILE = 'manifest.json';
const batchIdOfLocal = (version: string) => `local-${version}`;

/**
 * The Spark trainer on this machine: the same job as on Dataproc, run by `spark-submit --master
 * local[2]` from the project venv. The ratings are exported by the same EXPORT DATA statement
 * (the BigQuery emulator writes gs:// URIs under its local root, which the job reads as a
 * directory); the job writes to a work directory, and when spark-submit exits the files are
 * uploaded to staging/{version}/ in the storage emulator, manifest last, or the job's own
 * failed.json if it wrote one. The storage emulator's own Pub/Sub notification of that object
 * then starts the publish step, as Cloud Storage's does in the cloud. A job that dies without
 * its failed.json (killed, the JVM lost) stages nothing, as on Dataproc: `state` reports it
 * ended, with spark-submit's exit and error lines, as getBatch does there. `submit` returns
 * once the job has started; `finished(version)` waits for the upload (for CLIs and tests).
 */
export function createLocalSparkTrainer(
  bucket: Bucket,
  exportRatings: RatingsExport,
  settings: LocalSparkSettings,
  log: Logger,
) {
  const running = new Map<string, Promise<'staged' | 'failed'>>();
  /** By batch id: what getBatch would say of each job this instance started. */
  const states = new Map<string, SparkBatchState>();

  async function stage(
    version: string,
    directory: string,
    failure?: string,
  ): Promise<'staged' | 'failed'> {
    const { stagingPrefix } = sparkPaths(version);
    const names = existsSync(directory) ? await readdir(directory) : [];
    if (names.includes(FAILED_FILE)) {
      // The job's own failed.json says why; the job writes it when it can.
      const own = await readFile(join(directory, FAILED_FILE));
      await bucket.file(`${stagingPrefix}${FAILED_FILE}`).save(own, { resumable: false });
      return 'failed';
    }
    // A job that died without failed.json stages nothing: only its state says why.
    if (failure !== undefined) return 'failed';
    if (!names.includes(MANIFEST_FILE)) {
      const reason = 'the job exited 0 but wrote no manifest.json';
      await bucket
        .file(`${stagingPrefix}${FAILED_FILE}`)
        .save(Buffer.from(JSON.stringify({ version, reason })), { resumable: false });
      return 'failed';
    }
    // Every file first, the manifest last: its notification means the version is complete.
    const ordered = [
      ...names.filter((name) => name !== MANIFEST_FILE && name !== FAILED_FILE),
      MANIFEST_FILE,
    ];
    for (const name of ordered) {
      await bucket
        .file(`${stagingPrefix}${name}`)
        .save(await readFile(join(directory, name)), { resumable: false });
    }
    return 'staged';
  }

  async function run(
    request: SparkJobRequest,
    work: string,
    catalogue: string,
  ): Promise<'staged' | 'failed'> {
    const output = join(work, 'staging');
    const { exportPrefix } = sparkPaths(request.version);
    const args = [
      '--master',
      settings.master,
      '--driver-memory',
      settings.driverMemory,
      '--conf',
      'spark.ui.enabled=false',
      '--conf',
      'spark.driver.host=127.0.0.1',
      '--conf',
      'spark.driver.bindAddress=127.0.0.1',
      '--conf',
      'spark.sql.shuffle.partitions=8',
      '--conf',
      `spark.driver.extraJavaOptions=${SPARK_JAVA_OPTIONS}`,
      settings.jobPath,
      ...jobArguments(request, {
        ratings: join(settings.exportRoot, bucket.name, exportPrefix),
        output,
        catalogue,
      }),
    ];
    const child = spawn(settings.sparkSubmit, args, {
      env: settings.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const errors = sparkErrors();
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', errors.add);
    child.stdout.setEncoding('utf8');
    let pending = '';
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const { progress, ...fields } = JSON.parse(line) as { progress?: string };
          if (progress)
            log.info(`spark: ${progress}`, { modelVersion: request.version, ...fields });
        } catch {
          // Not one of the job's progress lines (Spark's own output).
        }
      }
    });
    const exit = await new Promise<string>((resolve) => {
      child.on('error', (error) => {
        errors.add(`Error: ${error.message}\n`);
        resolve('could not start');
      });
      child.on('close', (code, signal) =>
        resolve(signal ? `was killed by ${signal}` : `exited with ${code}`),
      );
    });
    const failure =
      exit === 'exited with 0' ? undefined : `spark-submit ${exit}: ${errors.summary()}`;
    if (failure)
      log.error('spark: the job failed', { modelVersion: request.version, reason: failure });
    const staged = await stage(request.version, output, failure);
    states.set(
      batchIdOfLocal(request.version),
      failure === undefined
        ? { phase: 'succeeded', state: 'SUCCEEDED' }
        : { phase: 'ended', state: 'FAILED', message: failure },
    );
    return staged;
  }

  return {
    async submit(request: SparkJobRequest): Promise<{ batchId: string }> {
      const { exportPrefix } = sparkPaths(request.version);
      await exportRatings(`gs://${bucket.name}/${exportPrefix}ratings-*.parquet`);
      const work = join(settings.workDir, request.version);
      await rm(work, { recursive: true, force: true });
      await mkdir(work, { recursive: true });
      const catalogue = join(work, 'catalogue.json');
      const [exists] = await bucket.file('catalogue/movies.json').exists();
      if (exists)
        await writeFile(catalogue, (await bucket.file('catalogue/movies.json').download())[0]);
      const batchId = batchIdOfLocal(request.version);
      states.set(batchId, { phase: 'running', state: 'RUNNING' });
      const job = run(request, work, catalogue).catch((error: Error) => {
        log.error('spark: staging the job’s files failed', {
          modelVersion: request.version,
          error,
        });
        const message = `staging the job’s files failed: ${error.message}`;
        states.set(batchId, { phase: 'ended', state: 'FAILED', message });
        return 'failed' as const;
      });
      running.set(request.version, job);
      return { batchId };
    },
    async state(batchId: string): Promise<SparkBatchState> {
      return (
        states.get(batchId) ?? {
          phase: 'ended',
          state: 'NOT_FOUND',
          message: 'no spark-submit job of this stack has that id (the stack restarted since)',
        }
      );
    },
    /** Waits for a submitted job's files (or its failure record) to be uploaded. */
    finished(version: string): Promise<'staged' | 'failed'> | undefined {
      return running.get(version);
    },
  };
}
