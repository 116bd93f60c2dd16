import { describe, expect, it } from 'vitest';
import { summaryMarkdown, summaryRows } from './summary.js';

describe('summaryRows', () => {
  it('checks each target from the figures JSON and says when a run is missing', () => {
    const rows = summaryRows({
      'protocol-r': { rmse: 0.84, rmseWithoutTime: 0.87 },
      'protocol-t': {
        ndcg10: 0.12,
        recall20: 0.16,
        coverage10: 0.05,
        baselines: { popularity: { recall20: 0.08, coverage10: 0.01 } },
      },
      peers: {
        peers: {
          ours: { rating: { rmse: 0.84, fitSeconds: 1 }, ranking: { ndcg10: 0.12, fitSeconds: 3 } },
          svd: { rating: { rmse: 0.88, fitSeconds: 1 }, ranking: { ndcg10: 0.04, fitSeconds: 1 } },
          als: { ranking: { ndcg10: 0.09, fitSeconds: 2 } },
        },
      },
    });
    const row = (prefix: string) => {
      const found = rows.find(([target]) => target.startsWith(prefix));
      if (!found) throw new Error(`no row starts with ${prefix}`);
      return [found[1], found[2]];
    };
    expect(row('R: RMSE ≤ 0')).toEqual(['0.8400 (without the test time: 0.8700)', 'yes']);
    expect(row('T: NDCG@10')[0]).toBe('0.1200; 2.00×; 5.00×');
    expect(row('T: NDCG@10')[1]).toBe('yes');
    expect(row('F: consisten')[1]).toBe('not measured');
    expect(row('S: ml25m ret')[1]).toBe('not measured');
    expect(row('peers: RMSE')[1]).toBe('yes');
    // Ours 1 s vs the fastest 1 s for R; 3 s vs 1 s for T.
    expect(row('peers: fit t')).toEqual([
      'rating model 1.00×, ranking model 3.00×',
      'no: ranking model ratio 1.5× the limit',
    ]);
    const missed = summaryRows({
      'protocol-r': { rmse: 0.8612 },
      'protocol-s-ml25m': { trainSeconds: 900, peakRssMiB: 4000 },
    });
    expect(missed[0][2]).toBe('no: RMSE over by 0.0112');
    expect(missed.find(([target]) => target.startsWith('S: ml25m'))?.[2]).toBe(
      'no: time 1.5× the limit',
    );
    expect(summaryMarkdown(rows.slice(0, 1)).split('\n')[2]).toBe(
      '| R: RMSE ≤ 0.850 | 0.8400 (without the test time: 0.8700) | yes |',
    );
  });
});
