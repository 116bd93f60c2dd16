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
