import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_CONFIG } from '../config.js';
import { mulberry32 } from '../random.js';
import { randomRatings } from '../test-support.js';
import { createWorkerPool } from './executor.js';
import { type IterationReport, sessionBiasAt, trainExplicit } from './explicit.js';
import { trainRanking } from './ranking.js';
import { buildLayout } from './rating-layout.js';

const ratings = randomRatings(mulberry32(7), 50, 60, 10);
const explicitConfig = {
  ...DEFAULT_MODEL_CONFIG.explicit,
  factors: 3,
  iterations: 4,
  sessionGap: 600,
};
const rankingConfig = { ...DEFAULT_MODEL_CONFIG.ranking, factors: 4, iterations: 4, cgSteps: 2 };

describe('training is deterministic for a seed', () => {
  it('same seed → identical factors; different seed → different factors', async () => {
    const a = await trainExplicit(ratings, explicitConfig, { random: mulberry32(1) });
    const b = await trainExplicit(ratings, explicitConfig, { random: mulberry32(1) });
    const c = await trainExplicit(ratings, explicitConfig, { random: mulberry32(2) });
    expect(b.itemFactors).toEqual(a.itemFactors);
    expect(b.userBiases).toEqual(a.userBiases);
    expect(c.itemFactors).not.toEqual(a.itemFactors);
    const r1 = await trainRanking(ratings, rankingConfig, { random: mulberry32(1) });
    const r2 = await trainRanking(ratings, rankingConfig, { random: mulberry32(1) });
    const r3 = await trainRanking(ratings, rankingConfig, { random: mulberry32(2) });
    expect(r2.itemFactors).toEqual(r1.itemFactors);
    expect(r3.itemFactors).not.toEqual(r1.itemFactors);
  });

  it('a pool of worker threads gives bit-identical models to one thread', async () => {
    const pool = createWorkerPool(2);
    try {
      const serial = await trainRanking(ratings, rankingConfig, { random: mulberry32(1) });
      const parallel = await trainRanking(ratings, rankingConfig, {
        random: mulberry32(1),
        executor: pool,
      });
      expect(parallel.userFactors).toEqual(serial.userFactors);
      expect(parallel.itemFactors).toEqual(serial.itemFactors);
      const explicitSerial = await trainExplicit(ratings, explicitConfig, {
        random: mulberry32(1),
      });
      const explicitParallel = await trainExplicit(ratings, explicitConfig, {
        random: mulberry32(1),
        executor: pool,
      });
      expect(explicitParallel.userFactors).toEqual(explicitSerial.userFactors);
      expect(explicitParallel.sessions!.biases).toEqual(explicitSerial.sessions!.biases);
    } finally {
      await pool.close();
    }
  }, 30_000);
});

describe('iteration reports', () => {
  it('report every iteration with a loss that does not increase (ALS is monotone)', async () => {
    const reports: IterationReport[] = [];
    let now = 0;
    const clock = () => (now += 0.5);
    const layout = buildLayout(ratings);
    await trainExplicit(ratings, explicitConfig, {
      random: mulberry32(1),
      onIteration: (report) => reports.push(report),
      clock,
      layout,
    });
    await trainRanking(
      ratings,
      { ...rankingConfig, cgSteps: 0 },
      {
        random: mulberry32(1),
        onIteration: (report) => reports.push(report),
        clock,
        layout,
      },
    );
    expect(reports.map((r) => `${r.model} ${r.iteration} ${r.seconds}`)).toEqual([
      'explicit 1 0.5',
      'explicit 2 0.5',
      'explicit 3 0.5',
      'explicit 4 0.5',
      'ranking 1 0.5',
      'ranking 2 0.5',
      'ranking 3 0.5',
      'ranking 4 0.5',
    ]);
    for (const model of ['explicit', 'ranking']) {
      const losses = reports.filter((r) => r.model === model).map((r) => r.loss);
      for (let n = 1; n < losses.length; n++)
        expect(losses[n]).toBeLessThanOrEqual(losses[n - 1]! * (1 + 1e-12));
    }
    expect(reports[0]!.trainRmse).toBeGreaterThan(0);
  });
});

describe('sessionBiasAt', () => {
  it("gives the bias of the session a later rating continues, never a later session's", async () => {
    const model = await trainExplicit(ratings, explicitConfig, { random: mulberry32(1) });
    const sessions = model.sessions!;
    const user = 0;
    const first = sessions.starts[user];
    const last = sessions.starts[user + 1] - 1;
    expect(last).toBeGreaterThan(first);
    // Just before the user's first rating: that session has not begun, so no bias.
    expect(sessionBiasAt(model, user, sessions.firstTime[first] - 1)).toBe(0);
    // Within the gap after a session's last rating: that session's bias.
    expect(sessionBiasAt(model, user, sessions.lastTime[first] + 1)).toBe(sessions.biases[first]);
    expect(sessionBiasAt(model, user, sessions.lastTime[last] + 600)).toBe(sessions.biases[last]);
    expect(sessions.biases[last]).not.toBe(0);
    // Beyond the gap: none.
    expect(sessionBiasAt(model, user, sessions.lastTime[last] + 601)).toBe(0);
  });
});
