/**
 * `npm run redrive -- [--project P] [--subscription S]`: the ingest's repair step. Publishes
 * every rating message that Pub/Sub gave up delivering (a store down for longer than the
 * ingest subscription's retries) from the dead-letter subscription back to `ratings`, so the
 * ingest, idempotent, brings BigQuery and Firestore to the one state they would have reached;
 * the messages the ingest refused (with a deadLetterReason) stay held. See docs/ingest.md.
 */
import { createDeadLetterRedrive } from '@reel/functions/adapters';
import { redriveDeadLetters } from '@reel/functions/usecases';
import { stderrProgress } from '../report/progress.js';
import { type FlagSpec, parseFlags, runMain, usageText } from './args.js';
import { openTarget } from './target.js';

const FLAGS: Record<string, FlagSpec> = {
  project: {
    type: 'string',
    description: 'Google Cloud project; default the local stack that npm start runs',
  },
  subscription: {
    type: 'string',
    description:
      'pull subscription on the dead-letter topic (default: ratings-dead-letter-hold in a project, the dead-letter topic’s name locally)',
  },
  help: { type: 'boolean', description: 'this text' },
};
const USAGE = usageText('npm run redrive -- [flags]', FLAGS);

runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const project = flags.project as string | undefined;
  const target = openTarget(project, 'redrive');
  const subscription =
    (flags.subscription as string | undefined) ??
    (project === undefined ? target.config.deadLetterTopic : 'ratings-dead-letter-hold');
  const redrive = createDeadLetterRedrive(target.clients.pubsub, {
    subscription,
    ratings: target.clients.pubsub.topic(target.config.ratingsTopic, { messageOrdering: true }),
  });
  try {
    const report = await redriveDeadLetters(redrive);
    stderrProgress(
      `${target.description}: ${report.redriven} rating messages published again to ${target.config.ratingsTopic}; ${report.kept} refused by the ingest left on ${subscription}`,
    );
  } finally {
    await redrive.close();
    await target.clients.close();
  }
});
