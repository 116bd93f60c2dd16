import {
  type Executor,
  type ExplicitConfig,
  type ExplicitModel,
  type IterationReport,
  mulberry32,
  type RankingConfig,
  type RankingModel,
  type Ratings,
  trainExplicit,
  trainRanking,
} from '@reel/functions/model';
import type { Scorer } from './protocol-t.js';

/** A trained model with how long its fit took and its loss per iteration. */
export interface Fitted<M> {
  readonly model: M;
  readonly fitSeconds: number;
  readonly iterations: IterationReport[];
}

export interface FitOptions {
  readonly seed: number;
  readonly executor: Executor;
  /** Also record the loss per iteration (a second, untimed fit: the loss costs a pass). */
  readonly withLoss?: boolean;
}

export async function fitExplicit(
  train: Ratings,
  config: ExplicitConfig,
  options: FitOptions,
): Promise<Fitted<ExplicitModel>> {
  const started = performance.now();
  const model = await trainExplicit(train, config, {
    random: mulberry32(options.seed),
    executor: options.executor,
  });
  const fitSeconds = (performance.now() - started) / 1000;
  const iterations: IterationReport[] = [];
  if (options.withLoss) {
    await trainExplicit(train, config, {
      random: mulberry32(options.seed),
      executor: options.executor,
      onIteration: (report) => iterations.push(report),
    });
  }
  return { model, fitSeconds, iterations };
}

export async function fitRanking(
  train: Ratings,
  config: RankingConfig,
  options: FitOptions,
): Promise<Fitted<RankingModel>> {
  const started = performance.now();
  const model = await trainRanking(train, config, {
    random: mulberry32(options.seed),
    executor: options.executor,
  });
  const fitSeconds = (performance.now() - started) / 1000;
  const iterations: IterationReport[] = [];
  if (options.withLoss) {
    await trainRanking(train, config, {
      random: mulberry32(options.seed),
      executor: options.executor,
      onIteration: (report) => iterations.push(report),
    });
  }
  return { model, fitSeconds, iterations };
}

/** x_u·y_i for every item: the ranking model's score. */
export function rankingScorer(model: RankingModel): Scorer {
  return factorScorer(model.k, model.userFactors, model.itemFactors);
}

/**
 * The rating model used for ranking: predicted stars without the user's constant terms
 * (μ + b_u orders nothing), i.e. b_i + p_u·q_i.
 */
export function ratingModelScorer(model: ExplicitModel): Scorer {
  const dot = factorScorer(model.k, model.userFactors, model.itemFactors);
  return (user, scores) => {
    dot(user, scores);
    for (let i = 0; i < scores.length; i++) scores[i] += model.itemBiases[i];
  };
}

function factorScorer(k: number, users: Float64Array, items: Float64Array): Scorer {
  return (user, scores) => {
    const base = user * k;
    for (let i = 0; i < scores.length; i++) {
      let dot = 0;
      const row = i * k;
      for (let f = 0; f < k; f++) dot += users[base + f] * items[row + f];
      scores[i] = dot;
    }
  };
}
