/**
 * `npm run retrain -- [--project P] [--trainer in-process|spark] [--timeout S]`: publishes to
 * topic `retrain` what Cloud Scheduler publishes nightly, waits until `models/current.json`
 * moves (or the retrain says why it did not), then until the republish it fanned out is
 * finished, showing its progress. While a Spark batch trains it asks every 30 s for the check
 * Cloud Scheduler asks for every 30 minutes, so a batch that dies shows within 30 s.
 */
import { firestoreRepublishProgress, readPointer } from '@reel/functions/adapters';
import type { TrainerName } from '@reel/functions/usecases';
import { publishRetrain, publishSparkCheck, waitForRetrain } from '../ops/trigger-retrain.js';
import { describeRepublish, waitForRepublish } from '../ops/wait-for-republish.js';
import { stderrProgress } from '../report/progress.js';
import { type FlagSpec, integerFlag, parseFlags, runMain, UsageError, usageText } from './args.js';
import { openTarget } from './target.js';

const FLAGS: Record<string, FlagSpec> = {
  project: {
    type: 'string',
    description: 'Google Cloud project; default the local stack that npm start runs',
  },
  trainer: {
    type: 'string',
    description: 'in-process or spark (default: the retrain chooses by the data’s size)',
  },
  timeout: {
    type: 'string',
    description: 'seconds to wait for the new model, and again for its republish (default 900)',
  },
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
  const trainer = flags.trainer as string | undefined;
  if (trainer !== undefined && trainer !== 'in-process' && trainer !== 'spark') {
    throw new UsageError(`--trainer ${trainer}: use in-process or spark\n\n${USAGE}`);
  }
  const target = openTarget(flags.project as string | undefined, 'retrain');
  try {
    const bucket = target.clients.storage.bucket(target.config.modelsBucket);
    const before = await readPointer(bucket);
    const requestedAt = new Date();
    const retrainTopic = target.clients.pubsub.topic(target.config.retrainTopic);
    const eventId = await publishRetrain(
      retrainTopic,
      'manual',
      trainer as TrainerName | undefined,
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
      checkSpark: () => publishSparkCheck(retrainTopic),
      onWait: (seconds, serving, submitted) =>
        stderrProgress(
          `waiting for the retrain: ${seconds.toFixed(0)} s` +
            (submitted ? ` (${submitted} is training on Spark)` : '') +
            (serving && serving !== before?.pointer.version ? ` (${serving} is serving)` : ''),
        ),
    });
    if (result.outcome === 'published') {
      stderrProgress(`new model ${result.version} serving after ${result.seconds.toFixed(1)} s`);
      if (!result.republish) return;
      const { serial, shards, users } = result.republish;
      stderrProgress(`republishing ${users} users in ${shards} shards (serial ${serial})`);
      const republished = await waitForRepublish({
        progress: firestoreRepublishProgress(target.clients.firestore),
        version: result.version,
        serial,
        timeoutMs: timeoutSeconds * 1000,
        onProgress: (state, seconds) =>
          stderrProgress(
            `republishing ${result.version}: ${describeRepublish(state)} (${seconds.toFixed(0)} s)`,
          ),
      });
      stderrProgress(
        republished.outcome === 'finished'
          ? `new model ${result.version} republished after ${republished.seconds.toFixed(1)} s more: ${describeRepublish(republished.state)}`
          : `a later republish of ${result.version} took over`,
      );
      if (republished.state.failed > 0) process.exitCode = 1;
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
