import {
  buildLayout,
  type Executor,
  type GenreConfig,
  type ItemGenres,
  itemPopularity,
  type ModelConfig,
  type ModelSet,
  popularityByCount,
  type Ratings,
  Recommender,
  scoreItemKnn,
  successorsFor,
  type TrainedModelSet,
  topNByFactors,
  trainItemKnn,
  type UserRating,
} from '@reel/functions/model';
import { RE_RANK_TERMS, type ReRankTerm } from '../report/term-on-off.js';
import { fitExplicit, fitRanking } from './models.js';
import { type Contender, type RankingTask, scoreRanker } from './protocol-t.js';

/** Keys of our served list with one re-rank term off (weight 0), beside ours in Protocol T. */
export const TERM_OFF_KEYS = { genre: 'genresOff', sequence: 'sequenceOff' } as const;

/** Neighbours per movie of the item-kNN baseline. */
export const ITEM_KNN_NEIGHBORS = 100;

export interface ContenderOptions {
  readonly seed: number;
  readonly executor: Executor;
  /** Movie id of each item index (the Recommender serves by movie id). */
  readonly movieIds: Int32Array;
  /** The items' genres, for the served list's genre term (off without them). */
  readonly genres?: ItemGenres;
}

/**
 * Protocol T's contenders, ours first. Ours is the list a person sees: the served path, each
 * user folded in from their train ratings and `Recommender.recommend` asked for the top 20.
 * Then the same list with the genre term off and with the sequence term off (TERM_OFF_KEYS),
 * and the baselines EVALUATION.md asks for in the same run: popularity (count in train),
 * item-kNN (cosine) and the rating model used for ranking (its predicted stars).
 */
export function protocolTContenders(config: ModelConfig, options: ContenderOptions): Contender[] {
  // Ours with and without each re-rank term share one fit.
  const fits = new Map<RankingTask, ReturnType<typeof fitModelSet>>();
  const fitted = (task: RankingTask) => {
    let fit = fits.get(task);
    if (!fit) {
      fit = fitModelSet(task.split.train, config, options);
      fits.set(task, fit);
    }
    return fit;
  };
  return [
    {
      key: 'ranking',
      label: 'ranking model (served)',
      fit: async (task) => {
        const { recommender, rankingSeconds } = await fitted(task);
        return {
          rank: servedRanker(task, recommender, options.movieIds),
          fitSeconds: rankingSeconds,
        };
      },
    },
    ...RE_RANK_TERMS.map((term) => ({
      key: TERM_OFF_KEYS[term],
      label: `ranking model (served, ${term} term off)`,
      fit: async (task: RankingTask) => {
        const { set, rankingSeconds } = await fitted(task);
        const off = new Recommender(withoutTerm(term, set));
        return { rank: servedRanker(task, off, options.movieIds), fitSeconds: rankingSeconds };
      },
    })),
    {
      key: 'popularity',
      label: 'popularity (count)',
      fit: async (task) => {
        const started = performance.now();
        const scores = popularityByCount(itemPopularity(task.split.train));
        const fitSeconds = (performance.now() - started) / 1000;
        return {
          rank: scoreRanker((_user, _exclude, out) => out.set(scores), scores.length),
          fitSeconds,
        };
      },
    },
    {
      key: 'itemKnn',
      label: `item-kNN (cosine, ${ITEM_KNN_NEIGHBORS} neighbours)`,
      fit: async (task) => {
        const started = performance.now();
        const knn = trainItemKnn(buildLayout(task.split.train), ITEM_KNN_NEIGHBORS);
        const fitSeconds = (performance.now() - started) / 1000;
        // The user's train items are exactly what they rated: the kNN's evidence.
        const rank = scoreRanker(
          (_user, rated, out) => scoreItemKnn(knn, rated, out),
          task.split.train.itemCount,
        );
        return { rank, fitSeconds };
      },
    },
    {
      key: 'ratingModel',
      label: 'rating model (predicted stars)',
      fit: async (task) => {
        const { model, fitSeconds } = await fitExplicit(task.split.train, config.explicit, options);
        const { k, itemFactors, itemBiases, userFactors } = model;
        return {
          rank: (user, exclude, count) =>
            topNByFactors(
              itemFactors,
              k,
              userFactors.subarray(user * k, (user + 1) * k),
              itemBiases,
              {
                count,
                exclude,
              },
            ).items,
          fitSeconds,
        };
      },
    },
  ];
}

/** Both models trained on `train` (timed apart), and the Recommender serving them. */
export async function fitModelSet(
  train: Ratings,
  config: ModelConfig,
  options: ContenderOptions,
): Promise<{
  set: TrainedModelSet;
  recommender: Recommender;
  rankingSeconds: number;
  explicitSeconds: number;
}> {
  const ranking = await fitRanking(train, config.ranking, options);
  const explicit = await fitExplicit(train, config.explicit, options);
  const successors = successorsFor(train, options.movieIds, config);
  const set: TrainedModelSet = {
    itemIds: options.movieIds,
    config,
    explicit: explicit.model,
    ranking: ranking.model,
    popularity: itemPopularity(train),
    ...(options.genres && { genres: options.genres }),
    ...(successors && { successors }),
  };
  return {
    set,
    recommender: new Recommender(set),
    rankingSeconds: ranking.fitSeconds,
    explicitSeconds: explicit.fitSeconds,
  };
}

/** The weight in the re-rank's config that turns each term off at 0. */
const TERM_WEIGHT_KEYS = {
  genre: 'weight',
  sequence: 'sequenceWeight',
} as const satisfies Record<ReRankTerm, keyof GenreConfig>;

/** `set` with one of the served list's re-rank terms off (its weight 0). */
export function withoutTerm<S extends ModelSet>(term: ReRankTerm, set: S): S {
  const genres = { ...set.config.genres, [TERM_WEIGHT_KEYS[term]]: 0 };
  return { ...set, config: { ...set.config, genres } };
}

/** The served list: fold the user in from their train ratings, then recommend. */
export function servedRanker(task: RankingTask, recommender: Recommender, movieIds: Int32Array) {
  return (user: number, _exclude: Int32Array, count: number): Int32Array => {
    const folded = recommender.foldIn(trainRatingsOf(task, user, movieIds));
    const { items } = recommender.recommend(folded, { count, explain: false });
    return Int32Array.from(items, (item) => recommender.rowOfMovie(item.movieId) as number);
  };
}

/** A user's train ratings as the product stores them (movie ids, stars, seconds). */
export function trainRatingsOf(
  task: RankingTask,
  user: number,
  movieIds: Int32Array,
): UserRating[] {
  const { train } = task.split;
  const { offsets, rows } = task.trainRows;
  const out: UserRating[] = [];
  for (let p = offsets[user]; p < offsets[user + 1]; p++) {
    const n = rows[p];
    out.push({
      movieId: movieIds[train.item[n]],
      rating: train.value[n],
      ratedAt: train.timestamp?.[n],
    });
  }
  return out;
}
