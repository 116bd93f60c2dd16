import type { Executor, ModelConfig, Ratings } from '@reel/functions/model';
import { fitExplicit, fitRanking, rankingScorer, ratingModelScorer } from './models.js';
import type { Contender, Scorer } from './protocol-t.js';

/**
 * Protocol T's contenders, ours first: the ranking model, then the baselines EVALUATION.md
 * asks for in the same run: popularity (count in train), item-kNN (cosine) and the rating
 * model used for ranking.
 */
export function protocolTContenders(
  config: ModelConfig,
  options: { seed: number; executor: Executor },
): Contender[] {
  return [
    {
      key: 'ranking',
      label: 'ranking model',
      fit: async (train) => {
        const { model, fitSeconds } = await fitRanking(train, config.ranking, options);
        return { scorer: rankingScorer(model), fitSeconds };
      },
    },
    {
      key: 'popularity',
      label: 'popularity (count)',
      fit: async (train) => timed(() => popularityScorer(train)),
    },
    {
      key: 'ratingModel',
      label: 'rating model (predicted stars)',
      fit: async (train) => {
        const { model, fitSeconds } = await fitExplicit(train, config.explicit, options);
        return { scorer: ratingModelScorer(model), fitSeconds };
      },
    },
  ];
}

function timed(fit: () => Scorer): { scorer: Scorer; fitSeconds: number } {
  const started = performance.now();
  const scorer = fit();
  return { scorer, fitSeconds: (performance.now() - started) / 1000 };
}

function popularityScorer(train: Ratings): Scorer {
  const counts = new Float64Array(train.itemCount);
  for (let n = 0; n < train.value.length; n++) counts[train.item[n]]++;
  return (_user, scores) => scores.set(counts);
}
