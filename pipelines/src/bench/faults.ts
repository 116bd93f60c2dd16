/**
 * `npm run bench:faults`: the pipeline under a steady 20 ratings/s on the local stack while,
 * one after another, the ingest function's server is killed and restarted, the BigQuery
 * emulator is stopped for 30 s and restarted on its data, so is the Firestore emulator (its
 * data exported first, while the functions pause: unreachable, state kept), 1,000 malformed and 1,000
 * duplicate messages are published among the good ones, and a retrain and a rollback run.
 * Each fault has its own users, so its figures are its own. Bounded: every wait has a cap.
 * The flags shorten it (fewer users, shorter outages, a smaller storm) for a quick check.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@google-cloud/pubsub';
import {
  type Clients,
  createPublishers,
  createUseCasePorts,
  EVENTS_TABLE,
  publishRatingEvent,
} from '@reel/functions/adapters';
import type { RatingEvent } from '@reel/functions/contracts/rating-event';
import { createLogger } from '@reel/functions/logging';
import { rollback } from '@reel/functions/usecases';
import { integerFlag, parseFlags, UsageError, usageText } from '../cli/args.js';
import { publishRetrain, waitForRetrain } from '../ops/trigger-retrain.js';
import { waitForRepublish } from '../ops/wait-for-republish.js';
import { describeMachine, machineLine } from '../report/machine.js';
import { formatTable } from '../report/table.js';
import { findToolchain, planEmulators, type StackPorts } from '../stack/emulators.js';
import { FUNCTION_TARGETS, INGEST_SUBSCRIPTION, pushSubscriptions } from '../stack/functions.js';
import type { RunningPipeline } from '../stack/pipeline.js';
import { isPortFree } from '../stack/ports.js';
import { killGroupNow, type ProcessGroup, startProcessGroup } from '../stack/process-group.js';
import { provisionPushSubscriptions } from '../stack/provision.js';
import { waitUntilListening, waitUntilReady } from '../stack/readiness.js';
import { exportFirestore, firestoreSeedFile } from '../stack/stack.js';
import { VisibilityLog } from './e2e-phase.js';
import {
  bigQueryFigures,
  type FaultFigures,
  type FaultRating,
  type FaultWindow,
  faultProblems,
  notAcceptedStatuses,
  visibilityFigures,
} from './faults-phase.js';
import {
  atRate,
  type BenchUser,
  benchLimitsEnv,
  popularMovies,
  postRating,
  signUpUsers,
  startBenchStack,
  usersMatching,
  watchRecommendations,
} from './load.js';

const FLAGS = {
  rate: { type: 'string', description: 'ratings POSTed a second (default 20)' },
  users: {
    type: 'string',
    description: 'users per fault, each posting rate × 60 / users a minute (default 30)',
  },
  outage: {
    type: 'string',
    description: 'seconds the BigQuery and Firestore emulators are stopped (default 30)',
  },
  after: {
    type: 'string',
    description: 'seconds the load goes on after each fault is cleared (default 20)',
  },
  storm: {
    type: 'string',
    description: 'malformed messages, and as many duplicates, published (default 1000)',
  },
  drain: {
    type: 'string',
    description: 'seconds the bench waits at most, at the end, for the backlog (default 600)',
  },
  json: {
    type: 'boolean',
    description: 'also print the results as JSON on the last line (progress stays on stderr)',
  },
} as const;
const USAGE = usageText('npm run bench:faults -- [flags]', FLAGS);

interface Options {
  rate: number;
  usersPerFault: number;
  outageMs: number;
  afterMs: number;
  stormSize: number;
  maxDrainMs: number;
  json: boolean;
}

function parseOptions(argv: string[]): Options {
  const values = parseFlags(argv, FLAGS, USAGE);
  const number = (name: string, fallback: number, min: number, max: number) => {
    try {
      return integerFlag(values, name, fallback, min, max);
    } catch (error) {
      throw new UsageError(`${(error as Error).message}\n${USAGE}`);
    }
  };
  return {
    rate: number('rate', 20, 1, 200),
    usersPerFault: number('users', 30, 1, 1000),
    outageMs: number('outage', 30, 1, 600) * 1000,
    afterMs: number('after', 20, 0, 600) * 1000,
    stormSize: number('storm', 1_000, 0, 100_000),
    maxDrainMs: number('drain', 600, 10, 7200) * 1000,
    json: values.json === true,
  };
}

/** The drain at the end gives up when nothing new became visible for this long. */
const NO_PROGRESS_MS = 120_000;
/** How long, after the last rating is seen, the last BigQuery appends may take to land. */
const BIGQUERY_SETTLE_MS = 30_000;

const log = (message: string) => process.stderr.write(`[bench:faults] ${message}\n`);

/** The steady load: `rate` ratings a second, from the users of whichever fault is current. */
class Load {
  readonly sent: FaultRating[] = [];
  readonly phaseOf = new Map<FaultRating, string>();
  readonly expected = new Map<string, Map<number, number>>();
  /** Per phase, the events accepted so far, as the api published them. */
  readonly acceptedEvents = new Map<string, RatingEvent[]>();
  private users: BenchUser[] = [];
  private phase = '';
  private index = 0;
  private ordinals = new Map<string, number>();
  private counters = new Map<string, number>();
  private running = true;
  private readonly inFlight = new Set<Promise<void>>();
  readonly done: Promise<unknown>;

  constructor(
    private readonly pipeline: RunningPipeline,
    private readonly movies: number[],
    rate: number,
  ) {
    this.done = atRate(
      rate,
      () => {
        if (this.users.length > 0) this.post();
      },
      { stopped: () => !this.running },
    );
  }

  switchTo(phase: string, users: BenchUser[]): void {
    this.phase = phase;
    this.users = users;
    this.index = 0;
    this.acceptedEvents.set(phase, []);
    for (const user of users) this.expected.set(user.uid, new Map());
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
    await Promise.all(this.inFlight);
  }

  private post(): void {
    const user = this.users[this.index % this.users.length]!;
    this.index += 1;
    const ordinal = (this.ordinals.get(user.uid) ?? 0) + 1;
    this.ordinals.set(user.uid, ordinal);
    const count = (this.counters.get(user.uid) ?? 0) + 1;
    this.counters.set(user.uid, count);
    // Each of a user's ratings is of another movie, so the n-th accepted is the n-th counted.
    const movieId = this.movies[(count * 37 + user.uid.charCodeAt(0)) % this.movies.length]!;
    const rating = 0.5 * (1 + ((count * 31 + this.index) % 10));
    const event: RatingEvent = {
      eventId: randomUUID(),
      userId: user.uid,
      movieId,
      rating,
      ratedAt: new Date().toISOString(),
      source: 'site',
    };
    const { eventId } = event;
    const phase = this.phase;
    const record: FaultRating = {
      uid: user.uid,
      ordinal,
      eventId,
      sentAt: performance.now(),
      status: 0,
    };
    this.sent.push(record);
    this.phaseOf.set(record, phase);
    const body = { eventId, movieId, rating, ratedAt: event.ratedAt };
    const request = postRating(this.pipeline, user, body).then(
      async (response) => {
        record.status = response.status;
        if (response.status === 202) {
          this.expected.get(user.uid)!.set(movieId, rating);
          this.acceptedEvents.get(phase)!.push(event);
        }
        await response.body?.cancel();
      },
      () => {
        record.status = 0;
      },
    );
    // A rating not accepted is not counted by the user's document: later ones shift down.
    const tracked = request.then(() => {
      if (record.status !== 202) this.unsend(record);
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  /** Renumbers a user's later ratings when one was refused (it never reaches the document). */
  private unsend(refused: FaultRating): void {
    this.ordinals.set(refused.uid, (this.ordinals.get(refused.uid) ?? 1) - 1);
    for (const record of this.sent) {
      if (record.uid === refused.uid && record.ordinal > refused.ordinal && record !== refused) {
        record.ordinal -= 1;
      }
    }
    refused.ordinal = Number.POSITIVE_INFINITY;
  }
}

/** Sends SIGSTOP or SIGCONT to every process of a group. */
function signalGroup(group: ProcessGroup, signal: 'SIGSTOP' | 'SIGCONT'): void {
  process.kill(-group.pid, signal);
}

/** Starts a stopped group again with its command, port and data (and `extraArgs`). */
function restartGroup(stopped: ProcessGroup, extraArgs: readonly string[] = []): ProcessGroup {
  return startProcessGroup({ ...stopped.spec, args: [...stopped.spec.args, ...extraArgs] });
}

/** The URL that answers once an emulator of the stack is ready, as the stack waits for it. */
function emulatorReadyUrl(
  root: string,
  stateDir: string,
  ports: StackPorts,
  project: string,
  name: 'bigquery' | 'firestore',
): string {
  return planEmulators({
    project,
    ports,
    toolchain: findToolchain(root),
    authConfigFile: join(stateDir, 'firebase.json'),
    authTmpDir: join(stateDir, 'tmp'),
  }).find((plan) => plan.name === name)!.readyUrl;
}

/**
 * Publishes `size` malformed messages and `size` copies of events this fault's users had
 * accepted (as Pub/Sub redelivers them: the same event, the same attributes), 50 of each a
 * second among the good ratings. A copy may reach the ingest before or after its original:
 * either way the pair must leave one row's worth of state. The copies are of the events
 * accepted so far, not of those already in BigQuery: under a backlog there may be none yet.
 */
async function storm(
  clients: Clients,
  pipeline: RunningPipeline,
  size: number,
  accepted: () => readonly RatingEvent[],
): Promise<{ malformed: number; duplicates: number }> {
  const { config } = pipeline;
  const topic = clients.pubsub.topic(config.ratingsTopic);
  const publishers = createPublishers(clients.pubsub, config);
  let malformed = 0;
  let duplicates = 0;
  for (let n = 0; n < size; n += 50) {
    const events = accepted();
    const batch: Promise<unknown>[] = [];
    for (let k = n; k < Math.min(size, n + 50); k++) {
      const data =
        k % 2 === 0
          ? Buffer.from(`not json ${k} {`)
          : Buffer.from(JSON.stringify({ eventId: randomUUID(), movieId: -k, rating: 7 }));
      batch.push(topic.publishMessage({ data, attributes: { benchMalformed: String(k) } }));
      malformed += 1;
      const event = events[k % Math.max(1, events.length)];
      if (event) {
        batch.push(publishRatingEvent(publishers.ratings, event));
        duplicates += 1;
      }
    }
    await Promise.all(batch);
    await sleep(1_000);
  }
  return { malformed, duplicates };
}

/** Every message on the dead-letter pull subscription, acknowledged. */
async function drainDeadLetters(
  clients: Clients,
  subscriptionName: string,
): Promise<Map<string, string>[]> {
  const letters: Map<string, string>[] = [];
  const subscription = clients.pubsub.subscription(subscriptionName);
  let last = Date.now();
  const onMessage = (message: Message) => {
    letters.push(new Map(Object.entries(message.attributes)));
    message.ack();
    last = Date.now();
  };
  subscription.on('message', onMessage);
  const started = Date.now();
  while (Date.now() - last < 5_000 && Date.now() - started < 60_000) await sleep(250);
  subscription.removeListener('message', onMessage);
  await subscription.close();
  return letters;
}

async function rowsPerEvent(
  clients: Clients,
  pipeline: RunningPipeline,
  eventIds: readonly string[],
): Promise<Map<string, number>> {
  const rows = new Map<string, number>();
  const table = `\`${pipeline.config.project}.${pipeline.config.dataset}.${EVENTS_TABLE}\``;
  for (let start = 0; start < eventIds.length; start += 500) {
    const ids = eventIds
      .slice(start, start + 500)
      .map((id) => `'${id.replace(/[^0-9a-f-]/g, '')}'`);
    if (ids.length === 0) continue;
    const [result] = await clients.bigquery.query(
      `SELECT eventId, COUNT(*) AS n FROM ${table} WHERE eventId IN (${ids.join(',')}) GROUP BY eventId`,
    );
    for (const row of result as { eventId: string; n: number }[]) {
      rows.set(row.eventId, Number(row.n));
    }
  }
  return rows;
}

interface FaultStep {
  name: string;
  /** Runs the fault; resolves when it is cleared. */
  run(): Promise<void>;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = describeMachine();
  const benchStarted = Date.now();
  // Persisted, so the BigQuery emulator restarts on its data.
  const stack = await startBenchStack({
    name: 'bench-faults',
    persist: true,
    functionEnv: {
      // The bench's random ratings lower the held-out score; the retrain must publish anyway,
      // so there is a version to roll back from.
      REEL_RETRAIN_MAX_REGRESSION: '0.99',
      ...benchLimitsEnv((options.rate * 60) / options.usersPerFault),
    },
    log,
  });
  const { pipeline, clients, stateDir, root, ports } = stack;
  const readyUrl = (name: 'bigquery' | 'firestore') =>
    emulatorReadyUrl(root, stateDir, ports, pipeline.config.project, name);
  // The Pub/Sub emulator's push loops die (NullPointerException in OrderedMessageBacklog) when
  // an ordered subscription dead-letters a message, and it redelivers a failed push at once,
  // not after the policy's backoff: the first outage would dead-letter every queued event and
  // stop all delivery. So here the ingest subscription keeps retrying; docs/faults.md says
  // what the cloud's dead-letter policy does instead.
  const ingestSubscription = pushSubscriptions(pipeline.config, pipeline.functionUrls).find(
    (subscription) => subscription.name === INGEST_SUBSCRIPTION,
  )!;
  await provisionPushSubscriptions(clients.pubsub, pipeline.config.project, [
    { ...ingestSubscription, deadLetter: undefined },
  ]);
  /** Servers this bench started again; the stack stops the ones it started. */
  const restarted: { groups: ProcessGroup[] } = { groups: [] };
  const group = (name: string) =>
    [...restarted.groups].reverse().find((g) => g.name === name) ??
    pipeline.groups.find((g) => g.name === name)!;
  let stopped = false;
  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    for (const g of pipeline.groups) if (!g.hasExited()) signalGroupSafe(g, 'SIGCONT');
    // The stack saves Firestore's data from the emulator on its port: stopped after that.
    await stack.stop();
    await Promise.all(restarted.groups.map((g) => g.stop(5_000)));
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const movies = await popularMovies();
    const visibility = new VisibilityLog();
    const bucket = clients.storage.bucket(pipeline.config.modelsBucket);
    const quietLog = createLogger(() => {});
    const outageSeconds = options.outageMs / 1000;
    let stormCounts = { malformed: 0, duplicates: 0 };
    const phaseUsers = new Map<string, BenchUser[]>();
    const load = new Load(pipeline, movies, options.rate);
    const stormName = `${options.stormSize} malformed + ${options.stormSize} duplicates`;

    const steps: FaultStep[] = [
      { name: 'none (baseline)', run: async () => {} },
      {
        name: 'ingest server killed and restarted',
        run: async () => {
          const ingest = group('ingestRating');
          killGroupNow(ingest.pid);
          await ingest.exited;
          // The leader goes first; the server's socket closes when the server itself is gone.
          while (!(await isPortFree(ports.ingestRating))) await sleep(50);
          const again = restartGroup(ingest);
          restarted.groups.push(again);
          await waitUntilListening(again, ports.ingestRating, 120_000);
        },
      },
      {
        name: `BigQuery emulator stopped ${outageSeconds} s`,
        run: async () => {
          const bigquery = group('bigquery');
          await bigquery.stop(10_000);
          await sleep(options.outageMs);
          const again = restartGroup(bigquery);
          restarted.groups.push(again);
          await waitUntilReady(again, readyUrl('bigquery'), 120_000);
        },
      },
      {
        name: `Firestore emulator stopped ${outageSeconds} s`,
        run: async () => {
          const firestore = group('firestore');
          const exportDir = join(stateDir, 'firestore-outage');
          // The function servers pause while the emulator exports its data, so the export
          // holds every write committed before the stop; open transactions are lost, as in
          // an outage. A frozen emulator (SIGSTOP) is no substitute: on SIGCONT its lock
          // manager parks a thread per waiting request and never catches up (docs/faults.md).
          const writers = FUNCTION_TARGETS.map(group);
          for (const writer of writers) signalGroup(writer, 'SIGSTOP');
          try {
            await exportFirestore(pipeline.config.project, ports.firestore, exportDir);
            await firestore.stop(10_000);
          } finally {
            for (const writer of writers) signalGroup(writer, 'SIGCONT');
          }
          await sleep(options.outageMs);
          const seed = `--seed_from_export=${firestoreSeedFile(exportDir)}`;
          const again = restartGroup(firestore, [seed]);
          restarted.groups.push(again);
          await waitUntilReady(again, readyUrl('firestore'), 120_000);
        },
      },
      {
        name: stormName,
        run: async () => {
          stormCounts = await storm(
            clients,
            pipeline,
            options.stormSize,
            () => load.acceptedEvents.get(stormName) ?? [],
          );
        },
      },
      {
        name: 'retrain, then rollback',
        run: async () => {
          const requestedAt = new Date();
          const messageId = await publishRetrain(
            clients.pubsub.topic(pipeline.config.retrainTopic),
            'bench-faults',
          );
          const retrained = await waitForRetrain({
            bucket,
            eventId: messageId,
            requestedAt,
            timeoutMs: 300_000,
          });
          log(`retrain: ${retrained.outcome} in ${retrained.seconds.toFixed(0)} s`);
          if (retrained.outcome !== 'published') {
            throw new Error(`the retrain was ${retrained.outcome}: ${retrained.reason}`);
          }
          const ports = createUseCasePorts(
            clients,
            pipeline.config,
            createPublishers(clients.pubsub, pipeline.config),
            quietLog,
          );
          const { to, republish } = await rollback(ports.retrain);
          const republished = await waitForRepublish({
            progress: ports.shard.progress,
            version: to,
            serial: republish.serial,
            timeoutMs: 300_000,
          });
          log(
            `rolled back to ${to} and republished ${republished.state.users} users in ${republished.seconds.toFixed(0)} s`,
          );
        },
      },
    ];

    log(`signing up ${steps.length * options.usersPerFault} users`);
    const allUsers = await signUpUsers(
      pipeline.env.FIREBASE_AUTH_EMULATOR_HOST!,
      steps.length * options.usersPerFault,
    );
    const watch = watchRecommendations(clients, allUsers, visibility, log);
    await watch.ready;
    const windows: FaultWindow[] = [];
    /** A fault that could not be brought about as planned, and why (printed with its row). */
    const stepErrors = new Map<string, string>();
    try {
      for (const [index, step] of steps.entries()) {
        const users = allUsers.slice(
          index * options.usersPerFault,
          (index + 1) * options.usersPerFault,
        );
        phaseUsers.set(step.name, users);
        load.switchTo(step.name, users);
        await sleep(5_000);
        log(`fault: ${step.name}`);
        const startedAt = performance.now();
        await step.run().catch((error: Error) => {
          stepErrors.set(step.name, error.message);
          log(`${step.name}: ${error.message}`);
        });
        const clearedAt = performance.now();
        windows.push({ name: step.name, startedAt, clearedAt });
        log(`cleared after ${((clearedAt - startedAt) / 1000).toFixed(1)} s; load continues`);
        await sleep(options.afterMs);
      }
    } finally {
      await load.stop();
    }

    const accepted = load.sent.filter((rating) => rating.status === 202);
    log(`load stopped; waiting for the pipeline to catch up with ${accepted.length} ratings`);
    const drainStarted = Date.now();
    let lastVisible = -1;
    let lastProgress = Date.now();
    for (;;) {
      const visible = accepted.filter(
        (r) => visibility.visibleAt(r.uid, r.ordinal) !== undefined,
      ).length;
      if (visible === accepted.length) break;
      if (visible !== lastVisible) {
        lastVisible = visible;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > NO_PROGRESS_MS) break;
      if (Date.now() - drainStarted > options.maxDrainMs) break;
      await sleep(250);
    }
    watch.stop();
    log(`drained in ${((Date.now() - drainStarted) / 1000).toFixed(0)} s`);

    // The ingest appends to BigQuery after the Firestore transaction that makes a rating
    // visible, so the last appends may still be on their way when the last rating is seen.
    const acceptedIds = accepted.map((r) => r.eventId);
    let rows = await rowsPerEvent(clients, pipeline, acceptedIds);
    for (let waited = 0; rows.size < acceptedIds.length && waited < BIGQUERY_SETTLE_MS; ) {
      await sleep(1_000);
      waited += 1_000;
      rows = await rowsPerEvent(clients, pipeline, acceptedIds);
    }
    const letters = await drainDeadLetters(clients, pipeline.config.deadLetterTopic);
    const phaseOfEvent = new Map(load.sent.map((r) => [r.eventId, load.phaseOf.get(r)!]));
    const figures: FaultFigures[] = [];
    for (const window of windows) {
      const ratings = load.sent.filter((r) => load.phaseOf.get(r) === window.name);
      const phaseAccepted = ratings.filter((r) => r.status === 202).map((r) => r.eventId);
      const phaseLetters = letters.filter((attributes) =>
        attributes.has('benchMalformed')
          ? window.name === stormName
          : phaseOfEvent.get(attributes.get('eventId') ?? '') === window.name,
      );
      const users = phaseUsers.get(window.name)!.map((user) => user.uid);
      figures.push({
        fault: window.name,
        sent: ratings.length,
        accepted: phaseAccepted.length,
        notAccepted: notAcceptedStatuses(ratings),
        ...bigQueryFigures(phaseAccepted, rows),
        users: users.length,
        usersMatching: await usersMatching(clients, users, load.expected),
        deadLetters: phaseLetters.length,
        deadLettersMalformed: phaseLetters.filter((a) => a.has('benchMalformed')).length,
        ...visibilityFigures(window, ratings, visibility),
      });
    }
    const unattributed = letters.filter(
      (attributes) =>
        !attributes.has('benchMalformed') && !phaseOfEvent.has(attributes.get('eventId') ?? ''),
    ).length;
    const summary = {
      benchmark: 'faults',
      machine,
      rate: options.rate,
      usersPerFault: options.usersPerFault,
      outageSeconds,
      afterSeconds: options.afterMs / 1000,
      storm: stormCounts,
      unattributedDeadLetters: unattributed,
      seconds: (Date.now() - benchStarted) / 1000,
      faults: figures.map((row) => ({
        ...row,
        problems: [
          ...(stepErrors.has(row.fault) ? [`the fault failed: ${stepErrors.get(row.fault)}`] : []),
          ...faultProblems(row),
        ],
      })),
    };
    // The table, then (with --json) the JSON as the last line, as `npm run figures` reads it.
    process.stdout.write(printable(summary));
    if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await stopAll();
  }
}

function signalGroupSafe(group: ProcessGroup, signal: 'SIGCONT'): void {
  try {
    signalGroup(group, signal);
  } catch {
    // Already gone.
  }
}

function printable(summary: {
  machine: ReturnType<typeof describeMachine>;
  rate: number;
  usersPerFault: number;
  outageSeconds: number;
  afterSeconds: number;
  storm: { malformed: number; duplicates: number };
  unattributedDeadLetters: number;
  seconds: number;
  faults: (FaultFigures & { problems: string[] })[];
}): string {
  const seconds = (ms: number | undefined) => (ms === undefined ? 'never' : (ms / 1000).toFixed(1));
  const table = formatTable(
    [
      'fault',
      'sent',
      'accepted',
      'in BQ',
      'BQ once',
      'extra rows',
      'users ok',
      'dead letters (malformed)',
      'longest s',
      'recovery s',
    ],
    summary.faults.map((row) => [
      row.fault,
      row.sent,
      row.accepted,
      row.inBigQuery,
      row.exactlyOnce,
      row.extraRows,
      `${row.usersMatching}/${row.users}`,
      `${row.deadLetters} (${row.deadLettersMalformed})`,
      seconds(row.longestLatencyMs),
      seconds(row.recoveryMs),
    ]),
  );
  const problems = summary.faults.flatMap((row) =>
    row.problems.map((problem) => `  ${row.fault}: ${problem}`),
  );
  return [
    `Faults under load: ${summary.rate} ratings/s POSTed to the api (POST /v1/ratings) on the local stack, ${summary.usersPerFault} users per fault, outages of ${summary.outageSeconds} s, load kept ${summary.afterSeconds} s after each fault cleared`,
    machineLine(summary.machine),
    `storm: ${summary.storm.malformed} malformed and ${summary.storm.duplicates} duplicate messages published to the ratings topic; ${summary.unattributedDeadLetters} dead letters of no bench event; run took ${summary.seconds.toFixed(0)} s`,
    'in BQ = accepted events with a row in rating_events; BQ once = with exactly one row; extra rows = repeated rows (every delivery appends a row (the Storage Write API default stream); the current_ratings view counts each event once); users ok = users/{uid}.ratings equal to their last ratings; recovery = from the fault clearing until every rating accepted before then showed in recommendations/{uid}',
    '',
    table,
    '',
    problems.length === 0
      ? 'nothing lost, nothing doubled in what readers see'
      : `short of the bar:\n${problems.join('\n')}`,
    '',
  ].join('\n');
}

main().catch((error: Error) => {
  log(error instanceof UsageError ? error.message : (error.stack ?? error.message));
  process.exit(error instanceof UsageError ? 2 : 1);
});
