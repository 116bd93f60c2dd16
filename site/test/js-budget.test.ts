// Protocol W's JavaScript budget on real build output: the site built from a small catalogue
// (the JavaScript does not depend on how many movies there are), then each page's first-load
// JavaScript measured. The full Lighthouse run is `npm run bench:site`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstLoadJs } from '../tools/first-load-js.js';

export const FIRST_LOAD_JS_BUDGET = 150 * 1024;

const site = new URL('..', import.meta.url).pathname;
const astroCli = join(
  dirname(createRequire(join(site, 'package.json')).resolve('astro/package.json')),
  'astro.js',
);
let dist: string;

beforeAll(() => {
  dist = mkdtempSync(join(tmpdir(), 'reel-site-budget-'));
  execFileSync(process.execPath, [astroCli, 'build', '--outDir', dist, '--silent'], {
    cwd: site,
    env: {
      ...process.env,
      ASTRO_TELEMETRY_DISABLED: '1',
      REEL_CATALOGUE_DIR: join(site, 'test/fixtures/ml-tiny'),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}, 180_000);

afterAll(() => {
  if (dist) rmSync(dist, { recursive: true, force: true });
});

describe('first-load JavaScript', () => {
  it.each([
    ['home', 'index.html'],
    ['movie', 'movies/2571/index.html'],
    ['your ratings', 'ratings/index.html'],
    ['browse', 'browse/sci-fi/index.html'],
    ['search', 'search/index.html'],
  ])('%s page stays within 150 KB gzipped', (_name, page) => {
    const js = firstLoadJs(dist, page);
    expect(js.files.length).toBeGreaterThan(0);
    expect(js.gzipBytes).toBeLessThanOrEqual(FIRST_LOAD_JS_BUDGET);
  });

  it('keeps the search engine out of the first load', () => {
    const js = firstLoadJs(dist, 'index.html');
    const names = js.files.map((file) => file.path).join(' ');
    expect(names).not.toMatch(/search\.[\w-]+\.js/);
    // Firebase is there: the measurement follows static imports into shared chunks.
    expect(js.gzipBytes).toBeGreaterThan(50 * 1024);
  });

  it('leaves App Check out of a build without a site key', () => {
    const assets = join(dist, '_astro');
    const withAppCheck = readdirSync(assets).filter((name) =>
      // The endpoint App Check trades a reCAPTCHA Enterprise token at.
      readFileSync(join(assets, name), 'utf8').includes('exchangeRecaptchaEnterpriseToken'),
    );
    expect(withAppCheck).toEqual([]);
  });
});
