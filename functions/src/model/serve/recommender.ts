import { MAX_RATING, MIN_RATING } from '../../contracts/limits.js';
import { ExplicitScratch, type ExplicitSide } from '../als/explicit-step.js';
import { ImplicitScratch, type ImplicitSide } from '../als/implicit-step.js';
import { choleskySubstitute } from '../als/linalg.js';
import { GenreSimilarity, genreWeight, popularityWeight } from '../genres.js';
import { SequenceTerm, sequenceTermOn, sequenceWeight } from '../sequence.js';
import { bayesianAverage } from '../train/baselines.js';
import { explicitUserSide } from '../train/explicit.js';
import type { ModelSet } from '../train/model-set.js';
import { rankingUserSide } from '../train/ranking.js';
import { CatalogueScorer } from './catalogue-scorer.js';
import {
  type ExplicitUser,
  foldInExplicit,
  foldInRanking,
  type RankingUser,
  sortByItem,
} from './fold-in.js';
import { foldInSparkExplicit, foldInSparkRanking, SPARK_USER_STEP } from './spark-fold-in.js';
import { type ItemFilter, type TopN, topNByFactors, topNByScores } from './top-n.js';

/** One of a person's ratings as the product stores it; `rating: null` = withdrawn. */
export interface UserRating {
  readonly movieId: number;
  readonly rating: number | null;
  /** Seconds since the Unix epoch. */
  readonly ratedAt?: number;
}

/** A person folded into both models of one model version. */
export interface FoldedUser {
  readonly ranking: RankingUser;
  readonly explicit: ExplicitUser;
  /** Item indices the person has rated (ascending), excluded from their lists. */
  readonly rated: Int32Array;
  /** Their rating of each item in `rated`. */
  readonly ratings: Float32Array;
  /** Ratings that went into the fold-in. */
  readonly used: number;
  /** Ratings of movies this model version does not know (ignored). */
  readonly unknown: number;
  /** Withdrawn ratings (ignored). */
  readonly withdrawn: number;
  /** When their latest rating was given (NaN if never, or without timestamps). */
  readonly latestRatedAt: number;
  /**
   * The rows of their latest ratings, oldest first (time, then movie id), as many as the
   * sequence term follows; empty when it is off or a rating has no time.
   */
  readonly recent: Int32Array;
}

/** One recommended movie. */
export interface Recommendation {
  readonly movieId: number;
  /**
   * What the list is ordered by: the ranking model's score (with the genre term, scaled by the
   * best candidate's and plus that term), or the Bayesian average for the popularity list.
   */
  readonly score: number;
  /** The rating-prediction model's stars, clipped to [0.5, 5]. */
  readonly predictedRating: number;
  /** The person's rating that contributed most to the score, when one contributed. */
  readonly because?: { readonly movieId: number; readonly rating: number };
}

export interface RecommendOptions {
  readonly count: number;
  readonly filter?: ItemFilter;
  /** Say which rating each recommendation is "because of" (default true). */
  readonly explain?: boolean;
  /**
   * Seconds since the epoch; the predicted stars include the latest session's bias while now
   * is within the session gap of its last rating. Defaults to the latest rating's time.
   */
  readonly now?: number;
}

export interface Recommendations {
  /** "popular" until the person has rated something the ranking model can use. */
  readonly basis: 'popular' | 'personal';
  readonly items: Recommendation[];
}

/**
 * Serves one model version: fold-in, recommendations, predicted stars, similar movies and
 * the popularity list. Construction does the per-version work once (the ranking model's
 * Σ α₀π·y·yᵀ, item norms, the Bayesian averages, the id → row map); every call after that
 * touches only the person's ratings and one pass over the catalogue.
 */
export class Recommender {
  readonly set: ModelSet;
  private readonly rowOf: Map<number, number>;
  private readonly rankingSide: ImplicitSide;
  private readonly popularScores: Float64Array;
  /** popularScores scaled to [0, 1] over the catalogue: the re-rank's popularity term. */
  private readonly popularTerm: Float64Array;
  private readonly itemNorms: Float64Array;
  private readonly rankingScratch: ImplicitScratch;
  /** The served top-N: topNByFactors' result, scored by a SIMD pass first. */
  private readonly scorer: CatalogueScorer;
  private readonly explicitScratch: ExplicitScratch;
  private readonly explicitSide: ExplicitSide;
  /** The genre term's similarity, when the model has genres and the term is on. */
  private readonly genreSimilarity?: GenreSimilarity;
  /** The sequence term, when the model has successors and the term is on. */
  private readonly sequenceTerm?: SequenceTerm;

  constructor(set: ModelSet) {
    this.set = set;
    this.rowOf = new Map();
    set.itemIds.forEach((movieId, row) => {
      if (this.rowOf.has(movieId)) {
        throw new RangeError(`model: movie ${movieId} appears twice in itemIds`);
      }
      this.rowOf.set(movieId, row);
    });
    this.rankingSide = rankingUserSide(set.ranking);
    this.scorer = new CatalogueScorer(set.ranking.itemFactors, set.ranking.k);
    this.rankingScratch = new ImplicitScratch(set.ranking.k);
    this.explicitScratch = new ExplicitScratch(set.explicit.k);
    // Kept, with the scratches, so each copies its item side into its kernels' memory once.
    this.explicitSide = explicitUserSide(set.explicit);
    this.popularScores = bayesianAverage(set.popularity, set.config.popularity);
    this.popularTerm = scaledToUnit(this.popularScores);
    if (set.genres && set.genres.names.length > 0 && set.config.genres.weight > 0) {
      this.genreSimilarity = new GenreSimilarity(set.genres);
    }
    if (set.successors && sequenceTermOn(set.config.genres)) {
      this.sequenceTerm = new SequenceTerm(set.successors);
    }
    const { k, itemFactors } = set.ranking;
    this.itemNorms = new Float64Array(set.itemIds.length);
    for (let row = 0; row < this.itemNorms.length; row++) {
      let norm = 0;
      for (let d = 0; d < k; d++) norm += itemFactors[row * k + d] ** 2;
      this.itemNorms[row] = Math.sqrt(norm);
    }
  }

  /** The model row of a movie, or undefined if this version does not know it. */
  rowOfMovie(movieId: number): number | undefined {
    return this.rowOf.get(movieId);
  }

  /**
   * Folds a person into both models from their ratings as they stand (withdrawn ratings,
   * `rating: null`, and movies the model does not know are skipped and counted). A movie may
   * appear once; pass the current rating per movie.
   */
  foldIn(ratings: readonly UserRating[]): FoldedUser {
    const rows = new Int32Array(ratings.length);
    const values = new Float32Array(ratings.length);
    const times = new Float64Array(ratings.length);
    let used = 0;
    let unknown = 0;
    let withdrawn = 0;
    let timed = true;
    let latestRatedAt = Number.NaN;
    for (const { movieId, rating, ratedAt } of ratings) {
      if (rating === null) {
        withdrawn++;
        continue;
      }
      const row = this.rowOf.get(movieId);
      if (row === undefined) {
        unknown++;
        continue;
      }
      rows[used] = row;
      values[used] = rating;
      if (ratedAt === undefined) timed = false;
      else {
        times[used] = ratedAt;
        if (!(ratedAt <= latestRatedAt)) latestRatedAt = ratedAt;
      }
      used++;
    }
    // Sorted once here; both fold-ins take sorted ratings as they are.
    const input = sortByItem(
      {
        items: rows.subarray(0, used),
        values: values.subarray(0, used),
        timestamps: timed ? times.subarray(0, used) : undefined,
      },
      this.set.itemIds.length,
    );
    const spark = this.set.trainer?.userStep === SPARK_USER_STEP;
    const ranking = spark
      ? foldInSparkRanking(this.rankingSide, this.set.ranking.config, input)
      : foldInRanking(this.rankingSide, this.set.ranking.config, input, this.rankingScratch);
    const explicit = spark
      ? foldInSparkExplicit(this.explicitSide, input)
      : foldInExplicit(this.set.explicit, input, this.explicitScratch, this.explicitSide);
    return {
      ranking,
      explicit,
      rated: input.items,
      ratings: input.values,
      used,
      unknown,
      withdrawn,
      latestRatedAt: timed ? latestRatedAt : Number.NaN,
      recent:
        this.sequenceTerm && timed
          ? this.latest(rows.subarray(0, used), times, this.set.config.genres.sequenceRecent)
          : EMPTY_ROWS,
    };
  }

  /** The rows of the `count` latest of `rows` rated at `times`, oldest first (ties by movie id). */
  private latest(rows: Int32Array, times: Float64Array, count: number): Int32Array {
    const { itemIds } = this.set;
    const order = Array.from(rows.keys()).sort(
      (a, b) => times[a] - times[b] || itemIds[rows[a]] - itemIds[rows[b]],
    );
    return Int32Array.from(order.slice(-count), (n) => rows[n]);
  }

  /**
   * The person's top `count` movies by the ranking model, unrated ones only, ties to the lower
   * row, with predicted stars and "because you rated …". People whose ratings give the
   * ranking model nothing to go on (none yet, or only dislikes) get the popularity list.
   */
  recommend(user: FoldedUser, options: RecommendOptions): Recommendations {
    const personal = user.ranking.coefficients.some((c) => c > 0);
    const top: TopN = personal
      ? this.personalTopN(user, options)
      : topNByScores(this.popularScores, {
          count: options.count,
          exclude: user.rated,
          filter: options.filter,
        });
    const now = options.now ?? user.latestRatedAt;
    const explain = personal && options.explain !== false;
    const items: Recommendation[] = [];
    for (let n = 0; n < top.items.length; n++) {
      const row = top.items[n];
      if (!personal && top.scores[n] === Number.NEGATIVE_INFINITY) break;
      const because = explain ? this.because(user, row) : undefined;
      items.push({
        movieId: this.set.itemIds[row],
        score: top.scores[n],
        predictedRating: this.predictRating(user, row, now),
        ...(because && { because }),
      });
    }
    return { basis: personal ? 'personal' : 'popular', items };
  }

  /**
   * The genre similarity set to the person's profile, or undefined when the genre term is off
   * for them: no genres, a weight of 0, or nothing liked with a genre. The profile is built
   * only when the term is on.
   */
  private genreProfileOf(user: FoldedUser): GenreSimilarity | undefined {
    const similarity = this.genreSimilarity;
    if (!similarity || genreWeight(this.set.config.genres, user.used) === 0) return undefined;
    // The movies they liked: those the ranking model took as positive evidence.
    const { items, coefficients } = user.ranking;
    return similarity.setProfile(items.filter((_, q) => coefficients[q] > 0))
      ? similarity
      : undefined;
  }

  /**
   * The ranking model's top movies for a person; with the re-rank on (config.ts, genres.ts,
   * sequence.ts), its best `genres.candidates` re-ordered by score / top score + w·(genre
   * similarity to the movies they liked) + v·(popularity) + u·(sequence term / the best
   * candidate's), w and v fading with their number of ratings and u growing with it. Ties go
   * to the lower row.
   */
  private personalTopN(user: FoldedUser, options: RecommendOptions): TopN {
    const { genres } = this.set.config;
    const similarity = this.genreProfileOf(user);
    const weight = similarity ? genreWeight(genres, user.used) : 0;
    const popular = popularityWeight(genres, user.used);
    const sequence = this.sequenceTerm?.setRecent(user.recent) ? this.sequenceTerm : undefined;
    if (weight === 0 && popular === 0 && !sequence) {
      return this.scorer.topN(user.ranking.factors, {
        count: options.count,
        exclude: user.rated,
        filter: options.filter,
      });
    }
    const candidates = this.scorer.topN(user.ranking.factors, {
      count: Math.max(options.count, genres.candidates),
      exclude: user.rated,
      filter: options.filter,
    });
    const scale = candidates.scores.length > 0 ? Math.abs(candidates.scores[0]) || 1 : 1;
    const next = sequence
      ? Float64Array.from(candidates.items, (row) => sequence.score(row))
      : undefined;
    const nextScale = next ? sequenceWeight(genres, user.used) / (Math.max(...next) || 1) : 0;
    const blended = Float64Array.from(
      candidates.items,
      (row, n) =>
        candidates.scores[n] / scale +
        (similarity ? weight * similarity.similarity(row) : 0) +
        popular * this.popularTerm[row] +
        (next ? nextScale * next[n] : 0),
    );
    const order = Array.from(candidates.items.keys()).sort(
      (a, b) => blended[b] - blended[a] || candidates.items[a] - candidates.items[b],
    );
    const kept = order.slice(0, options.count);
    return {
      items: Int32Array.from(kept, (n) => candidates.items[n]),
      scores: Float64Array.from(kept, (n) => blended[n]),
    };
  }

  /**
   * The popularity list (Bayesian average), best first, leaving out `exclude` (ascending
   * rows); movies nobody rated are never listed.
   */
  popular(
    count: number,
    exclude?: Int32Array,
    filter?: ItemFilter,
  ): Array<{ movieId: number; score: number; meanRating: number; ratingsCount: number }> {
    const top = topNByScores(this.popularScores, { count, exclude, filter });
    const out = [];
    for (let n = 0; n < top.items.length; n++) {
      const row = top.items[n];
      if (top.scores[n] === Number.NEGATIVE_INFINITY) break;
      out.push({
        movieId: this.set.itemIds[row],
        score: top.scores[n],
        meanRating: this.set.popularity.means[row],
        ratingsCount: this.set.popularity.counts[row],
      });
    }
    return out;
  }

  /** Predicted stars of model row `row`, clipped to [0.5, 5]. */
  predictRating(user: FoldedUser, row: number, now: number): number {
    const { k, itemFactors, itemBiases, globalMean, config } = this.set.explicit;
    const { factors, bias, sessionBias, sessionEnd } = user.explicit;
    let dot = 0;
    for (let d = 0; d < k; d++) dot += factors[d] * itemFactors[row * k + d];
    const gap = config.sessionGap;
    const inSession = gap !== null && now >= sessionEnd && now - sessionEnd <= gap;
    const stars = globalMean + bias + itemBiases[row] + dot + (inSession ? sessionBias : 0);
    return Math.min(MAX_RATING, Math.max(MIN_RATING, stars));
  }

  /**
   * The person's rating that contributed most to row `row`'s score. The ranking score splits
   * exactly into one term per rated movie j (Hu et al. 2008, §5): x_u = A⁻¹·Σ_j c_j·y_j, so
   * score = Σ_j c_j·(yᵢᵀA⁻¹y_j). Undefined when no rating contributed positively.
   */
  because(user: FoldedUser, row: number): { movieId: number; rating: number } | undefined {
    const contributions = this.contributions(user, row);
    let best = -1;
    for (let q = 0; q < contributions.length; q++) {
      if (contributions[q] > 0 && (best < 0 || contributions[q] > contributions[best])) best = q;
    }
    if (best < 0) return undefined;
    return { movieId: this.set.itemIds[user.ranking.items[best]], rating: user.ratings[best] };
  }

  /**
   * Each rated movie's share of row `row`'s ranking score, in the order of `user.rated`:
   * c_j·(yᵢᵀA⁻¹y_j), summing to the score.
   */
  contributions(user: FoldedUser, row: number): Float64Array {
    const { k, itemFactors } = this.set.ranking;
    const { cholesky, coefficients, items } = user.ranking;
    const v = itemFactors.slice(row * k, row * k + k);
    choleskySubstitute(cholesky, v, k);
    const out = new Float64Array(items.length);
    for (let q = 0; q < items.length; q++) {
      if (coefficients[q] === 0) continue;
      const base = items[q] * k;
      let dot = 0;
      for (let d = 0; d < k; d++) dot += v[d] * itemFactors[base + d];
      out[q] = coefficients[q] * dot;
    }
    return out;
  }

  /**
   * The `count` movies most similar to `movieId` by cosine between ranking-model item factors,
   * best first; empty for a movie this version does not know or has no factors for.
   */
  similar(movieId: number, count: number): Array<{ movieId: number; score: number }> {
    const row = this.rowOf.get(movieId);
    if (row === undefined || this.itemNorms[row] === 0) return [];
    const { k } = this.set.ranking;
    const unit = this.unitFactors();
    const exclude = Int32Array.from([...this.zeroRows(), row].sort((a, b) => a - b));
    const top = topNByFactors(unit, k, unit.slice(row * k, row * k + k), undefined, {
      count,
      exclude,
    });
    return Array.from(top.items, (other, n) => ({
      movieId: this.set.itemIds[other],
      score: top.scores[n],
    }));
  }

  private unit?: Float64Array;
  private zeros?: Int32Array;

  // Item factors scaled to unit length (built on first use: only movie pages need them).
  private unitFactors(): Float64Array {
    if (!this.unit) {
      const { k, itemFactors } = this.set.ranking;
      this.unit = new Float64Array(itemFactors.length);
      for (let row = 0; row < this.itemNorms.length; row++) {
        const norm = this.itemNorms[row];
        if (norm === 0) continue;
        for (let d = 0; d < k; d++) this.unit[row * k + d] = itemFactors[row * k + d] / norm;
      }
    }
    return this.unit;
  }

  // Rows without factors (never rated in training), which similar() never lists.
  private zeroRows(): Int32Array {
    if (!this.zeros) {
      const rows: number[] = [];
      this.itemNorms.forEach((norm, row) => {
        if (norm === 0) rows.push(row);
      });
      this.zeros = Int32Array.from(rows);
    }
    return this.zeros;
  }
}

/**
 * The finite `values` scaled to [0, 1], the rest (an unrated movie's −Infinity) 0; all 0 when
 * the finite ones are all equal.
 */
function scaledToUnit(values: Float64Array): Float64Array {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  const range = max - min;
  return values.map((value) => (Number.isFinite(value) && range > 0 ? (value - min) / range : 0));
}

const EMPTY_ROWS = new Int32Array(0);
