/**
 * `npm run bench:ingest`: the ingest function's CPU per event at the concurrency it is deployed
 * with. The local Pub/Sub emulator pushes two messages at a time, and Protocol E's open-loop
 * rates rarely put even two in flight; a Cloud Run instance of ingestRating takes up to 20
 * (terraform/functions.tf). This starts the whole local stack (MovieLens ml-latest-small
 * loaded, the first model trained), then POSTs Pub/Sub push requests straight to the ingest's
 * local server, as Pub/Sub's push does, with a fixed number in flight at once (closed loop),
 * and reads the CPU that the ingest's process spent on them.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EVENTS_TABLE, ratingEventMessage } from '@reel/functions/adapters';
import type { RatingEvent } from '@reel/functions/contracts/rating-event';
import { type FlagSpec, integerFlag, parseFlags, UsageError, usageText } from '../cli/args.js';
import { describeMachine, machineLine } from '../report/machine.js';
import { formatTable } from '../report/table.js';
import type { RunningPipeline } from '../stack/pipeline.js';
import { cpuLines, type FunctionCpu, functionCpu } from './function-cpu.js';
import { type BenchStack, popularMovies, startBenchStack, usersMatching } from './load.js';

const FLAGS: Record<string, FlagSpec> = {
  events: { type: 'string', description: 'events sent at each concurrency (default 1200)' },
  concurrency: {
    type: 'string',
    description:
      'comma-separated: how many requests are in flight at once, one phase each (default 1,2,5,20; 20 is what terraform/functions.tf lets one ingest instance take)',
  },
  json: {
    type: 'boolean',
    description: 'also print the results as one JSON object on the last line',
  },
};
const USAGE = usageText(
  'npm run bench:ingest -- [--events N] [--concurrency 1,2,5,20] [--json]',
  FLAGS,
);

/** Events sent first (two at a time, as the emulator pushes), so the phases see a warm instance. */
const WARM_UP_EVENTS = 600;

interface Options {
  events: number;
  concurrency: number[];
  json: boolean;
}

function parseOptions(argv: string[]): Options {
  const flags = parseFlags(argv, FLAGS, USAGE);
  const concurrency = flags.concurrency ?? '1,2,5,20';
  if (typeof concurrency !== 'string' || !/^[1-9]\d*(,[1-9]\d*)*$/.test(concurrency)) {
    throw new UsageError(
      `--concurrency must be positive integers separated by commas (got "${concurrency}")\n${USAGE}`,
    );
  }
  return {
    events: integerFlag(flags, 'events', 1200, 1, 1_000_000),
    concurrency: concurrency.split(',').map(Number),
    json: flags.json === true,
  };
}

const log = (message: string) => process.stderr.write(`[bench:ingest] ${message}\n`);

interface PhaseResult extends FunctionCpu {
  concurrency: number;
  /** Events answered per second of the phase's wall time. */
  eventsPerSecond: number;
  /** Pushes the ingest did not answer 204 (it answers 500 for a failure, to be redelivered). */
  failed: number;
}

/**
 * Sends `count` rating events to the ingest with `concurrency` in flight at once. Each event is
 * of another movie of its user, so every event is applied and `expected` ends as each user's
 * ratings; users take turns and outnumber the requests in flight at least twice, so one user's
 * events seldom meet in a transaction (when they do, Firestore retries one).
 */
async function sendPhase(
  pipeline: RunningPipeline,
  movies: readonly number[],
  count: number,
  concurrency: number,
  expected: Map<string, Map<number, number>>,
): Promise<{ seconds: number; failed: number }> {
  const project = pipeline.config.project;
  const url = `${pipeline.functionUrls.ingestRating}/projects/${project}/topics/ratings`;
  const users = Array.from(
    { length: Math.max(40, 2 * concurrency) },
    () => `bench-ingest-${randomUUID()}`,
  );
  for (const uid of users) expected.set(uid, new Map());
  let next = 0;
  let failed = 0;
  const send = async (index: number) => {
    const userId = users[index % users.length]!;
    const ordinal = Math.floor(index / users.length) + 1;
    const movieId = movies[(index * 7 + ordinal * 13) % movies.length]!;
    const rating = 0.5 * (1 + ((index * 31) % 10));
    expected.get(userId)!.set(movieId, rating);
    const event: RatingEvent = {
      eventId: randomUUID(),
      userId,
      movieId,
      rating,
      ratedAt: new Date().toISOString(),
      source: 'site',
    };
    const message = ratingEventMessage(event);
    // The body Pub/Sub's push sends for a message published as the api publishes it.
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        message: {
          data: message.data.toString('base64'),
          attributes: message.attributes,
          messageId: randomUUID(),
          publishTime: new Date().toISOString(),
        },
        subscription: `projects/${project}/subscriptions/ratings-ingest`,
      }),
    });
    await response.body?.cancel();
    if (response.status !== 204) failed += 1;
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await send(next++);
    }),
  );
  return { seconds: (performance.now() - started) / 1000, failed };
}

/** Every event sent in BigQuery once, and every user's ratings as sent. */
async function checkStores(
  stack: BenchStack,
  sent: number,
  expected: ReadonlyMap<string, ReadonlyMap<number, number>>,
): Promise<{ events: number; bigQueryEvents: number; users: number; usersConsistent: number }> {
  const { pipeline, clients } = stack;
  const uids = [...expected.keys()];
  const [rows] = await clients.bigquery.query(
    `SELECT COUNT(DISTINCT eventId) AS events
     FROM \`${pipeline.config.project}.${pipeline.config.dataset}.${EVENTS_TABLE}\`
     WHERE STARTS_WITH(userId, 'bench-ingest-')`,
  );
  return {
    events: sent,
    bigQueryEvents: Number((rows as { events: number }[])[0]!.events),
    users: uids.length,
    usersConsistent: await usersMatching(clients, uids, expected),
  };
}

/**
 * Waits (at most 10 s) until the ingest's server has logged `count` requests: it writes a
 * request's line once the answer is sent, so the last of a phase may follow its response.
 */
async function linesAfter(logFile: string, count: number): Promise<number> {
  const deadline = performance.now() + 10_000;
  let lines = cpuLines(logFile).length;
  while (lines < count && performance.now() < deadline) {
    await sleep(50);
    lines = cpuLines(logFile).length;
  }
  return lines;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = describeMachine();
  const stack = await startBenchStack({
    name: 'bench-ingest',
    persist: false,
    functionEnv: {},
    log,
  });
  process.once('SIGINT', () => void stack.stop().then(() => process.exit(130)));
  try {
    const movies = await popularMovies();
    const ingestLog = join(stack.stateDir, 'logs', 'ingestRating.log');
    const expected = new Map<string, Map<number, number>>();
    log(`warming up: ${WARM_UP_EVENTS} events, 2 in flight`);
    const warmUp = await sendPhase(stack.pipeline, movies, WARM_UP_EVENTS, 2, expected);
    let answered = await linesAfter(ingestLog, WARM_UP_EVENTS);
    const phases: PhaseResult[] = [];
    let failed = warmUp.failed;
    for (const concurrency of options.concurrency) {
      log(`${options.events} events, ${concurrency} in flight`);
      const sent = await sendPhase(stack.pipeline, movies, options.events, concurrency, expected);
      await linesAfter(ingestLog, answered + options.events);
      const requests = cpuLines(ingestLog);
      phases.push({
        concurrency,
        ...functionCpu(requests, answered, requests.length),
        eventsPerSecond: options.events / sent.seconds,
        failed: sent.failed,
      });
      failed += sent.failed;
      answered = requests.length;
    }
    const sent = WARM_UP_EVENTS + options.events * options.concurrency.length;
    const stores = await checkStores(stack, sent, expected);
    const summary = {
      bench: 'ingest',
      machine,
      dataset: 'ml-latest-small (bundled): 100,836 ratings, 610 users loaded as import events',
      warmUpEvents: WARM_UP_EVENTS,
      phases,
      ...stores,
      failed,
    };
    process.stdout.write(printable(summary));
    if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    if (
      failed > 0 ||
      stores.bigQueryEvents !== stores.events ||
      stores.usersConsistent !== stores.users
    ) {
      process.exitCode = 1;
    }
  } finally {
    await stack.stop();
  }
}

function printable(summary: {
  machine: ReturnType<typeof describeMachine>;
  dataset: string;
  warmUpEvents: number;
  phases: PhaseResult[];
  events: number;
  bigQueryEvents: number;
  users: number;
  usersConsistent: number;
  failed: number;
}): string {
  const table = formatTable(
    ['in flight', 'events', 'events/s', 'CPU p50 ms', 'CPU p95 ms', 'whole process ms / event'],
    summary.phases.map((phase) => [
      phase.concurrency,
      phase.events,
      phase.eventsPerSecond.toFixed(1),
      phase.p50Ms.toFixed(2),
      phase.p95Ms.toFixed(2),
      phase.meanMs.toFixed(2),
    ]),
  );
  const [first, last] = [summary.phases[0], summary.phases.at(-1)];
  const ratio =
    first && last && first !== last
      ? [
          `whole process per event with ${last.concurrency} in flight / with ${first.concurrency}: ${(last.meanMs / first.meanMs).toFixed(2)} (same run)`,
        ]
      : [];
  return [
    'ingestRating CPU per event by requests in flight (Pub/Sub push requests POSTed straight to its local server)',
    machineLine(summary.machine),
    `dataset: ${summary.dataset}; a model trained on it serving`,
    `stack: emulators + one local server per function (functions-framework serving the functions compiled by tsc, as deployed); ${summary.warmUpEvents} events first (2 in flight), not measured`,
    'CPU: the ingestRating process alone (user + system), each request from its arrival to its answer, CPU spent while several are in flight shared among them',
    '',
    table,
    '',
    ...ratio,
    `every event applied once: ${summary.failed === 0 ? 'yes' : `no, ${summary.failed} pushes not answered 204`}; BigQuery events ${summary.bigQueryEvents} of ${summary.events}; users' ratings as sent ${summary.usersConsistent}/${summary.users}`,
    '',
  ].join('\n');
}

main().catch((error: Error) => {
  log(error instanceof UsageError ? error.message : (error.stack ?? error.message));
  process.exit(error instanceof UsageError ? 2 : 1);
});
