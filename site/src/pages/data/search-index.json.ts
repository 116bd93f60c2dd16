import type { APIRoute } from 'astro';
import { buildSearchIndex } from '../../lib/search.js';
import { siteData } from '../../lib/site-data.js';

// Built once here so the browser only deserialises it (MiniSearch.loadJSON), never tokenises.
export const GET: APIRoute = async () => {
  const data = await siteData();
  const index = buildSearchIndex(
    data.catalogue.movies.map((movie) => ({
      id: movie.movieId,
      title: movie.title,
      year: movie.year,
      popularity: Math.round(Math.log2(1 + movie.ratingsCount) * 10) / 10,
    })),
  );
  return new Response(JSON.stringify(index), { headers: { 'Content-Type': 'application/json' } });
};
