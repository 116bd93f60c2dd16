import { basename, dirname } from 'node:path';
import { RELEVANT_RATING } from '@reel/functions/contracts/limits';
import { DEFAULT_MODEL_CONFIG, Recommender } from '@reel/functions/model';
import { BUNDLED_RATINGS } from '../data/bundled.js';
import { genresBeside } from '../data/catalogue.js';
import { loadRatingsFile } from '../data/read-ratings-file.js';
import {
  fitModelSet,
  protocolTContenders,
  TERM_OFF_KEYS,
  withoutTerm,
} from '../eval/contenders.js';
import { genreFans } from '../eval/genre-fans.js';
import { consistency, foldInCost, progressive } from '../eval/protocol-f.js';
import { runProtocolR } from '../eval/protocol-r.js';
import { type ContenderResult, rankingTask, runProtocolT } from '../eval/protocol-t.js';
import { writeProgressiveChart } from '../report/charts.js';
import { datasetInfo, headerLines } from '../report/header.js';
import { toJson } from '../report/json.js';
import { describeMachine } from '../report/machine.js';
import { stderrProgress } from '../report/progress.js';
import { renderProtocolF, renderProtocolR, renderProtocolT } from '../report/protocol-report.js';
import { RE_RANK_TERMS, renderTermF, renderTermT, termF, termT } from '../report/term-on-off.js';
import { type FlagSpec, integerFlag, parseFlags, runMain, UsageError, usageText } from './args.js';
import { createExecutor, startWorkers } from './threads.js';

const FLAGS: Record<string, FlagSpec> = {
  ratings: {
    type: 'string',
    description:
      'ratings file: ratings.csv, ratings.dat or u.data, detected by content (default: the bundled ml-latest-small)',
  },
  protocol: {
    type: 'string',
    choices: ['R', 'T', 'F'],
    description: 'which protocol of EVALUATION.md to run',
  },
  json: { type: 'boolean', description: 'print one JSON object as the last line' },
  seed: { type: 'string', description: 'seed of every random choice (default 42)' },
  threads: {
    type: 'string',
    description: 'training threads (default: the cores this machine has)',
  },
  folds: { type: 'string', description: 'Protocol R cross-validation folds, 0 = none (default 5)' },
  lenient: {
    type: 'boolean',
    description: 'leave malformed lines out (reported) instead of failing',
  },
  charts: { type: 'string', description: 'write the SVG charts of this run into this directory' },
  requests: {
    type: 'string',
    description: 'Protocol F cost: timed requests per catalogue size (default 2000)',
  },
};
const USAGE = usageText(
  'npm run eval -- --protocol R|T|F [--ratings <file>] [--json] [flags]',
  FLAGS,
);

runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  const protocol = flags.protocol;
  if (typeof protocol !== 'string')
    throw new UsageError(`--protocol is required (R, T or F)\n${USAGE}`);
  const seed = integerFlag(flags, 'seed', 42, 0, 2 ** 32 - 1);
  const path = typeof flags.ratings === 'string' ? flags.ratings : BUNDLED_RATINGS;
  const machine = describeMachine();
  const threads = integerFlag(flags, 'threads', machine.cores, 1, 256);
  const loaded = await loadRatingsFile(path, {
    onMalformed: flags.lenient ? 'skip' : 'fail',
    progress: stderrProgress,
  });
  if (loaded.malformed.count > 0) {
    stderrProgress(
      `left out ${loaded.malformed.count} malformed lines: ` +
        loaded.malformed.first.map((e) => `line ${e.line}: ${e.message}`).join('; '),
    );
  }
  const dataset = datasetInfo(basename(dirname(path)), path, loaded);
  const { genres, description: genreSource } = genresBeside(path, loaded.movieIds);
  const executor = createExecutor(threads);
  try {
    await startWorkers(executor);
    const lines: string[] = [];
    let json: Record<string, unknown>;
    const header = (title: string, parameters: Record<string, unknown>) =>
      headerLines({ title, dataset, parameters, seed, machine });
    if (protocol === 'R') {
      const folds = integerFlag(flags, 'folds', 5, 0, 20);
      const parameters = {
        split: '80/20 per rating',
        folds,
        threads,
        explicit: DEFAULT_MODEL_CONFIG.explicit,
      };
      const result = await runProtocolR(loaded.ratings, {
        seed,
        config: DEFAULT_MODEL_CONFIG.explicit,
        executor,
        folds,
        progress: stderrProgress,
      });
      lines.push(
        ...header('Protocol R: rating prediction', parameters),
        '',
        ...renderProtocolR(result),
      );
      json = { protocol, dataset, parameters, seed, machine, ...result };
    } else if (protocol === 'T') {
      const task = rankingTask(loaded.ratings);
      const parameters = {
        split: 'per-user temporal, last 20% held out',
        relevant: `held-out rating ≥ ${RELEVANT_RATING.toFixed(1)}`,
        threads,
        ranking: DEFAULT_MODEL_CONFIG.ranking,
        genres: { ...DEFAULT_MODEL_CONFIG.genres, from: genreSource },
      };
      const results = await runProtocolT(
        task,
        protocolTContenders(DEFAULT_MODEL_CONFIG, {
          seed,
          executor,
          movieIds: loaded.movieIds,
          genres,
        }),
        stderrProgress,
      );
      const [ours, ...others] = results;
      const offKeys: string[] = Object.values(TERM_OFF_KEYS);
      const baselines = others.filter((r) => !offKeys.includes(r.key));
      const [genreTerm, sequenceTerm] = RE_RANK_TERMS.map((term) => {
        const off = others.find((r) => r.key === TERM_OFF_KEYS[term]) as ContenderResult;
        return termT(term, DEFAULT_MODEL_CONFIG.genres, ours, off);
      });
      lines.push(
        ...header('Protocol T: top-N ranking', parameters),
        '',
        ...renderProtocolT([ours, ...baselines]),
        '',
        ...renderTermT(genreTerm),
        '',
        ...renderTermT(sequenceTerm),
      );
      json = {
        protocol,
        dataset,
        parameters,
        seed,
        machine,
        ...summaryJson(ours),
        trainSeconds: ours.fitSeconds,
        genreTerm,
        sequenceTerm,
        baselines: Object.fromEntries(baselines.map((b) => [b.key, summaryJson(b)])),
      };
    } else {
      const task = rankingTask(loaded.ratings);
      const requests = integerFlag(flags, 'requests', 2000, 1, 1_000_000);
      const parameters = {
        split: 'per-user temporal (Protocol T)',
        progressive: 'users with ≥ 30 train ratings',
        cost: `10,000 and 60,000 movies, k = 64, ${requests} requests after ${Math.ceil(requests / 10)} warm-up`,
        threads,
        genres: { ...DEFAULT_MODEL_CONFIG.genres, from: genreSource },
      };
      const { set, recommender } = await fitModelSet(task.split.train, DEFAULT_MODEL_CONFIG, {
        seed,
        executor,
        movieIds: loaded.movieIds,
        genres,
      });
      stderrProgress('protocol F: consistency');
      const consistent = consistency(set, task);
      const steps = progressive(task, recommender, loaded.movieIds, stderrProgress);
      const [genreTerm, sequenceTerm] = RE_RANK_TERMS.map((term) => {
        stderrProgress(`protocol F: progressive, ${term} term off`);
        const off = new Recommender(withoutTerm(term, set));
        return termF(
          term,
          DEFAULT_MODEL_CONFIG.genres,
          steps,
          progressive(task, off, loaded.movieIds),
        );
      });
      const fans = genres ? genreFans(recommender, genres) : [];
      const { offsets } = task.trainRows;
      const counts = Array.from(
        { length: task.split.train.userCount },
        (_, u) => offsets[u + 1] - offsets[u],
      ).filter((c) => c > 0);
      const cost = [10_000, 60_000].map((movies) => {
        stderrProgress(`protocol F: cost at ${movies} movies`);
        return foldInCost(movies, counts, { seed, requests, warmup: Math.ceil(requests / 10) });
      });
      lines.push(
        ...header('Protocol F: fold-in', parameters),
        '',
        ...renderProtocolF({ consistency: consistent, progressive: steps, fans, cost }),
        '',
        ...renderTermF(genreTerm),
        '',
        ...renderTermF(sequenceTerm),
      );
      json = {
        protocol,
        dataset,
        parameters,
        seed,
        machine,
        maxRelDiff: consistent.maxRelDiff,
        consistency: consistent,
        progressive: steps,
        genreTerm,
        sequenceTerm,
        genreFans: fans,
        p50Ms: cost[0].p50Ms,
        p99Ms: cost[0].p99Ms,
        cost,
      };
      if (typeof flags.charts === 'string') {
        const file = await writeProgressiveChart(flags.charts, steps, dataset, seed);
        stderrProgress(`wrote ${file}`);
      }
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    if (flags.json) process.stdout.write(`${toJson(json)}\n`);
  } finally {
    await executor.close();
  }
});

function summaryJson({ key: _key, label: _label, ...rest }: ContenderResult) {
  return rest;
}
