import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYNTHETIC_SIZES, type SyntheticName, writeSyntheticCsv } from '../data/synthetic.js';
import { progressMeter, stderrProgress } from '../report/progress.js';
import { type FlagSpec, integerFlag, parseFlags, runMain, UsageError, usageText } from './args.js';

/** Where generated sets go by default: git-ignored, never committed. */
const OUT = fileURLToPath(new URL('../../out/synthetic/', import.meta.url));

const FLAGS: Record<string, FlagSpec> = {
  dataset: {
    type: 'string',
    choices: Object.keys(SYNTHETIC_SIZES),
    description: 'which size of EVALUATION.md to generate',
  },
  seed: { type: 'string', description: 'generator seed (default 42)' },
  out: {
    type: 'string',
    description: 'output file (default pipelines/out/synthetic/<dataset>-seed<seed>.csv)',
  },
};
const USAGE = usageText(
  'npm run generate -w pipelines -- --dataset ml1m|ml25m [--seed 42] [--out <file>]',
  FLAGS,
);

runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  const name = flags.dataset as SyntheticName | undefined;
  if (!name)
    throw new UsageError(
      `--dataset is required (${Object.keys(SYNTHETIC_SIZES).join(', ')})\n${USAGE}`,
    );
  const seed = integerFlag(flags, 'seed', 42, 0, 2 ** 32 - 1);
  const size = SYNTHETIC_SIZES[name];
  const path = typeof flags.out === 'string' ? flags.out : join(OUT, `${name}-seed${seed}.csv`);
  await mkdir(dirname(path), { recursive: true });
  const meter = progressMeter(stderrProgress, `writing ${path}`, size.users, 'users');
  await writeSyntheticCsv(size, { seed }, path, (user) => meter.update(user + 1));
  meter.done();
  process.stdout.write(
    `${path}: ${size.ratings} ratings, ${size.users} users, ${size.movies} movies (seed ${seed})\n`,
  );
});
