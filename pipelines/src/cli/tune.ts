import { basename, dirname } from 'node:path';
import { DEFAULT_MODEL_CONFIG, type ModelConfig, resolveModelConfig } from '@reel/functions/model';
import { BUNDLED_RATINGS } from '../data/bundled.js';
import { genresBeside } from '../data/catalogue.js';
import { loadRatingsFile } from '../data/read-ratings-file.js';
import { datasetInfo, headerLines } from '../report/header.js';
import { toJson } from '../report/json.js';
import { describeMachine } from '../report/machine.js';
import { stderrProgress } from '../report/progress.js';
import { formatTable } from '../report/table.js';
import {
  EXPLICIT_GRID,
  explicitObjective,
  GENRE_CONSTRAINTS,
  GENRE_GRID,
  genreObjective,
  RANKING_GRID,
  rankingObjective,
  TUNING_START,
  VALIDATION_MARGIN,
  validationSplits,
} from '../tune/objectives.js';
import { coordinateDescent, type Dimension } from '../tune/search.js';
import { type FlagSpec, integerFlag, parseFlags, runMain, UsageError, usageText } from './args.js';
import { createExecutor } from './threads.js';

const FLAGS: Record<string, FlagSpec> = {
  ratings: { type: 'string', description: 'ratings file (default: the bundled ml-latest-small)' },
  model: {
    type: 'string',
    choices: ['explicit', 'ranking', 'genres', 'all'],
    description:
      "what to tune: a model, or the served list's re-rank (genre, popularity and sequence terms), or all three in that order (default all)",
  },
  passes: { type: 'string', description: 'coordinate-descent passes over the grid (default 2)' },
  knobs: {
    type: 'string',
    description:
      'comma-separated knobs to tune, the rest kept: a key (both models) or model.key, e.g. ranking.cgSteps (default: every knob of the grids)',
  },
  json: {
    type: 'boolean',
    description: 'print one JSON object (the chosen config) as the last line',
  },
  seed: { type: 'string', description: 'seed of the splits and of training (default 42)' },
  threads: {
    type: 'string',
    description: 'training threads (default: the cores this machine has)',
  },
};
const USAGE = usageText(
  'npm run tune -- [--model explicit|ranking|genres|all] [--knobs explicit.iterations,ranking.cgSteps] [--json] [flags]',
  FLAGS,
);
const GRID_KEYS = new Set([
  ...EXPLICIT_GRID.flatMap((d) => [d.key, `explicit.${d.key}`]),
  ...RANKING_GRID.flatMap((d) => [d.key, `ranking.${d.key}`]),
  ...GENRE_GRID.flatMap((d) => [d.key, `genres.${d.key}`]),
]);

runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  const seed = integerFlag(flags, 'seed', 42, 0, 2 ** 32 - 1);
  const passes = integerFlag(flags, 'passes', 2, 1, 10);
  const machine = describeMachine();
  const threads = integerFlag(flags, 'threads', machine.cores, 1, 256);
  const which = (flags.model as string | undefined) ?? 'all';
  const stage = (name: string) => which === 'all' || which === name;
  const knobs = typeof flags.knobs === 'string' ? new Set(flags.knobs.split(',')) : GRID_KEYS;
  for (const knob of knobs) {
    if (!GRID_KEYS.has(knob))
      throw new UsageError(
        `--knobs: "${knob}" is not in a tuning grid; knobs: ${[...GRID_KEYS].filter((key) => !key.includes('.')).join(', ')} (or explicit.key, ranking.key, genres.key)`,
      );
  }
  const only = <C>(model: string, grid: Dimension<C>[]) =>
    grid.filter((d) => knobs.has(d.key) || knobs.has(`${model}.${d.key}`));
  const path = typeof flags.ratings === 'string' ? flags.ratings : BUNDLED_RATINGS;
  const loaded = await loadRatingsFile(path, { progress: stderrProgress });
  const splits = validationSplits(loaded.ratings, seed);
  const { genres, description: genreSource } = genresBeside(path, loaded.movieIds);
  const executor = createExecutor(threads);
  const options = { seed, executor };
  const lines = headerLines({
    title: 'Hyper-parameter tuning on validation splits carved from the train splits (never test)',
    dataset: datasetInfo(basename(dirname(path)), path, loaded),
    parameters: {
      search: `coordinate descent, ${passes} passes`,
      knobs: knobs === GRID_KEYS ? 'all' : [...knobs].join(' '),
      explicit: 'validation RMSE (Protocol R train split again 80/20)',
      ranking:
        "validation NDCG@10 (Protocol T train split again by time), less 1 where Recall@20 < 1.1 × 1.6× or coverage@10 < 1.1 × 5× popularity's (the targets with a 10% margin)",
      genres: `served list's re-rank (genre, popularity and sequence terms): validation NDCG@10 (same split) averaged over Protocol F's n = 1, 3, 5, 10, 20, all, less 1 where it does not beat popularity by ${Math.round((VALIDATION_MARGIN - 1) * 100)}% from n = 3 on, fewer than ${GENRE_CONSTRAINTS.fanGenresMostlyTheirs * 100}% of common genres' fans get mostly their genre, or the served list misses the ranking constraints above; genres: ${genreSource}`,
      threads,
    },
    seed,
    machine,
  });
  // A stage tunes its part from TUNING_START; the parts it does not tune are the defaults (or
  // what an earlier stage of this run chose).
  const tuned: { -readonly [K in keyof ModelConfig]: ModelConfig[K] } = { ...DEFAULT_MODEL_CONFIG };
  const summary: Record<string, unknown> = {};
  try {
    if (stage('explicit') && only('explicit', EXPLICIT_GRID).length > 0) {
      const result = await tune(
        'explicit',
        TUNING_START.explicit,
        only('explicit', EXPLICIT_GRID),
        explicitObjective(splits.rating, options),
        passes,
        0.0005,
      );
      tuned.explicit = result.config;
      summary.explicit = {
        validationRmse: -result.score,
        defaultValidationRmse: -result.startScore,
        trials: result.trials,
      };
      lines.push('', ...result.lines('validation RMSE', (s) => (-s).toFixed(4)));
    }
    if (stage('ranking') && only('ranking', RANKING_GRID).length > 0) {
      const result = await tune(
        'ranking',
        TUNING_START.ranking,
        only('ranking', RANKING_GRID),
        rankingObjective(splits.ranking, options),
        passes,
        0.002,
      );
      tuned.ranking = result.config;
      summary.ranking = {
        validationNdcg10: result.score,
        defaultValidationNdcg10: result.startScore,
        trials: result.trials,
      };
      lines.push('', ...result.lines('validation NDCG@10', (s) => s.toFixed(4)));
    }
    if (stage('genres') && only('genres', GENRE_GRID).length > 0) {
      if (!genres) {
        throw new UsageError(`--model genres needs the movie list beside ${path}: ${genreSource}`);
      }
      const objective = await genreObjective(splits.ranking, tuned, {
        ...options,
        movieIds: loaded.movieIds,
        genres,
      });
      const result = await tune(
        'genres',
        TUNING_START.genres,
        only('genres', GENRE_GRID),
        objective,
        passes,
        0.0005,
        "served list's re-rank",
      );
      tuned.genres = result.config;
      summary.genres = {
        validationNdcg10: result.score,
        defaultValidationNdcg10: result.startScore,
        trials: result.trials,
      };
      lines.push('', ...result.lines('mean validation NDCG@10 over n', (s) => s.toFixed(4)));
    }
  } finally {
    await executor.close();
  }
  const stages = Object.keys(summary) as (keyof ModelConfig)[];
  const reproduced = stages.every(
    (stage) => JSON.stringify(tuned[stage]) === JSON.stringify(DEFAULT_MODEL_CONFIG[stage]),
  );
  // A search over some knobs, or fewer passes, starts where the full one does but stops short
  // of it: its output is not what the defaults should be.
  const partial = knobs !== GRID_KEYS || passes < 2;
  const verdict = reproduced
    ? `DEFAULT_MODEL_CONFIG is this search's output (${stages.join(', ')} reproduced):`
    : partial
      ? "this partial search's output (DEFAULT_MODEL_CONFIG is the full searches' output: docs/tuning/):"
      : 'DEFAULT_MODEL_CONFIG should be:';
  lines.push('', verdict, configSource(tuned));
  process.stdout.write(`${lines.join('\n')}\n`);
  if (flags.json) process.stdout.write(`${toJson({ config: tuned, ...summary, seed, machine })}\n`);
});

async function tune<C extends object>(
  name: string,
  start: C,
  grid: Dimension<C>[],
  score: (config: C) => Promise<number>,
  passes: number,
  tolerance: number,
  label = `${name} model`,
) {
  // Only the knobs the model has: a grid key the config lacks is reported, not invented.
  const dimensions = grid.filter((d) => d.key in start);
  const missing = grid.filter((d) => !(d.key in start)).map((d) => d.key);
  const untuned = Object.keys(start).filter((key) => !grid.some((d) => d.key === key));
  const started = performance.now();
  let count = 0;
  const searched: { key: string; value: string; score: number }[] = [];
  const { best, trials } = await coordinateDescent({
    start,
    dimensions,
    // A grid value the model rejects fails here, with the model's own message.
    score: (config) => {
      resolveModelConfig({ [name]: config });
      return score(config);
    },
    passes,
    tolerance,
    onTrial: (trial, key) => {
      count++;
      const value = key === 'start' ? 'the start' : String(pick(trial.config, key)[key]);
      searched.push({ key, value, score: trial.score });
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      stderrProgress(
        `tune ${name} #${count} (${key}, ${seconds} s): ${trial.score.toFixed(4)} ${JSON.stringify(pick(trial.config, key))}`,
      );
    },
  });
  const startScore = trials[0].score;
  return {
    config: best.config,
    score: best.score,
    startScore,
    trials: trials.length,
    lines: (metric: string, show: (score: number) => string) => [
      `${label}: ${metric} ${show(startScore)} at the start → ${show(best.score)} tuned (${trials.length} fits, tolerance ${tolerance} for cost knobs)`,
      formatTable(
        ['knob', 'grid', 'start', 'tuned'],
        dimensions.map((d) => [
          d.key,
          d.values.map(String).join(' '),
          String(start[d.key]),
          String(best.config[d.key]),
        ]),
      ),
      `every point searched, in order (each changes one knob of the best so far; a search ${passes > 1 ? `of up to ${passes} passes ` : ''}stops when a pass changes nothing):`,
      formatTable(
        ['#', 'knob', 'value', metric],
        searched.map((point, n) => [n + 1, point.key, point.value, show(point.score)]),
      ),
      ...dimensions
        .filter((d) => d.bound !== undefined)
        .map((d) => `grid bounded by a cost budget: ${d.key}: ${d.bound}`),
      ...(untuned.length > 0 ? [`not tuned (kept): ${untuned.join(', ')}`] : []),
      ...(missing.length > 0 ? [`in the grid but not in the config: ${missing.join(', ')}`] : []),
    ],
  };
}

function pick<C extends object>(config: C, key: string): Record<string, unknown> {
  return key === 'start'
    ? { start: 'defaults' }
    : { [key]: (config as Record<string, unknown>)[key] };
}

/** The config as TypeScript source, ready to paste into functions/src/model/config.ts. */
function configSource(config: ModelConfig): string {
  const value = (v: unknown): string =>
    v === Number.POSITIVE_INFINITY
      ? 'Number.POSITIVE_INFINITY'
      : typeof v === 'number'
        ? String(v)
        : JSON.stringify(v);
  const block = (name: string, section: object) =>
    [
      `  ${name}: {`,
      ...Object.entries(section).map(([k, v]) => `    ${k}: ${value(v)},`),
      '  },',
    ].join('\n');
  return [
    '{',
    ...Object.entries(config).map(([name, section]) => block(name, section as object)),
    '}',
  ].join('\n');
}
