/**
 * `npm run bench:e2e`: Protocol E on the local stack. Starts the whole pipeline on free ports
 * with a fresh state (MovieLens ml-latest-small loaded, first model trained), then POSTs
 * ratings to the api function (POST /v1/ratings) as signed-in users at a fixed rate and times each until the
 * recommendations document shows it (a Firestore listener, as the site has): 20/s for the
 * latency figures, then higher rates until one is not held.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Clients, EVENTS_TABLE, readPointer } from '@reel/functions/adapters';
import { UsageError } from '../cli/args.js';
import { describeMachine, machineLine } from '../report/machine.js';
import { formatTable } from '../report/table.js';
import type { RunningPipeline } from '../stack/pipeline.js';
import {
  HELD_P99_MS,
  latencies,
  type PhaseChecks,
  phaseProblems,
  type SentRating,
  summarise,
  VisibilityLog,
} from './e2e-phase.js';
import { cpuLines, type FunctionCpu, functionCpu } from './function-cpu.js';
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

/** Ratings one user posts a minute: half the functions' default per-person limit. */
const RATINGS_PER_USER_PER_MINUTE = 30;

const USAGE = `usage: npm run bench:e2e -- [--duration=S] [--rates=R1,R2,...] [--json]
  --duration=S   seconds each rate is held (default 60, as Protocol E says)
  --rates=...    the rates tried after the 20/s latency phase, in order, until one is not
                 held (default 30,40,50,100,200,300,400); if 20/s is not held, 80 % of the rate the
                 pipeline completed while catching up is tried, then half of that, until one is
  --json         also print the results as one JSON object on the last line (progress stays on stderr)`;

/**
 * When 20/s is not held, the next rate tried is 80 % of what the pipeline completed per second
 * while it caught up, then half of the last, until one is held.
 */
function lowerRates(completedPerSecond: number): number[] {
  const rates: number[] = [];
  for (let rate = Math.floor(0.8 * completedPerSecond); rate >= 1; rate = Math.floor(rate / 2)) {
    rates.push(rate);
  }
  return rates.length > 0 ? rates : [1];
}
/**
 * A phase waits for its backlog to clear (so the next phase starts from an empty queue) for at
 * most this long, and gives up sooner when nothing became visible for NO_PROGRESS_MS (a stuck
 * event is redelivered after the ingest's 60 s timeout and a backoff).
 */
const MAX_DRAIN_MS = 900_000;
/** How long, after the last rating is seen, the last BigQuery appends may take to land. */
const BIGQUERY_SETTLE_MS = 15_000;
const NO_PROGRESS_MS = 90_000;

interface Options {
  duration: number;
  rates: number[];
  json: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { duration: 60, rates: [30, 40, 50, 100, 200, 300, 400], json: false };
  for (const argument of argv) {
    const [flag, value] = argument.split('=', 2) as [string, string | undefined];
    if (flag === '--json' && value === undefined) options.json = true;
    else if (flag === '--duration' && value && /^\d+$/.test(value) && Number(value) > 0) {
      options.duration = Number(value);
    } else if (flag === '--rates' && value && /^\d+(,\d+)*$/.test(value)) {
      options.rates = value.split(',').map(Number);
    } else throw new UsageError(`unknown or malformed argument "${argument}"\n${USAGE}`);
  }
  return options;
}

const log = (message: string) => process.stderr.write(`[bench:e2e] ${message}\n`);

interface PhaseResult extends PhaseChecks {
  seconds: number;
  /** Ratings that became visible per second, from the first POST to the last one seen. */
  completedPerSecond: number;
  problems: string[];
  held: boolean;
}

async function runPhase(
  pipeline: RunningPipeline,
  clients: Clients,
  visibility: VisibilityLog,
  movies: number[],
  rate: number,
  durationSeconds: number,
): Promise<PhaseResult> {
  const total = Math.round(rate * durationSeconds);
  const perUser = Math.max(1, Math.floor((RATINGS_PER_USER_PER_MINUTE * durationSeconds) / 60));
  const userCount = Math.ceil(total / perUser);
  log(`${rate}/s for ${durationSeconds} s: signing up ${userCount} users`);
  const users = await signUpUsers(pipeline.env.FIREBASE_AUTH_EMULATOR_HOST!, userCount);
  const watch = watchRecommendations(clients, users, visibility, log);
  try {
    await watch.ready;
    return await sendAndCheck(pipeline, clients, visibility, movies, users, rate, durationSeconds);
  } finally {
    watch.stop();
  }
}

async function sendAndCheck(
  pipeline: RunningPipeline,
  clients: Clients,
  visibility: VisibilityLog,
  movies: number[],
  users: readonly BenchUser[],
  rate: number,
  durationSeconds: number,
): Promise<PhaseResult> {
  const total = Math.round(rate * durationSeconds);
  const expected = new Map<string, Map<number, number>>(users.map((u) => [u.uid, new Map()]));
  const sent: SentRating[] = [];
  const inFlight: Promise<void>[] = [];

  const post = (index: number) => {
    const user = users[index % users.length]!;
    const ordinal = Math.floor(index / users.length) + 1;
    // Each of a user's ratings is of another movie, so its n-th rating is the n-th counted.
    const movieId = movies[(index * 7 + ordinal * 13) % movies.length]!;
    const rating = 0.5 * (1 + ((index * 31) % 10));
    expected.get(user.uid)!.set(movieId, rating);
    const record: SentRating = { uid: user.uid, ordinal, sentAt: performance.now(), status: 0 };
    sent.push(record);
    const ratedAt = new Date().toISOString();
    inFlight.push(
      postRating(pipeline, user, { eventId: randomUUID(), movieId, rating, ratedAt }).then(
        async (response) => {
          record.status = response.status;
          await response.body?.cancel();
        },
        () => {
          record.status = 0;
        },
      ),
    );
  };

  const started = performance.now();
  const sendSeconds = await atRate(rate, post, { count: total });
  await Promise.all(inFlight);
  const accepted = sent.filter((rating) => rating.status === 202).length;

  // Drain: wait until every accepted rating is visible (or see MAX_DRAIN_MS).
  let lastVisible = -1;
  let lastProgress = performance.now();
  const drainStarted = performance.now();
  log(`${rate}/s: sent; waiting for the pipeline to catch up`);
  for (;;) {
    const visible = sent.filter(
      (r) => r.status === 202 && visibility.visibleAt(r.uid, r.ordinal) !== undefined,
    ).length;
    if (visible === accepted) break;
    if (visible !== lastVisible) {
      lastVisible = visible;
      lastProgress = performance.now();
    } else if (performance.now() - lastProgress > NO_PROGRESS_MS) break;
    if (performance.now() - drainStarted > MAX_DRAIN_MS) break;
    await sleep(100);
  }
  const lastSeen = Math.max(
    started,
    ...sent.map((r) => visibility.visibleAt(r.uid, r.ordinal) ?? Number.NEGATIVE_INFINITY),
  );
  const measured = latencies(
    sent.filter((r) => r.status === 202),
    visibility,
  );

  const uids = users.map((user) => user.uid);
  const countRows = async () => {
    const [rows] = await clients.bigquery.query(
      `SELECT COUNT(*) AS rows, COUNT(DISTINCT eventId) AS events
       FROM \`${pipeline.config.project}.${pipeline.config.dataset}.${EVENTS_TABLE}\`
       WHERE userId IN (${uids.map((uid) => `'${uid.replace(/[^A-Za-z0-9_-]/g, '')}'`).join(',')})`,
    );
    return (rows as { rows: number; events: number }[])[0]!;
  };
  // The ingest appends to BigQuery after the Firestore transaction that makes a rating
  // visible, so the last appends may still be on their way when the last rating is seen.
  let counts = await countRows();
  for (let waited = 0; Number(counts.events) < accepted && waited < BIGQUERY_SETTLE_MS; ) {
    await sleep(500);
    waited += 500;
    counts = await countRows();
  }
  const usersConsistent = await usersMatching(clients, uids, expected);

  const checks: PhaseChecks = {
    targetRate: rate,
    achievedRate: total / sendSeconds,
    sent: sent.length,
    accepted,
    bigQueryEvents: Number(counts.events),
    bigQueryRows: Number(counts.rows),
    usersConsistent,
    users: users.length,
    visible: measured.latencies.length,
    latency: summarise(measured.latencies),
  };
  const problems = phaseProblems(checks);
  return {
    ...checks,
    seconds: sendSeconds,
    completedPerSecond: checks.visible / Math.max(0.001, (lastSeen - started) / 1000),
    problems,
    held: problems.length === 0,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = describeMachine();
  const startedAt = Date.now();
  const stack = await startBenchStack({
    name: 'bench-e2e',
    persist: false,
    functionEnv: benchLimitsEnv(RATINGS_PER_USER_PER_MINUTE),
    log,
  });
  const { pipeline, clients, stateDir } = stack;
  const startSeconds = (Date.now() - startedAt) / 1000;
  process.once('SIGINT', () => void stack.stop().then(() => process.exit(130)));
  try {
    const pointer = await readPointer(clients.storage.bucket(pipeline.config.modelsBucket));
    const movies = await popularMovies();
    const visibility = new VisibilityLog();
    const phases: PhaseResult[] = [];
    const ingestLog = join(stateDir, 'logs', 'ingestRating.log');
    // How many requests the ingest had answered when each phase ended (every phase drains
    // before the next starts), so each phase's CPU is its own.
    const answeredAfter: number[] = [];
    log(`warming up: ${WARM_UP_EVENTS} ratings`);
    await runPhase(pipeline, clients, visibility, movies, 10, WARM_UP_EVENTS / 10);
    answeredAfter.push(cpuLines(ingestLog).length);
    phases.push(await runPhase(pipeline, clients, visibility, movies, 20, options.duration));
    answeredAfter.push(cpuLines(ingestLog).length);
    report(phases.at(-1)!);
    const ramp = phases[0]!.held ? options.rates : lowerRates(phases[0]!.completedPerSecond);
    for (const rate of ramp) {
      const result = await runPhase(pipeline, clients, visibility, movies, rate, options.duration);
      answeredAfter.push(cpuLines(ingestLog).length);
      phases.push(result);
      report(result);
      // Going up, the first rate not held ends it; going down, the first one held does.
      if (result.held !== phases[0]!.held) break;
    }
    const steady = phases[0]!;
    const handler = ingestHandlerMs(ingestLog);
    const requests = cpuLines(ingestLog);
    const cpu = functionCpu(requests, answeredAfter[0]!, requests.length);
    const warmUpCpu = functionCpu(requests, 0, answeredAfter[0]!);
    const cpuByRate = phases.map((phase, n) => ({
      rate: phase.targetRate,
      ...functionCpu(requests, answeredAfter[n]!, answeredAfter[n + 1]!),
    }));
    const highestHeld = Math.max(0, ...phases.filter((p) => p.held).map((p) => p.targetRate));
    const summary = {
      protocol: 'E',
      machine,
      dataset: 'ml-latest-small (bundled): 100,836 ratings, 610 users loaded as import events',
      model: pointer?.pointer.version ?? null,
      stackStartSeconds: startSeconds,
      durationSeconds: options.duration,
      steady: {
        rate: 20,
        p50Ms: steady.latency.p50,
        p95Ms: steady.latency.p95,
        p99Ms: steady.latency.p99,
      },
      highestHeldRate: highestHeld,
      ingestHandler: {
        events: handler.count,
        p50Ms: handler.p50,
        meanMs: handler.mean,
        bigqueryP50Ms: handler.bigqueryP50,
        firestoreP50Ms: handler.firestoreP50,
        emulatorPushConcurrency: EMULATOR_PUSH_CONCURRENCY,
        boundPerSecond: (EMULATOR_PUSH_CONCURRENCY * 1000) / handler.mean,
      },
      ingestCpu: cpu,
      ingestCpuByRate: cpuByRate,
      ingestCpuWarmUp: warmUpCpu,
      phases,
    };
    process.stdout.write(printable(summary, phases));
    if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await stack.stop();
  }
}

/**
 * The ingest function's own per-event time (its structured logs' latencyMs), which bounds
 * what the local stack can carry: the Pub/Sub emulator pushes at most 2 messages at a time
 * per subscription (its FakePubsubServer starts two push loops of one message each).
 */
function ingestHandlerMs(logFile: string): {
  count: number;
  p50: number;
  mean: number;
  bigqueryP50: number;
  firestoreP50: number;
} {
  const samples: number[] = [];
  const bigquery: number[] = [];
  const firestore: number[] = [];
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as {
        eventId?: string;
        latencyMs?: number;
        bigqueryMs?: number;
        firestoreMs?: number;
      };
      if (!entry.eventId || typeof entry.latencyMs !== 'number') continue;
      samples.push(entry.latencyMs);
      if (typeof entry.bigqueryMs === 'number') bigquery.push(entry.bigqueryMs);
      if (typeof entry.firestoreMs === 'number') firestore.push(entry.firestoreMs);
    } catch {
      // Not one of the function's JSON lines.
    }
  }
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  return {
    count: samples.length,
    p50: summarise(samples).p50,
    mean,
    bigqueryP50: summarise(bigquery).p50,
    firestoreP50: summarise(firestore).p50,
  };
}

const EMULATOR_PUSH_CONCURRENCY = 2;

/**
 * Ratings sent (at 10/s) before the measured phases, so they see an instance that has served
 * many events, as one in the cloud has (the first loads the model). Their CPU is printed apart.
 */
const WARM_UP_EVENTS = 600;

function report(phase: PhaseResult): void {
  log(
    `${phase.targetRate}/s: sent ${phase.sent} at ${phase.achievedRate.toFixed(1)}/s, completed ${phase.completedPerSecond.toFixed(1)}/s, p50 ${Math.round(phase.latency.p50)} ms, p99 ${Math.round(phase.latency.p99)} ms; ${phase.held ? 'held' : `not held: ${phase.problems.join('; ')}`}`,
  );
}

function printable(
  summary: {
    machine: ReturnType<typeof describeMachine>;
    dataset: string;
    model: string | null;
    stackStartSeconds: number;
    durationSeconds: number;
    highestHeldRate: number;
    steady: { p50Ms: number; p95Ms: number; p99Ms: number };
    ingestHandler: {
      events: number;
      p50Ms: number;
      meanMs: number;
      bigqueryP50Ms: number;
      firestoreP50Ms: number;
      boundPerSecond: number;
    };
    ingestCpu: FunctionCpu;
    ingestCpuByRate: (FunctionCpu & { rate: number })[];
    ingestCpuWarmUp: FunctionCpu;
  },
  phases: PhaseResult[],
): string {
  const ms = (value: number) => (Number.isFinite(value) ? String(Math.round(value)) : '–');
  // Protocol E's steady rate: the CPU figure is taken there, not over the faster phases.
  const steadyCpu = summary.ingestCpuByRate[0]!;
  const table = formatTable(
    [
      'target/s',
      'sent/s',
      'done/s',
      'sent',
      '202',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'BQ events',
      'BQ rows',
      'users ok',
      'held',
    ],
    phases.map((phase) => [
      phase.targetRate,
      phase.achievedRate.toFixed(1),
      phase.completedPerSecond.toFixed(1),
      phase.sent,
      phase.accepted,
      ms(phase.latency.p50),
      ms(phase.latency.p95),
      ms(phase.latency.p99),
      ms(phase.latency.max),
      phase.bigQueryEvents,
      phase.bigQueryRows,
      `${phase.usersConsistent}/${phase.users}`,
      phase.held ? 'yes' : 'no',
    ]),
  );
  const failed = phases
    .filter((phase) => !phase.held && phase.targetRate > summary.highestHeldRate)
    .sort((a, b) => a.targetRate - b.targetRate)[0];
  return [
    'Protocol E: end to end on the local stack (POST /v1/ratings → recommendations/{uid} seen by a Firestore listener)',
    machineLine(summary.machine),
    `dataset: ${summary.dataset}; model ${summary.model ?? '(none)'}`,
    `stack: emulators + one local server per function (functions-framework serving the functions compiled by tsc, as deployed), push subscriptions as terraform/pubsub.tf; started in ${summary.stackStartSeconds.toFixed(1)} s`,
    `each rate held for ${summary.durationSeconds} s (open loop); held = every POST 202, every event in BigQuery once (COUNT DISTINCT eventId = rows = accepted), every user's users/{uid}.ratings equal to their last ratings, every update seen, p99 ≤ ${HELD_P99_MS} ms`,
    '',
    table,
    '',
    `20/s: p50 ${ms(summary.steady.p50Ms)} ms, p95 ${ms(summary.steady.p95Ms)} ms, p99 ${ms(summary.steady.p99Ms)} ms (targets p50 ≤ 300 ms, p99 ≤ 1000 ms)`,
    `highest rate held for ${summary.durationSeconds} s: ${summary.highestHeldRate}/s (target ≥ 200/s)` +
      (failed ? `; ${failed.targetRate}/s not held: ${failed.problems.join('; ')}` : ''),
    `ingestRating's own time per event (its logs, ${summary.ingestHandler.events} events): p50 ${ms(summary.ingestHandler.p50Ms)} ms (Firestore transaction p50 ${ms(summary.ingestHandler.firestoreP50Ms)} ms, then BigQuery append p50 ${ms(summary.ingestHandler.bigqueryP50Ms)} ms), mean ${ms(summary.ingestHandler.meanMs)} ms; ` +
      `the Pub/Sub emulator pushes ${EMULATOR_PUSH_CONCURRENCY} messages at a time per subscription, so this stack can ingest at most ≈ ${summary.ingestHandler.boundPerSecond.toFixed(1)}/s`,
    `ingest CPU per event at 20/s (the ingestRating process alone, ${steadyCpu.events} events): p50 ${steadyCpu.p50Ms.toFixed(1)} ms, p95 ${steadyCpu.p95Ms.toFixed(1)} ms; whole process over the phase / events ${steadyCpu.meanMs.toFixed(1)} ms (target p50 ≤ 8 ms)`,
    `  each rate: ${summary.ingestCpuByRate
      .map(
        (phase) =>
          `${phase.rate}/s p50 ${phase.p50Ms.toFixed(1)} ms, whole process ${phase.meanMs.toFixed(1)} ms (${phase.events} events)`,
      )
      .join(
        '; ',
      )}; all ${summary.ingestCpu.events} events after the warm-up: p50 ${summary.ingestCpu.p50Ms.toFixed(1)} ms`,
    `  the warm-up (${summary.ingestCpuWarmUp.events} events at 10/s, the first loading the model): p50 ${summary.ingestCpuWarmUp.p50Ms.toFixed(1)} ms, whole process ${summary.ingestCpuWarmUp.meanMs.toFixed(1)} ms`,
    '',
  ].join('\n');
}

main().catch((error: Error) => {
  log(error instanceof UsageError ? error.message : (error.stack ?? error.message));
  process.exit(error instanceof UsageError ? 2 : 1);
});
