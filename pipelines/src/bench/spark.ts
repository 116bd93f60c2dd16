import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SPARK_JAVA_OPTIONS, sparkErrors, sparkSubmitEnv } from '@reel/functions/adapters';
import {
  DEFAULT_MODEL_CONFIG,
  decodeModelFiles,
  type Executor,
  explicitUserSide,
  foldInSparkExplicit,
  foldInSparkRanking,
  type ModelSet,
  mulberry32,
  type Ratings,
  Recommender,
  rankingUserSide,
  trainModelSet,
  type UserItemRatings,
} from '@reel/functions/model';
import type { LoadedRatings } from '../data/ratings-parser.js';
import { ratingErrors } from '../eval/metrics.js';
import { relativeDifference } from '../eval/protocol-f.js';
import { runProtocolR } from '../eval/protocol-r.js';
import { LIST_LENGTH, rankingTask, scoreLists } from '../eval/protocol-t.js';
import { randomSplit } from '../eval/splits.js';
import { type ProgressSink, silentProgress } from '../report/progress.js';
import { fixed, formatTable } from '../report/table.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SPARK_JOB = join(ROOT, 'pipelines/spark/train_job.py');
export const SPARK_SUBMIT = join(ROOT, '.venv/bin/spark-submit');

/** Peak memory of a spark-submit run: local mode runs driver and executors in one JVM. */
export interface SparkMemory {
  /** The JVM (driver and executors, local mode). */
  jvmMiB: number;
  /** The job's Python driver process. */
  pythonMiB: number;
  /** All processes of the run at their highest total. */
  totalMiB: number;
}

export interface SparkRun {
  /** spark-submit started → exited (JVM start, reading, training, writing). */
  wallSeconds: number;
  /** The job's own time, SparkSession up → files written. */
  jobSeconds: number;
  memory: SparkMemory;
}

/**
 * Runs the job once with `spark-submit --master local[cores]` on a CSV of ratings, sampling the
 * process tree's memory (every 250 ms) until it exits.
 */
export async function runSparkJob(
  args: string[],
  options: { cores: number; driverMemory: string; progress: ProgressSink },
): Promise<SparkRun> {
  const started = performance.now();
  const child = spawn(
    SPARK_SUBMIT,
    [
      '--master',
      `local[${options.cores}]`,
      '--driver-memory',
      options.driverMemory,
      '--conf',
      'spark.ui.enabled=false',
      '--conf',
      'spark.driver.host=127.0.0.1',
      '--conf',
      'spark.driver.bindAddress=127.0.0.1',
      '--conf',
      `spark.sql.shuffle.partitions=${4 * options.cores}`,
      '--conf',
      `spark.driver.extraJavaOptions=${SPARK_JAVA_OPTIONS}`,
      SPARK_JOB,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: sparkSubmitEnv(join(ROOT, '.venv'), process.env) },
  );
  const memory: SparkMemory = { jvmMiB: 0, pythonMiB: 0, totalMiB: 0 };
  const sampler = setInterval(() => sampleTree(child.pid ?? -1, memory), 250);
  let jobSeconds = Number.NaN;
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
      if (!line.startsWith('{"progress"')) continue;
      const { progress, seconds } = JSON.parse(line) as { progress: string; seconds?: number };
      if (progress === 'done' && seconds !== undefined) jobSeconds = seconds;
      options.progress(`spark: ${progress}`);
    }
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  clearInterval(sampler);
  if (code !== 0) {
    throw new Error(`spark-submit exited with ${code}: ${errors.summary()}`);
  }
  return { wallSeconds: (performance.now() - started) / 1000, jobSeconds, memory };
}

/** Adds the current RSS of `root` and its descendants to the peaks in `memory`. */
function sampleTree(root: number, memory: SparkMemory): void {
  const children = new Map<number, number[]>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const parent = Number(stat.slice(close + 2).split(' ')[1]);
      const pid = Number(entry);
      names.set(pid, stat.slice(stat.indexOf('(') + 1, close));
      children.set(parent, [...(children.get(parent) ?? []), pid]);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    queue.push(...(children.get(pid) ?? []));
    let rss = 0;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    } catch {
      continue;
    }
    total += rss;
    const name = names.get(pid) ?? '';
    if (name === 'java') memory.jvmMiB = Math.max(memory.jvmMiB, rss);
    if (name.startsWith('python')) memory.pythonMiB = Math.max(memory.pythonMiB, rss);
  }
  memory.totalMiB = Math.max(memory.totalMiB, total);
}

/** Writes ratings as the job reads them: user ids that sort as the dense users do. */
async function writeRatingsCsv(
  path: string,
  ratings: Ratings,
  loaded: LoadedRatings,
): Promise<void> {
  const lines = ['userId,movieId,rating,ratedAtMicros'];
  const timestamp = ratings.timestamp as Float64Array;
  for (let n = 0; n < ratings.value.length; n++) {
    lines.push(
      `${userKey(ratings.user[n]!)},${loaded.movieIds[ratings.item[n]!]},${ratings.value[n]},${Math.round(timestamp[n]! * 1e6)}`,
    );
  }
  await writeFile(path, `${lines.join('\n')}\n`);
}

const userKey = (user: number) => `u${String(user).padStart(9, '0')}`;

/** The job's user sides by dense user (the job indexes users by sorted id). */
function readUserSides(directory: string, k: { explicit: number; ranking?: number }) {
  const ids = JSON.parse(readFileSync(join(directory, 'user-ids.json'), 'utf8')) as string[];
  const f32 = (name: string) => {
    const bytes = readFileSync(join(directory, name));
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  };
  const biases = readFileSync(join(directory, 'explicit-user-biases.f64'));
  return {
    sparkIndexOf: new Map(ids.map((id, index) => [Number(id.slice(1)), index])),
    explicitFactors: f32('explicit-user-factors.f32'),
    explicitBiases: new Float64Array(biases.buffer, biases.byteOffset, biases.byteLength / 8),
    rankingFactors: k.ranking ? f32('ranking-user-factors.f32') : undefined,
  };
}

export interface TrainerFigures {
  ndcg10: number;
  recall20: number;
  recall10: number;
  coverage10: number;
  rmse: number;
  trainSeconds: number;
}

export interface SparkBenchResult {
  spark: TrainerFigures & {
    wallSeconds: number;
    memory: SparkMemory;
    ratingModel: SparkRun;
    consistency: { ranking: number; explicit: number; users: number };
  };
  inProcess: TrainerFigures;
}

/**
 * The Spark trainer beside the in-process one in the same run, on the same splits, both
 * served the same way (the Recommender's fold-in and top-N, no genre term since the Spark job
 * writes no genres): Protocol T on the per-user temporal split, Protocol R on the seeded 80/20
 * split, and fold-in consistency against the Spark-trained user sides.
 */
export async function benchSpark(
  loaded: LoadedRatings,
  options: {
    seed: number;
    executor: Executor;
    cores: number;
    driverMemory: string;
    progress?: ProgressSink;
  },
): Promise<SparkBenchResult> {
  const progress = options.progress ?? silentProgress;
  const { ratings } = loaded;
  const work = await mkdtemp(join(tmpdir(), 'reel-spark-bench-'));
  try {
    const task = rankingTask(ratings);
    const train = task.split.train;
    progress(`spark: Protocol T train split, ${train.value.length} ratings → CSV`);
    await writeRatingsCsv(join(work, 'train.csv'), train, loaded);
    const run = await runSparkJob(
      [
        `--ratings=${join(work, 'train.csv')}`,
        `--output=${join(work, 'model')}`,
        '--version=bench',
        '--no-holdout',
        `--user-factors=${join(work, 'users')}`,
        `--seed=${options.seed}`,
      ],
      { cores: options.cores, driverMemory: options.driverMemory, progress },
    );
    const files = new Map<string, Uint8Array>();
    for (const name of readdirSync(join(work, 'model'))) {
      files.set(name, await readFile(join(work, 'model', name)));
    }
    const sparkSet = decodeModelFiles(files).set;

    progress('in-process: training on the same split');
    const trainStarted = performance.now();
    const inProcessSet = await trainModelSet(train, loaded.movieIds, DEFAULT_MODEL_CONFIG, {
      random: mulberry32(options.seed),
      executor: options.executor,
    });
    const inProcessSeconds = (performance.now() - trainStarted) / 1000;

    const sparkRanking = rankServed(sparkSet, task, loaded);
    const inProcessRanking = rankServed(inProcessSet, task, loaded);
    const consistency = foldInConsistency(sparkSet, join(work, 'users'), task, loaded);

    progress('Protocol R: the rating model on the 80/20 split, both trainers');
    const split = randomSplit(ratings, 0.8, mulberry32(options.seed));
    await writeRatingsCsv(join(work, 'r-train.csv'), split.train, loaded);
    const ratingRun = await runSparkJob(
      [
        `--ratings=${join(work, 'r-train.csv')}`,
        `--output=${join(work, 'r-model')}`,
        '--version=bench-r',
        '--rating-model-only',
        `--user-factors=${join(work, 'r-users')}`,
        `--seed=${options.seed}`,
      ],
      { cores: options.cores, driverMemory: options.driverMemory, progress },
    );
    const sparkRmse = sparkRatingErrors(join(work, 'r-users'), split.test, loaded);
    const inProcessR = await runProtocolR(ratings, {
      seed: options.seed,
      config: DEFAULT_MODEL_CONFIG.explicit,
      executor: options.executor,
      folds: 0,
    });
    return {
      spark: {
        ...sparkRanking,
        rmse: sparkRmse,
        trainSeconds: run.wallSeconds,
        wallSeconds: run.wallSeconds,
        memory: run.memory,
        ratingModel: ratingRun,
        consistency,
      },
      inProcess: { ...inProcessRanking, rmse: inProcessR.rmse, trainSeconds: inProcessSeconds },
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Protocol T's metrics of a model set as served: each user folded in from train, top 20. */
function rankServed(set: ModelSet, task: ReturnType<typeof rankingTask>, loaded: LoadedRatings) {
  const recommender = new Recommender(set);
  const itemOf = new Map(Array.from(loaded.movieIds, (movieId, item) => [movieId, item]));
  const lists = Array.from(task.users, (user) => {
    const folded = recommender.foldIn(userRatings(task, user, loaded));
    const { items } = recommender.recommend(folded, { count: LIST_LENGTH, explain: false });
    return items.map((item) => itemOf.get(item.movieId) as number);
  });
  const summary = scoreLists(task, lists);
  return {
    ndcg10: summary.ndcg10,
    recall10: summary.recall10,
    recall20: summary.recall20,
    coverage10: summary.coverage10,
  };
}

function userRatings(task: ReturnType<typeof rankingTask>, user: number, loaded: LoadedRatings) {
  const { train } = task.split;
  const { offsets, rows } = task.trainRows;
  const out = [];
  for (let p = offsets[user]!; p < offsets[user + 1]!; p++) {
    const n = rows[p]!;
    out.push({
      movieId: loaded.movieIds[train.item[n]!]!,
      rating: train.value[n]!,
      ratedAt: (train.timestamp as Float64Array)[n]!,
    });
  }
  return out;
}

/**
 * Fold-in against the Spark-trained factors: every user's train ratings folded into the
 * model's item side by Spark's user step, compared with the user sides Spark itself wrote
 * (‖fold-in − Spark‖∞ / ‖Spark‖∞; rating model over (p_u, b_u)).
 */
function foldInConsistency(
  set: ModelSet,
  directory: string,
  task: ReturnType<typeof rankingTask>,
  loaded: LoadedRatings,
) {
  const sides = readUserSides(directory, { explicit: set.explicit.k, ranking: set.ranking.k });
  const rowOf = new Map(Array.from(set.itemIds, (movieId, row) => [movieId, row]));
  const rankingSide = rankingUserSide(set.ranking);
  const explicitSide = explicitUserSide(set.explicit);
  const ke = set.explicit.k;
  const kr = set.ranking.k;
  let ranking = 0;
  let explicit = 0;
  let users = 0;
  for (let user = 0; user < task.split.train.userCount; user++) {
    const spark = sides.sparkIndexOf.get(user);
    if (spark === undefined) continue;
    const mine = userRatings(task, user, loaded);
    const input: UserItemRatings = {
      items: Int32Array.from(mine, (r) => rowOf.get(r.movieId) as number),
      values: Float32Array.from(mine, (r) => r.rating),
      timestamps: Float64Array.from(mine, (r) => r.ratedAt),
    };
    const folded = foldInSparkRanking(rankingSide, set.config.ranking, input);
    ranking = Math.max(
      ranking,
      relativeDifference(
        folded.factors,
        sides.rankingFactors!.subarray(spark * kr, spark * kr + kr),
      ),
    );
    const rated = foldInSparkExplicit(explicitSide, input);
    explicit = Math.max(
      explicit,
      relativeDifference(
        [...rated.factors, rated.bias],
        [
          ...sides.explicitFactors.subarray(spark * ke, spark * ke + ke),
          sides.explicitBiases[spark]!,
        ],
      ),
    );
    users++;
  }
  return { ranking, explicit, users };
}

/** Protocol R's RMSE of the Spark rating model, from its own user sides (clipped stars). */
function sparkRatingErrors(directory: string, test: Ratings, loaded: LoadedRatings): number {
  const { itemIds, globalMean } = JSON.parse(
    readFileSync(join(directory, 'item-ids.json'), 'utf8'),
  ) as {
    itemIds: number[];
    globalMean: number;
  };
  const bytes = (name: string) => readFileSync(join(directory, name));
  const f32 = (name: string) => {
    const b = bytes(name);
    return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  };
  const itemFactors = f32('explicit-item-factors.f32');
  const itemBiases = f32('explicit-item-biases.f32');
  const k = itemFactors.length / Math.max(1, itemIds.length);
  const sides = readUserSides(directory, { explicit: k });
  const rowOf = new Map(itemIds.map((movieId, row) => [movieId, row]));
  const predicted = new Float64Array(test.value.length);
  for (let n = 0; n < predicted.length; n++) {
    const user = sides.sparkIndexOf.get(test.user[n]!);
    const row = rowOf.get(loaded.movieIds[test.item[n]!]!);
    let stars = globalMean;
    if (row !== undefined) stars += itemBiases[row]!;
    if (user !== undefined) {
      stars += sides.explicitBiases[user]!;
      if (row !== undefined) {
        for (let d = 0; d < k; d++)
          stars += sides.explicitFactors[user * k + d]! * itemFactors[row * k + d]!;
      }
    }
    predicted[n] = stars;
  }
  return ratingErrors(predicted, test.value).rmse;
}

/** Local mode runs the executors inside the driver's JVM: this is all of Spark's heap. */
export const SPARK_DRIVER_MEMORY = '4g';

/** The comparison as a table, with what each figure means. */
export function renderSparkBench(result: SparkBenchResult, cores: number): string[] {
  const { spark, inProcess } = result;
  const row = (label: string, f: TrainerFigures, seconds: number) => [
    label,
    fixed(f.ndcg10, 4),
    fixed(f.recall10, 4),
    fixed(f.recall20, 4),
    fixed(f.coverage10, 3),
    fixed(f.rmse, 4),
    fixed(seconds, 1),
  ];
  return [
    `Spark trainer (MLlib ALS, spark-submit --master local[${cores}], driver memory ${SPARK_DRIVER_MEMORY}) beside the in-process trainer, same splits, both served by the Recommender's fold-in and top-N without the genre term`,
    formatTable(
      [
        'trainer',
        'NDCG@10',
        'Recall@10',
        'Recall@20',
        'coverage@10',
        'RMSE (R)',
        'train s (T split)',
      ],
      [
        row('spark', spark, spark.trainSeconds),
        row('in-process', inProcess, inProcess.trainSeconds),
      ],
    ),
    `ratios spark / in-process: NDCG@10 ${fixed(spark.ndcg10 / inProcess.ndcg10, 3)}, Recall@20 ${fixed(spark.recall20 / inProcess.recall20, 3)}, RMSE ${fixed(spark.rmse / inProcess.rmse, 3)}, train time ${fixed(spark.trainSeconds / inProcess.trainSeconds, 2)}`,
    `spark train s = spark-submit start → exit (JVM start included; the job's own ${fixed(spark.ratingModel.jobSeconds, 1)} s for the rating model alone on the R split); in-process = trainModelSet in this process`,
    `spark peak memory (local mode: driver and executors in one JVM): JVM ${fixed(spark.memory.jvmMiB, 0)} MiB, Python driver ${fixed(spark.memory.pythonMiB, 0)} MiB, all processes ${fixed(spark.memory.totalMiB, 0)} MiB`,
    `fold-in against the Spark-trained user sides (${spark.consistency.users} users, ‖fold-in − Spark‖∞ / ‖Spark‖∞, float32 factors): ranking ${spark.consistency.ranking.toExponential(2)}, rating model ${spark.consistency.explicit.toExponential(2)} (target ≤ 1e-4)`,
  ];
}
