/**
 * `npm run rollback -- [--project P] [--to VERSION]`: moves `models/current.json` back to the
 * previous model version that exists (or to --to), conditionally on the pointer not moving
 * meanwhile. The next rating of each user is folded in against that model.
 */
import { rollbackModel } from '../ops/rollback.js';
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
    const { from, to } = await rollbackModel(bucket, flags.to as string | undefined);
    stderrProgress(`${target.description}: serving ${to} (was ${from})`);
  } finally {
    await target.clients.close();
  }
});
