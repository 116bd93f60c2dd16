import { describe, expect, it } from 'vitest';
import { browseHref, browsePages, decades, PAGE_SIZE } from './browse.js';
import type { CatalogueMovie } from './catalogue.js';

function movie(movieId: number, year: number | null, genres: string[]): CatalogueMovie {
  return {
    movieId,
    title: `M${movieId}`,
    year,
    genres,
    tmdbId: null,
    imdbId: null,
    ratingsCount: 0,
    meanRating: null,
    rank: movieId,
  };
}

describe('browsePages', () => {
  const movies = [
    ...Array.from({ length: PAGE_SIZE + 2 }, (_, i) => movie(i + 1, 1995, ['Sci-Fi'])),
    movie(100, 1972, ['Crime', 'Drama']),
    movie(101, null, ['Drama']),
  ];
  const pages = browsePages(movies);
  const byPath = new Map(pages.map((page) => [page.path, page]));

  it('paginates each genre, genre and decade, and decade', () => {
    expect([...byPath.keys()].sort()).toEqual([
      'all/1970s',
      'all/1990s',
      'all/1990s/2',
      'crime',
      'crime/1970s',
      'drama',
      'drama/1970s',
      'sci-fi',
      'sci-fi/1990s',
      'sci-fi/1990s/2',
      'sci-fi/2',
    ]);
    expect(byPath.get('sci-fi/2')).toMatchObject({
      page: 2,
      pages: 2,
      total: PAGE_SIZE + 2,
      genre: 'Sci-Fi',
    });
    expect(byPath.get('sci-fi/2')!.movies.map((m) => m.movieId)).toEqual([
      PAGE_SIZE + 1,
      PAGE_SIZE + 2,
    ]);
    expect(byPath.get('drama')!.movies.map((m) => m.movieId)).toEqual([100, 101]);
  });

  it('links pages and counts decades', () => {
    expect(browseHref('sci-fi', '1990s', 2)).toBe('/browse/sci-fi/1990s/2/');
    expect(browseHref('all', null)).toBe('/browse/all/');
    expect(decades(movies)).toEqual([
      { decade: '1970s', count: 1 },
      { decade: '1990s', count: PAGE_SIZE + 2 },
    ]);
  });
});
