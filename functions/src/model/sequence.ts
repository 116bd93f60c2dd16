import type { GenreConfig } from './config.js';
import { Selection } from './serve/top-n.js';
import { countingSort } from './train/rating-layout.js';
import type { Ratings } from './types.js';

/**
 * What people rate next: for each movie, the movies its raters went on to rate within their
 * next `sequenceWindow` ratings, the `sequenceKeep` most frequent kept. It is the served list's
 * sequence term (Recommender): what someone rates next looks like what others rated after the
 * movies they rated last, which a factor model, blind to order, cannot say.
 */
export interface ItemSuccessors {
  /** Row r's successors are at positions offsets[r] ≤ n < offsets[r + 1], best first. */
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  /** c(r → j) / (c(r) + SUCCESSOR_PRIOR), c(r) counting every successor of r, kept or not. */
  readonly weights: Float64Array;
}

/**
 * Pseudo-count in each weight's denominator: a movie rated by a handful of people says less
 * about what comes next than one rated by hundreds. Set by hand, as initScale is.
 */
export const SUCCESSOR_PRIOR = 5;

/** Each step further back in a person's ratings keeps this share of its successors' weight. */
export const SEQUENCE_DECAY = 0.8;

/** The sequence term's part of a config. */
export type SequenceConfig = Pick<
  GenreConfig,
  'sequenceWeight' | 'sequenceRampRatings' | 'sequenceRecent' | 'sequenceWindow' | 'sequenceKeep'
>;

/** Whether the served list uses the sequence term (and so the model needs successors). */
export const sequenceTermOn = (config: SequenceConfig) => config.sequenceWeight > 0;

/**
 * The sequence term's weight after `n` ratings: u₀·n/(s₀ + n). A newcomer's few ratings say
 * what they like more than what they will rate next; a long history says both.
 */
export const sequenceWeight = (config: SequenceConfig, n: number) =>
  (config.sequenceWeight * n) / (config.sequenceRampRatings + n);

/**
 * Counts, over every person's ratings in time order (ties by movie id, as the product orders
 * them), each movie followed by another within `sequenceWindow` ratings, and keeps each
 * movie's `sequenceKeep` most frequent successors (ties to the lower row). Undefined when the
 * ratings have no timestamps: without an order there is no "next".
 */
export function itemSuccessors(
  ratings: Ratings,
  itemIds: Int32Array,
  config: SequenceConfig,
): ItemSuccessors | undefined {
  const { user, item, timestamp, userCount, itemCount } = ratings;
  if (!timestamp) return undefined;
  const window = config.sequenceWindow;
  const n = user.length;
  // Positions grouped by user, then each group put in time order.
  const identity = new Int32Array(n);
  for (let r = 0; r < n; r++) identity[r] = r;
  const { offsets: starts, source: order } = countingSort(identity, user, userCount, false);
  const sequence = new Int32Array(n);
  for (let u = 0; u < userCount; u++) {
    const block = order.subarray(starts[u], starts[u + 1]);
    block.sort((a, b) => timestamp[a] - timestamp[b] || itemIds[item[a]] - itemIds[item[b]]);
    for (let p = 0; p < block.length; p++) sequence[starts[u] + p] = item[block[p]];
  }
  // Every (movie, later movie) pair, grouped by the earlier movie.
  const pairStarts = new Int32Array(itemCount + 1);
  forEachPair(starts, userCount, window, (p) => {
    pairStarts[sequence[p] + 1]++;
  });
  for (let r = 0; r < itemCount; r++) pairStarts[r + 1] += pairStarts[r];
  const next = new Int32Array(pairStarts[itemCount]);
  const fill = pairStarts.slice(0, itemCount);
  forEachPair(starts, userCount, window, (p, q) => {
    next[fill[sequence[p]]++] = sequence[q];
  });
  // Per movie: count each successor, keep the most frequent.
  const offsets = new Int32Array(itemCount + 1);
  const keptItems = new Int32Array(Math.min(next.length, itemCount * config.sequenceKeep));
  const keptWeights = new Float64Array(keptItems.length);
  let kept = 0;
  for (let r = 0; r < itemCount; r++) {
    const followers = next.subarray(pairStarts[r], pairStarts[r + 1]);
    followers.sort();
    const best = new Selection(config.sequenceKeep);
    for (let a = 0; a < followers.length; ) {
      let b = a + 1;
      while (b < followers.length && followers[b] === followers[a]) b++;
      best.offer(followers[a], b - a);
      a = b;
    }
    const { items, scores } = best.sorted();
    const denominator = followers.length + SUCCESSOR_PRIOR;
    for (let s = 0; s < items.length; s++) {
      keptItems[kept] = items[s];
      // Rounded as model files store it, so a trained set serves as its files do.
      keptWeights[kept] = Math.fround(scores[s] / denominator);
      kept++;
    }
    offsets[r + 1] = kept;
  }
  return {
    offsets,
    items: keptItems.slice(0, kept),
    weights: keptWeights.slice(0, kept),
  };
}

/** Calls `visit(p, q)` for every position p and each of the next `window` positions q of its user. */
function forEachPair(
  starts: Int32Array,
  userCount: number,
  window: number,
  visit: (p: number, q: number) => void,
): void {
  for (let u = 0; u < userCount; u++) {
    const end = starts[u + 1];
    for (let p = starts[u]; p < end; p++) {
      const last = Math.min(end - 1, p + window);
      for (let q = p + 1; q <= last; q++) visit(p, q);
    }
  }
}

/**
 * The sequence term of one person: t(j) = Σ_l SEQUENCE_DECAY^l·w(recent_l → j) over their
 * latest ratings, l = 0 the newest. `setRecent` accumulates the successors of their latest
 * movies into a catalogue-sized scratch once; `score` then reads one entry.
 */
export class SequenceTerm {
  private readonly scores: Float64Array;
  private readonly touched: number[] = [];

  constructor(private readonly successors: ItemSuccessors) {
    this.scores = new Float64Array(successors.offsets.length - 1);
  }

  /** Sets the person's latest rated rows, oldest first; false when none has a successor. */
  setRecent(recent: ArrayLike<number>): boolean {
    const { scores, touched } = this;
    const { offsets, items, weights } = this.successors;
    for (const row of touched) scores[row] = 0;
    touched.length = 0;
    let decay = 1;
    for (let l = recent.length - 1; l >= 0; l--) {
      const row = recent[l];
      for (let s = offsets[row]; s < offsets[row + 1]; s++) {
        const to = items[s];
        if (scores[to] === 0) touched.push(to);
        scores[to] += decay * weights[s];
      }
      decay *= SEQUENCE_DECAY;
    }
    return touched.length > 0;
  }

  /** t(row) for the person last set. */
  score(row: number): number {
    return this.scores[row];
  }
}
