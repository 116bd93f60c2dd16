import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticCsv } from '../data/synthetic.js';

const EVAL = fileURLToPath(new URL('./eval.ts', import.meta.url));
let dir: string;
let ratings: string;

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', EVAL, ...args], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reel-eval-'));
  ratings = join(dir, 'ratings.csv');
  // A tiny synthetic set: 40 users with at least 30 ratings each, so every protocol has data.
  await writeSyntheticCsv({ users: 40, movies: 120, ratings: 1600 }, { seed: 5 }, ratings);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const COMMON = ['--threads', '1', '--json', '--seed', '7'];

// Each test starts its own process: run them side by side.
describe.concurrent('npm run eval', () => {
  it('prints Protocol R as a table, then one JSON object with the metric names', async () => {
    const { code, stdout } = await run([
      '--ratings',
      ratings,
      '--protocol',
      'R',
      '--folds',
      '2',
      ...COMMON,
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Protocol R: rating prediction\ndataset: /);
    expect(stdout).toMatch(/seed: 7\nmachine: .* cores, .* GiB RAM, Node v/);
    const json = lastJson(stdout);
    expect(json).toMatchObject({
      protocol: 'R',
      seed: 7,
      dataset: { ratings: 1600, users: 40, movies: 120 },
    });
    for (const key of ['rmse', 'mae', 'trainSeconds']) expect(typeof json[key]).toBe('number');
    expect(json.crossValidation).toMatchObject({
      folds: 2,
      rmse: { mean: expect.any(Number), std: expect.any(Number) },
    });
  }, 60_000);

  it('prints Protocol T with every baseline under "baselines"', async () => {
    const { code, stdout } = await run(['--ratings', ratings, '--protocol', 'T', ...COMMON]);
    expect(code).toBe(0);
    const json = lastJson(stdout);
    const metrics = [
      'ndcg10',
      'recall10',
      'recall20',
      'precision10',
      'map10',
      'hr10',
      'coverage10',
    ];
    for (const key of [...metrics, 'trainSeconds']) expect(typeof json[key]).toBe('number');
    const baselines = json.baselines as Record<string, Record<string, unknown>>;
    expect(Object.keys(baselines)).toEqual(['popularity', 'itemKnn', 'ratingModel']);
    for (const baseline of Object.values(baselines)) {
      for (const key of metrics) expect(typeof baseline[key]).toBe('number');
    }
  }, 60_000);

  it('prints Protocol F with maxRelDiff, the progressive curve and p50Ms/p99Ms', async () => {
    const { code, stdout } = await run([
      '--ratings',
      ratings,
      '--protocol',
      'F',
      '--requests',
      '20',
      ...COMMON,
    ]);
    expect(code).toBe(0);
    const json = lastJson(stdout);
    expect(json.maxRelDiff).toBeLessThanOrEqual(1e-6);
    expect((json.progressive as { n: unknown }[]).map((s) => s.n)).toEqual([
      0,
      1,
      3,
      5,
      10,
      20,
      'all',
    ]);
    expect(typeof json.p50Ms).toBe('number');
    expect(typeof json.p99Ms).toBe('number');
  }, 120_000);

  it('names a bad flag and what it accepts', async () => {
    const [bad, unknown, missing] = await Promise.all([
      run(['--protocol', 'X']),
      run(['--protocol', 'R', '--fast']),
      run([]),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--protocol must be one of R, T, F \(got "X"\)/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown flag --fast/);
    expect(missing.stderr).toMatch(/--protocol is required/);
  }, 60_000);

  it('fails on a malformed file naming the line', async () => {
    const broken = join(dir, 'broken.csv');
    await writeFile(broken, 'userId,movieId,rating,timestamp\n1,2,4.0,5\n1,3,nine,6\n');
    const { code, stderr } = await run(['--ratings', broken, '--protocol', 'R']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/line 3: rating "nine"/);
  }, 60_000);
});
