/**
 * `npm run rollback -- [--project P] [--to VERSION]`: moves `models/current.json` back to the
 * newest older version whose files are complete (or to --to), conditionally on the pointer not
 * moving meanwhile, with the functions' own rollback; then republishes every user's factors
 * and recommendations, the movies and the popularity list from that model, as a retrain does.
 */
import { readModelFiles } from '@reel/functions/adapters';
import { createLogger } from '@reel/functions/core';
import { republish, rollback } from '@reel/functions/handlers';
import { decodeModelFiles, Recommender } from '@reel/functions/model';
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
    // The functions' structured log lines go to stderr, with the CLI's progress.
    const log = createLogger((line) => process.stderr.write(`${line}\n`));
    const { from, to, skipped } = await rollback(bucket, {
      to: flags.to as string | undefined,
      log,
    });
    for (const { version, reason } of skipped) {
      stderrProgress(`skipped ${version}: ${reason}`);
    }
    stderrProgress(`${target.description}: serving ${to} (was ${from ?? 'no model'})`);
    const { set } = decodeModelFiles(await readModelFiles(bucket, to));
    const users = (await target.clients.firestore.collection('users').listDocuments()).map(
      (ref) => ref.id,
    );
    const report = await republish(
      {
        firestore: target.clients.firestore,
        recommender: new Recommender(set),
        version: to,
        topN: target.config.topN,
        log,
      },
      users,
    );
    stderrProgress(
      `republished ${report.users} users and ${report.movies} movies from ${to}` +
        (report.failed > 0 ? ` (${report.failed} writes failed)` : ''),
    );
  } finally {
    await target.clients.close();
  }
});
