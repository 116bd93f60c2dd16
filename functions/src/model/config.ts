/**
 * Every hyper-parameter of the model set, in one typed object. {@link DEFAULT_MODEL_CONFIG}
 * holds the values the harness's tuning run chose on a validation split carved from the
 * training data (never the test split).
 */

/** Biased matrix factorisation by ALS, for predicted stars: r̂ = μ + b_u + b_i + p_u·q_i. */
export interface ExplicitConfig {
  /** Latent dimension k. */
  readonly factors: number;
  /** ALS iterations (each solves every item, then every user). */
  readonly iterations: number;
  /** λ on the factors, scaled by n^ν for a row with n ratings. */
  readonly regularization: number;
  /** λ_b on the biases, scaled by n^ν_b. */
  readonly biasRegularization: number;
  /** ν: 0 = plain λ, 1 = ALS-WR's weighted-λ (λ·n). */
  readonly frequencyExponent: number;
  /** ν_b, the same for the biases. */
  readonly biasFrequencyExponent: number;
  /**
   * Seconds of pause that end a rating session; each session of a user gets its own bias
   * (people rate a whole session more generously or more harshly). Infinity turns session
   * biases off (one session per user would only duplicate b_u); so do ratings without
   * timestamps.
   */
  readonly sessionGap: number;
  /** λ_s on each session bias. */
  readonly sessionRegularization: number;
  /** Initial factors are uniform in ±initScale. */
  readonly initScale: number;
}

/**
 * The ranking model: weighted implicit ALS whose evidence comes from ratings. A rating r at or
 * above `positiveThreshold` is a positive cell with evidence weight α·(1 + β·(r − threshold));
 * one below it is a negative cell (target 0) with weight α·negativeWeight. Each weight is then
 * multiplied by the rating's recency within its user's history, 2^(−age / recencyHalfLife)
 * floored at `recencyFloor`, where age = how many of the user's ratings are newer.
 */
export interface RankingConfig {
  readonly factors: number;
  readonly iterations: number;
  readonly regularization: number;
  /** ν in λ·(n + α₀·m)^ν (Rendle et al. 2021); 0 = plain λ. */
  readonly frequencyExponent: number;
  /** α₀: confidence of every unobserved cell (times π_i). */
  readonly unobservedWeight: number;
  /** ω in π_i ∝ n_i^ω, the popularity weighting of unobserved cells; 0 = uniform. */
  readonly unobservedExponent: number;
  /** α: evidence weight of an observed rating. */
  readonly alpha: number;
  readonly positiveThreshold: number;
  /** β: extra weight per star above the threshold. */
  readonly ratingSlope: number;
  /** Weight of a rating below the threshold relative to α (its target is 0). */
  readonly negativeWeight: number;
  /** In ratings; Infinity turns recency weighting off. */
  readonly recencyHalfLife: number;
  readonly recencyFloor: number;
  readonly cgSteps: number;
  readonly initScale: number;
}

/** The cold-start list: Bayesian average (m·C + Σr) / (m + n), C = the global mean. */
export interface PopularityConfig {
  /** m: how many ratings at the global mean a movie's own ratings are blended with. */
  readonly priorCount: number;
}

export interface ModelConfig {
  readonly explicit: ExplicitConfig;
  readonly ranking: RankingConfig;
  readonly popularity: PopularityConfig;
}

/** The defaults (see the file comment for where they come from). */
export const DEFAULT_MODEL_CONFIG: ModelConfig = {
  explicit: {
    factors: 16,
    iterations: 25,
    regularization: 1.4,
    biasRegularization: 5,
    frequencyExponent: 0.5,
    biasFrequencyExponent: 0,
    sessionGap: 600,
    sessionRegularization: 5,
    initScale: 0.1,
  },
  ranking: {
    factors: 64,
    iterations: 12,
    regularization: 1,
    frequencyExponent: 0,
    unobservedWeight: 1,
    unobservedExponent: 0,
    alpha: 10,
    positiveThreshold: 0.5,
    ratingSlope: 0,
    negativeWeight: 1,
    recencyHalfLife: Number.POSITIVE_INFINITY,
    recencyFloor: 0,
    cgSteps: 0,
    initScale: 0.01,
  },
  popularity: { priorCount: 10 },
};
