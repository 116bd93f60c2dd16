import { fixed } from './table.js';

type Json = Record<string, unknown>;
type Row = [target: string, figure: string, met: string];

const get = (json: Json | undefined, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>(
    (value, key) => (value && typeof value === 'object' ? (value as Json)[key] : undefined),
    json,
  );
const num = (value: unknown): number => (typeof value === 'number' ? value : Number.NaN);

/** One bound of a target: the measured value, the limit, and which side of it is good. */
interface Check {
  readonly what: string;
  readonly value: number;
  readonly limit: number;
  readonly atMost: boolean;
  /** How the miss is told: a difference in the metric's own decimals, or a ratio. */
  readonly decimals?: number;
}

const passes = (c: Check) => (c.atMost ? c.value <= c.limit : c.value >= c.limit);

/**
 * "yes", "not measured", or "no: …" saying by how much each failed bound misses: by a
 * difference for accuracy metrics, by a ratio to the limit for timings and ratios.
 */
function verdict(measured: boolean, checks: Check[]): string {
  if (!measured) return 'not measured';
  const failed = checks.filter((c) => !passes(c));
  if (failed.length === 0) return 'yes';
  return `no: ${failed
    .map((c) =>
      !Number.isFinite(c.value)
        ? `${c.what} missing`
        : c.decimals !== undefined
          ? `${c.what} ${c.atMost ? 'over' : 'under'} by ${fixed(Math.abs(c.value - c.limit), c.decimals)}`
          : `${c.what} ${fixed(c.value / c.limit, 1)}× the limit`,
    )
    .join('; ')}`;
}

const cpuNote = (seconds: number, cores: number) =>
  Number.isFinite(seconds) ? ` (CPU time ${fixed(seconds, 1)} s on ${cores} cores)` : '';

/**
 * The README's target table, from the JSON objects the figure commands printed (by block
 * name). A target whose run is missing says "not measured"; a missed one says by how much.
 */
export function summaryRows(figures: Record<string, Json | undefined>): Row[] {
  const rows: Row[] = [];
  const r = figures['protocol-r'];
  // Runs from before Protocol R was made honest report `rmse` with the test rating's time and
  // the honest figure as `rmseWithoutTime`: the target is judged on the honest one either way.
  const peeked = r !== undefined && get(r, 'rmseWithoutTime') !== undefined;
  const rmse = num(get(r, peeked ? 'rmseWithoutTime' : 'rmse'));
  const temporal = num(get(r, 'rmseTemporal'));
  rows.push([
    'R: RMSE ≤ 0.850 (no test-time information)',
    [
      fixed(rmse),
      ...(peeked
        ? [`with the test rating's time, not allowed: ${fixed(num(get(r, 'rmse')))}`]
        : []),
      ...(Number.isFinite(temporal) ? [`R-time: ${fixed(temporal)}`] : []),
    ].join('; '),
    verdict(r !== undefined, [
      { what: 'RMSE', value: rmse, limit: 0.85, atMost: true, decimals: 4 },
    ]),
  ]);
  const cvRmse = peeked ? Number.NaN : num(get(r, 'crossValidation', 'rmse', 'mean'));
  rows.push([
    'R: 5-fold mean RMSE ≤ 0.855',
    peeked
      ? "– (this run's folds used the test rating's time)"
      : `${fixed(cvRmse)} ± ${fixed(num(get(r, 'crossValidation', 'rmse', 'std')))}`,
    peeked
      ? 'not measured'
      : verdict(r !== undefined, [
          { what: 'RMSE', value: cvRmse, limit: 0.855, atMost: true, decimals: 4 },
        ]),
  ]);

  const t = figures['protocol-t'];
  const ndcg = num(get(t, 'ndcg10'));
  const recallRatio = num(get(t, 'recall20')) / num(get(t, 'baselines', 'popularity', 'recall20'));
  const coverageRatio =
    num(get(t, 'coverage10')) / num(get(t, 'baselines', 'popularity', 'coverage10'));
  rows.push([
    "T: NDCG@10 ≥ 0.110, Recall@20 ≥ 1.6× and coverage@10 ≥ 5× popularity's",
    `${fixed(ndcg)}; ${fixed(recallRatio, 2)}×; ${fixed(coverageRatio, 2)}×`,
    verdict(t !== undefined, [
      { what: 'NDCG@10', value: ndcg, limit: 0.11, atMost: false, decimals: 4 },
      { what: 'Recall@20 ratio', value: recallRatio, limit: 1.6, atMost: false, decimals: 2 },
      { what: 'coverage ratio', value: coverageRatio, limit: 5, atMost: false, decimals: 2 },
    ]),
  ]);

  const f = figures['protocol-f'];
  const maxRelDiff = num(get(f, 'maxRelDiff'));
  const steps =
    (get(f, 'progressive') as { n: number | 'all'; ndcg10: number }[] | undefined) ?? [];
  const popular = steps[0]?.ndcg10 ?? Number.NaN;
  const laggards = steps.filter((s) => (s.n === 'all' || s.n >= 3) && !(s.ndcg10 > popular));
  rows.push([
    'F: consistency maxRelDiff ≤ 1e-6',
    Number.isFinite(maxRelDiff) ? maxRelDiff.toExponential(1) : '–',
    verdict(f !== undefined, [
      { what: 'maxRelDiff', value: maxRelDiff, limit: 1e-6, atMost: true },
    ]),
  ]);
  rows.push([
    'F: beats popularity from n = 3 on',
    steps.map((s) => `n=${s.n}: ${fixed(s.ndcg10, 3)}`).join(', ') || '–',
    f === undefined
      ? 'not measured'
      : steps.length === 0
        ? 'no: no curve'
        : laggards.length === 0
          ? 'yes'
          : `no: n = ${laggards.map((s) => s.n).join(', ')} at or under n = 0`,
  ]);
  const cost =
    (get(f, 'cost') as
      | { movies: number; p50Ms: number; p99Ms: number; cpuP50Ms?: number; cpuP99Ms?: number }[]
      | undefined) ?? [];
  const cpu = (c: { cpuP50Ms?: number; cpuP99Ms?: number }, p99: boolean) =>
    c.cpuP50Ms === undefined
      ? ''
      : ` (CPU time p50 ${fixed(c.cpuP50Ms, 2)} ms${p99 ? `, p99 ${fixed(c.cpuP99Ms, 2)} ms` : ''})`;
  const small = cost.find((c) => c.movies === 10_000);
  const large = cost.find((c) => c.movies === 60_000);
  rows.push([
    'F: fold-in + top-N p50 ≤ 1 ms and p99 ≤ 3 ms at 10k movies (k = 64)',
    small
      ? `p50 ${fixed(small.p50Ms, 2)} ms, p99 ${fixed(small.p99Ms, 2)} ms${cpu(small, true)}`
      : '–',
    verdict(small !== undefined, [
      { what: 'p50', value: small?.p50Ms ?? Number.NaN, limit: 1, atMost: true },
      { what: 'p99', value: small?.p99Ms ?? Number.NaN, limit: 3, atMost: true },
    ]),
  ]);
  rows.push([
    'F: p50 ≤ 10 ms at 60k movies',
    large ? `p50 ${fixed(large.p50Ms, 2)} ms${cpu(large, false)}` : '–',
    verdict(large !== undefined, [
      { what: 'p50', value: large?.p50Ms ?? Number.NaN, limit: 10, atMost: true },
    ]),
  ]);

  for (const [block, label, seconds, rss] of [
    ['protocol-s-small', 'ml-latest-small', 2, undefined],
    ['protocol-s-ml1m', 'ml1m', 20, undefined],
    ['protocol-s-ml25m', 'ml25m', 600, 8192],
  ] as const) {
    const s = figures[block];
    const total = num(get(s, 'trainSeconds'));
    const peak = num(get(s, 'peakRssMiB'));
    rows.push([
      `S: ${label} retrain ≤ ${seconds} s${rss ? ` within ${rss / 1024} GiB` : ''}`,
      s
        ? `${fixed(total, 1)} s${cpuNote(num(get(s, 'retrain', 'cpuSeconds')), num(get(s, 'machine', 'cores')))}, peak RSS ${fixed(peak, 0)} MiB`
        : '–',
      verdict(s !== undefined, [
        { what: 'time', value: total, limit: seconds, atMost: true },
        ...(rss ? [{ what: 'peak RSS', value: peak, limit: rss, atMost: true }] : []),
      ]),
    ]);
  }

  rows.push(...peerRows(figures.peers));

  const e = figures['protocol-e'];
  const p50 = num(get(e, 'steady', 'p50Ms'));
  const p99 = num(get(e, 'steady', 'p99Ms'));
  rows.push([
    'E: p50 ≤ 300 ms and p99 ≤ 1 s at 20 ratings/s (local stack)',
    e
      ? `p50 ${fixed(p50, 0)} ms, p99 ${fixed(p99, 0)} ms; highest rate held ${fixed(num(get(e, 'highestHeldRate')), 0)}/s`
      : '–',
    verdict(e !== undefined, [
      { what: 'p50', value: p50, limit: 300, atMost: true },
      { what: 'p99', value: p99, limit: 1000, atMost: true },
    ]),
  ]);

  rows.push(ingestCpuRow(figures.ingest, e));

  const w = figures['protocol-w'];
  const pages = (get(w, 'pages') as Json[] | undefined) ?? [];
  const worst = (key: string, pick: (...xs: number[]) => number) =>
    pages.length > 0 ? pick(...pages.map((page) => num(page[key]))) : Number.NaN;
  const performance = worst('performance', Math.min);
  const accessibility = worst('accessibility', Math.min);
  const js = worst('jsStaticKiB', Math.max);
  rows.push([
    'W: Lighthouse performance ≥ 95, accessibility ≥ 95, first-load JS ≤ 150 KB gzipped',
    w
      ? `lowest of ${pages.length} pages: performance ${fixed(performance, 0)}, accessibility ${fixed(accessibility, 0)}; JS ${fixed(js, 1)} KiB`
      : '–',
    verdict(w !== undefined, [
      { what: 'performance', value: performance, limit: 95, atMost: false, decimals: 0 },
      { what: 'accessibility', value: accessibility, limit: 95, atMost: false, decimals: 0 },
      { what: 'first-load JS', value: js, limit: 150, atMost: true },
    ]),
  ]);
  return rows;
}

/** EVALUATION.md's capacity target on the ingest's CPU per event. */
const INGEST_CPU_LIMIT_MS = 8;

/**
 * The ingest's CPU per event (p50), judged at every concurrency bench:ingest measured (1 to 20
 * requests in flight) and at Protocol E's steady 20/s, where the instance idles between events:
 * each must be within the limit.
 */
function ingestCpuRow(ingest: Json | undefined, e: Json | undefined): Row {
  const phases = (get(ingest, 'phases') as Json[] | undefined) ?? [];
  const byConcurrency = phases.map((phase) => ({
    concurrency: num(phase.concurrency),
    p50: num(phase.p50Ms),
  }));
  const steady = num(get(e, 'ingestCpuByRate', 0, 'p50Ms'));
  const figure = [
    ...(ingest
      ? [
          `${byConcurrency.map((p) => `${fixed(p.p50, 1)} ms`).join(', ')} with ${byConcurrency.map((p) => p.concurrency).join(', ')} in flight`,
        ]
      : []),
    ...(Number.isFinite(steady) ? [`Protocol E at 20/s: ${fixed(steady, 1)} ms`] : []),
  ];
  return [
    `capacity: ingest CPU ≤ ${INGEST_CPU_LIMIT_MS} ms per event (p50), 1 to 20 in flight and at 20 ratings/s`,
    figure.length > 0 ? figure.join('; ') : '–',
    verdict(ingest !== undefined && e !== undefined, [
      ...byConcurrency.map((p) => ({
        what: `${p.concurrency} in flight`,
        value: p.p50,
        limit: INGEST_CPU_LIMIT_MS,
        atMost: true,
      })),
      { what: 'at 20/s', value: steady, limit: INGEST_CPU_LIMIT_MS, atMost: true },
    ]),
  ];
}

/** The rows as a Markdown table. */
export function summaryMarkdown(rows: Row[]): string {
  return [
    '| target | measured | met |',
    '| --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

/** The peers every comparison must have (EVALUATION.md): a missing one fails the target. */
export const REQUIRED_PEERS = ['Surprise SVD', 'Surprise SVD++', 'implicit ALS', 'EASE'];

/**
 * The peer targets from the bench's JSON (`ours` beside `peers: [...]`): every peer tuned and
 * present, and ours at least as good as the best of them on RMSE, NDCG@10 and Recall@20. No
 * peers is never a pass.
 */
function peerRows(json: Json | undefined): Row[] {
  const peers = get(json, 'peers');
  const ours = get(json, 'ours') as Json | undefined;
  if (json === undefined) {
    return [
      ['peers: every peer tuned and present (SVD, SVD++, implicit ALS, EASE)', '–', 'not measured'],
      [
        "peers: RMSE, NDCG@10 and Recall@20 at least as good as the best peer's",
        '–',
        'not measured',
      ],
    ];
  }
  if (!Array.isArray(peers) || ours === undefined) {
    const stale = 'no: the stored run predates tuned peers (npm run figures -- --only peers)';
    return [
      ['peers: every peer tuned and present (SVD, SVD++, implicit ALS, EASE)', '–', stale],
      ["peers: RMSE, NDCG@10 and Recall@20 at least as good as the best peer's", '–', stale],
    ];
  }
  const present = (peers as Json[]).filter((peer) => peer.settings && !peer.problem);
  const missing = REQUIRED_PEERS.filter((name) => !present.some((peer) => peer.name === name));
  const best = (key: string, pick: (...xs: number[]) => number) => {
    const values = present.map((peer) => num(peer[key])).filter(Number.isFinite);
    return values.length > 0 ? pick(...values) : Number.NaN;
  };
  const bestRmse = best('rmse', Math.min);
  const bestNdcg = best('ndcg10', Math.max);
  const bestRecall = best('recall20', Math.max);
  const ourRmse = num(ours.rmse);
  const ourNdcg = num(ours.ndcg10);
  const ourRecall = num(ours.recall20);
  return [
    [
      'peers: every peer tuned and present (SVD, SVD++, implicit ALS, EASE)',
      present.map((peer) => `${peer.name} ${peer.version}`).join(', ') || 'none',
      missing.length === 0 ? 'yes' : `no: ${missing.join(', ')} missing`,
    ],
    [
      "peers: RMSE, NDCG@10 and Recall@20 at least as good as the best peer's",
      `RMSE ${fixed(ourRmse)} vs ${fixed(bestRmse)}; NDCG@10 ${fixed(ourNdcg)} vs ${fixed(bestNdcg)}; Recall@20 ${fixed(ourRecall)} vs ${fixed(bestRecall)}`,
      present.length === 0
        ? 'no: no peer measured'
        : verdict(true, [
            { what: 'RMSE', value: ourRmse, limit: bestRmse, atMost: true, decimals: 4 },
            { what: 'NDCG@10', value: ourNdcg, limit: bestNdcg, atMost: false, decimals: 4 },
            { what: 'Recall@20', value: ourRecall, limit: bestRecall, atMost: false, decimals: 4 },
          ]),
    ],
  ];
}
