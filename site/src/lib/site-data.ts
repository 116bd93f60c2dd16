import { join } from 'node:path';
import { parseSiteConfig, type SiteConfig } from '../config.js';
import { type Catalogue, type CatalogueMovie, loadCatalogue } from './catalogue.js';
import type { CardMovie } from './markup.js';
import { pickOnboarding } from './popularity.js';
import { fetchPosterPaths, type PosterPaths } from './tmdb.js';

export interface SiteData {
  config: SiteConfig;
  catalogue: Catalogue;
  posterPaths: PosterPaths;
  /** The build-time popularity list (home page before live data). */
  popular: CatalogueMovie[];
  /** Well-known movies over many genres, for a newcomer to rate. */
  onboarding: CatalogueMovie[];
  /** Number of /data/movies/{n}.json shards the browser fetches card data from. */
  shardCount: number;
  /** The most popular movies of each genre, best first. */
  topByGenre: Map<string, CatalogueMovie[]>;
}

export const POPULAR_COUNT = 20;
export const ONBOARDING_COUNT = 12;
const MOVIES_PER_SHARD = 250;
export const SIMILAR_COUNT = 12;

let cached: Promise<SiteData> | null = null;

function progress(message: string): void {
  process.stderr.write(`[reel site] ${message}\n`);
}

async function load(): Promise<SiteData> {
  const config = parseSiteConfig(process.env, __REEL_REPO_ROOT__);
  const catalogue = await loadCatalogue(config.catalogueDir, progress);
  const posterPaths: PosterPaths = config.tmdbApiKey
    ? await fetchPosterPaths(catalogue.movies, {
        apiKey: config.tmdbApiKey,
        cacheFile: join(__REEL_REPO_ROOT__, 'site/.reel/tmdb-posters.json'),
        progress,
      })
    : new Map();
  const topByGenre = new Map<string, CatalogueMovie[]>();
  for (const movie of catalogue.movies) {
    for (const genre of movie.genres) {
      const top = topByGenre.get(genre) ?? [];
      if (top.length <= SIMILAR_COUNT) top.push(movie);
      topByGenre.set(genre, top);
    }
  }
  return {
    config,
    catalogue,
    posterPaths,
    popular: catalogue.movies.slice(0, POPULAR_COUNT),
    onboarding: pickOnboarding(catalogue.movies, ONBOARDING_COUNT),
    shardCount: Math.max(1, Math.ceil(catalogue.movies.length / MOVIES_PER_SHARD)),
    topByGenre,
  };
}

/** The catalogue and everything derived from it, loaded once per build. */
export function siteData(): Promise<SiteData> {
  cached ??= load();
  return cached;
}

export function cardMovie(data: SiteData, movie: CatalogueMovie): CardMovie {
  return {
    movieId: movie.movieId,
    title: movie.title,
    year: movie.year,
    genres: movie.genres,
    posterPath: data.posterPaths.get(movie.movieId) ?? null,
  };
}

/** Most popular movies sharing the first genre: the movie page's list until the model has one. */
export function moreLikeByGenre(data: SiteData, movie: CatalogueMovie): CatalogueMovie[] {
  const top = movie.genres[0] ? (data.topByGenre.get(movie.genres[0]) ?? []) : [];
  return top.filter((other) => other.movieId !== movie.movieId).slice(0, SIMILAR_COUNT);
}
