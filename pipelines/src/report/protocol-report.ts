import { RELEVANT_RATING } from '@reel/functions/contracts/limits';
import type { IterationReport } from '@reel/functions/model';
import type { RetrainMeasurement } from '../bench/child.js';
import { FAN_GENRE_MIN_SHARE, FAN_LIST, FAN_RATINGS, type GenreFan } from '../eval/genre-fans.js';
import type { ConsistencyResult, CostResult, ProgressiveStep } from '../eval/protocol-f.js';
import type { ProtocolRResult } from '../eval/protocol-r.js';
import type { ContenderResult } from '../eval/protocol-t.js';
import type { ComparisonRow } from '../peers/compare.js';
import { toJson } from './json.js';
import { fixed, formatTable } from './table.js';

/** "met" or "missed by …" for a target `value ≥ target` (or ≤ when `atMost`). */
export function verdict(value: number, target: number, atMost = false, decimals = 4): string {
  const met = atMost ? value <= target : value >= target;
  return met ? 'met' : `missed by ${Math.abs(value - target).toFixed(decimals)}`;
}

/**
 * Figures a Protocol R run may carry besides RMSE and MAE, rendered when present: Protocol
 * R-time (each rating of the per-user temporal split predicted at its time from earlier ratings).
 */
type ProtocolRFigures = ProtocolRResult & {
  readonly rmseTemporal?: number;
  readonly maeTemporal?: number;
};

export function renderProtocolR(result: ProtocolRFigures): string[] {
  const rows: (string | number)[][] = [
    ['RMSE', fixed(result.rmse), `target ≤ 0.850: ${verdict(result.rmse, 0.85, true)}`],
    ['MAE', fixed(result.mae), ''],
  ];
  if (result.rmseTemporal !== undefined && result.maeTemporal !== undefined) {
    rows.push(
      [
        'R-time RMSE',
        fixed(result.rmseTemporal),
        `temporal split, ${result.temporalTestRatings} test ratings predicted at their time`,
      ],
      ['R-time MAE', fixed(result.maeTemporal), ''],
    );
  }
  const cv = result.crossValidation;
  if (cv) {
    rows.push(
      [
        `${cv.folds}-fold CV RMSE`,
        `${fixed(cv.rmse.mean)} ± ${fixed(cv.rmse.std)}`,
        'mean ± sample std',
      ],
      [`${cv.folds}-fold CV MAE`, `${fixed(cv.mae.mean)} ± ${fixed(cv.mae.std)}`, ''],
    );
  }
  rows.push(
    ['train seconds', fixed(result.trainSeconds, 2), `${result.trainRatings} train ratings`],
    [
      'test ratings',
      result.testRatings,
      `${result.coldTestRatings} with a user or movie unseen in train`,
    ],
  );
  return [
    formatTable(['metric', 'value', 'note'], rows),
    '',
    ...renderIterations(result.iterations),
  ];
}

export function renderIterations(iterations: readonly IterationReport[]): string[] {
  if (iterations.length === 0) return [];
  const rows = iterations.map((it) => [
    it.iteration,
    fixed(it.seconds, 3),
    fixed(it.loss, 5),
    it.trainRmse === undefined ? '–' : fixed(it.trainRmse),
  ]);
  return [
    `training loss per iteration (${iterations[0].model} model; seconds exclude the loss pass)`,
    formatTable(['iteration', 'seconds', 'loss / rating', 'train RMSE'], rows),
  ];
}

export function renderProtocolT(results: readonly ContenderResult[]): string[] {
  const rows = results.map((r) => [
    r.label,
    fixed(r.ndcg10),
    fixed(r.recall10),
    fixed(r.recall20),
    fixed(r.precision10),
    fixed(r.map10),
    fixed(r.hr10),
    fixed(r.coverage10),
    fixed(r.popularityPercentile, 1),
    fixed(r.fitSeconds, 2),
  ]);
  const lines = [
    formatTable(
      [
        'model',
        'NDCG@10',
        'Recall@10',
        'Recall@20',
        'P@10',
        'MAP@10',
        'HR@10',
        'coverage@10',
        'pop. pct',
        'fit s',
      ],
      rows,
    ),
    `users evaluated: ${results[0]?.users ?? 0} (at least one held-out rating ≥ ${RELEVANT_RATING.toFixed(1)})`,
  ];
  const ours = results[0];
  const popularity = results.find((r) => r.key === 'popularity');
  if (ours && popularity) {
    const recallRatio = ours.recall20 / popularity.recall20;
    const coverageRatio = ours.coverage10 / popularity.coverage10;
    lines.push(
      '',
      `NDCG@10 ${fixed(ours.ndcg10)}: target ≥ 0.110 ${verdict(ours.ndcg10, 0.11)}`,
      `Recall@20 ${fixed(recallRatio, 2)}× popularity's: target ≥ 1.6× ${verdict(recallRatio, 1.6, false, 2)}`,
      `coverage@10 ${fixed(coverageRatio, 2)}× popularity's: target ≥ 5× ${verdict(coverageRatio, 5, false, 2)}`,
    );
  }
  return lines;
}

export function renderProtocolF(result: {
  consistency: ConsistencyResult;
  progressive: ProgressiveStep[];
  fans: GenreFan[];
  cost: CostResult[];
}): string[] {
  const { consistency, progressive, fans, cost } = result;
  const popular = progressive[0];
  const beats = progressive
    .filter((s) => s.n === 'all' || s.n >= 3)
    .every((s) => s.ndcg10 > popular.ndcg10);
  const lines = [
    "consistency: fold-in of each user's train ratings vs the trainer's own user vectors (float64)",
    formatTable(
      ['model', 'users', 'max relative difference'],
      [
        [
          'ranking (x_u)',
          consistency.ranking.users,
          consistency.ranking.maxRelDiff.toExponential(2),
        ],
        [
          'rating (p_u, b_u, session bias)',
          consistency.explicit.users,
          consistency.explicit.maxRelDiff.toExponential(2),
        ],
      ],
    ),
    `maxRelDiff ${consistency.maxRelDiff.toExponential(2)}: target ≤ 1e-6 ${consistency.maxRelDiff <= 1e-6 ? 'met' : 'missed'}`,
    '',
    `progressive personalisation: ${popular.users} users with ≥ 30 train ratings, first n train ratings folded in, served top 10`,
    formatTable(
      ['n', 'NDCG@10', 'Recall@10', 'HR@10', 'coverage@10', 'vs n = 0'],
      progressive.map((s) => [
        String(s.n),
        fixed(s.ndcg10),
        fixed(s.recall10),
        fixed(s.hr10),
        fixed(s.coverage10),
        `${fixed(s.ndcg10 / popular.ndcg10, 2)}×`,
      ]),
    ),
    `beats popularity (n = 0) from n = 3 on: ${beats ? 'met' : 'missed'}`,
    '',
    ...(fans.length === 0
      ? ['genre fans: no genres (no movie list beside the ratings)']
      : [
          `genre fans: a new visitor rates the ${FAN_RATINGS} most popular movies of one genre 5 stars (as the browser test does for Sci-Fi); share of their top ${FAN_LIST} in that genre, for genres on ≥ ${FAN_GENRE_MIN_SHARE * 100}% of the movies`,
          formatTable(
            ['genre', 'share'],
            fans.map((fan) => [fan.genre, fixed(fan.share, 1)]),
          ),
          `mostly their genre (share > 0.5): ${fans.filter((fan) => fan.share > 0.5).length} of ${fans.length} genres`,
        ]),
    '',
    'cost: one fold-in + top 20 over the catalogue, single thread, random factors, genres and successors, genre and sequence terms on (ms, wall clock); CPU = this process\'s CPU time for the same request; served = the same with "because" for each',
    formatTable(
      [
        'movies',
        'k',
        'requests',
        'ratings',
        'p50',
        'p99',
        'fold-in p50',
        'top-N p50',
        'CPU p50',
        'CPU p99',
        'served p50',
        'served p99',
        'target',
      ],
      cost.map((c) => [
        c.movies,
        c.k,
        c.requests,
        fixed(c.meanRatings, 1),
        fixed(c.p50Ms, 3),
        fixed(c.p99Ms, 3),
        fixed(c.foldInP50Ms, 3),
        fixed(c.topNP50Ms, 3),
        fixed(c.cpuP50Ms, 3),
        fixed(c.cpuP99Ms, 3),
        fixed(c.withBecause.p50Ms, 3),
        fixed(c.withBecause.p99Ms, 3),
        costVerdict(c),
      ]),
    ),
  ];
  return lines;
}

function costVerdict(c: CostResult): string {
  if (c.movies <= 10_000) {
    const met = c.p50Ms <= 1 && c.p99Ms <= 3;
    return `p50 ≤ 1, p99 ≤ 3: ${met ? 'met' : 'missed'}`;
  }
  return `p50 ≤ 10: ${c.p50Ms <= 10 ? 'met' : 'missed'}`;
}

/** Protocol S's targets: seconds, and memory where the protocol sets one. */
export const SCALE_TARGETS: Record<string, { seconds: number; rssMiB?: number }> = {
  'ml-latest-small': { seconds: 2 },
  ml1m: { seconds: 20 },
  ml25m: { seconds: 600, rssMiB: 8192 },
};

export function renderProtocolS(dataset: string, m: RetrainMeasurement): string[] {
  const target = SCALE_TARGETS[dataset];
  const mean = (xs: number[]) =>
    xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
  const rows: (string | number)[][] = [
    [
      'total: ratings in memory → model files',
      fixed(m.totalSeconds, 2),
      target
        ? `target ≤ ${target.seconds} s: ${verdict(m.totalSeconds, target.seconds, true, 2)}`
        : '',
    ],
    [
      '  CPU time of the total (all threads)',
      fixed(m.cpuSeconds, 2),
      `${fixed(m.cpuSeconds / m.totalSeconds, 2)} cores busy on average`,
    ],
    ['  training (both models)', fixed(m.trainSeconds, 2), ''],
    [
      '    layout and set-up',
      fixed(m.setupSeconds, 2),
      'CSR layouts, evidence, sessions, successors',
    ],
    [
      `    rating model, ${m.explicit.iterations} iterations (k = ${m.explicit.factors})`,
      fixed(sum(m.explicit.secondsPerIteration), 2),
      `${fixed(mean(m.explicit.secondsPerIteration), 3)} s per iteration`,
    ],
    [
      `    ranking model, ${m.ranking.iterations} iterations (k = ${m.ranking.factors})`,
      fixed(sum(m.ranking.secondsPerIteration), 2),
      `${fixed(mean(m.ranking.secondsPerIteration), 3)} s per iteration`,
    ],
    [
      '  encode model files',
      fixed(m.encodeSeconds, 3),
      `${(m.modelBytes / 2 ** 20).toFixed(1)} MiB`,
    ],
    ['  write model files', fixed(m.writeSeconds, 3), 'local disk'],
    [
      'peak RSS (MiB)',
      fixed(m.peakRssMiB, 0),
      target?.rssMiB
        ? `target ≤ ${target.rssMiB} MiB: ${verdict(m.peakRssMiB, target.rssMiB, true, 0)}`
        : '',
    ],
    ['RSS with the ratings loaded, before training (MiB)', fixed(m.dataRssMiB, 0), ''],
  ];
  const iterations = Math.max(
    m.explicit.secondsPerIteration.length,
    m.ranking.secondsPerIteration.length,
  );
  const perIteration = Array.from({ length: iterations }, (_, n) => [
    n + 1,
    fixed(m.explicit.secondsPerIteration[n], 3),
    fixed(m.ranking.secondsPerIteration[n], 3),
  ]);
  return [
    formatTable(['step', 'seconds', 'note'], rows),
    '',
    'seconds per iteration',
    formatTable(['iteration', 'rating model', 'ranking model'], perIteration),
    '',
    'seconds in each parallel kernel',
    formatTable(
      ['kernel', 'seconds'],
      Object.entries(m.kernels).map(([name, seconds]) => [name, fixed(seconds, 2)]),
    ),
  ];
}

export function renderPeers(rows: readonly ComparisonRow[]): string[] {
  const quality = formatTable(
    ['system', 'version', 'threads', 'RMSE', 'MAE', 'NDCG@10', 'Recall@20', 'coverage@10'],
    rows.map((row) => [
      row.name,
      row.version ?? '',
      row.threads ?? '',
      fixed(row.rating?.rmse),
      fixed(row.rating?.mae),
      fixed(row.ranking?.ndcg10),
      fixed(row.ranking?.recall20),
      fixed(row.ranking?.coverage10),
    ]),
  );
  const fits = rows.flatMap((row) =>
    (
      [
        ['R', row.rating],
        ['T', row.ranking],
      ] as const
    ).flatMap(([protocol, fit]) =>
      fit
        ? [
            [
              row.name,
              protocol,
              fixed(fit.fitSeconds, 2),
              fit.iterations,
              fixed(fit.secondsPerIteration, 3),
            ],
          ]
        : [],
    ),
  );
  const lines = [
    quality,
    '',
    "fits on the protocols' train splits with the settings below, timed around the fit call only",
    formatTable(['system', 'protocol', 'fit s', 'iterations', 's / iteration'], fits),
    '',
    "settings: ours are DEFAULT_MODEL_CONFIG (npm run tune); each peer's are the best its search found on the validation split",
  ];
  for (const row of rows) {
    if (row.problem) continue;
    const tuning = row.tuning;
    lines.push(
      `${row.name}: ${toJson(row.settings)}${
        tuning
          ? ` (validation ${row.task === 'rating' ? 'RMSE' : 'NDCG@10'} ${fixed(tuning.validation)}, ${tuning.configurations} of ${tuning.budget} configurations, ${fixed(tuning.seconds, 0)} s${tuning.gridNote ? `; grid: ${tuning.gridNote}` : ''})`
          : ''
      }`,
    );
  }
  const [ours, ...peers] = rows;
  // Two significant digits below 0.1, so a peer hundreds of times slower does not print 0.00×.
  const ratio = (a: number, b: number) =>
    `${a / b >= 0.1 ? fixed(a / b, 2) : (a / b).toPrecision(2)}×`;
  for (const peer of peers) {
    if (peer.rating && ours.rating) {
      lines.push(
        `our rating model vs ${peer.name} (Protocol R): fit time ${ratio(ours.rating.fitSeconds, peer.rating.fitSeconds)}, per iteration ${ratio(ours.rating.secondsPerIteration, peer.rating.secondsPerIteration)}`,
      );
    }
    if (peer.task === 'ranking' && peer.ranking && ours.ranking) {
      lines.push(
        `our ranking model vs ${peer.name} (Protocol T): fit time ${ratio(ours.ranking.fitSeconds, peer.ranking.fitSeconds)}, per iteration ${ratio(ours.ranking.secondsPerIteration, peer.ranking.secondsPerIteration)}`,
      );
    }
  }
  for (const row of rows) if (row.problem) lines.push(`${row.name} FAILED: ${row.problem}`);
  return lines;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
