import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** movieId → TMDB poster path ("/abc.jpg"), or null when TMDB has no poster. */
export type PosterPaths = Map<number, string | null>;

export interface TmdbOptions {
  apiKey: string;
  cacheFile: string;
  fetchFn?: typeof fetch;
  concurrency?: number;
  progress?: (message: string) => void;
}

interface TmdbMovie {
  movieId: number;
  tmdbId: number | null;
}

function readCache(file: string): Record<string, string | null> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | null>;
  } catch (error) {
    throw new Error(
      `${file}: not a poster cache (${(error as Error).message}); delete it to refetch`,
    );
  }
}

/**
 * Looks up poster paths for movies with a TMDB id, once: answers are cached in `cacheFile`, so
 * a rebuild asks TMDB only about new movies. Runs at build time, only when a key is configured.
 */
export async function fetchPosterPaths(
  movies: readonly TmdbMovie[],
  options: TmdbOptions,
): Promise<PosterPaths> {
  const { apiKey, cacheFile, fetchFn = fetch, concurrency = 8, progress = () => {} } = options;
  const cache = readCache(cacheFile);
  const missing = movies.filter(
    (movie) => movie.tmdbId !== null && !(String(movie.tmdbId) in cache),
  );
  let done = 0;
  let failures = 0;
  const worker = async () => {
    for (let movie = missing.pop(); movie; movie = missing.pop()) {
      const url = `https://api.themoviedb.org/3/movie/${movie.tmdbId}?api_key=${encodeURIComponent(apiKey)}`;
      try {
        const response = await fetchFn(url);
        if (response.status === 401) throw new Error('TMDB refused REEL_TMDB_API_KEY (401)');
        if (response.ok) {
          const body = (await response.json()) as { poster_path?: string | null };
          cache[String(movie.tmdbId)] = body.poster_path ?? null;
        } else if (response.status === 404) {
          cache[String(movie.tmdbId)] = null;
        } else {
          failures++;
        }
      } catch (error) {
        if ((error as Error).message.includes('401')) throw error;
        failures++;
      }
      if (++done % 500 === 0) progress(`tmdb: ${done} posters looked up`);
    }
  };
  const total = missing.length;
  if (total > 0) progress(`tmdb: looking up ${total} posters`);
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (total > 0) {
    mkdirSync(dirname(cacheFile), { recursive: true });
    writeFileSync(cacheFile, JSON.stringify(cache));
  }
  if (failures > 0) {
    progress(
      `tmdb: ${failures} lookups failed; those movies keep generated posters (rebuild to retry)`,
    );
  }
  return new Map(
    movies.map((movie) => [
      movie.movieId,
      movie.tmdbId === null ? null : (cache[String(movie.tmdbId)] ?? null),
    ]),
  );
}
