/**
 * `npm run rollback -- [--project P] [--to VERSION] [--timeout S]`: moves `models/current.json`
 * back to the newest older version whose files are complete (or to --to), conditionally on the
 * pointer not moving meanwhile, with the functions' own rollback, which fans the republish of
 * every user, movie and the popularity list out on topic `republish`, as a publish does; then
 * waits for the republishUsers function to finish it, showing its progress.
 */
import { createPublishers, createUseCasePorts } from '@reel/functions/adapters';
import { createLogger } from '@reel/functions/logging';
import { rollback } from '@reel/functions/usecases';
import { describeRepublish, waitForRepublish } from '../ops/wait-for-republish.js';
import { stderrProgress } from '../report/progress.js';
import { type FlagSpec, integerFlag, parseFlags, runMain, usageText } from './args.js';
import { openTarget } from './target.js';

const FLAGS: Record<string, FlagSpec> = {
  project: {
    type: 'string',
    description: 'Google Cloud project; default the local stack that npm start runs',
  },
  to: { type: 'string', description: 'the version to serve (default: the one before current)' },
  timeout: { type: 'string', description: 'seconds to wait for the republish (default 900)' },
  help: { type: 'boolean', description: 'this text' },
};
const USAGE = usageText('npm run rollback -- [flags]', FLAGS);

runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const timeoutSeconds = integerFlag(flags, 'timeout', 900, 1, 86_400);
  const target = openTarget(flags.project as string | undefined, 'rollback');
  try {
    // The functions' structured log lines go to stderr, with the CLI's progress.
    const log = createLogger((line) => process.stderr.write(`${line}\n`));
    const publishers = createPublishers(target.clients.pubsub, target.config);
    const ports = createUseCasePorts(target.clients, target.config, publishers, log);
    const { from, to, skipped, republish } = await rollback(ports.retrain, {
      to: flags.to as string | undefined,
    });
    for (const { version, reason } of skipped) {
      stderrProgress(`skipped ${version}: ${reason}`);
    }
    stderrProgress(
      `${target.description}: serving ${to} (was ${from ?? 'no model'}); republishing ${republish.users} users in ${republish.shards} shards (serial ${republish.serial})`,
    );
    const result = await waitForRepublish({
      progress: ports.shard.progress,
      version: to,
      serial: republish.serial,
      timeoutMs: timeoutSeconds * 1000,
      onProgress: (state, seconds) =>
        stderrProgress(`republishing ${to}: ${describeRepublish(state)} (${seconds.toFixed(0)} s)`),
    });
    stderrProgress(
      result.outcome === 'finished'
        ? `republished ${to} in ${result.seconds.toFixed(1)} s: ${describeRepublish(result.state)}`
        : `a later republish of ${to} took over after ${result.seconds.toFixed(1)} s`,
    );
    if (result.state.failed > 0) process.exitCode = 1;
  } finally {
    await target.clients.close();
  }
});
