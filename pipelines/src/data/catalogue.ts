import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { type ItemGenres, itemGenres } from '@reel/functions/model';
import { type Movie, parseMovies } from './movielens-movies.js';

/** The MovieLens movie list beside a ratings file, if there is one. */
export function catalogueFileBeside(ratingsFile: string): string | undefined {
  const dir = dirname(ratingsFile);
  return ['movies.csv', 'movies.dat', 'u.item']
    .map((name) => join(dir, name))
    .find((file) => existsSync(file));
}

/** The movies listed beside a ratings file (none when there is no list). */
export function moviesBeside(ratingsFile: string): { movies: Movie[]; file?: string } {
  const file = catalogueFileBeside(ratingsFile);
  // movies.dat and u.item are Latin-1; ids and genre names are ASCII either way.
  return file ? { movies: parseMovies(readFileSync(file, 'latin1')), file } : { movies: [] };
}

/**
 * The genres of `movieIds` from the movie list beside a ratings file, for the served list's
 * genre term; undefined (the term stays off) when there is no list, as for synthetic data.
 */
export function genresBeside(
  ratingsFile: string,
  movieIds: Int32Array,
): { genres?: ItemGenres; description: string } {
  const { movies, file } = moviesBeside(ratingsFile);
  if (!file) return { description: 'none (no movie list beside the ratings)' };
  const genres = itemGenres(
    movieIds,
    new Map(movies.map((movie) => [movie.movieId, movie.genres])),
  );
  return { genres, description: `${genres.names.length} from ${relative(process.cwd(), file)}` };
}
