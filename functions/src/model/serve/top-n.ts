/**
 * Top-N selection over the whole catalogue: one pass that scores every item, skips excluded
 * and filtered ones, and keeps the best N in a min-heap of typed arrays (no allocation per
 * item). Ties go to the lower item index, so lists are deterministic.
 */

/** Per-item metadata for filters, as typed arrays indexed by item. */
export interface ItemMetadata {
  /** Bit g set when the movie has genre g (a caller-defined numbering of at most 32 genres). */
  readonly genres: Uint32Array;
  /** Release year; 0 when unknown (such movies fail any year filter). */
  readonly years: Uint16Array;
}

/** Optional restrictions on which movies may be recommended. */
export interface ItemFilter {
  readonly metadata: ItemMetadata;
  /** Keep movies with at least one of these genre bits. */
  readonly genres?: number;
  /** Keep movies released in [yearFrom, yearTo] (either end optional). */
  readonly yearFrom?: number;
  readonly yearTo?: number;
}

export interface TopNOptions {
  /** How many items to return at most. */
  readonly count: number;
  /** Item indices never to return (the user's rated movies), ascending, without repeats. */
  readonly exclude?: Int32Array;
  readonly filter?: ItemFilter;
}

/** The selected items, best first, and their scores. */
export interface TopN {
  readonly items: Int32Array;
  readonly scores: Float64Array;
}

/** Bounded min-heap of (score, item) whose root is the worst kept entry. */
export class Selection {
  readonly items: Int32Array;
  readonly scores: Float64Array;
  size = 0;

  constructor(readonly capacity: number) {
    this.items = new Int32Array(capacity);
    this.scores = new Float64Array(capacity);
  }

  /** Offers an item; items arrive in ascending index order, so an equal score never wins. */
  offer(item: number, score: number): void {
    if (this.size < this.capacity) {
      let at = this.size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!worse(score, item, this.scores[parent], this.items[parent])) break;
        this.items[at] = this.items[parent];
        this.scores[at] = this.scores[parent];
        at = parent;
      }
      this.items[at] = item;
      this.scores[at] = score;
      return;
    }
    if (this.capacity === 0 || !(score > this.scores[0])) return;
    this.replaceRoot(item, score);
  }

  private replaceRoot(item: number, score: number): void {
    const { items, scores, size } = this;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (right < size && worse(scores[right], items[right], scores[left], items[left])) {
        child = right;
      }
      if (!worse(scores[child], items[child], score, item)) break;
      items[at] = items[child];
      scores[at] = scores[child];
      at = child;
    }
    items[at] = item;
    scores[at] = score;
  }

  /** The kept entries, best first (score descending, then item ascending). */
  sorted(): TopN {
    const order = Array.from({ length: this.size }, (_, n) => n);
    order.sort((a, b) => this.scores[b] - this.scores[a] || this.items[a] - this.items[b]);
    return {
      items: Int32Array.from(order, (n) => this.items[n]),
      scores: Float64Array.from(order, (n) => this.scores[n]),
    };
  }
}

// (score a, item a) ranks below (score b, item b): lower score, or equal score and higher index.
function worse(scoreA: number, itemA: number, scoreB: number, itemB: number): boolean {
  return scoreA < scoreB || (scoreA === scoreB && itemA > itemB);
}

/** Validates `options` for a catalogue of `itemCount` items (RangeError naming the problem). */
export function checkOptions(options: TopNOptions, itemCount: number): void {
  const { count, exclude, filter } = options;
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`top-N: count must be a non-negative integer, got ${count}`);
  }
  if (exclude) {
    for (let n = 1; n < exclude.length; n++) {
      if (!(exclude[n] > exclude[n - 1])) {
        throw new RangeError('top-N: exclude must be ascending item indices without repeats');
      }
    }
  }
  if (filter) {
    const { genres, years } = filter.metadata;
    if (genres.length !== itemCount || years.length !== itemCount) {
      throw new RangeError(
        `top-N: filter metadata has ${genres.length} genres and ${years.length} years for ` +
          `${itemCount} items`,
      );
    }
  }
}

/**
 * The best `options.count` items by score `user·factors[i] (+ biases[i])`, over items × k
 * row-major `factors`.
 */
export function topNByFactors(
  factors: Float64Array,
  k: number,
  user: Float64Array,
  biases: Float64Array | undefined,
  options: TopNOptions,
): TopN {
  const itemCount = factors.length / k;
  checkOptions(options, itemCount);
  const selection = new Selection(Math.min(options.count, itemCount));
  const exclude = options.exclude ?? EMPTY;
  const { filter } = options;
  const genreMask = filter?.genres ?? 0;
  const yearFrom = filter?.yearFrom ?? 0;
  const yearTo = filter?.yearTo ?? 65535;
  const byYear =
    filter !== undefined && (filter.yearFrom !== undefined || filter.yearTo !== undefined);
  const genres = filter?.metadata.genres;
  const years = filter?.metadata.years;
  let nextExcluded = 0;
  const k4 = k - (k % 4);
  for (let item = 0; item < itemCount; item++) {
    if (nextExcluded < exclude.length && exclude[nextExcluded] === item) {
      nextExcluded++;
      continue;
    }
    if (genres !== undefined && genreMask !== 0 && (genres[item] & genreMask) === 0) continue;
    if (byYear && years !== undefined) {
      const year = years[item];
      if (year === 0 || year < yearFrom || year > yearTo) continue;
    }
    let score = rowDot(factors, item * k, user, k, k4);
    if (biases !== undefined) score += biases[item];
    selection.offer(item, score);
  }
  return selection.sorted();
}

/**
 * user·factors[base .. base + k), k4 = k rounded down to a multiple of 4. Four accumulators
 * keep four multiply-adds in flight; every exact catalogue score is this sum, so two paths that
 * use it rank alike bit for bit.
 */
export function rowDot(
  factors: Float64Array,
  base: number,
  user: Float64Array,
  k: number,
  k4: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d < k4; d += 4) {
    s0 += user[d] * factors[base + d];
    s1 += user[d + 1] * factors[base + d + 1];
    s2 += user[d + 2] * factors[base + d + 2];
    s3 += user[d + 3] * factors[base + d + 3];
  }
  for (; d < k; d++) s0 += user[d] * factors[base + d];
  return s0 + s1 + (s2 + s3);
}

/** The best `options.count` items of a precomputed score per item. */
export function topNByScores(scores: Float64Array, options: TopNOptions): TopN {
  const itemCount = scores.length;
  checkOptions(options, itemCount);
  const selection = new Selection(Math.min(options.count, itemCount));
  const exclude = options.exclude ?? EMPTY;
  const { filter } = options;
  let nextExcluded = 0;
  for (let item = 0; item < itemCount; item++) {
    if (nextExcluded < exclude.length && exclude[nextExcluded] === item) {
      nextExcluded++;
      continue;
    }
    if (filter && !passes(filter, item)) continue;
    selection.offer(item, scores[item]);
  }
  return selection.sorted();
}

/** Whether `item` passes `filter`. */
export function passes(filter: ItemFilter, item: number): boolean {
  const { genres, years } = filter.metadata;
  if (filter.genres !== undefined && filter.genres !== 0 && (genres[item] & filter.genres) === 0) {
    return false;
  }
  if (filter.yearFrom !== undefined || filter.yearTo !== undefined) {
    const year = years[item];
    if (year === 0) return false;
    if (filter.yearFrom !== undefined && year < filter.yearFrom) return false;
    if (filter.yearTo !== undefined && year > filter.yearTo) return false;
  }
  return true;
}

const EMPTY = new Int32Array(0);
