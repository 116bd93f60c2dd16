/**
 * `npm run capacity -- --from BENCH.json`: docs/capacity.md's tables from the last JSON line
 * of `npm run bench:republish -- --json` (the republishUsers CPU per person) and the model in
 * report/capacity.ts. Markdown on stdout.
 */
import { readFileSync } from 'node:fs';
import {
  PRICES,
  ratingTraffic,
  republishEstimate,
  retrainBigQueryBytes,
} from '../report/capacity.js';
import { type FlagSpec, parseFlags, runMain, UsageError, usageText } from './args.js';

const FLAGS: Record<string, FlagSpec> = {
  from: { type: 'string', description: 'a file whose last line is bench:republish’s JSON' },
  help: { type: 'boolean', description: 'this text' },
};
const USAGE = usageText('npm run capacity -- --from FILE', FLAGS);

const money = (usd: number) =>
  `$${usd < 10 ? usd.toFixed(2) : Math.round(usd).toLocaleString('en-US')}`;
const count = (n: number) => Math.round(n).toLocaleString('en-US');

runMain(async () => {
  const flags = parseFlags(process.argv.slice(2), FLAGS, USAGE);
  if (flags.help || typeof flags.from !== 'string') {
    if (!flags.help) throw new UsageError(`--from is required\n\n${USAGE}`);
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const lines = readFileSync(flags.from, 'utf8').trim().split('\n');
  const bench = JSON.parse(lines.at(-1)!) as {
    republishCpuMsPerUser: number;
    usersPerShard: number;
    users: number;
    seconds: number;
    machine: { loadAverage: number };
  };
  const measured = {
    cpuMsPerUser: bench.republishCpuMsPerUser,
    usersPerShard: bench.usersPerShard,
    memoryGib: 1,
    concurrency: 2,
    maxInstances: 50,
  };
  const out: string[] = [];
  out.push(
    `Prices: ${PRICES.asOf}. republishUsers CPU per person: ${measured.cpuMsPerUser} ms ` +
      `(bench:republish, ${bench.users} people, load average ${bench.machine.loadAverage}).`,
    '',
    '| people | shards | Firestore reads | Firestore writes | instances at the ramp’s peak | minutes (bound) | CPU s | cost per republish | per month (nightly) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const users of [100_000, 1_000_000, 10_000_000]) {
    const movies = 60_000;
    const estimate = republishEstimate(users, movies, measured);
    out.push(
      `| ${count(users)} | ${count(estimate.shards)} | ${count(estimate.reads)} | ${count(estimate.writes)} | ${estimate.instancesAtPeak} | ${estimate.minutes.toFixed(1)} (${estimate.bound}) | ${count(estimate.cpuSeconds)} | ${money(estimate.costUsd)} | ${money(30 * estimate.costUsd)} |`,
    );
  }
  out.push(
    '',
    '| people | ratings (154 each) | BigQuery bytes per retrain | cost per retrain | per month (nightly) |',
    '|---:|---:|---:|---:|---:|',
  );
  for (const users of [100_000, 1_000_000, 10_000_000]) {
    const events = users * 154;
    const bytes = retrainBigQueryBytes(events, 28);
    const usd = (bytes / 2 ** 40) * PRICES.bigqueryPerTib;
    out.push(
      `| ${count(users)} | ${count(events)} | ${(bytes / 1e9).toFixed(1)} GB | ${money(usd)} | ${money(30 * usd)} |`,
    );
  }
  out.push(
    '',
    '| ratings/s | events per month | Firestore per month (1 read, 2 writes each) | BigQuery appends per month | ingest CPU per month per ms/event | vCPUs per ms/event |',
    '|---:|---:|---:|---:|---:|---:|',
  );
  for (const perSecond of [10, 100, 1000]) {
    const traffic = ratingTraffic(perSecond);
    out.push(
      `| ${perSecond} | ${count(traffic.eventsPerMonth)} | ${money(traffic.firestoreUsdPerMonth)} | ${count(traffic.bigqueryAppendTib * 1024)} GiB, ${money(traffic.bigqueryAppendUsdPerMonth)} | ${money(traffic.cpuUsdPerMonthPerMs)} | ${traffic.vcpusPerMs.toFixed(2)} |`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
});
