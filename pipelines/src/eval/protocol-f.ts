import {
  DEFAULT_MODEL_CONFIG,
  ExplicitScratch,
  explicitUserSide,
  foldInExplicit,
  foldInRanking,
  ImplicitScratch,
  type ModelConfig,
  type ModelSet,
  mulberry32,
  Recommender,
  rankingUserSide,
  type TrainedModelSet,
  type UserItemRatings,
  type UserRating,
} from '@reel/functions/model';
import { type ProgressSink, silentProgress } from '../report/progress.js';
import { RankingAccumulator, type RankingSummary } from './metrics.js';
import { type RankingTask, trainItems } from './protocol-t.js';

/** Largest relative difference between two vectors: ‖a − b‖∞ / ‖b‖∞ (absolute when b = 0). */
export function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let difference = 0;
  let scale = 0;
  for (let d = 0; d < b.length; d++) {
    difference = Math.max(difference, Math.abs(a[d] - b[d]));
    scale = Math.max(scale, Math.abs(b[d]));
  }
  return scale > 0 ? difference / scale : difference;
}

export interface ConsistencyResult {
  /** The larger of the two models' figures. */
  maxRelDiff: number;
  ranking: { maxRelDiff: number; users: number };
  /** Over (p_u, b_u, bias of the latest session). */
  explicit: { maxRelDiff: number; users: number };
}

/**
 * Protocol F consistency: fold every user's train ratings into the trained item side of both
 * models and compare with the trainer's own user vectors, in float64.
 */
export function consistency(set: TrainedModelSet, task: RankingTask): ConsistencyResult {
  const { ranking, explicit } = set;
  const side = rankingUserSide(ranking);
  const k = ranking.k;
  const ke = explicit.k;
  // One scratch and side per model for every user, as the Recommender keeps them.
  const rankingScratch = new ImplicitScratch(k);
  const explicitScratch = new ExplicitScratch(ke);
  const explicitSide = explicitUserSide(explicit);
  let rankingMax = 0;
  let explicitMax = 0;
  let users = 0;
  for (let user = 0; user < task.split.train.userCount; user++) {
    const ratings = trainItemRatings(task, user);
    if (ratings.items.length === 0) continue;
    users++;
    const folded = foldInRanking(side, ranking.config, ratings, rankingScratch);
    rankingMax = Math.max(
      rankingMax,
      relativeDifference(folded.factors, ranking.userFactors.subarray(user * k, (user + 1) * k)),
    );
    const mine = foldInExplicit(explicit, ratings, explicitScratch, explicitSide);
    const sessions = explicit.sessions;
    const lastSession = sessions ? sessions.biases[sessions.starts[user + 1] - 1] : 0;
    const trained = [
      ...explicit.userFactors.subarray(user * ke, (user + 1) * ke),
      explicit.userBiases[user],
      lastSession,
    ];
    explicitMax = Math.max(
      explicitMax,
      relativeDifference([...mine.factors, mine.bias, mine.sessionBias], trained),
    );
  }
  return {
    maxRelDiff: Math.max(rankingMax, explicitMax),
    ranking: { maxRelDiff: rankingMax, users },
    explicit: { maxRelDiff: explicitMax, users },
  };
}

function trainItemRatings(task: RankingTask, user: number): UserItemRatings {
  const { train } = task.split;
  const { offsets, rows } = task.trainRows;
  const count = offsets[user + 1] - offsets[user];
  const items = new Int32Array(count);
  const values = new Float32Array(count);
  const timestamps = train.timestamp ? new Float64Array(count) : undefined;
  for (let p = 0; p < count; p++) {
    const n = rows[offsets[user] + p];
    items[p] = train.item[n];
    values[p] = train.value[n];
    if (timestamps) timestamps[p] = (train.timestamp as Float64Array)[n];
  }
  return { items, values, timestamps };
}

export const PROGRESSIVE_STEPS: readonly (number | 'all')[] = [0, 1, 3, 5, 10, 20, 'all'];
export const PROGRESSIVE_MIN_TRAIN = 30;

export interface ProgressiveStep extends RankingSummary {
  n: number | 'all';
}

/**
 * Progressive personalisation: for users with at least PROGRESSIVE_MIN_TRAIN train ratings
 * (and a relevant held-out movie), fold in only their first n train ratings by time and score
 * the served top 10 as Protocol T does (every train movie still left out, so only what the
 * model knows changes). n = 0 is the served popularity list.
 */
export function progressive(
  task: RankingTask,
  recommender: Recommender,
  movieIds: Int32Array,
  progress: ProgressSink = silentProgress,
): ProgressiveStep[] {
  const { train } = task.split;
  const { offsets, rows } = task.trainRows;
  const users = [...task.users].filter((u) => offsets[u + 1] - offsets[u] >= PROGRESSIVE_MIN_TRAIN);
  return PROGRESSIVE_STEPS.map((n) => {
    const accumulator = new RankingAccumulator(task.percentiles);
    for (const user of users) {
      const mine = Array.from(rows.subarray(offsets[user], offsets[user + 1]));
      // First by time; ties in file order.
      mine.sort((a, b) => (train.timestamp ? train.timestamp[a] - train.timestamp[b] : 0) || a - b);
      const first = n === 'all' ? mine : mine.slice(0, n);
      const ratings: UserRating[] = first.map((row) => ({
        movieId: movieIds[train.item[row]],
        rating: train.value[row],
        ratedAt: train.timestamp?.[row],
      }));
      const folded = recommender.foldIn(ratings);
      const { items } = recommender.recommend(
        { ...folded, rated: trainItems(task, user) },
        { count: 10, explain: false },
      );
      const list = Int32Array.from(items, (item) => recommender.rowOfMovie(item.movieId) as number);
      accumulator.add(list, task.relevant.get(user) as ReadonlySet<number>);
    }
    progress(`protocol F: n = ${n} done (${users.length} users)`);
    return { n, ...accumulator.summary() };
  });
}

export interface CostResult {
  movies: number;
  k: number;
  requests: number;
  /** Ratings per request: the dataset's train ratings per user, cycled. */
  meanRatings: number;
  /** Fold-in + top 20 (the protocol's definition). */
  p50Ms: number;
  p99Ms: number;
  foldInP50Ms: number;
  topNP50Ms: number;
  /**
   * CPU time of the same requests (this process's user + system time around each): on a
   * shared machine wall-clock latency also counts the time other processes held the core.
   */
  cpuP50Ms: number;
  cpuP99Ms: number;
  /** The same request as served: top 20 with "because you rated …" for each. */
  withBecause: { p50Ms: number; p99Ms: number };
}

/**
 * Protocol F cost: one fold-in plus the served top 20 over the whole catalogue, on this
 * thread; and the same request with "because you rated …" explained for each of the 20. The
 * model set has `movies` items with random factors of k = 64, random genres and random
 * successors (so the genre and sequence terms run): the cost depends on sizes, not on the
 * values. Each request folds in a user with as many ratings as one of `ratingCounts` (cycled),
 * of random movies at random times.
 */
export function foldInCost(
  movies: number,
  ratingCounts: readonly number[],
  options: { seed: number; requests: number; warmup: number; k?: number },
): CostResult {
  const k = options.k ?? 64;
  const random = mulberry32(options.seed);
  const recommender = new Recommender(randomModelSet(movies, k, random));
  const total: number[] = [];
  const foldIns: number[] = [];
  const topNs: number[] = [];
  const cpu: number[] = [];
  const explained: number[] = [];
  let ratingsSum = 0;
  // Every request's ratings are made before the first is timed: made in between, their garbage
  // set off about a quarter of the scavenges that landed inside timed requests.
  const requests = Array.from({ length: options.warmup + options.requests }, (_, r) =>
    randomRatings(Math.min(movies, ratingCounts[r % ratingCounts.length]), movies, random),
  );
  for (let r = 0; r < requests.length; r++) {
    const ratings = requests[r];
    const cpuStarted = process.cpuUsage();
    const started = performance.now();
    const folded = recommender.foldIn(ratings);
    const foldedAt = performance.now();
    recommender.recommend(folded, { count: 20, explain: false });
    const ended = performance.now();
    const cpuUsed = process.cpuUsage(cpuStarted);
    const again = recommender.foldIn(ratings);
    recommender.recommend(again, { count: 20 });
    const servedAt = performance.now();
    if (r < options.warmup) continue;
    ratingsSum += ratings.length;
    total.push(ended - started);
    foldIns.push(foldedAt - started);
    topNs.push(ended - foldedAt);
    cpu.push((cpuUsed.user + cpuUsed.system) / 1000);
    explained.push(servedAt - ended);
  }
  return {
    movies,
    k,
    requests: options.requests,
    meanRatings: ratingsSum / options.requests,
    p50Ms: percentile(total, 0.5),
    p99Ms: percentile(total, 0.99),
    foldInP50Ms: percentile(foldIns, 0.5),
    topNP50Ms: percentile(topNs, 0.5),
    cpuP50Ms: percentile(cpu, 0.5),
    cpuP99Ms: percentile(cpu, 0.99),
    withBecause: { p50Ms: percentile(explained, 0.5), p99Ms: percentile(explained, 0.99) },
  };
}

/** The value below which a share `p` of the samples fall (nearest rank). */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function randomModelSet(movies: number, k: number, random: () => number): ModelSet {
  const config: ModelConfig = {
    ...DEFAULT_MODEL_CONFIG,
    ranking: { ...DEFAULT_MODEL_CONFIG.ranking, factors: k },
  };
  const ke = config.explicit.factors;
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const fill = (length: number, scale: number) => {
    // A plain loop: Float64Array.from with a mapping function is slow at 60k × 64.
    const values = new Float64Array(length);
    for (let n = 0; n < length; n++) values[n] = scale * gaussian();
    return values;
  };
  const counts = Int32Array.from({ length: movies }, () => 1 + Math.floor(100 * random() ** 3));
  const set: ModelSet = {
    itemIds: Int32Array.from({ length: movies }, (_, i) => i + 1),
    config,
    explicit: {
      k: ke,
      globalMean: 3.5,
      config: config.explicit,
      itemFactors: fill(movies * ke, 0.1),
      itemBiases: fill(movies, 0.3),
      ...(config.explicit.implicitRegularization !== null && {
        implicitFactors: fill(movies * ke, 0.05),
      }),
    },
    ranking: {
      k,
      config: config.ranking,
      itemFactors: fill(movies * k, 0.1),
      itemWeights: Float64Array.from(counts, (c) => c / 50),
    },
    popularity: { counts, means: fill(movies, 0.5).map((m) => 3.5 + m), globalMean: 3.5 },
  };
  // MovieLens' 19 genres (its "(no genres listed)" aside), one to three per movie, so the
  // served request pays for the genre term as it does on real data.
  const names = Array.from({ length: 19 }, (_, g) => `genre ${g}`);
  const masks = new Uint32Array(movies);
  for (let row = 0; row < movies; row++) {
    const genres = 1 + Math.floor(3 * random());
    for (let n = 0; n < genres; n++) masks[row] |= 1 << Math.floor(19 * random());
  }
  // Each movie's successors as many as the config keeps, so the sequence term runs as served.
  const keep = config.genres.sequenceKeep;
  const successors = {
    offsets: Int32Array.from({ length: movies + 1 }, (_, row) => row * keep),
    items: Int32Array.from({ length: movies * keep }, () => Math.floor(random() * movies)),
    weights: Float64Array.from({ length: movies * keep }, (_, n) => 1 / (2 + (n % keep))),
  };
  return { ...set, genres: { names, masks }, successors };
}

function randomRatings(count: number, movies: number, random: () => number): UserRating[] {
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(1 + Math.floor(random() * movies));
  let t = 1_500_000_000;
  return [...chosen].map((movieId) => {
    t += Math.floor(random() * 600);
    return { movieId, rating: 0.5 + Math.floor(random() * 10) / 2, ratedAt: t };
  });
}
