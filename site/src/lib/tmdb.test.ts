import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchPosterPaths } from './tmdb.js';

describe('fetchPosterPaths', () => {
  it('asks TMDB once per movie and caches the answers', async () => {
    const cacheFile = join(mkdtempSync(join(tmpdir(), 'reel-tmdb-')), 'posters.json');
    const asked: string[] = [];
    const fetchFn = (async (url: string) => {
      asked.push(url);
      if (url.includes('/movie/603?')) return Response.json({ poster_path: '/matrix.jpg' });
      return new Response('{}', { status: 404 });
    }) as unknown as typeof fetch;
    const movies = [
      { movieId: 2571, tmdbId: 603 },
      { movieId: 9, tmdbId: 999 },
      { movieId: 10, tmdbId: null },
    ];
    const paths = await fetchPosterPaths(movies, { apiKey: 'k&y', cacheFile, fetchFn });
    expect(paths).toEqual(
      new Map([
        [2571, '/matrix.jpg'],
        [9, null],
        [10, null],
      ]),
    );
    expect(asked.sort()).toEqual([
      'https://api.themoviedb.org/3/movie/603?api_key=k%26y',
      'https://api.themoviedb.org/3/movie/999?api_key=k%26y',
    ]);
    expect(JSON.parse(readFileSync(cacheFile, 'utf8'))).toEqual({
      '603': '/matrix.jpg',
      '999': null,
    });

    const again = await fetchPosterPaths(movies, { apiKey: 'k&y', cacheFile, fetchFn });
    expect(again).toEqual(paths);
    expect(asked).toHaveLength(2);
  });

  it('stops on a refused key', async () => {
    const cacheFile = join(mkdtempSync(join(tmpdir(), 'reel-tmdb-')), 'posters.json');
    const fetchFn = (async () => new Response('', { status: 401 })) as unknown as typeof fetch;
    await expect(
      fetchPosterPaths([{ movieId: 1, tmdbId: 862 }], { apiKey: 'bad', cacheFile, fetchFn }),
    ).rejects.toThrow('TMDB refused REEL_TMDB_API_KEY (401)');
  });
});
