/**
 * `npm run bench:republish -- --users N [--ratings-per-user R] [--movies M] [--shard S] [--json]`:
 * a republish of N synthetic people through the fan-out on the local stack. Starts the whole
 * pipeline on free ports with a fresh state, loads N synthetic people (BigQuery and Firestore,
 * as `npm run load` does), asks for a retrain on topic `retrain` (which trains, publishes and
 * fans the republish out on topic `republish` to the republishUsers function), waits for the
 * republish on the model's record, then reads every person's documents back. Prints the
 * throughput per shard and in total, the republishUsers process's CPU, and a last JSON line
 * with `usersOnVersion`, `users`, `seconds`, `shards`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClients, firestoreRepublishProgress, readPointer } from '@reel/functions/adapters';
import { UsageError } from '../cli/args.js';
import { generateSyntheticRatings } from '../data/synthetic.js';
import { importedUserId } from '../load/import-events.js';
import { loadIntoStores } from '../load/load-into-stores.js';
import { publishRetrain, waitForRetrain } from '../ops/trigger-retrain.js';
import { describeRepublish, waitForRepublish } from '../ops/wait-for-republish.js';
import { describeMachine, machineLine } from '../report/machine.js';
import { findToolchain, freeStackPorts } from '../stack/emulators.js';
import { startPipeline } from '../stack/pipeline.js';
import type { ProcessGroup } from '../stack/process-group.js';
import { repositoryRoot } from '../stack/repository.js';

const USAGE = `usage: npm run bench:republish -- --users N [--ratings-per-user R] [--movies M] [--shard S] [--json]
  --users N             synthetic people to republish (default 20000)
  --ratings-per-user R  ratings each (default 20, MovieLens's minimum)
  --movies M            movies (default 2000)
  --shard S             people per shard (default the functions' 250)
  --json                print the results as JSON on stdout (progress stays on stderr)`;

interface Options {
  users: number;
  ratingsPerUser: number;
  movies: number;
  shard: number;
  json: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    users: 20_000,
    ratingsPerUser: 20,
    movies: 2000,
    shard: 250,
    json: false,
  };
  const keys: Record<string, keyof Options> = {
    '--users': 'users',
    '--ratings-per-user': 'ratingsPerUser',
    '--movies': 'movies',
    '--shard': 'shard',
  };
  const args = argv.flatMap((arg) =>
    arg.startsWith('--') && arg.includes('=') ? arg.split('=', 2) : [arg],
  );
  for (let n = 0; n < args.length; n++) {
    const flag = args[n]!;
    if (flag === '--json') {
      options.json = true;
      continue;
    }
    const key = keys[flag];
    const value = args[n + 1];
    if (!key || value === undefined || !/^\d+$/.test(value) || Number(value) < 1) {
      throw new UsageError(`unknown or malformed argument "${flag}"\n${USAGE}`);
    }
    (options[key] as number) = Number(value);
    n++;
  }
  return options;
}

const log = (message: string) => process.stderr.write(`[bench:republish] ${message}\n`);

/** CPU seconds (user + system) of every live process in a process group, from /proc. */
function groupCpuSeconds(group: ProcessGroup): number {
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state, ppid, pgrp, ..., utime is the 12th, stime the 13th.
    if (Number(fields[2]) !== group.pid) continue;
    total += (Number(fields[11]) + Number(fields[12])) / ticks;
  }
  return total;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = describeMachine();
  log(machineLine(machine));
  const root = repositoryRoot();
  const stateDir = mkdtempSync(join(tmpdir(), 'reel-bench-republish-'));
  const ports = await freeStackPorts();
  const pipeline = await startPipeline({
    root,
    ports,
    toolchain: findToolchain(root),
    stateDir,
    persist: false,
    functionEnv: {
      REEL_REPUBLISH_USERS_PER_SHARD: String(options.shard),
      // The synthetic model is the only one: nothing to gate against.
      REEL_RETRAIN_MAX_REGRESSION: '0.5',
    },
    onProgress: log,
  });
  const clients = createClients(pipeline.config, 'bench-republish');
  const stopAll = async () => {
    await clients.close().catch(() => undefined);
    await pipeline.stop();
    rmSync(stateDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const size = {
      users: options.users,
      movies: options.movies,
      ratings: options.users * options.ratingsPerUser,
    };
    log(`generating ${size.users} people, ${size.ratings} ratings of ${size.movies} movies`);
    const loaded = generateSyntheticRatings(size, { seed: 20261206 });
    const loadStarted = Date.now();
    await loadIntoStores(loaded, {
      bigquery: clients.bigquery,
      firestore: clients.firestore,
      dataset: pipeline.config,
      bucket: clients.storage.bucket(pipeline.config.modelsBucket),
      route: 'upload',
      progress: log,
    });
    log(`loaded in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s`);

    const group = (name: string) => pipeline.groups.find((each) => each.name === name)!;
    const republishCpuBefore = groupCpuSeconds(group('republishUsers'));
    const retrainCpuBefore = groupCpuSeconds(group('retrainModel'));
    const bucket = clients.storage.bucket(pipeline.config.modelsBucket);
    const requestedAt = new Date();
    const eventId = await publishRetrain(
      clients.pubsub.topic(pipeline.config.retrainTopic),
      'bench',
    );
    const retrained = await waitForRetrain({
      bucket,
      eventId,
      requestedAt,
      timeoutMs: 1_800_000,
      onWait: (seconds) => log(`training: ${seconds.toFixed(0)} s`),
    });
    if (retrained.outcome !== 'published' || !retrained.republish) {
      throw new Error(`the retrain did not publish: ${JSON.stringify(retrained)}`);
    }
    const { version } = retrained;
    log(`model ${version} serving; republish: ${JSON.stringify(retrained.republish)}`);
    const progress = firestoreRepublishProgress(clients.firestore);
    const result = await waitForRepublish({
      progress,
      version,
      serial: retrained.republish.serial,
      timeoutMs: 3_600_000,
      pollMs: 1000,
      onProgress: (state, seconds) => log(`${describeRepublish(state)} (${seconds.toFixed(0)} s)`),
    });
    const republishCpu = groupCpuSeconds(group('republishUsers')) - republishCpuBefore;
    const retrainCpu = groupCpuSeconds(group('retrainModel')) - retrainCpuBefore;
    const state = result.state;
    const seconds = (Date.parse(state.finishedAt ?? '') - Date.parse(state.startedAt)) / 1000;

    const markers = await clients.firestore.collection(`models/${version}/shards`).get();
    const userShards = markers.docs
      .map(
        (doc) =>
          doc.data() as { kind?: string; seconds?: number; written: number; skipped: number },
      )
      .filter((marker) => marker.kind === 'users');
    const shardSeconds = userShards
      .map((marker) => marker.seconds ?? Number.NaN)
      .sort((a, b) => a - b);
    const perShardRate = userShards
      .map((marker) => (marker.written + marker.skipped) / (marker.seconds ?? Number.NaN))
      .sort((a, b) => a - b);

    const uids = Array.from(loaded.userIds, (id) => importedUserId(id));
    let usersOnVersion = 0;
    let recommendationsOnVersion = 0;
    for (let start = 0; start < uids.length; start += 500) {
      const chunk = uids.slice(start, start + 500);
      const snapshots = await clients.firestore.getAll(
        ...chunk.flatMap((uid) => [
          clients.firestore.doc(`users/${uid}`),
          clients.firestore.doc(`recommendations/${uid}`),
        ]),
      );
      for (let n = 0; n < snapshots.length; n += 2) {
        if (snapshots[n]!.get('modelVersion') === version) usersOnVersion++;
        if (snapshots[n + 1]!.get('modelVersion') === version) recommendationsOnVersion++;
      }
    }
    const pointer = await readPointer(bucket);
    const summary = {
      bench: 'republish',
      version,
      serial: pointer?.pointer.serial,
      users: options.users,
      ratings: size.ratings,
      movies: size.movies,
      usersPerShard: options.shard,
      shards: state.shards,
      userShards: userShards.length,
      written: state.written,
      skipped: state.skipped,
      missing: state.missing,
      failed: state.failed,
      seconds: round(seconds, 1),
      usersPerSecond: round(options.users / seconds, 1),
      shardSeconds: {
        p50: round(quantile(shardSeconds, 0.5)),
        p90: round(quantile(shardSeconds, 0.9)),
        max: round(shardSeconds.at(-1) ?? Number.NaN),
      },
      usersPerSecondPerShard: {
        p50: round(quantile(perShardRate, 0.5), 1),
        p10: round(quantile(perShardRate, 0.1), 1),
      },
      republishFunctionCpuSeconds: round(republishCpu, 2),
      republishCpuMsPerShard: round((1000 * republishCpu) / (state.shards ?? 1), 1),
      republishCpuMsPerUser: round((1000 * republishCpu) / options.users, 2),
      retrainFunctionCpuSeconds: round(retrainCpu, 2),
      retrainSeconds: round(retrained.seconds, 1),
      recommendationsOnVersion,
      usersOnVersion,
      machine,
      loadAverageAtEnd: describeMachine().loadAverage,
    };
    log(
      `${usersOnVersion}/${options.users} people on ${version} after ${summary.seconds} s ` +
        `(${summary.usersPerSecond}/s over ${state.shards} shards; a shard of ${options.shard}: ` +
        `p50 ${summary.shardSeconds.p50} s, ${summary.usersPerSecondPerShard.p50} people/s); ` +
        `republishUsers CPU ${summary.republishFunctionCpuSeconds} s = ${summary.republishCpuMsPerShard} ms per shard`,
    );
    if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    if (usersOnVersion !== options.users) process.exitCode = 1;
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
