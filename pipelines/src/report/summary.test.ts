import { describe, expect, it } from 'vitest';
import { summaryMarkdown, summaryRows } from './summary.js';

const peer = (name: string, figures: Record<string, number | null>) => ({
  name,
  version: '1.0',
  settings: { factors: 10 },
  rmse: null,
  ndcg10: null,
  recall20: null,
  ...figures,
});

function row(rows: [string, string, string][], prefix: string): [string, string] {
  const found = rows.find(([target]) => target.startsWith(prefix));
  if (!found) throw new Error(`no row starts with ${prefix}`);
  return [found[1], found[2]];
}

describe('summaryRows', () => {
  it('checks each target from the figures JSON and says when a run is missing', () => {
    const rows = summaryRows({
      'protocol-r': {
        rmse: 0.845,
        rmseTemporal: 0.83,
        crossValidation: { rmse: { mean: 0.851, std: 0.003 } },
      },
      'protocol-t': {
        ndcg10: 0.12,
        recall20: 0.16,
        coverage10: 0.05,
        baselines: { popularity: { recall20: 0.08, coverage10: 0.01 } },
      },
      peers: {
        ours: { name: 'Reel (ours)', rmse: 0.845, ndcg10: 0.13, recall20: 0.17 },
        peers: [
          peer('Surprise SVD', { rmse: 0.87, ndcg10: 0.04, recall20: 0.05 }),
          peer('Surprise SVD++', { rmse: 0.86, ndcg10: 0.05, recall20: 0.06 }),
          peer('implicit ALS', { ndcg10: 0.1, recall20: 0.15 }),
          peer('EASE', { ndcg10: 0.12, recall20: 0.18 }),
        ],
      },
      'protocol-e': {
        steady: { p50Ms: 84, p99Ms: 1200 },
        highestHeldRate: 50,
        ingestCpuByRate: [{ rate: 20, p50Ms: 8.6 }],
      },
      ingest: {
        phases: [
          { concurrency: 1, p50Ms: 7.17 },
          { concurrency: 20, p50Ms: 3.31 },
        ],
      },
      'protocol-w': {
        pages: [
          { performance: 100, accessibility: 100, jsStaticKiB: 98.5 },
          { performance: 97, accessibility: 100, jsStaticKiB: 99 },
        ],
      },
    });
    expect(row(rows, 'R: RMSE')).toEqual(['0.8450; R-time: 0.8300', 'yes']);
    expect(row(rows, 'R: 5-fold')).toEqual(['0.8510 ± 0.0030', 'yes']);
    expect(row(rows, 'T: NDCG@10')).toEqual(['0.1200; 2.00×; 5.00×', 'yes']);
    expect(row(rows, 'F: consisten')[1]).toBe('not measured');
    expect(row(rows, 'S: ml25m ret')[1]).toBe('not measured');
    expect(row(rows, 'peers: every')).toEqual([
      'Surprise SVD 1.0, Surprise SVD++ 1.0, implicit ALS 1.0, EASE 1.0',
      'yes',
    ]);
    // EASE's Recall@20 0.18 beats ours (0.17).
    expect(row(rows, 'peers: RMSE')[1]).toBe('no: Recall@20 under by 0.0100');
    expect(row(rows, 'E: p50')).toEqual([
      'p50 84 ms, p99 1200 ms; highest rate held 50/s',
      'no: p99 1.2× the limit',
    ]);
    expect(row(rows, 'capacity: ingest')).toEqual([
      '7.2 ms, 3.3 ms with 1, 20 in flight; Protocol E at 20/s: 8.6 ms',
      'no: at 20/s 1.1× the limit',
    ]);
    expect(row(rows, 'W: Lighthouse')).toEqual([
      'lowest of 2 pages: performance 97, accessibility 100; JS 99.0 KiB',
      'yes',
    ]);
    expect(summaryMarkdown(rows.slice(0, 1)).split('\n')[2]).toBe(
      '| R: RMSE ≤ 0.850 (no test-time information) | 0.8450; R-time: 0.8300 | yes |',
    );
  });

  it('judges a run that used the test time on its honest figure', () => {
    const rows = summaryRows({
      'protocol-r': {
        rmse: 0.8378,
        rmseWithoutTime: 0.8704,
        crossValidation: { rmse: { mean: 0.83, std: 0.003 } },
      },
      'protocol-s-ml25m': { trainSeconds: 900, peakRssMiB: 4000 },
    });
    expect(row(rows, 'R: RMSE')).toEqual([
      "0.8704; with the test rating's time, not allowed: 0.8378",
      'no: RMSE over by 0.0204',
    ]);
    expect(row(rows, 'R: 5-fold')[1]).toBe('not measured');
    expect(row(rows, 'S: ml25m')[1]).toBe('no: time 1.5× the limit');
  });

  it('never passes the peer targets when peers are missing or failed', () => {
    const rows = summaryRows({
      peers: {
        ours: { name: 'Reel (ours)', rmse: 0.84, ndcg10: 0.13, recall20: 0.17 },
        peers: [
          { name: 'Surprise SVD', problem: 'failed (rating): boom' },
          peer('implicit ALS', { ndcg10: 0.1, recall20: 0.15 }),
        ],
      },
    });
    expect(row(rows, 'peers: every')).toEqual([
      'implicit ALS 1.0',
      'no: Surprise SVD, Surprise SVD++, EASE missing',
    ]);
    const none = summaryRows({ peers: { ours: { rmse: 0.84 }, peers: [] } });
    expect(row(none, 'peers: every')[1]).toBe(
      'no: Surprise SVD, Surprise SVD++, implicit ALS, EASE missing',
    );
    expect(row(none, 'peers: RMSE')[1]).toBe('no: no peer measured');
    const stale = summaryRows({ peers: { peers: { 'Reel (ours)': {} } } });
    expect(row(stale, 'peers: RMSE')[1]).toMatch(/^no: the stored run predates tuned peers/);
  });
});
