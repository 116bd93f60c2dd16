import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../peers/peers.js';
import {
  type FigureRecord,
  type FigureStore,
  figureBlock,
  parseFigureStore,
  splitJsonOutput,
  summaryBlock,
} from '../report/figures.js';
import { stderrProgress } from '../report/progress.js';
import { replaceBlock } from '../report/readme.js';
import { type FlagSpec, parseFlags, runMain, UsageError, usageText } from './args.js';

/** A figure command: what a reader types, and the file it runs (from `cwd`, default the root). */
interface Figure {
  readonly command: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  /** Roughly how long it takes on a quiet machine, for --help. */
  readonly takes: string;
}

const cli = (script: 'eval' | 'bench' | 'tune', args: string[], takes: string): Figure => ({
  command: `npm run ${script} --${args.length > 0 ? ` ${args.join(' ')}` : ''}`,
  file: `pipelines/src/cli/${script}.ts`,
  args,
  takes,
});

/**
 * Each figure block and the command that prints it. A block (`<!-- figures:name -->` …
 * `<!-- /figures:name -->`, in README.md or a docs/*.md file) holds the command and its stdout
 * verbatim, so the docs show exactly what the harness printed; the JSON line the command prints
 * with `--json` goes to {@link STORE} instead, and the README's target table is built from every
 * block's JSON there, so refreshing some blocks keeps the others' figures.
 */
export const FIGURES: Record<string, Figure> = {
  'protocol-r': cli('eval', ['--protocol', 'R'], '1 min'),
  'protocol-t': cli('eval', ['--protocol', 'T'], '1 min'),
  'protocol-f': cli('eval', ['--protocol', 'F', '--charts', 'docs/charts'], '1 min'),
  'protocol-s-small': cli('bench', ['--charts', 'docs/charts'], '1 min'),
  'protocol-s-ml1m': cli('bench', ['--dataset', 'ml1m'], '1 min'),
  'protocol-s-ml25m': cli('bench', ['--dataset', 'ml25m'], '10 min'),
  scaling: cli('bench', ['--dataset', 'ml1m', '--scaling'], '15 min'),
  peers: cli('bench', ['--peers'], '10 min'),
  tuning: cli('tune', ['--knobs', 'explicit.iterations,ranking.cgSteps', '--passes', '1'], '3 min'),
  'tuning-genres': cli('tune', ['--model', 'genres'], '2 min'),
  'protocol-e': {
    command: 'npm run bench:e2e',
    file: 'pipelines/src/bench/e2e.ts',
    args: [],
    takes: '10 min, starts its own emulator stack',
  },
  'protocol-w': {
    command: 'npm run bench:site',
    file: 'site/tools/bench-site.ts',
    args: [],
    cwd: 'site',
    takes: '3 min, builds the site and runs Chromium',
  },
  ingest: {
    command: 'npm run bench:ingest',
    file: 'pipelines/src/bench/ingest.ts',
    args: [],
    takes: '4 min, starts its own emulator stack',
  },
  faults: {
    command: 'npm run bench:faults',
    file: 'pipelines/src/bench/faults.ts',
    args: [],
    takes: '8 min, starts its own emulator stack',
  },
};

const execFileAsync = promisify(execFile);

/** Where each block's JSON is kept (committed), relative to the repository root. */
const STORE = 'docs/figures.json';

const FLAGS: Record<string, FlagSpec> = {
  only: {
    type: 'string',
    description: `comma-separated blocks to refresh (default every block): ${Object.entries(FIGURES)
      .map(([name, figure]) => `${name} (${figure.takes})`)
      .join(', ')}`,
  },
  skip: {
    type: 'string',
    description: 'comma-separated blocks to leave as they are, e.g. protocol-e,scaling',
  },
  'summary-only': {
    type: 'boolean',
    description: `rewrite only the target table, from ${STORE}`,
  },
};
const USAGE = usageText(
  'npm run figures -- [--only protocol-r,peers] [--skip protocol-e,scaling] [--summary-only]',
  FLAGS,
);

/** The files figure blocks may live in: the README (the target table) and docs/*.md. */
async function blockFiles(): Promise<string[]> {
  const docs = (await readdir(join(REPO_ROOT, 'docs')))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

/** Rewrites the block `name` in whichever file holds its markers. */
async function writeBlock(name: string, content: string): Promise<string> {
  for (const file of await blockFiles()) {
    const path = join(REPO_ROOT, file);
    const text = await readFile(path, 'utf8');
    if (!text.includes(`<!-- figures:${name} -->`)) continue;
    await writeFile(path, replaceBlock(text, name, content));
    return file;
  }
  throw new Error(
    `no file holds <!-- figures:${name} --> … <!-- /figures:${name} -->: add the markers to README.md or a docs/*.md file`,
  );
}

const list = (value: unknown): string[] => (typeof value === 'string' ? value.split(',') : []);

runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  const chosen = typeof flags.only === 'string' ? list(flags.only) : Object.keys(FIGURES);
  const skipped = list(flags.skip);
  for (const name of [...chosen, ...skipped]) {
    if (!(name in FIGURES))
      throw new UsageError(`unknown block "${name}"; blocks: ${Object.keys(FIGURES).join(', ')}`);
  }
  const names = flags['summary-only'] ? [] : chosen.filter((name) => !skipped.includes(name));
  const storePath = join(REPO_ROOT, STORE);
  const load = async (): Promise<FigureStore> =>
    parseFigureStore(
      await readFile(storePath, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      }),
      STORE,
    );
  // Read again before each write, so runs of different blocks side by side keep each other's.
  const save = async (written: string[], name?: string, record?: FigureRecord) => {
    const store = await load();
    if (name !== undefined && record !== undefined) store[name] = record;
    await mkdir(dirname(storePath), { recursive: true });
    await writeFile(storePath, `${JSON.stringify(store, null, 2)}\n`);
    const summaryFile = await writeBlock('summary', summaryBlock(store));
    // In the repository's one style (Biome pads Markdown tables), so \`npm run lint\` passes
    // after a refresh.
    await execFileAsync(
      join(REPO_ROOT, 'node_modules/.bin/biome'),
      ['format', '--write', STORE, ...new Set([summaryFile, ...written])],
      { cwd: REPO_ROOT },
    );
  };
  for (const name of names) {
    const figure = FIGURES[name];
    stderrProgress(`figures: ${name}: ${figure.command}`);
    const measuredAt = new Date().toISOString();
    const { text, json } = splitJsonOutput(await run(figure), figure.command);
    const file = await writeBlock(name, figureBlock(figure.command, text));
    // After every block, so a long refresh interrupted later keeps what it measured.
    await save([file], name, { command: figure.command, measuredAt, json });
  }
  if (names.length === 0) await save([]);
});

/**
 * Runs a figure command with `--json`. A command that exits non-zero after printing its JSON
 * (a missed target) is kept, with a warning; one that printed no JSON failed, and so does this.
 */
function run(figure: Figure): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, figure.file), ...figure.args, '--json'],
      { cwd: join(REPO_ROOT, figure.cwd ?? ''), maxBuffer: 256 << 20 },
      (error, stdout) => {
        if (!error) return resolve(stdout);
        try {
          splitJsonOutput(stdout, figure.command);
        } catch {
          return reject(new Error(`${figure.command} failed: ${error.message}`));
        }
        stderrProgress(`figures: ${figure.command} exited ${error.code}: a target is missed`);
        resolve(stdout);
      },
    );
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  });
}
