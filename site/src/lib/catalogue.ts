import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MAX_RATING, MIN_RATING } from '@reel/functions/contracts/limits';
import { parseLinks, parseMovies, splitCsvLine } from '@reel/pipelines/data/movielens-movies';
import { type RatingTotals, rankByPopularity } from './popularity.js';
import { displayTitle, slugify } from './titles.js';

/** A movie as the site shows it: catalogue facts plus build-time rating statistics. */
export interface CatalogueMovie {
  movieId: number;
  /** Title as people read it ("The Matrix"), without the year. */
  title: string;
  year: number | null;
  genres: string[];
  tmdbId: number | null;
  imdbId: string | null;
  ratingsCount: number;
  meanRating: number | null;
  /** Position in the build-time popularity ranking, 1 = most popular. */
  rank: number;
}

export interface Facet {
  label: string;
  slug: string;
  count: number;
}

export interface Catalogue {
  dir: string;
  /** Most popular first (Bayesian average). */
  movies: CatalogueMovie[];
  byId: Map<number, CatalogueMovie>;
  genres: Facet[];
  ratingsTotal: number;
  globalMean: number;
}

export class CatalogueFileError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'CatalogueFileError';
  }
}

const RATINGS_HEADER = 'userId,movieId,rating,timestamp';

/** Parses one ratings.csv record; throws naming the line when it is not `user,movie,rating,time`. */
export function parseRatingLine(
  line: string,
  lineNumber: number,
): { movieId: number; rating: number } {
  const fields = splitCsvLine(line);
  if (fields.length !== 4) {
    throw new Error(
      `line ${lineNumber}: expected 4 fields (${RATINGS_HEADER}), found ${fields.length}`,
    );
  }
  const movieId = Number(fields[1]);
  const rating = Number(fields[2]);
  if (!Number.isInteger(movieId) || movieId <= 0) {
    throw new Error(
      `line ${lineNumber}: movie id ${JSON.stringify(fields[1])} is not a positive integer`,
    );
  }
  if (!Number.isFinite(rating) || rating < MIN_RATING || rating > MAX_RATING) {
    throw new Error(
      `line ${lineNumber}: rating ${JSON.stringify(fields[2])} is not between ${MIN_RATING} and ${MAX_RATING}`,
    );
  }
  return { movieId, rating };
}

function requireFile(dir: string, name: string): string {
  const path = join(dir, name);
  if (!existsSync(path)) {
    throw new CatalogueFileError(
      path,
      'not found; REEL_CATALOGUE_DIR must be a MovieLens directory with movies.csv, links.csv and ratings.csv (ml-latest-small, ml-latest, ml-25m)',
    );
  }
  return path;
}

/** Streams ratings.csv (25M lines for ml-25m) into per-movie totals, reporting progress on stderr. */
export async function readRatingTotals(
  path: string,
  knownMovies: ReadonlySet<number>,
  progress: (message: string) => void = () => {},
): Promise<Map<number, RatingTotals>> {
  const totals = new Map<number, RatingTotals>();
  const lines = createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (lineNumber === 1) {
      if (!line.startsWith(RATINGS_HEADER)) {
        throw new CatalogueFileError(path, `line 1: expected the header "${RATINGS_HEADER}"`);
      }
      continue;
    }
    if (line.trim() === '') continue;
    let parsed: { movieId: number; rating: number };
    try {
      parsed = parseRatingLine(line, lineNumber);
    } catch (error) {
      throw new CatalogueFileError(path, (error as Error).message);
    }
    if (!knownMovies.has(parsed.movieId)) {
      throw new CatalogueFileError(
        path,
        `line ${lineNumber}: movie ${parsed.movieId} is not in movies.csv; use the files of one MovieLens release together`,
      );
    }
    const total = totals.get(parsed.movieId);
    if (total) {
      total.count++;
      total.sum += parsed.rating;
    } else {
      totals.set(parsed.movieId, { count: 1, sum: parsed.rating });
    }
    if (lineNumber % 1_000_000 === 0)
      progress(`ratings.csv: ${lineNumber.toLocaleString('en')} lines`);
  }
  return totals;
}

function parseFile<T>(path: string, parse: (text: string) => T): T {
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CatalogueFileError(path, (error as Error).message);
  }
}

/** Reads a MovieLens directory into the site's catalogue. */
export async function loadCatalogue(
  dir: string,
  progress: (message: string) => void = () => {},
): Promise<Catalogue> {
  const movies = parseFile(requireFile(dir, 'movies.csv'), parseMovies);
  const links = new Map(
    parseFile(requireFile(dir, 'links.csv'), parseLinks).map((link) => [link.movieId, link]),
  );
  const ids = movies.map((movie) => movie.movieId);
  const totals = await readRatingTotals(requireFile(dir, 'ratings.csv'), new Set(ids), progress);
  const { ranked, globalMean } = rankByPopularity(totals, ids);
  const facts = new Map(movies.map((movie) => [movie.movieId, movie]));

  const catalogueMovies = ranked.map((popularity, index): CatalogueMovie => {
    const movie = facts.get(popularity.movieId)!;
    const link = links.get(movie.movieId);
    return {
      movieId: movie.movieId,
      title: displayTitle(movie.title),
      year: movie.year,
      genres: movie.genres,
      tmdbId: link?.tmdbId ?? null,
      imdbId: link?.imdbId ?? null,
      ratingsCount: popularity.ratingsCount,
      meanRating: popularity.meanRating,
      rank: index + 1,
    };
  });

  const genreCounts = new Map<string, number>();
  for (const movie of catalogueMovies) {
    for (const genre of movie.genres) genreCounts.set(genre, (genreCounts.get(genre) ?? 0) + 1);
  }
  const genres = [...genreCounts]
    .map(([label, count]) => ({ label, slug: slugify(label), count }))
    .sort((a, b) => a.label.localeCompare(b.label));

  let ratingsTotal = 0;
  for (const total of totals.values()) ratingsTotal += total.count;
  progress(
    `catalogue: ${catalogueMovies.length.toLocaleString('en')} movies, ${ratingsTotal.toLocaleString('en')} ratings from ${dir}`,
  );
  return {
    dir,
    movies: catalogueMovies,
    byId: new Map(catalogueMovies.map((movie) => [movie.movieId, movie])),
    genres,
    ratingsTotal,
    globalMean,
  };
}
