import type { ItemFilter, ItemMetadata } from '../../model/index.js';
import { MAX_GENRES } from '../../model/index.js';
import { userRatingsOf } from '../personalise.js';
import { Refusal } from './errors.js';
import type { ApiPorts, Catalogue, CatalogueMovie, ServingModel } from './ports.js';

/** What a list may be narrowed to: one genre by name, one decade by its first year. */
export interface ListFilter {
  genre?: string;
  /** e.g. 1990 for 1990-1999. */
  decade?: number;
}

async function requireModel(ports: Pick<ApiPorts, 'currentModel'>): Promise<ServingModel> {
  const model = await ports.currentModel();
  if (!model) {
    throw new Refusal('unavailable', 'no model is published yet: run a retrain (npm run retrain)');
  }
  return model;
}

// Genre masks and years per model row, built once per (model, catalogue) pair.
const metadataCache = new WeakMap<
  ServingModel,
  { catalogue: Catalogue; metadata: ItemMetadata; genreBits: Map<string, number> }
>();

function itemMetadata(model: ServingModel, catalogue: Catalogue) {
  const cached = metadataCache.get(model);
  if (cached?.catalogue === catalogue) return cached;
  const names = [...new Set([...catalogue.movies.values()].flatMap((movie) => movie.genres))]
    .sort()
    .slice(0, MAX_GENRES);
  const genreBits = new Map(names.map((name, bit) => [name, bit]));
  const { itemIds } = model.recommender.set;
  const genres = new Uint32Array(itemIds.length);
  const years = new Uint16Array(itemIds.length);
  itemIds.forEach((movieId, row) => {
    const movie = catalogue.movies.get(movieId);
    if (!movie) return;
    for (const name of movie.genres) {
      const bit = genreBits.get(name);
      if (bit !== undefined) genres[row] |= 1 << bit;
    }
    years[row] = movie.year ?? 0;
  });
  const built = { catalogue, metadata: { genres, years }, genreBits };
  metadataCache.set(model, built);
  return built;
}

/** The top-N filter for `filter` under `model`, or undefined for no filter. */
async function itemFilter(
  ports: Pick<ApiPorts, 'catalogue'>,
  model: ServingModel,
  filter: ListFilter,
): Promise<ItemFilter | undefined> {
  if (filter.genre === undefined && filter.decade === undefined) return undefined;
  const catalogue = await ports.catalogue();
  if (!catalogue) {
    throw new Refusal(
      'unavailable',
      'no catalogue is published: genre and decade filters need one',
    );
  }
  const { metadata, genreBits } = itemMetadata(model, catalogue);
  let genres: number | undefined;
  if (filter.genre !== undefined) {
    const bit = genreBits.get(filter.genre);
    if (bit === undefined) {
      throw new Refusal(
        'invalid',
        `genre: "${filter.genre}" is not a genre of the catalogue; use one of ${[...genreBits.keys()].join(', ')}`,
      );
    }
    genres = 1 << bit;
  }
  return {
    metadata,
    ...(genres !== undefined && { genres }),
    ...(filter.decade !== undefined && { yearFrom: filter.decade, yearTo: filter.decade + 9 }),
  };
}

/**
 * The person's recommendations, folded in from their ratings as they stand against the serving
 * model, optionally narrowed to a genre and a decade (the stored list is the unfiltered top-N).
 */
export async function myRecommendations(
  ports: Pick<ApiPorts, 'currentModel' | 'catalogue' | 'readRatings'>,
  uid: string,
  options: { limit: number } & ListFilter,
) {
  const model = await requireModel(ports);
  const filter = await itemFilter(ports, model, options);
  const ratings = await ports.readRatings(uid);
  const folded = model.recommender.foldIn(userRatingsOf(ratings));
  const { basis, items } = model.recommender.recommend(folded, { count: options.limit, filter });
  return {
    basis,
    modelVersion: model.version,
    ratingsCount: ratings.count,
    items: items.map((item) => ({
      movieId: item.movieId,
      score: item.score,
      predictedRating: item.predictedRating,
      ...(item.because && { because: { ...item.because } }),
    })),
  };
}

/** The person's current ratings (withdrawn ones left out), newest first. */
export async function myRatings(ports: Pick<ApiPorts, 'readRatings'>, uid: string) {
  const ratings = await ports.readRatings(uid);
  const items = Array.from(ratings)
    .filter((entry) => entry.rating !== null)
    .sort((a, b) => b.ratedAtMicros - a.ratedAtMicros || a.movieId - b.movieId)
    .map((entry) => ({
      movieId: entry.movieId,
      rating: entry.rating as number,
      ratedAt: new Date(Math.floor(entry.ratedAtMicros / 1000)).toISOString(),
    }));
  return { ratings: items };
}

async function requireCatalogueMovie(
  ports: Pick<ApiPorts, 'catalogue' | 'currentModel'>,
  movieId: number,
): Promise<CatalogueMovie> {
  const catalogue = await ports.catalogue();
  const movie = catalogue?.movies.get(movieId);
  if (movie) return movie;
  const model = await ports.currentModel();
  if (!catalogue && model?.movies.has(movieId)) {
    return { movieId, title: null, year: null, genres: [] };
  }
  throw new Refusal('not-found', `movie ${movieId} is not in the catalogue`);
}

/** A movie as the catalogue describes it, with its ratings' mean and count from the last retrain. */
export async function movieDetails(
  ports: Pick<ApiPorts, 'catalogue' | 'currentModel' | 'readMovieStats'>,
  movieId: number,
) {
  const movie = await requireCatalogueMovie(ports, movieId);
  const stats = await ports.readMovieStats(movieId);
  return {
    ...movie,
    meanRating: stats?.meanRating ?? null,
    ratingsCount: stats?.ratingsCount ?? 0,
    modelVersion: stats?.modelVersion ?? null,
  };
}

/** The movies most like `movieId` under the serving model (cosine of its item factors). */
export async function similarMovies(
  ports: Pick<ApiPorts, 'catalogue' | 'currentModel'>,
  movieId: number,
  limit: number,
) {
  const model = await requireModel(ports);
  await requireCatalogueMovie(ports, movieId);
  return {
    movieId,
    modelVersion: model.version,
    items: model.recommender.similar(movieId, limit),
  };
}

/** The stars the serving model predicts the person would give `movieId`, from their ratings now. */
export async function prediction(
  ports: Pick<ApiPorts, 'catalogue' | 'currentModel' | 'readRatings' | 'now'>,
  uid: string,
  movieId: number,
) {
  const model = await requireModel(ports);
  await requireCatalogueMovie(ports, movieId);
  const row = model.recommender.rowOfMovie(movieId);
  if (row === undefined) {
    throw new Refusal(
      'not-found',
      `model ${model.version} has learnt nothing of movie ${movieId} yet: it is predicted after the next retrain`,
    );
  }
  const ratings = await ports.readRatings(uid);
  const folded = model.recommender.foldIn(userRatingsOf(ratings));
  const own = ratings.get(movieId);
  return {
    movieId,
    predictedRating: model.recommender.predictRating(folded, row, ports.now().getTime() / 1000),
    rating: own?.rating ?? null,
    ratingsUsed: folded.used,
    modelVersion: model.version,
  };
}

/** The popularity list (Bayesian average) of the serving model, optionally filtered. */
export async function popularMovies(
  ports: Pick<ApiPorts, 'currentModel' | 'catalogue'>,
  options: { limit: number } & ListFilter,
) {
  const model = await requireModel(ports);
  const filter = await itemFilter(ports, model, options);
  return {
    modelVersion: model.version,
    items: model.recommender.popular(options.limit, undefined, filter),
  };
}
