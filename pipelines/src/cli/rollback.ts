/**
 * `npm run rollback -- [--project P] [--to VERSION]`: moves `models/current.json` back to the
 * newest older version whose files are complete (or to --to), conditionally on the pointer not
 * moving meanwhile, with the functions' own rollback. The next rating of each user is folded
 * in against that model.
 */
import { createLogger } from '@reel/functions/core';
import { rollback } from '@reel/functions/handlers';
import { stderrProgress } from '../report/progress.js';
import { type FlagSpec, parseFlags, runMain, usageText } from './args.js';
import { openTarget } from './target.js';

const FLAGS: Record<string, FlagSpec> = {
  project: {
    type: 'string',
    description: 'Google Cloud project; default the local stack that npm start runs',
  },
  to: { type: 'string', description: 'the version to serve (default: the one before current)' },
  help: { type: 'boolean', description: 'this text' },
};
const USAGE = usageText('npm run rollback -- [flags]', FLAGS);

runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const target = openTarget(flags.project as string | undefined, 'rollback');
  try {
    const bucket = target.clients.storage.bucket(target.config.modelsBucket);
    const { from, to, skipped } = await rollback(bucket, {
      to: flags.to as string | undefined,
      // The rollback's structured log lines go to stderr, with the CLI's progress.
      log: createLogger((line) => process.stderr.write(`${line}\n`)),
    });
    for (const { version, reason } of skipped) {
      stderrProgress(`skipped ${version}: ${reason}`);
    }
    stderrProgress(`${target.description}: serving ${to} (was ${from ?? 'no model'})`);
  } finally {
    await target.clients.close();
  }
});
