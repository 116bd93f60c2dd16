/**
 * Ratings in coordinate form over dense indices: rating `n` is `value[n]` given by user
 * `user[n]` (0 ≤ user < userCount) to item `item[n]` (0 ≤ item < itemCount). Loaders map
 * external ids (MovieLens user and movie ids) to these indices.
 *
 * `timestamp[n]`, when present, is when rating `n` was given (seconds since the Unix epoch).
 * The ranking model weights each user's recent ratings more than their old ones, because what
 * a person rates next resembles what they rated last; without timestamps every rating counts
 * as equally recent. A (user, item) pair must appear at most once: pass the current rating per
 * pair, withdrawn ones removed.
 */
export interface Ratings {
  readonly userCount: number;
  readonly itemCount: number;
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly value: Float32Array;
  readonly timestamp?: Float64Array;
}

/** Uniform randomness in [0, 1), injected so training is deterministic for a seed. */
export type Random = () => number;
