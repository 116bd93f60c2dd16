// Protocol W: build the site, serve dist/ on 127.0.0.1, run Lighthouse (headless Debian
// Chromium) on the home page and a movie page, and print scores, Web Vitals and first-load
// JavaScript with the machine and dataset. Exits non-zero when a target is missed.
//   npm run bench:site [-- --runs 3 --movie 2571 --no-build --preset desktop --json]
// --json adds one JSON object on the last line (what `npm run figures` keeps).
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { loadSearchIndex, searchTitles } from '../src/lib/search.js';
import { firstLoadJs } from './first-load-js.js';
import { startStaticServer } from './static-server.js';

const TARGETS = { performance: 95, accessibility: 95, jsKiB: 150 };
const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const CHROME_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    movie: { type: 'string', default: '2571' },
    build: { type: 'boolean', default: true },
    'no-build': { type: 'boolean', default: false },
    preset: { type: 'string', default: 'mobile' },
    json: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs ${values.runs}: give a positive integer`);
if (values.preset !== 'mobile' && values.preset !== 'desktop') {
  throw new Error(`--preset ${values.preset}: use mobile (Lighthouse's default) or desktop`);
}

// Lighthouse's simulated throttling scales the tasks it observed, so other work on the machine
// lowers the scores: the load at the start is printed beside them.
const loadAtStart = loadavg()[0];
const site = new URL('..', import.meta.url).pathname;
const dist = join(site, 'dist');
const log = (message: string) => process.stderr.write(`[bench:site] ${message}\n`);

// The emulators the live data connects to: the standard variables, unless PUBLIC_ ones are set.
const buildEnv: NodeJS.ProcessEnv = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' };
buildEnv.PUBLIC_FIRESTORE_EMULATOR_HOST ??= process.env.FIRESTORE_EMULATOR_HOST;
buildEnv.PUBLIC_FIREBASE_AUTH_EMULATOR_HOST ??= process.env.FIREBASE_AUTH_EMULATOR_HOST;

let buildSeconds: number | null = null;
if (values.build && !values['no-build']) {
  const astro = join(
    dirname(createRequire(join(site, 'package.json')).resolve('astro/package.json')),
    'astro.js',
  );
  log('building the site (astro build)…');
  const started = performance.now();
  const result = spawnSync(process.execPath, [astro, 'build'], {
    cwd: site,
    env: buildEnv,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`astro build failed with exit code ${result.status}`);
  buildSeconds = (performance.now() - started) / 1000;
}

const moviePages = readdirSync(join(dist, 'movies')).length;
const moviePath = `/movies/${values.movie}/`;
const pages = [
  { name: 'home', path: '/', file: 'index.html' },
  { name: `movie ${values.movie}`, path: moviePath, file: `movies/${values.movie}/index.html` },
];

const server = await startStaticServer(dist);
const chrome = await chromeLauncher.launch({
  chromePath: CHROMIUM,
  chromeFlags: CHROME_FLAGS,
  logLevel: 'error',
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Row {
  page: string;
  performance: number;
  accessibility: number;
  fcp: number;
  lcp: number;
  tbt: number;
  cls: number;
  si: number;
  jsTransferKiB: number;
  jsStaticKiB: number;
}
const rows: Row[] = [];
let lighthouseVersion = '';
try {
  for (const page of pages) {
    const samples: Omit<Row, 'page' | 'jsStaticKiB'>[] = [];
    for (let run = 1; run <= runs; run++) {
      log(`lighthouse ${page.name} (${values.preset}), run ${run}/${runs}`);
      const result = await lighthouse(
        `${server.url}${page.path}`,
        {
          port: chrome.port,
          output: 'json',
          logLevel: 'error',
          onlyCategories: ['performance', 'accessibility'],
        },
        values.preset === 'desktop'
          ? {
              extends: 'lighthouse:default',
              settings: {
                formFactor: 'desktop',
                screenEmulation: {
                  mobile: false,
                  width: 1350,
                  height: 940,
                  deviceScaleFactor: 1,
                  disabled: false,
                },
                throttling: {
                  rttMs: 40,
                  throughputKbps: 10240,
                  cpuSlowdownMultiplier: 1,
                  requestLatencyMs: 0,
                  downloadThroughputKbps: 0,
                  uploadThroughputKbps: 0,
                },
              },
            }
          : undefined,
      );
      if (!result) throw new Error(`lighthouse returned nothing for ${page.path}`);
      const { lhr } = result;
      lighthouseVersion = lhr.lighthouseVersion;
      const audit = (id: string) => lhr.audits[id]?.numericValue ?? Number.NaN;
      const summary = lhr.audits['resource-summary']?.details as
        | { items?: { resourceType: string; transferSize: number }[] }
        | undefined;
      const scriptBytes =
        summary?.items?.find((item) => item.resourceType === 'script')?.transferSize ?? 0;
      for (const failed of Object.values(lhr.audits).filter(
        (a) =>
          a.score !== null &&
          a.score < 1 &&
          lhr.categories.accessibility.auditRefs.some((ref) => ref.id === a.id),
      )) {
        log(`  accessibility: ${failed.id}: ${failed.title}`);
      }
      samples.push({
        performance: Math.round((lhr.categories.performance.score ?? 0) * 100),
        accessibility: Math.round((lhr.categories.accessibility.score ?? 0) * 100),
        fcp: audit('first-contentful-paint'),
        lcp: audit('largest-contentful-paint'),
        tbt: audit('total-blocking-time'),
        cls: audit('cumulative-layout-shift'),
        si: audit('speed-index'),
        jsTransferKiB: scriptBytes / 1024,
      });
    }
    rows.push({
      page: page.name,
      performance: median(samples.map((s) => s.performance)),
      accessibility: median(samples.map((s) => s.accessibility)),
      fcp: median(samples.map((s) => s.fcp)),
      lcp: median(samples.map((s) => s.lcp)),
      tbt: median(samples.map((s) => s.tbt)),
      cls: median(samples.map((s) => s.cls)),
      si: median(samples.map((s) => s.si)),
      jsTransferKiB: median(samples.map((s) => s.jsTransferKiB)),
      jsStaticKiB: firstLoadJs(dist, page.file).gzipBytes / 1024,
    });
  }
} finally {
  await chrome.kill();
  await server.close();
}

// Search, measured in Node on the built index: what the browser loads on the first focus.
const SEARCH_QUERIES = [
  'matirx',
  'the godfa',
  'shawshenk redemtion',
  'star wars 1977',
  'amélie',
  'th',
  'lord of the rings',
  'termintor 2',
  's',
  'blade runer',
];
const indexJson = readFileSync(join(dist, 'data/search-index.json'), 'utf8');
const loadStarted = performance.now();
const searchIndex = loadSearchIndex(indexJson);
const loadMs = performance.now() - loadStarted;
const queryMs: number[] = [];
for (let round = 0; round < 5; round++) {
  for (const query of SEARCH_QUERIES) {
    const started = performance.now();
    searchTitles(searchIndex, query, 8);
    queryMs.push(performance.now() - started);
  }
}
queryMs.sort((a, b) => a - b);
const { gzipSync } = await import('node:zlib');
const searchLine = `search:    ${searchIndex.documentCount.toLocaleString('en')} titles; index ${(indexJson.length / 2 ** 20).toFixed(1)} MiB (${(gzipSync(indexJson).length / 2 ** 20).toFixed(1)} MiB gzipped), loadJSON ${loadMs.toFixed(0)} ms; ${queryMs.length} queries p50 ${queryMs[Math.floor(queryMs.length / 2)].toFixed(1)} ms, max ${queryMs.at(-1)?.toFixed(1)} ms (Node, this machine)`;

const chromiumVersion = execFileSync(CHROMIUM, ['--version'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'ignore'],
}).trim();
const catalogue = buildEnv.REEL_CATALOGUE_DIR ?? 'pipelines/data/ml-latest-small (bundled)';
const lines = [
  'Protocol W: the site (Lighthouse, headless Chromium)',
  `machine:   ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; load average ${loadAtStart.toFixed(2)} at start`,
  `browser:   ${chromiumVersion}; Lighthouse ${lighthouseVersion}, ${values.preset} preset${values.preset === 'mobile' ? ' (simulated slow 4G, 4x CPU slowdown)' : ''}`,
  `dataset:   ${catalogue}: ${moviePages.toLocaleString('en')} movie pages${buildSeconds === null ? '' : `; astro build ${buildSeconds.toFixed(1)} s`}`,
  `live data: Firestore ${buildEnv.PUBLIC_FIRESTORE_EMULATOR_HOST ?? '127.0.0.1:8080 (default)'}, Auth ${buildEnv.PUBLIC_FIREBASE_AUTH_EMULATOR_HOST ?? '127.0.0.1:9099 (default)'}`,
  `runs:      ${runs} per page, medians shown`,
  searchLine,
  '',
  'page          perf  a11y   FCP ms   LCP ms  TBT ms    CLS   SI ms  JS gz KiB (static / transferred)',
  ...rows.map(
    (r) =>
      `${r.page.padEnd(13)} ${String(r.performance).padStart(4)}  ${String(r.accessibility).padStart(4)}  ${r.fcp.toFixed(0).padStart(7)}  ${r.lcp.toFixed(0).padStart(7)}  ${r.tbt.toFixed(0).padStart(6)}  ${r.cls.toFixed(3).padStart(5)}  ${r.si.toFixed(0).padStart(6)}  ${r.jsStaticKiB.toFixed(1).padStart(6)} / ${r.jsTransferKiB.toFixed(1)}`,
  ),
  '',
];
let missed = 0;
for (const r of rows) {
  const checks: [string, boolean][] = [
    [`performance ${r.performance} ≥ ${TARGETS.performance}`, r.performance >= TARGETS.performance],
    [
      `accessibility ${r.accessibility} ≥ ${TARGETS.accessibility}`,
      r.accessibility >= TARGETS.accessibility,
    ],
    [
      `first-load JS ${r.jsStaticKiB.toFixed(1)} KiB ≤ ${TARGETS.jsKiB} KiB`,
      r.jsStaticKiB <= TARGETS.jsKiB,
    ],
  ];
  for (const [text, ok] of checks) {
    lines.push(`${ok ? 'met ' : 'MISS'}  ${r.page}: ${text}`);
    if (!ok) missed++;
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
if (values.json) {
  const summary = {
    protocol: 'W',
    machine: {
      cpu: cpus()[0]?.model ?? null,
      cores: cpus().length,
      node: process.version,
      loadAverage: Number(loadAtStart.toFixed(2)),
    },
    browser: chromiumVersion,
    lighthouse: lighthouseVersion,
    preset: values.preset,
    catalogue,
    moviePages,
    buildSeconds,
    runs,
    search: {
      titles: searchIndex.documentCount,
      loadMs,
      queryP50Ms: queryMs[Math.floor(queryMs.length / 2)],
      queryMaxMs: queryMs.at(-1),
    },
    pages: rows,
    targets: TARGETS,
    missed,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
process.exitCode = missed > 0 ? 1 : 0;
