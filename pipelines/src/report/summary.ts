import { fixed } from './table.js';

type Json = Record<string, unknown>;
type Row = [target: string, figure: string, met: string];

const get = (json: Json | undefined, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>(
    (value, key) => (value && typeof value === 'object' ? (value as Json)[key] : undefined),
    json,
  );
const num = (value: unknown): number => (typeof value === 'number' ? value : Number.NaN);
const yes = (ok: boolean, measured: boolean) => (!measured ? 'not measured' : ok ? 'yes' : 'no');

/**
 * The README's target table, from the JSON objects the figure commands printed (by block
 * name). A target whose run is missing says "not measured".
 */
export function summaryRows(figures: Record<string, Json | undefined>): Row[] {
  const rows: Row[] = [];
  const r = figures['protocol-r'];
  const rmse = num(get(r, 'rmse'));
  rows.push([
    'R: RMSE ≤ 0.850',
    `${fixed(rmse)} (without the test time: ${fixed(num(get(r, 'rmseWithoutTime')))})`,
    yes(rmse <= 0.85, r !== undefined),
  ]);

  const t = figures['protocol-t'];
  const ndcg = num(get(t, 'ndcg10'));
  const recallRatio = num(get(t, 'recall20')) / num(get(t, 'baselines', 'popularity', 'recall20'));
  const coverageRatio =
    num(get(t, 'coverage10')) / num(get(t, 'baselines', 'popularity', 'coverage10'));
  rows.push([
    "T: NDCG@10 ≥ 0.110, Recall@20 ≥ 1.6× and coverage@10 ≥ 5× popularity's",
    `${fixed(ndcg)}; ${fixed(recallRatio, 2)}×; ${fixed(coverageRatio, 2)}×`,
    yes(ndcg >= 0.11 && recallRatio >= 1.6 && coverageRatio >= 5, t !== undefined),
  ]);

  const f = figures['protocol-f'];
  const maxRelDiff = num(get(f, 'maxRelDiff'));
  const steps =
    (get(f, 'progressive') as { n: number | 'all'; ndcg10: number }[] | undefined) ?? [];
  const popular = steps[0]?.ndcg10 ?? Number.NaN;
  const beats =
    steps.length > 0 &&
    steps.filter((s) => s.n === 'all' || s.n >= 3).every((s) => s.ndcg10 > popular);
  rows.push([
    'F: consistency maxRelDiff ≤ 1e-6',
    Number.isFinite(maxRelDiff) ? maxRelDiff.toExponential(1) : '–',
    yes(maxRelDiff <= 1e-6, f !== undefined),
  ]);
  rows.push([
    'F: beats popularity from n = 3 on',
    steps.map((s) => `n=${s.n}: ${fixed(s.ndcg10, 3)}`).join(', ') || '–',
    yes(beats, f !== undefined),
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
    yes(small !== undefined && small.p50Ms <= 1 && small.p99Ms <= 3, small !== undefined),
  ]);
  rows.push([
    'F: p50 ≤ 10 ms at 60k movies',
    large ? `p50 ${fixed(large.p50Ms, 2)} ms${cpu(large, false)}` : '–',
    yes(large !== undefined && large.p50Ms <= 10, large !== undefined),
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
      yes(total <= seconds && (rss === undefined || peak <= rss), s !== undefined),
    ]);
  }

  const peers = get(figures.peers, 'peers') as Record<string, Json> | undefined;
  const all = peers ? Object.values(peers) : [];
  const [ours, ...others] = all;
  const measured = others.filter((p) => p.rating || p.ranking);
  const bestRmse = Math.min(
    ...measured.map((p) => num(get(p, 'rating', 'rmse'))).filter(Number.isFinite),
  );
  const bestNdcg = Math.max(
    ...measured.map((p) => num(get(p, 'ranking', 'ndcg10'))).filter(Number.isFinite),
  );
  const fastestR = Math.min(
    ...measured.map((p) => num(get(p, 'rating', 'fitSeconds'))).filter(Number.isFinite),
  );
  const fastestT = Math.min(
    ...measured.map((p) => num(get(p, 'ranking', 'fitSeconds'))).filter(Number.isFinite),
  );
  const ourRmse = num(get(ours, 'rating', 'rmse'));
  const ourNdcg = num(get(ours, 'ranking', 'ndcg10'));
  const ratioR = num(get(ours, 'rating', 'fitSeconds')) / fastestR;
  const ratioT = num(get(ours, 'ranking', 'fitSeconds')) / fastestT;
  rows.push([
    "peers: RMSE and NDCG@10 at least as good as the best peer's",
    peers
      ? `RMSE ${fixed(ourRmse)} vs ${fixed(bestRmse)}; NDCG@10 ${fixed(ourNdcg)} vs ${fixed(bestNdcg)}`
      : '–',
    yes(ourRmse <= bestRmse && ourNdcg >= bestNdcg, peers !== undefined),
  ]);
  rows.push([
    "peers: fit time within 2× of the fastest peer's",
    peers ? `rating model ${fixed(ratioR, 2)}×, ranking model ${fixed(ratioT, 2)}×` : '–',
    yes(ratioR <= 2 && ratioT <= 2, peers !== undefined),
  ]);
  return rows;
}

const cpuNote = (seconds: number, cores: number) =>
  Number.isFinite(seconds) ? ` (CPU time ${fixed(seconds, 1)} s on ${cores} cores)` : '';

/** The rows as a Markdown table. */
export function summaryMarkdown(rows: Row[]): string {
  return [
    '| target | measured | met |',
    '| --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}
