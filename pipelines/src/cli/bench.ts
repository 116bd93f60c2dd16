import { DEFAULT_MODEL_CONFIG } from '@reel/functions/model';
import { runRetrainChild } from '../bench/child.js';
import { BENCH_DATASETS, type BenchDataset, benchRatings } from '../bench/datasets.js';
import { measureScaling } from '../bench/scaling.js';
import { benchSpark, renderSparkBench, SPARK_DRIVER_MEMORY } from '../bench/spark.js';
import { BUNDLED_RATINGS } from '../data/bundled.js';
import { genresBeside } from '../data/catalogue.js';
import { SYNTHETIC_SIZES } from '../data/synthetic.js';
import { fitExplicit, fitRanking } from '../eval/models.js';
import { comparePeers, comparisonJson, peerProblems } from '../peers/compare.js';
import { PEERS, tuningBudget } from '../peers/tune-peers.js';
import { writeLossChart } from '../report/charts.js';
import { type DatasetInfo, headerLines } from '../report/header.js';
import { toJson } from '../report/json.js';
import { describeMachine } from '../report/machine.js';
import { formatCount, stderrProgress } from '../report/progress.js';
import { renderPeers, renderProtocolS } from '../report/protocol-report.js';
import { fixed, formatTable } from '../report/table.js';
import { type FlagSpec, integerFlag, parseFlags, runMain, usageText } from './args.js';
import { createExecutor, startWorkers } from './threads.js';

const FLAGS: Record<string, FlagSpec> = {
  dataset: {
    type: 'string',
    choices: BENCH_DATASETS,
    description:
      'bundled MovieLens, or a synthetic set of that size generated in memory (default ml-latest-small)',
  },
  json: { type: 'boolean', description: 'print one JSON object as the last line' },
  peers: {
    type: 'boolean',
    description:
      'also tune and run Surprise SVD and SVD++, implicit ALS and EASE on the same splits (Python venv; ~10 min on a quiet machine); fails if any peer fails',
  },
  scaling: {
    type: 'boolean',
    description: 'also measure how retrain time grows with ratings, users, movies and k (~10 min)',
  },
  charts: {
    type: 'string',
    description: 'write the training-loss charts (ml-latest-small) into this directory',
  },
  seed: { type: 'string', description: 'seed of the data, splits and training (default 42)' },
  threads: {
    type: 'string',
    description: 'training threads (default: the cores this machine has)',
  },
  trainer: {
    type: 'string',
    choices: ['in-process', 'spark'],
    description:
      'spark: also train with the Spark job (spark-submit --master local[cores]) and compare it with the in-process trainer on the same splits',
  },
};
const USAGE = usageText(
  'npm run bench -- [--dataset ml-latest-small|ml1m|ml25m] [--trainer spark] [--json] [--peers] [flags]',
  FLAGS,
);

runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  const dataset = ((flags.dataset as string | undefined) ?? 'ml-latest-small') as BenchDataset;
  const seed = integerFlag(flags, 'seed', 42, 0, 2 ** 32 - 1);
  const machine = describeMachine();
  const threads = integerFlag(flags, 'threads', machine.cores, 1, 256);
  const size = dataset === 'ml-latest-small' ? undefined : SYNTHETIC_SIZES[dataset];

  stderrProgress(`protocol S: retraining ${dataset} in a child process`);
  const retrain = await runRetrainChild({ dataset, seed, threads });
  const info: DatasetInfo = {
    name: dataset,
    source: size ? `synthetic, generated in memory, seed ${seed}` : retrain.source,
    ratings: retrain.ratings,
    users: retrain.users,
    movies: retrain.movies,
  };
  const parameters = {
    threads,
    explicit: DEFAULT_MODEL_CONFIG.explicit,
    ranking: DEFAULT_MODEL_CONFIG.ranking,
  };
  const lines = [
    ...headerLines({
      title: 'Protocol S: full retrain, ratings in memory → model files',
      dataset: info,
      parameters,
      seed,
      machine,
    }),
    '',
    ...renderProtocolS(dataset, retrain),
  ];
  const json: Record<string, unknown> = {
    protocol: 'S',
    dataset: info,
    parameters,
    seed,
    machine,
    trainSeconds: retrain.totalSeconds,
    peakRssMiB: retrain.peakRssMiB,
    retrain,
  };

  if (flags.scaling) {
    const scaling = await measureScaling(seed, threads, stderrProgress);
    lines.push(
      '',
      'how retrain time grows (synthetic, around the ml1m size, one variable at a time; seconds per iteration)',
      formatTable(
        ['variable', 'value', 'total s', 'rating model s/it', 'ranking model s/it', 'peak RSS MiB'],
        scaling.points.map((p) => [
          p.variable,
          p.value,
          fixed(p.totalSeconds, 2),
          fixed(p.explicitSecondsPerIteration, 3),
          fixed(p.rankingSecondsPerIteration, 3),
          fixed(p.peakRssMiB, 0),
        ]),
      ),
      'fitted exponents (time ∝ value^e)',
      formatTable(
        ['variable', 'rating model', 'ranking model', 'total'],
        Object.entries(scaling.exponents).map(([variable, e]) => [
          variable,
          fixed(e.explicit, 2),
          fixed(e.ranking, 2),
          fixed(e.total, 2),
        ]),
      ),
    );
    json.scaling = scaling;
  }

  if (flags.trainer === 'spark') {
    const { loaded } = await benchRatings(dataset, seed, stderrProgress);
    const executor = createExecutor(threads);
    try {
      await startWorkers(executor);
      const result = await benchSpark(loaded, {
        seed,
        executor,
        cores: machine.cores,
        driverMemory: SPARK_DRIVER_MEMORY,
        progress: stderrProgress,
      });
      lines.push('', ...renderSparkBench(result, machine.cores));
      const { spark, inProcess } = result;
      Object.assign(json, {
        trainer: 'spark',
        rmse: spark.rmse,
        ndcg10: spark.ndcg10,
        recall20: spark.recall20,
        maxRelDiff: Math.max(spark.consistency.ranking, spark.consistency.explicit),
        trainSeconds: spark.trainSeconds,
        spark,
        inProcess,
        ratios: {
          ndcg10: spark.ndcg10 / inProcess.ndcg10,
          recall20: spark.recall20 / inProcess.recall20,
          rmse: spark.rmse / inProcess.rmse,
          trainSeconds: spark.trainSeconds / inProcess.trainSeconds,
        },
      });
    } finally {
      await executor.close();
    }
  }

  if (flags.peers || typeof flags.charts === 'string') {
    const { loaded } = await benchRatings(dataset, seed, stderrProgress);
    const executor = createExecutor(threads);
    try {
      await startWorkers(executor);
      if (flags.peers) {
        const rows = await comparePeers(loaded, {
          seed,
          executor,
          threads,
          config: DEFAULT_MODEL_CONFIG,
          genres:
            dataset === 'ml-latest-small'
              ? genresBeside(BUNDLED_RATINGS, loaded.movieIds).genres
              : undefined,
          progress: stderrProgress,
        });
        lines.push(
          '',
          `peers on the same splits (Protocol R: 80/20 per rating; Protocol T: per-user temporal), scored by the same metric code; ` +
            `each peer tuned first on npm run tune's validation splits (cut from those train splits) by the same coordinate descent, with at most as many configurations as one pass of npm run tune tries for our model of its task ` +
            `(rating models on validation RMSE: ${tuningBudget('rating')}; ranking models on validation NDCG@10: ${tuningBudget('ranking')}); ` +
            `threads: ours ${threads} (worker threads), implicit num_threads=${threads} with OPENBLAS_NUM_THREADS=1, EASE OPENBLAS_NUM_THREADS=${threads}, Surprise's SGD is single-threaded`,
          ...renderPeers(rows),
        );
        const problems = peerProblems(rows);
        if (problems.length > 0) {
          process.stdout.write(`${lines.join('\n')}\n`);
          throw new Error(
            `${problems.length} of ${PEERS.length} peers have no figures, so the comparison is incomplete:\n${problems.join('\n')}`,
          );
        }
        Object.assign(json, comparisonJson(rows));
      }
      if (typeof flags.charts === 'string') {
        const fit = { seed, executor, withLoss: true };
        const explicit = await fitExplicit(loaded.ratings, DEFAULT_MODEL_CONFIG.explicit, fit);
        const ranking = await fitRanking(loaded.ratings, DEFAULT_MODEL_CONFIG.ranking, fit);
        const subtitle = `${dataset}, all ${formatCount(loaded.ratings.value.length)} ratings, seed ${seed}`;
        stderrProgress(
          `wrote ${await writeLossChart(flags.charts, 'loss-rating-model.svg', 'Rating model (biased ALS): training loss per iteration', explicit.iterations, subtitle)}`,
        );
        stderrProgress(
          `wrote ${await writeLossChart(flags.charts, 'loss-ranking-model.svg', 'Ranking model (weighted implicit ALS): training loss per iteration', ranking.iterations, subtitle)}`,
        );
      }
    } finally {
      await executor.close();
    }
  }

  process.stdout.write(`${lines.join('\n')}\n`);
  if (flags.json) process.stdout.write(`${toJson(json)}\n`);
});
