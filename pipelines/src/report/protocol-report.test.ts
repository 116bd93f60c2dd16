import { describe, expect, it } from 'vitest';
import type { ComparisonRow } from '../peers/compare.js';
import { renderPeers, renderProtocolR } from './protocol-report.js';

const protocolR = (figures: Record<string, number>) =>
  ({
    mae: 0.66,
    trainSeconds: 0.5,
    trainRatings: 80_000,
    testRatings: 20_000,
    coldTestRatings: 800,
    iterations: [],
    ...figures,
  }) as unknown as Parameters<typeof renderProtocolR>[0];

describe('renderProtocolR', () => {
  it('renders the optional figures only when the run has them', () => {
    const honest = renderProtocolR(
      protocolR({ rmse: 0.845, rmseTemporal: 0.83, maeTemporal: 0.64 }),
    ).join('\n');
    expect(honest).toMatch(/^RMSE\s+0\.8450\s+target ≤ 0\.850: met$/m);
    expect(honest).toMatch(/^R-time RMSE\s+0\.8300/m);
    expect(honest).not.toMatch(/without the test time/);
    const withoutTemporal = renderProtocolR(protocolR({ rmse: 0.845 })).join('\n');
    expect(withoutTemporal).not.toMatch(/R-time/);
  });
});

describe('renderPeers', () => {
  const fit = (fitSeconds: number, iterations: number) => ({
    fitSeconds,
    iterations,
    secondsPerIteration: fitSeconds / iterations,
  });
  const ranking = (ndcg10: number) => ({
    ndcg10,
    recall10: 0.1,
    recall20: 0.15,
    precision10: 0.1,
    map10: 0.05,
    hr10: 0.5,
    users: 592,
    coverage10: 0.05,
    popularityPercentile: 98,
  });
  it('prints settings, per-iteration ratios and every failure with its reason', () => {
    const rows: ComparisonRow[] = [
      {
        name: 'Reel (ours)',
        task: 'both',
        settings: { ranking: { factors: 64 } },
        rating: { rmse: 0.85, mae: 0.65, ...fit(0.4, 20) },
        ranking: { ...ranking(0.12), ...fit(0.6, 10) },
      },
      {
        name: 'EASE',
        version: '2.2.6',
        task: 'ranking',
        settings: { regularization: 200 },
        tuning: { settings: {}, configurations: 9, budget: 50, validation: 0.11, seconds: 30 },
        ranking: { ...ranking(0.11), ...fit(0.3, 1) },
      },
      {
        name: 'Surprise SVD',
        version: '1.1.5',
        task: 'rating',
        settings: { n_factors: 100 },
        tuning: {
          settings: {},
          configurations: 12,
          budget: 43,
          gridNote: 'up to 100 factors',
          validation: 0.86,
          seconds: 90,
        },
        rating: { rmse: 0.86, mae: 0.66, ...fit(100, 20) },
        ranking: { ...ranking(0.01), ...fit(100, 20) },
      },
      { name: 'Surprise SVD++', task: 'rating', settings: {}, problem: 'failed (rating): boom' },
    ];
    const text = renderPeers(rows).join('\n');
    expect(text).toContain(
      'EASE: {"regularization":200} (validation NDCG@10 0.1100, 9 of 50 configurations, 30 s)',
    );
    expect(text).toContain(
      'our ranking model vs EASE (Protocol T): fit time 2.00×, per iteration 0.20×',
    );
    expect(text).toMatch(/^EASE\s+T\s+0\.30\s+1\s+0\.300$/m);
    expect(text).toContain(
      'Surprise SVD: {"n_factors":100} (validation RMSE 0.8600, 12 of 43 configurations, 90 s; grid: up to 100 factors)',
    );
    expect(text).toContain(
      'our rating model vs Surprise SVD (Protocol R): fit time 0.0040×, per iteration 0.0040×',
    );
    expect(text).toContain('Surprise SVD++ FAILED: failed (rating): boom');
  });
});
