import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../peers/peers.js';
import { stderrProgress } from '../report/progress.js';
import { replaceBlock } from '../report/readme.js';
import { type FlagSpec, parseFlags, runMain, UsageError, usageText } from './args.js';

/**
 * Each README figure block and the command that prints it. The block holds the command and
 * its stdout verbatim, so the README shows exactly what the harness printed.
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
  tuning: { script: 'tune', args: [] },
};

const FLAGS: Record<string, FlagSpec> = {
  only: {
    type: 'string',
    description: `comma-separated blocks to refresh (default all; the slow ones: protocol-s-ml25m ~10+ min, scaling ~15 min, tuning ~1 h): ${Object.keys(FIGURES).join(', ')}`,
  },
};
const USAGE = usageText('npm run figures -w pipelines -- [--only protocol-r,peers]', FLAGS);

runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  const names = typeof flags.only === 'string' ? flags.only.split(',') : Object.keys(FIGURES);
  for (const name of names) {
    if (!(name in FIGURES))
      throw new UsageError(
        `--only: unknown block "${name}"; blocks: ${Object.keys(FIGURES).join(', ')}`,
      );
  }
  const readmePath = join(REPO_ROOT, 'README.md');
  for (const name of names) {
    const { script, args } = FIGURES[name];
    const command = `npm run ${script} --${args.length > 0 ? ` ${args.join(' ')}` : ''}`;
    stderrProgress(`figures: ${name}: ${command}`);
    const output = await run(script, args);
    const readme = await readFile(readmePath, 'utf8');
    await writeFile(
      readmePath,
      replaceBlock(readme, name, `\`\`\`text\n$ ${command}\n${output.trimEnd()}\n\`\`\``),
    );
  }
});

function run(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, `pipelines/src/cli/${script}.ts`), ...args],
      { cwd: REPO_ROOT, maxBuffer: 64 << 20 },
      (error, stdout) =>
        error ? reject(new Error(`${script} failed: ${error.message}`)) : resolve(stdout),
    );
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  });
}
