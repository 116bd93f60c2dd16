/**
 * One Protocol S measurement in its own process, so its peak RSS is its own: loads or
 * generates the ratings, runs retrainToFiles, and prints one JSON line. Started by
 * `npm run bench` (runRetrainChild); arguments are JSON in argv[2].
 */
import { DEFAULT_MODEL_CONFIG, type ModelConfig } from '@reel/functions/model';
import { createExecutor, startWorkers } from '../cli/threads.js';
import type { SyntheticSize } from '../data/synthetic.js';
import { peakRssMiB } from '../report/machine.js';
import { stderrProgress } from '../report/progress.js';
import { type BenchDataset, benchRatings } from './datasets.js';
import { retrainToFiles } from './retrain-timing.js';

export interface RetrainChildRequest {
  dataset: BenchDataset | SyntheticSize;
  seed: number;
  threads: number;
  /** Overrides of the ranking and explicit factors (the scaling runs vary k). */
  factors?: number;
}

const request = JSON.parse(process.argv[2]) as RetrainChildRequest;
const { loaded, source } = await benchRatings(request.dataset, request.seed, stderrProgress);
const dataRssMiB = peakRssMiB();
const config: ModelConfig = request.factors
  ? {
      ...DEFAULT_MODEL_CONFIG,
      ranking: { ...DEFAULT_MODEL_CONFIG.ranking, factors: request.factors },
      explicit: { ...DEFAULT_MODEL_CONFIG.explicit, factors: request.factors },
    }
  : DEFAULT_MODEL_CONFIG;
const executor = createExecutor(request.threads);
try {
  await startWorkers(executor);
  stderrProgress(
    `retraining on ${loaded.ratings.value.length} ratings with ${request.threads} threads`,
  );
  const cpuStarted = process.cpuUsage();
  const timing = await retrainToFiles(loaded.ratings, loaded.movieIds, config, {
    seed: request.seed,
    executor,
  });
  const cpu = process.cpuUsage(cpuStarted);
  const result = {
    source,
    ratings: loaded.ratings.value.length,
    users: loaded.ratings.userCount,
    movies: loaded.ratings.itemCount,
    dataRssMiB,
    peakRssMiB: peakRssMiB(),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    ...timing,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await executor.close();
}
