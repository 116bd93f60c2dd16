import type { APIRoute, GetStaticPaths } from 'astro';
import { siteData } from '../../../lib/site-data.js';

// Card data for the browser, split by movieId % shardCount so a page fetches a few small files.
export const getStaticPaths: GetStaticPaths = async () => {
  const { shardCount } = await siteData();
  return Array.from({ length: shardCount }, (_, shard) => ({ params: { shard: String(shard) } }));
};

export const GET: APIRoute = async ({ params }) => {
  const data = await siteData();
  const shard = Number(params.shard);
  const rows: Record<number, [string, number | null, string, string | null]> = {};
  for (const movie of data.catalogue.movies) {
    if (movie.movieId % data.shardCount === shard) {
      rows[movie.movieId] = [
        movie.title,
        movie.year,
        movie.genres.join('|'),
        data.posterPaths.get(movie.movieId) ?? null,
      ];
    }
  }
  return new Response(JSON.stringify(rows), { headers: { 'Content-Type': 'application/json' } });
};
