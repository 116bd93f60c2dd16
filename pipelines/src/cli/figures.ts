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
export const FIGURES: Record<string, { script: 'eval' | 'bench' | 'tune'; args: string[] }> = {
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
};

const execFileAsync = promisify(execFile);

/** Where each block's JSON is kept (committed), relative to the repository root. */
const STORE = 'docs/figures.json';

const FLAGS: Record<string, FlagSpec> = {
  only: {
    type: 'string',
    description: `comma-separated blocks to refresh (default all but tuning and tuning-genres; the slow ones: protocol-s-ml25m ~10 min, scaling ~15 min, tuning ~3 min, not run by default): ${Object.keys(FIGURES).join(', ')}`,
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
      : Object.keys(FIGURES).filter((name) => !name.startsWith('tuning'));
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
    const { script, args } = FIGURES[name];
    const command = `npm run ${script} --${args.length > 0 ? ` ${args.join(' ')}` : ''}`;
    stderrProgress(`figures: ${name}: ${command}`);
    const measuredAt = new Date().toISOString();
    const { text, json } = splitJsonOutput(await run(script, [...args, '--json']), command);
    const readme = await readFile(readmePath, 'utf8');
    await writeFile(readmePath, replaceBlock(readme, name, figureBlock(command, text)));
    // After every block, so a long refresh interrupted later keeps what it measured.
    await save(name, { command, measuredAt, json });
  }
  if (names.length === 0) await save();
});

function run(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, `pipelines/src/cli/${script}.ts`), ...args],
      { cwd: REPO_ROOT, maxBuffer: 256 << 20 },
      (error, stdout) =>
        error ? reject(new Error(`${script} failed: ${error.message}`)) : resolve(stdout),
    );
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  });
}
