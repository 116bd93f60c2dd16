/**
 * Ratings in coordinate form over dense indices: rating `n` is `value[n]` given by user
 * `user[n]` (0 ≤ user < userCount) to item `item[n]` (0 ≤ item < itemCount). Loaders map
 * external ids (MovieLens user and movie ids) to these indices.
 */
export interface Ratings {
  readonly userCount: number;
  readonly itemCount: number;
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly value: Float32Array;
}

/** Uniform randomness in [0, 1), injected so training is deterministic for a seed. */
export type Random = () => number;
