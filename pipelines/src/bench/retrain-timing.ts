import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Executor,
  encodeModelFiles,
  type ModelConfig,
  mulberry32,
  type Ratings,
  trainModelSet,
} from '@reel/functions/model';
import { iterationSeconds, kernelSeconds, timingExecutor } from './timing-executor.js';

export interface RetrainTiming {
  /** Ratings in memory → model files on disk. */
  totalSeconds: number;
  /** trainModelSet: layout, both models, popularity, successors. */
  trainSeconds: number;
  /** Layout and anything else in training outside the two models' iterations. */
  setupSeconds: number;
  encodeSeconds: number;
  writeSeconds: number;
  modelBytes: number;
  explicit: { factors: number; iterations: number; secondsPerIteration: number[] };
  ranking: { factors: number; iterations: number; secondsPerIteration: number[] };
  /** Seconds spent in each parallel kernel (wall clock of the runs). */
  kernels: Record<string, number>;
}

/**
 * Protocol S: a full retrain of both models from ratings already in memory to model files
 * written to disk (a temporary directory, removed after), the same trainModelSet and
 * encodeModelFiles the retrain function runs. Iteration times come from the executor's kernel
 * runs, so no loss pass is added to what is timed.
 */
export async function retrainToFiles(
  ratings: Ratings,
  movieIds: Int32Array,
  config: ModelConfig,
  options: { seed: number; executor: Executor },
): Promise<RetrainTiming> {
  const executor = timingExecutor(options.executor);
  const directory = await mkdtemp(join(tmpdir(), 'reel-model-'));
  try {
    const started = performance.now();
    const set = await trainModelSet(ratings, movieIds, config, {
      random: mulberry32(options.seed),
      executor,
    });
    const trained = performance.now();
    const files = encodeModelFiles(set, {
      version: 'bench',
      createdAt: new Date(0).toISOString(),
      trainedThrough: new Date(0).toISOString(),
      training: { users: ratings.userCount, ratings: ratings.value.length },
      metrics: {},
    });
    const encoded = performance.now();
    let modelBytes = 0;
    for (const [name, bytes] of files) {
      await writeFile(join(directory, name), bytes);
      modelBytes += bytes.byteLength;
    }
    const written = performance.now();
    const { runs } = executor;
    const explicitRuns = runs.filter((r) => r.kernel.startsWith('explicit'));
    const rankingRuns = runs.filter((r) => !r.kernel.startsWith('explicit'));
    const explicitPerIteration = iterationSeconds(
      explicitRuns,
      'explicitRows',
      explicitRuns[0]?.start ?? started,
    );
    const rankingPerIteration = iterationSeconds(
      rankingRuns,
      'implicitRows',
      rankingRuns[0]?.start ?? started,
    );
    const iterationTotal = [...explicitPerIteration, ...rankingPerIteration].reduce(
      (a, b) => a + b,
      0,
    );
    return {
      totalSeconds: (written - started) / 1000,
      trainSeconds: (trained - started) / 1000,
      setupSeconds: (trained - started) / 1000 - iterationTotal,
      encodeSeconds: (encoded - trained) / 1000,
      writeSeconds: (written - encoded) / 1000,
      modelBytes,
      explicit: {
        factors: config.explicit.factors,
        iterations: config.explicit.iterations,
        secondsPerIteration: explicitPerIteration,
      },
      ranking: {
        factors: config.ranking.factors,
        iterations: config.ranking.iterations,
        secondsPerIteration: rankingPerIteration,
      },
      kernels: kernelSeconds(runs),
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
