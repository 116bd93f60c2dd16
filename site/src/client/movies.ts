// Card data for movies the page did not render at build time (recommendations, similar movies,
// your ratings), fetched from the build's static shards: a few small files instead of the whole
// catalogue.
import type { CardMovie } from '../lib/markup.js';

type ShardRow = [title: string, year: number | null, genres: string, posterPath: string | null];

const shards = new Map<number, Promise<Record<string, ShardRow>>>();

function shardCount(): number {
  return Number(document.body.dataset.shards ?? '1');
}

function shard(index: number): Promise<Record<string, ShardRow>> {
  let pending = shards.get(index);
  if (!pending) {
    pending = fetch(`/data/movies/${index}.json`).then((response) => {
      if (!response.ok) throw new Error(`/data/movies/${index}.json: ${response.status}`);
      return response.json() as Promise<Record<string, ShardRow>>;
    });
    pending.catch(() => shards.delete(index));
    shards.set(index, pending);
  }
  return pending;
}

/** Looks movies up by id; ids the catalogue does not know are left out of the map. */
export async function loadMovies(ids: Iterable<number>): Promise<Map<number, CardMovie>> {
  const count = shardCount();
  const wanted = [...new Set(ids)];
  const rows = await Promise.all(
    wanted.map(async (id) => [id, (await shard(id % count))[id]] as const),
  );
  const movies = new Map<number, CardMovie>();
  for (const [movieId, row] of rows) {
    if (!row) continue;
    const [title, year, genres, posterPath] = row;
    movies.set(movieId, {
      movieId,
      title,
      year,
      genres: genres ? genres.split('|') : [],
      posterPath,
    });
  }
  return movies;
}
