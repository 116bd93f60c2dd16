import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
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

/**
 * Each README figure block and the command that prints it. The block holds the command and
 * its stdout verbatim, so the README shows exactly what the harness printed; the JSON line the
 * command prints with `--json` goes to {@link STORE} instead, and the target table is built
 * from every block's JSON there, so refreshing some blocks keeps the others' figures.
 */
export const FIGURES: Record<
  string,
  {
    script: 'eval' | 'bench' | 'tune' | 'bench:faults';
    args: string[];
    /** The script's file, when not pipelines/src/cli/{script}.ts. */
    entry?: string;
    /** The Markdown file holding the block, when not README.md. */
    doc?: string;
  }
> = {
  'protocol-r': { script: 'eval', args: ['--protocol', 'R'] },
  'protocol-t': { script: 'eval', args: ['--protocol', 'T'] },
  'protocol-f': { script: 'eval', args: ['--protocol', 'F', '--charts', 'docs/charts'] },
  'protocol-s-small': { script: 'bench', args: ['--charts', 'docs/charts'] },
  'protocol-s-ml1m': { script: 'bench', args: ['--dataset', 'ml1m'] },
  'protocol-s-ml25m': { script: 'bench', args: ['--dataset', 'ml25m'] },
  scaling: { script: 'bench', args: ['--dataset', 'ml1m', '--scaling'] },
  peers: { script: 'bench', args: ['--peers'] },
  // The reduced grid (about 3 min): the full `npm run tune` takes about an hour.
  tuning: {
    script: 'tune',
    args: ['--knobs', 'explicit.iterations,ranking.cgSteps', '--passes', '1'],
  },
  // The served list's genre term (about 2 min): both models trained once, then 25 trials.
  'tuning-genres': { script: 'tune', args: ['--model', 'genres'] },
  // The whole local stack under faults (about 8 min): not run by default.
  faults: {
    script: 'bench:faults',
    args: [],
    entry: 'pipelines/src/bench/faults.ts',
    doc: 'docs/faults.md',
  },
};

/** Blocks a plain `npm run figures` leaves alone: slow, or needing the whole local stack. */
const NOT_BY_DEFAULT = new Set(['tuning', 'tuning-genres', 'faults']);

const execFileAsync = promisify(execFile);

/** Where each block's JSON is kept (committed), relative to the repository root. */
const STORE = 'docs/figures.json';

const FLAGS: Record<string, FlagSpec> = {
  only: {
    type: 'string',
    description: `comma-separated blocks to refresh (default all but tuning, tuning-genres and faults; the slow ones: protocol-s-ml25m ~10 min, scaling ~15 min, tuning ~3 min, faults ~8 min): ${Object.keys(FIGURES).join(', ')}`,
  },
  'summary-only': {
    type: 'boolean',
    description: `rewrite only the target table, from ${STORE}`,
  },
};
const USAGE = usageText(
  'npm run figures -w pipelines -- [--only protocol-r,peers] [--summary-only]',
  FLAGS,
);

runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  const names = flags['summary-only']
    ? []
    : typeof flags.only === 'string'
      ? flags.only.split(',')
      : Object.keys(FIGURES).filter((name) => !NOT_BY_DEFAULT.has(name));
  for (const name of names) {
    if (!(name in FIGURES))
      throw new UsageError(
        `--only: unknown block "${name}"; blocks: ${Object.keys(FIGURES).join(', ')}`,
      );
  }
  const readmePath = join(REPO_ROOT, 'README.md');
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
  const save = async (name?: string, record?: FigureRecord) => {
    const store = await load();
    if (name !== undefined && record !== undefined) store[name] = record;
    await mkdir(dirname(storePath), { recursive: true });
    await writeFile(storePath, `${JSON.stringify(store, null, 2)}\n`);
    const readme = await readFile(readmePath, 'utf8');
    await writeFile(readmePath, replaceBlock(readme, 'summary', summaryBlock(store)));
    // In the repository's one style (Biome pads Markdown tables), so \`npm run lint\` passes
    // after a refresh.
    await execFileAsync(
      join(REPO_ROOT, 'node_modules/.bin/biome'),
      ['format', '--write', STORE, 'README.md'],
      { cwd: REPO_ROOT },
    );
  };
  for (const name of names) {
    const { script, args, entry, doc } = FIGURES[name];
    const command = `npm run ${script} --${args.length > 0 ? ` ${args.join(' ')}` : ''}`;
    stderrProgress(`figures: ${name}: ${command}`);
    const measuredAt = new Date().toISOString();
    const { text, json } = splitJsonOutput(
      await run(entry ?? `pipelines/src/cli/${script}.ts`, [...args, '--json']),
      command,
    );
    const docPath = join(REPO_ROOT, doc ?? 'README.md');
    const markdown = await readFile(docPath, 'utf8');
    await writeFile(docPath, replaceBlock(markdown, name, figureBlock(command, text)));
    // After every block, so a long refresh interrupted later keeps what it measured.
    await save(name, { command, measuredAt, json });
  }
  if (names.length === 0) await save();
});

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, file), ...args],
      { cwd: REPO_ROOT, maxBuffer: 256 << 20 },
      (error, stdout) =>
        error ? reject(new Error(`${file} failed: ${error.message}`)) : resolve(stdout),
    );
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  });
}
