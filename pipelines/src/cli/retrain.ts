/**
 * `npm run retrain -- [--project P] [--timeout S]`: publishes to topic `retrain` what Cloud
 * Scheduler publishes nightly, then waits until `models/current.json` moves (or the retrain
 * says why it did not).
 */
import { readPointer } from '@reel/functions/adapters';
import { publishRetrain, waitForRetrain } from '../ops/retrain.js';
import { stderrProgress } from '../report/progress.js';
import { type FlagSpec, integerFlag, parseFlags, runMain, usageText } from './args.js';
import { openTarget } from './target.js';

const FLAGS: Record<string, FlagSpec> = {
  project: {
    type: 'string',
    description: 'Google Cloud project; default the local stack that npm start runs',
  },
  timeout: { type: 'string', description: 'seconds to wait for the new model (default 900)' },
  help: { type: 'boolean', description: 'this text' },
};
const USAGE = usageText('npm run retrain -- [flags]', FLAGS);

runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const timeoutSeconds = integerFlag(flags, 'timeout', 900, 1, 86_400);
  const target = openTarget(flags.project as string | undefined, 'retrain');
  try {
    const bucket = target.clients.storage.bucket(target.config.modelsBucket);
    const before = await readPointer(bucket);
    const requestedAt = new Date();
    const eventId = await publishRetrain(
      target.clients.pubsub.topic(target.config.retrainTopic),
      'manual',
    );
    stderrProgress(
      `asked ${target.description} for a retrain (message ${eventId} on topic ${target.config.retrainTopic}); ` +
        `serving now: ${before ? before.pointer.version : 'no model yet'}`,
    );
    const result = await waitForRetrain({
      bucket,
      eventId,
      requestedAt,
      timeoutMs: timeoutSeconds * 1000,
      onWait: (seconds, serving) =>
        stderrProgress(
          `waiting for the retrain: ${seconds.toFixed(0)} s` +
            (serving && serving !== before?.pointer.version
              ? ` (${serving} is serving; republishing users)`
              : ''),
        ),
    });
    if (result.outcome === 'published') {
      const republished = result.republished
        ? `; republished ${result.republished.users} users and ${result.republished.movies} movies`
        : '';
      stderrProgress(
        `new model ${result.version} serving after ${result.seconds.toFixed(1)} s${republished}`,
      );
      return;
    }
    stderrProgress(
      `the retrain ${result.outcome === 'refused' ? 'refused to publish' : 'failed'} after ${result.seconds.toFixed(1)} s: ${result.reason}; ` +
        `still serving ${before ? before.pointer.version : 'no model'}`,
    );
    process.exitCode = 1;
  } finally {
    await target.clients.close();
  }
});
