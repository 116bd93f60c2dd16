import { z } from 'zod';
import { DEFAULT_PRIOR_COUNT } from '../contracts/popularity-score.js';

/**
 * Every hyper-parameter of the model set, in one typed, JSON-safe object (it is stored in each
 * model's manifest). {@link DEFAULT_MODEL_CONFIG} is the output of `npm run tune` (one search
 * per part: `--model explicit`, `--model ranking`, `--model genres`) from the tuning grids'
 * start, scored on validation splits carved from the training data, never the test split; the
 * searches' logs are in docs/tuning/. Knobs outside the grids (initScale, the ranking model's
 * unobservedWeight, popularity.priorCount) are set by hand. The ranking model's k is bounded
 * by a cost budget written into its grid (Protocol F's fold-in cost is set at k = 64), which the
 * search's log prints.
 */

const positiveInteger = z.number().int('must be an integer').positive('must be positive');
const positive = z.number().positive('must be positive');
const nonNegative = z.number().nonnegative('must be at least 0');

/**
 * Biased matrix factorisation with implicit feedback and session biases, for predicted stars
 * (explicit-step.ts).
 */
export const explicitConfigSchema = z.strictObject({
  /** Latent dimension k. */
  factors: positiveInteger,
  /** ALS iterations (each solves every item, then every user). */
  iterations: positiveInteger,
  /** λ on the factors, scaled by n^ν for a row with n ratings. */
  regularization: positive,
  /** λ_b on the biases, scaled by n^ν_b. */
  biasRegularization: positive,
  /** ν: 0 = plain λ, 1 = ALS-WR's weighted-λ (λ·n). */
  frequencyExponent: nonNegative,
  /** ν_b, the same for the biases. */
  biasFrequencyExponent: nonNegative,
  /**
   * Seconds of pause that end a rating session; each session of a user gets its own bias
   * (people rate a whole session more generously or more harshly). null turns session
   * biases off; so do ratings without timestamps.
   */
  sessionGap: positive.nullable(),
  /** λ_s on each session bias. */
  sessionRegularization: positive,
  /**
   * λ_y on the implicit item factors y_j (SVD++'s implicit feedback: which movies a person
   * rated). The user step shrinks p_u toward n^-½·Σ_j y_j over the n movies they rated instead
   * of toward 0. null turns it off (and models stored before it existed have it off).
   */
  implicitRegularization: positive.nullable().default(null),
  /**
   * Conjugate-gradient steps of the y step per iteration, warm-started from the last y (models
   * stored before this knob existed were trained with 5).
   */
  implicitSteps: positiveInteger.default(5),
  /** Initial user factors are uniform in ±initScale. */
  initScale: positive,
});

/**
 * The ranking model: weighted implicit ALS whose evidence comes from ratings (evidence.ts,
 * implicit-step.ts). A rating r ≥ θ is a positive cell with weight α·(1 + β·(r − θ)), one
 * below θ a negative cell (target 0) with weight α·negativeWeight; each weight then keeps
 * 2^(−age/recencyHalfLife), at least recencyFloor, of itself, age being how many of the
 * user's ratings are newer.
 */
export const rankingConfigSchema = z.strictObject({
  factors: positiveInteger,
  iterations: positiveInteger,
  regularization: positive,
  /** ν in λ·(n + α₀·m)^ν (Rendle et al. 2021); 0 = plain λ. */
  frequencyExponent: nonNegative,
  /** α₀: confidence of every unobserved cell (times π_i). */
  unobservedWeight: positive,
  /** ω in π_i ∝ n_i^ω, the popularity weighting of unobserved cells; 0 = uniform. */
  unobservedExponent: nonNegative,
  /** α: evidence weight of an observed rating. */
  alpha: positive,
  /** θ, in stars. */
  positiveThreshold: positive,
  /** β: extra weight per star above θ. */
  ratingSlope: nonNegative,
  /** Weight of a rating below θ relative to α. */
  negativeWeight: nonNegative,
  /** In ratings; null turns recency weighting off (so do ratings without timestamps). */
  recencyHalfLife: positive.nullable(),
  recencyFloor: z.number().min(0, 'must be at least 0').max(1, 'must be at most 1'),
  /** Conjugate-gradient steps per row solve (warm-started); 0 = exact. The last user step is always exact. */
  cgSteps: z.number().int('must be an integer').nonnegative('must be at least 0'),
  /** Initial user factors are uniform in ±initScale. */
  initScale: positive,
});

/** The cold-start list: Bayesian average (m·C + Σr) / (m + n), C = the global mean. */
export const popularityConfigSchema = z.strictObject({
  /** m: how many ratings at the global mean a movie's own ratings are blended with. */
  priorCount: nonNegative,
});

/**
 * The re-rank of a person's list for the few-ratings case (Recommender.recommend): the ranking
 * model's best `candidates` are re-ordered by score / top score + w·(genre similarity to what
 * they liked) + v·(popularity: the Bayesian average scaled to [0, 1] over the catalogue), with
 * w = weight·fadeRatings / (fadeRatings + n) after n ratings and
 * v = popularityWeight·2^(−n / popularityFadeRatings) (genres.ts); plus u·t / (best candidate's
 * t), u = sequenceWeight·n / (sequenceRampRatings + n), t being the sequence term: how often
 * others rated each movie soon after the movies this person rated last (sequence.ts).
 */
export const genreConfigSchema = z.strictObject({
  /** w₀; 0 turns the genre term off. */
  weight: nonNegative,
  /** n₀: after this many ratings w is half of w₀. */
  fadeRatings: positive,
  /** How many of the ranking model's best movies the re-rank may re-order. */
  candidates: positiveInteger,
  /** v₀; 0 turns the popularity term off (and it is off in versions published before it). */
  popularityWeight: nonNegative.default(0),
  /** m₀: v halves with every m₀ ratings. */
  popularityFadeRatings: positive.default(1),
  /** u₀; 0 turns the sequence term off (and it is off in versions published before it). */
  sequenceWeight: nonNegative.default(0),
  /** s₀: u = u₀·n / (s₀ + n) after n ratings, so it grows with the history it follows. */
  sequenceRampRatings: positive.default(1),
  /** How many of the person's latest ratings the sequence term follows. */
  sequenceRecent: positiveInteger.default(1),
  /** Training: a movie rated within this many ratings after another is its successor. */
  sequenceWindow: positiveInteger.default(1),
  /** Training: how many successors each movie keeps (the most frequent). */
  sequenceKeep: positiveInteger.default(1),
});

/** Before the genre term existed, model versions were published without it: off for them. */
const GENRES_OFF = {
  weight: 0,
  fadeRatings: 1,
  candidates: 1,
  popularityWeight: 0,
  popularityFadeRatings: 1,
  sequenceWeight: 0,
  sequenceRampRatings: 1,
  sequenceRecent: 1,
  sequenceWindow: 1,
  sequenceKeep: 1,
};

export const modelConfigSchema = z.strictObject({
  explicit: explicitConfigSchema,
  ranking: rankingConfigSchema,
  popularity: popularityConfigSchema,
  genres: genreConfigSchema.default(GENRES_OFF),
});

export type ExplicitConfig = z.infer<typeof explicitConfigSchema>;
export type RankingConfig = z.infer<typeof rankingConfigSchema>;
export type PopularityConfig = z.infer<typeof popularityConfigSchema>;
export type GenreConfig = z.infer<typeof genreConfigSchema>;
export type ModelConfig = z.infer<typeof modelConfigSchema>;

/** The defaults (see the file comment for where they come from). */
export const DEFAULT_MODEL_CONFIG: ModelConfig = {
  explicit: {
    factors: 32,
    iterations: 10,
    regularization: 1.4,
    biasRegularization: 10,
    frequencyExponent: 0.5,
    biasFrequencyExponent: 0,
    sessionGap: null,
    sessionRegularization: 1,
    implicitRegularization: 100,
    implicitSteps: 2,
    initScale: 0.1,
  },
  ranking: {
    factors: 64,
    iterations: 10,
    regularization: 0.15,
    frequencyExponent: 0.5,
    unobservedWeight: 1,
    unobservedExponent: 0,
    alpha: 0.25,
    positiveThreshold: 4,
    ratingSlope: 1,
    negativeWeight: 0.45,
    recencyHalfLife: 4,
    recencyFloor: 0.2,
    cgSteps: 2,
    initScale: 0.01,
  },
  popularity: { priorCount: DEFAULT_PRIOR_COUNT },
  genres: {
    weight: 0.6,
    fadeRatings: 50,
    candidates: 50,
    popularityWeight: 0.8,
    popularityFadeRatings: 5,
    sequenceWeight: 0.4,
    sequenceRampRatings: 50,
    sequenceRecent: 10,
    sequenceWindow: 5,
    sequenceKeep: 50,
  },
};

/** Overrides of some fields of a {@link ModelConfig}. */
export interface ModelConfigOverrides {
  readonly explicit?: Partial<ExplicitConfig>;
  readonly ranking?: Partial<RankingConfig>;
  readonly popularity?: Partial<PopularityConfig>;
  readonly genres?: Partial<GenreConfig>;
}

/**
 * The defaults with `overrides` applied, validated: throws a RangeError naming every bad
 * field (e.g. "ranking.factors: must be positive (got 0)").
 */
export function resolveModelConfig(
  overrides: ModelConfigOverrides = {},
  base: ModelConfig = DEFAULT_MODEL_CONFIG,
): ModelConfig {
  const merged = {
    explicit: { ...base.explicit, ...overrides.explicit },
    ranking: { ...base.ranking, ...overrides.ranking },
    popularity: { ...base.popularity, ...overrides.popularity },
    genres: { ...base.genres, ...overrides.genres },
  };
  return parseModelConfig(merged, 'model config');
}

/** Validates a whole config (e.g. from a manifest); `what` names it in the error. */
export function parseModelConfig(input: unknown, what: string): ModelConfig {
  const result = modelConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new RangeError(`${what}: ${describeIssues(result.error, input)}`);
}

/** One line per issue: the dotted path, what is wrong and the value found. */
export function describeIssues(error: z.ZodError, input: unknown): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') {
        return `${path ? `${path}: ` : ''}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
      }
      const found = valueAt(input, issue.path);
      const got = found === undefined ? 'missing' : JSON.stringify(found);
      return `${path}: ${issue.message} (got ${got})`;
    })
    .join('; ');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    value = value !== null && typeof value === 'object' ? Reflect.get(value, key) : undefined;
  }
  return value;
}
