/**
 * The capacity model of docs/capacity.md: from figures measured by `npm run bench:republish`
 * (the republishUsers process's CPU per person, the shard sizes) and the documents each path
 * reads and writes (counted from the code: see docs/capacity.md), the instances, minutes and
 * list-price cost of a republish and of the rating traffic. Pure: numbers in, numbers out.
 */

/** List prices used (USD), with where and when they were read. */
export const PRICES = {
  asOf: '2024 (list prices; check cloud.google.com/pricing before relying on them)',
  /** Firestore Standard, regional location (e.g. us-central1): per 100,000 operations. */
  firestoreReadPer100k: 0.03,
  firestoreWritePer100k: 0.09,
  /** Cloud Run functions (2nd gen), tier-1 regions, request-based billing. */
  cpuPerVcpuSecond: 0.000024,
  memoryPerGibSecond: 0.0000025,
  /** BigQuery on-demand queries, per TiB scanned (US, since July 2023). */
  bigqueryPerTib: 6.25,
  /** BigQuery Storage Write API ingestion, per GiB, after the first 2 TiB of each month. */
  storageWritePerGib: 0.025,
  storageWriteFreeTibPerMonth: 2,
} as const;

/** Firestore's ramp guidance for new traffic: 500 writes/s, +50% every 5 minutes. */
export const FIRESTORE_RAMP = { start: 500, growth: 1.5, stepSeconds: 300 } as const;

/** Seconds to make `writes` writes following the ramp, never faster than `capPerSecond`. */
export function rampSeconds(writes: number, capPerSecond: number): number {
  let done = 0;
  let seconds = 0;
  for (let step = 0; ; step++) {
    const rate = Math.min(FIRESTORE_RAMP.start * FIRESTORE_RAMP.growth ** step, capPerSecond);
    const inStep = rate * FIRESTORE_RAMP.stepSeconds;
    if (done + inStep >= writes) return seconds + (writes - done) / rate;
    done += inStep;
    seconds += FIRESTORE_RAMP.stepSeconds;
  }
}

/** Documents one republish reads and writes (see docs/capacity.md for where each comes from). */
export function republishOperations(users: number, movies: number, usersPerShard: number) {
  const shards = 1 + Math.ceil(movies / 2000) + Math.ceil(users / usersPerShard);
  return {
    shards,
    // Per person: users/{uid} and recommendations/{uid}, read together and written together.
    // Per movie and the popularity list: one read, one write. Per shard: the marker read in
    // the counting transaction, the marker and a counter written. Per republish: the record
    // read and written twice (begin, planned).
    reads: 2 * users + movies + 1 + shards + 2,
    writes: 2 * users + movies + 1 + 2 * shards + 2,
  };
}

export interface Measured {
  /** republishUsers CPU per person (ms), the process alone (bench:republish). */
  cpuMsPerUser: number;
  usersPerShard: number;
  /** Function memory (GiB) and concurrency per instance (terraform/functions.tf). */
  memoryGib: number;
  concurrency: number;
  maxInstances: number;
}

export interface RepublishEstimate {
  users: number;
  shards: number;
  reads: number;
  writes: number;
  /** Instances to keep up with the writes the ramp allows at its peak (before the cap). */
  instancesAtPeak: number;
  minutes: number;
  /** What bounds the minutes: Firestore's ramp, or the instances' CPU at max_instances. */
  bound: 'ramp' | 'instances';
  cpuSeconds: number;
  costUsd: number;
}

export function republishEstimate(
  users: number,
  movies: number,
  measured: Measured,
): RepublishEstimate {
  const { shards, reads, writes } = republishOperations(users, movies, measured.usersPerShard);
  // One instance has one vCPU: it folds in 1000 / cpuMsPerUser people a second, two writes each.
  const writesPerInstance = (2 * 1000) / measured.cpuMsPerUser;
  const cap = writesPerInstance * measured.maxInstances;
  const uncapped = rampSeconds(writes, Number.POSITIVE_INFINITY);
  const seconds = rampSeconds(writes, cap);
  const lastStep = Math.floor(uncapped / FIRESTORE_RAMP.stepSeconds);
  const peakRate = FIRESTORE_RAMP.start * FIRESTORE_RAMP.growth ** lastStep;
  const cpuSeconds = (users * measured.cpuMsPerUser) / 1000;
  const costUsd =
    (reads / 1e5) * PRICES.firestoreReadPer100k +
    (writes / 1e5) * PRICES.firestoreWritePer100k +
    cpuSeconds * PRICES.cpuPerVcpuSecond +
    cpuSeconds * measured.memoryGib * PRICES.memoryPerGibSecond;
  return {
    users,
    shards,
    reads,
    writes,
    instancesAtPeak: Math.ceil(peakRate / writesPerInstance),
    minutes: seconds / 60,
    bound: seconds > uncapped + 1 ? 'instances' : 'ramp',
    cpuSeconds,
    costUsd,
  };
}

/**
 * BigQuery bytes one retrain scans: the current_ratings view reads userId, movieId, rating,
 * ratedAt and eventId of every event (STRING = 2 + its bytes, the others 8), and the publish
 * step's user listing reads userId again.
 */
export function retrainBigQueryBytes(events: number, userIdBytes: number): number {
  const view = events * (2 + userIdBytes + 8 + 8 + 8 + 2 + 36);
  const listing = events * (2 + userIdBytes);
  return view + listing;
}

/**
 * Bytes BigQuery bills for one appended event: eventId (a UUID), userId, source ("site") as
 * STRING (2 + their bytes), movieId, rating, ratedAt and ingestedAt 8 each.
 */
export function eventRowBytes(userIdBytes: number): number {
  return 2 + 36 + (2 + userIdBytes) + 8 + 8 + 8 + (2 + 4) + 8;
}

/** Firestore operations, BigQuery appends and their cost per month of rating traffic. */
export function ratingTraffic(perSecond: number, userIdBytes = 28) {
  const events = perSecond * 30 * 24 * 3600;
  // The ingest's transaction reads users/{uid} and writes it and recommendations/{uid}.
  const reads = events;
  const writes = 2 * events;
  const appendedBytes = events * eventRowBytes(userIdBytes);
  const billedGib = Math.max(
    0,
    appendedBytes / 2 ** 30 - PRICES.storageWriteFreeTibPerMonth * 1024,
  );
  return {
    perSecond,
    eventsPerMonth: events,
    firestoreUsdPerMonth:
      (reads / 1e5) * PRICES.firestoreReadPer100k + (writes / 1e5) * PRICES.firestoreWritePer100k,
    /** What the ingest appends to BigQuery in a month, and its cost beyond the free tier. */
    bigqueryAppendTib: appendedBytes / 2 ** 40,
    bigqueryAppendUsdPerMonth: billedGib * PRICES.storageWritePerGib,
    /** The ingest's CPU cost per month for each millisecond of CPU an event takes. */
    cpuUsdPerMonthPerMs: (events / 1000) * PRICES.cpuPerVcpuSecond,
    /** Instances (one vCPU each) per millisecond of CPU an event takes, at full use. */
    vcpusPerMs: perSecond / 1000,
  };
}
