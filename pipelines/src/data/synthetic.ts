import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { MAX_RATING, MIN_RATING } from '@reel/functions/contracts/limits';
import { mulberry32, type Random } from '@reel/functions/model';

import { CSV_HEADER, type LoadedRatings } from './ratings-parser.js';

/** The synthetic dataset sizes of EVALUATION.md (MovieLens 1M and 25M, in counts only). */
export interface SyntheticSize {
  readonly users: number;
  readonly movies: number;
  readonly ratings: number;
}

export const SYNTHETIC_SIZES = {
  ml1m: { users: 6040, movies: 3706, ratings: 1_000_209 },
  ml25m: { users: 162_541, movies: 59_047, ratings: 25_000_095 },
} as const satisfies Record<string, SyntheticSize>;

export type SyntheticName = keyof typeof SYNTHETIC_SIZES;

/**
 * The shape of the generated tastes. The defaults give MovieLens-like marginals: a Zipf-like
 * movie popularity, log-normal user activity with at least 20 ratings per user (as MovieLens
 * requires), mean ≈ 3.5 stars.
 */
export interface SyntheticOptions {
  readonly seed: number;
  /** Rank of the tastes (latent dimension of the ground truth). */
  readonly rank?: number;
  /** Taste clusters ("genres"): a user mostly picks movies from the few clusters they like. */
  readonly clusters?: number;
  /** Zipf exponent and offset of movie popularity: weight of rank r is (r + offset)^-exponent. */
  readonly popularityExponent?: number;
  readonly popularityOffset?: number;
  /** σ of log user activity. */
  readonly activitySpread?: number;
  /** σ of the per-rating noise, in stars. */
  readonly noise?: number;
}

/** One user's ratings, sorted by movie; the arrays are reused between calls (copy to keep). */
export interface SyntheticUserBatch {
  readonly user: number;
  readonly count: number;
  readonly items: Int32Array;
  readonly values: Float32Array;
  readonly timestamps: Float64Array;
}

const MIN_PER_USER = 20;
// MovieLens-25M's time range: 1995-01-09 to 2019-11-21.
const FIRST_SECOND = 789_652_009;
const LAST_SECOND = 1_574_327_703;
const GLOBAL_MEAN = 3.55;
// Share of picks made by popularity alone rather than through the user's taste clusters.
const POPULAR_PICKS = 0.4;

/**
 * Generates ratings user by user, yielding one batch per user in order, so any size streams in
 * memory proportional to users + movies. Deterministic for a seed. Exact counts: every user and
 * every movie gets at least one rating, the total is exactly `size.ratings`, and no (user, movie)
 * pair repeats. Ratings are μ + b_u + b_i + p_u·q_i + noise rounded to half stars in [0.5, 5].
 */
export function* syntheticUsers(
  size: SyntheticSize,
  options: SyntheticOptions,
): Generator<SyntheticUserBatch> {
  const { users, movies, ratings } = size;
  const minPerUser = Math.min(MIN_PER_USER, Math.floor(ratings / users));
  if (users < 1 || movies < 1 || ratings < users || ratings < movies) {
    throw new RangeError(
      `synthetic size ${JSON.stringify(size)}: need at least one rating per user and per movie`,
    );
  }
  const maxPerUser = Math.max(minPerUser, Math.floor(0.4 * movies));
  if (users * maxPerUser < ratings) {
    throw new RangeError(
      `synthetic size ${JSON.stringify(size)}: ${ratings} ratings do not fit ${users} users who ` +
        `rate at most ${maxPerUser} of ${movies} movies each`,
    );
  }
  const rank = options.rank ?? 8;
  const clusterCount = Math.min(options.clusters ?? 20, movies);
  const noise = options.noise ?? 0.8;
  const streams = {
    setup: mulberry32(options.seed),
    picks: mulberry32(options.seed ^ 0x5bd1e995),
    values: mulberry32(options.seed ^ 0x1b873593),
    times: mulberry32(options.seed ^ 0x68e31da4),
  };
  const gauss = gaussian(streams.setup);

  const perUser = userActivity(
    users,
    ratings,
    minPerUser,
    maxPerUser,
    options.activitySpread ?? 1.2,
    gauss,
  );
  const popularity = moviePopularity(
    movies,
    options.popularityExponent ?? 1.2,
    options.popularityOffset ?? 30,
    streams.setup,
  );
  const tastes = latentTastes(users, movies, rank, clusterCount, popularity, gauss, streams.setup);
  const firstRaters = assignFirstRatings(perUser, movies, streams.setup);

  const maxCount = perUser.reduce((a, b) => Math.max(a, b), 0);
  const items = new Int32Array(maxCount);
  const values = new Float32Array(maxCount);
  const timestamps = new Float64Array(maxCount);
  const chosenBy = new Int32Array(movies).fill(-1);
  const clusterChoice = new Float64Array(clusterCount);
  const valueNoise = gaussian(streams.values);
  const timeNoise = gaussian(streams.times);

  const { userFactors, movieFactors, userBias, movieBias } = tastes;
  for (let u = 0; u < users; u++) {
    const count = perUser[u];
    let filled = 0;
    for (let p = firstRaters.offsets[u]; p < firstRaters.offsets[u + 1]; p++) {
      const i = firstRaters.movies[p];
      chosenBy[i] = u;
      items[filled++] = i;
    }
    let cumulative = 0;
    for (let g = 0; g < clusterCount; g++) {
      cumulative += tastes.clusterPreference[u * clusterCount + g];
      clusterChoice[g] = cumulative;
    }
    while (filled < count) {
      const i = pickMovie(u, streams.picks, popularity, tastes, clusterChoice, chosenBy);
      chosenBy[i] = u;
      items[filled++] = i;
    }
    const mine = items.subarray(0, count).sort();

    // Tastes decide the stars; a log-normal session length decides the dates.
    const start = FIRST_SECOND + streams.times() * (LAST_SECOND - FIRST_SECOND);
    const span = Math.min(LAST_SECOND - start, 86_400 * Math.exp(Math.log(30) + 2 * timeNoise()));
    for (let n = 0; n < count; n++) {
      const i = mine[n];
      let dot = 0;
      for (let f = 0; f < rank; f++) {
        dot += userFactors[u * rank + f] * movieFactors[i * rank + f];
      }
      const raw = GLOBAL_MEAN + userBias[u] + movieBias[i] + dot + noise * valueNoise();
      values[n] = Math.min(MAX_RATING, Math.max(MIN_RATING, Math.round(raw * 2) / 2));
      timestamps[n] = Math.floor(start + span * streams.times());
    }
    yield { user: u, count, items: mine, values, timestamps };
  }
}

/** The whole synthetic set in typed arrays (what the trainer takes), ids `index + 1`. */
export function generateSyntheticRatings(
  size: SyntheticSize,
  options: SyntheticOptions,
  onUser?: (user: number) => void,
): LoadedRatings {
  const user = new Int32Array(size.ratings);
  const item = new Int32Array(size.ratings);
  const value = new Float32Array(size.ratings);
  const timestamp = new Float64Array(size.ratings);
  let offset = 0;
  for (const batch of syntheticUsers(size, options)) {
    user.fill(batch.user, offset, offset + batch.count);
    item.set(batch.items.subarray(0, batch.count), offset);
    value.set(batch.values.subarray(0, batch.count), offset);
    timestamp.set(batch.timestamps.subarray(0, batch.count), offset);
    offset += batch.count;
    onUser?.(batch.user);
  }
  const ids = (count: number) => Int32Array.from({ length: count }, (_, n) => n + 1);
  return {
    ratings: { userCount: size.users, itemCount: size.movies, user, item, value, timestamp },
    userIds: ids(size.users),
    movieIds: ids(size.movies),
    format: 'ratings.csv',
    lines: size.ratings + 1,
    malformed: { count: 0, first: [] },
  };
}

function gaussian(random: Random): () => number {
  // Box–Muller; 1 - random() keeps the logarithm finite.
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * Ratings per user: `min` each plus the rest shared in proportion to log-normal weights, capped
 * at `max` (a capped user's excess is shared among the others), whole ratings by largest
 * remainder with ties to the lower index, so the total is exact.
 */
function userActivity(
  users: number,
  ratings: number,
  min: number,
  max: number,
  spread: number,
  gauss: () => number,
): Int32Array {
  const weights = Float64Array.from({ length: users }, () => Math.exp(spread * gauss()));
  const counts = new Int32Array(users).fill(min);
  const capped = new Uint8Array(users);
  let left = ratings - min * users;
  let total = weights.reduce((a, b) => a + b, 0);
  // Cap first: whoever's share would pass `max` gets `max`; repeat, as the rest's shares grow.
  for (let changed = true; changed; ) {
    changed = false;
    for (let u = 0; u < users; u++) {
      if (capped[u] || (left * weights[u]) / total < max - min) continue;
      capped[u] = 1;
      counts[u] = max;
      left -= max - min;
      total -= weights[u];
      changed = true;
    }
  }
  const remainders = new Float64Array(users).fill(-1);
  let given = 0;
  for (let u = 0; u < users; u++) {
    if (capped[u]) continue;
    const share = (left * weights[u]) / total;
    counts[u] += Math.floor(share);
    given += Math.floor(share);
    remainders[u] = share - Math.floor(share);
  }
  const byRemainder = Int32Array.from({ length: users }, (_, u) => u).sort(
    (a, b) => remainders[b] - remainders[a] || a - b,
  );
  for (let n = 0; n < left - given; n++) counts[byRemainder[n]]++;
  return counts;
}

interface Popularity {
  weight: Float64Array;
  /** Cumulative weights in movie order, for sampling by binary search. */
  cumulative: Float64Array;
}

/** Zipf-like weights over a seeded random order of the movies. */
function moviePopularity(
  movies: number,
  exponent: number,
  offset: number,
  random: Random,
): Popularity {
  const order = shuffled(movies, random);
  const weight = new Float64Array(movies);
  for (let r = 0; r < movies; r++) weight[order[r]] = (r + offset) ** -exponent;
  return {
    weight,
    cumulative: cumulativeOf(
      weight,
      Int32Array.from({ length: movies }, (_, n) => n),
    ),
  };
}

interface Tastes {
  userFactors: Float64Array;
  movieFactors: Float64Array;
  userBias: Float64Array;
  movieBias: Float64Array;
  /** users × clusters, each row sums to 1. */
  clusterPreference: Float64Array;
  clusterOf: Int32Array;
  clusterMovies: Int32Array[];
  clusterCumulative: Float64Array[];
}

/**
 * Ground-truth tastes: each movie belongs to a cluster and its factors lie near the cluster's
 * centre; a user's preference over clusters (a softmax of Gaussians) decides both which movies
 * they pick and, through their factors, how they rate them. Popular movies rate a little higher.
 */
function latentTastes(
  users: number,
  movies: number,
  rank: number,
  clusterCount: number,
  popularity: Popularity,
  gauss: () => number,
  random: Random,
): Tastes {
  // Scaled so p·q has a standard deviation near 0.6 stars.
  const scale = Math.sqrt(0.6 / Math.sqrt(rank));
  const centres = Float64Array.from({ length: clusterCount * rank }, () => gauss());
  // Centred, so liking clusters in general does not raise every rating.
  for (let f = 0; f < rank; f++) {
    let mean = 0;
    for (let g = 0; g < clusterCount; g++) mean += centres[g * rank + f] / clusterCount;
    for (let g = 0; g < clusterCount; g++) centres[g * rank + f] -= mean;
  }
  const clusterOf = Int32Array.from({ length: movies }, () => Math.floor(random() * clusterCount));
  const movieFactors = new Float64Array(movies * rank);
  for (let i = 0; i < movies; i++) {
    for (let f = 0; f < rank; f++) {
      movieFactors[i * rank + f] = scale * (0.6 * centres[clusterOf[i] * rank + f] + 0.8 * gauss());
    }
  }
  const clusterPreference = new Float64Array(users * clusterCount);
  const userFactors = new Float64Array(users * rank);
  for (let u = 0; u < users; u++) {
    const row = clusterPreference.subarray(u * clusterCount, (u + 1) * clusterCount);
    let total = 0;
    for (let g = 0; g < clusterCount; g++) {
      row[g] = Math.exp(1.5 * gauss());
      total += row[g];
    }
    for (let g = 0; g < clusterCount; g++) row[g] /= total;
    for (let f = 0; f < rank; f++) {
      let liked = 0;
      for (let g = 0; g < clusterCount; g++) liked += row[g] * centres[g * rank + f];
      userFactors[u * rank + f] = scale * (0.7 * liked + 0.8 * gauss());
    }
  }
  // Popular movies rate higher; centred on the average rating (weighted by popularity), so the
  // overall mean stays near GLOBAL_MEAN whatever the catalogue size.
  const logWeight = Float64Array.from(popularity.weight, Math.log);
  let totalWeight = 0;
  let ratedMean = 0;
  for (let i = 0; i < movies; i++) {
    totalWeight += popularity.weight[i];
    ratedMean += popularity.weight[i] * logWeight[i];
  }
  ratedMean /= totalWeight;
  let spread = 0;
  for (let i = 0; i < movies; i++)
    spread += (popularity.weight[i] * (logWeight[i] - ratedMean) ** 2) / totalWeight;
  const sd = Math.sqrt(spread) || 1;
  const movieBias = Float64Array.from(
    logWeight,
    (w) => 0.35 * gauss() + 0.15 * ((w - ratedMean) / sd),
  );
  const userBias = Float64Array.from({ length: users }, () => 0.4 * gauss());
  const clusterMovies: Int32Array[] = [];
  const clusterCumulative: Float64Array[] = [];
  for (let g = 0; g < clusterCount; g++) {
    const members: number[] = [];
    for (let i = 0; i < movies; i++) if (clusterOf[i] === g) members.push(i);
    clusterMovies.push(Int32Array.from(members));
    clusterCumulative.push(cumulativeOf(popularity.weight, clusterMovies[g]));
  }
  return {
    userFactors,
    movieFactors,
    userBias,
    movieBias,
    clusterPreference,
    clusterOf,
    clusterMovies,
    clusterCumulative,
  };
}

/**
 * One first rating for every movie, so every movie is rated: movie i goes to a user drawn in
 * proportion to activity, among users with room left. Returned as per-user lists (CSR).
 */
function assignFirstRatings(
  perUser: Int32Array,
  movies: number,
  random: Random,
): { offsets: Int32Array; movies: Int32Array } {
  const users = perUser.length;
  const cumulative = new Float64Array(users);
  let total = 0;
  for (let u = 0; u < users; u++) {
    total += perUser[u];
    cumulative[u] = total;
  }
  const taken = new Int32Array(users);
  const owner = new Int32Array(movies);
  for (let i = 0; i < movies; i++) {
    let u = search(cumulative, random() * total);
    // Linear probing keeps this exact when a light user is already full.
    while (taken[u] >= perUser[u]) u = (u + 1) % users;
    taken[u]++;
    owner[i] = u;
  }
  const offsets = new Int32Array(users + 1);
  for (let u = 0; u < users; u++) offsets[u + 1] = offsets[u] + taken[u];
  const next = offsets.slice(0, users);
  const byUser = new Int32Array(movies);
  for (let i = 0; i < movies; i++) byUser[next[owner[i]]++] = i;
  return { offsets, movies: byUser };
}

/**
 * A movie user `u` has not picked yet: by popularity, or through one of the user's clusters.
 * After many collisions (a heavy user who has seen most of a cluster) it falls back to
 * popularity, then to the next free movie after a random one, so it always ends.
 */
function pickMovie(
  u: number,
  random: Random,
  popularity: Popularity,
  tastes: Tastes,
  clusterChoice: Float64Array,
  chosenBy: Int32Array,
): number {
  for (let attempt = 0; attempt < 64; attempt++) {
    let i: number;
    if (attempt >= 16 || random() < POPULAR_PICKS) {
      i = search(
        popularity.cumulative,
        random() * popularity.cumulative[popularity.cumulative.length - 1],
      );
    } else {
      const g = search(clusterChoice, random() * clusterChoice[clusterChoice.length - 1]);
      const members = tastes.clusterMovies[g];
      if (members.length === 0) continue;
      const cumulative = tastes.clusterCumulative[g];
      i = members[search(cumulative, random() * cumulative[cumulative.length - 1])];
    }
    if (chosenBy[i] !== u) return i;
  }
  let i = Math.floor(random() * chosenBy.length);
  while (chosenBy[i] === u) i = (i + 1) % chosenBy.length;
  return i;
}

function cumulativeOf(weight: Float64Array, members: Int32Array): Float64Array {
  const out = new Float64Array(members.length);
  let total = 0;
  for (let n = 0; n < members.length; n++) {
    total += weight[members[n]];
    out[n] = total;
  }
  return out;
}

/** The first index whose cumulative value exceeds `target`. */
function search(cumulative: Float64Array, target: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function shuffled(length: number, random: Random): Int32Array {
  const order = Int32Array.from({ length }, (_, n) => n);
  for (let n = length - 1; n > 0; n--) {
    const m = Math.floor(random() * (n + 1));
    [order[n], order[m]] = [order[m], order[n]];
  }
  return order;
}

/**
 * Writes the synthetic set as an ml-25m style ratings.csv (header, user then movie order,
 * ids `index + 1`), streaming: one user's lines at a time, waiting when the disk is behind.
 * Writes to `path.partial` and renames, so a cached file is never half written.
 */
export async function writeSyntheticCsv(
  size: SyntheticSize,
  options: SyntheticOptions,
  path: string,
  onUser?: (user: number) => void,
): Promise<void> {
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  let buffer = `${CSV_HEADER}\n`;
  for (const batch of syntheticUsers(size, options)) {
    const userId = batch.user + 1;
    for (let n = 0; n < batch.count; n++) {
      buffer += `${userId},${batch.items[n] + 1},${batch.values[n].toFixed(1)},${batch.timestamps[n]}\n`;
    }
    if (buffer.length >= 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
    onUser?.(batch.user);
  }
  out.write(buffer);
  out.end();
  await done;
  await rename(partial, path);
}
