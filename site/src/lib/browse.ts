import type { CatalogueMovie } from './catalogue.js';
import { slugify } from './titles.js';

export const PAGE_SIZE = 48;
export const ALL = 'all';

export interface BrowsePage {
  /** URL path under /browse/, e.g. "sci-fi/1990s/2". */
  path: string;
  genre: string | null;
  genreSlug: string;
  decade: string | null;
  page: number;
  pages: number;
  total: number;
  movies: CatalogueMovie[];
}

export function decadeOf(year: number | null): string | null {
  return year === null ? null : `${Math.floor(year / 10) * 10}s`;
}

export function browseHref(genreSlug: string, decade: string | null, page = 1): string {
  return `/browse/${genreSlug}/${decade ? `${decade}/` : ''}${page > 1 ? `${page}/` : ''}`;
}

/**
 * Every browse page: each genre (and "all") alone and with each decade, paginated, movies in
 * popularity order. `movies` must already be most popular first.
 */
export function browsePages(movies: readonly CatalogueMovie[]): BrowsePage[] {
  const groups = new Map<
    string,
    { genre: string | null; decade: string | null; movies: CatalogueMovie[] }
  >();
  const add = (genre: string | null, decade: string | null, movie: CatalogueMovie) => {
    const key = `${genre === null ? ALL : slugify(genre)}/${decade ?? ''}`;
    let group = groups.get(key);
    if (!group) {
      group = { genre, decade, movies: [] };
      groups.set(key, group);
    }
    group.movies.push(movie);
  };
  for (const movie of movies) {
    const decade = decadeOf(movie.year);
    for (const genre of movie.genres) {
      add(genre, null, movie);
      if (decade) add(genre, decade, movie);
    }
    if (decade) add(null, decade, movie);
  }
  const pages: BrowsePage[] = [];
  for (const group of groups.values()) {
    const genreSlug = group.genre === null ? ALL : slugify(group.genre);
    const count = Math.ceil(group.movies.length / PAGE_SIZE);
    for (let page = 1; page <= count; page++) {
      pages.push({
        path: browseHref(genreSlug, group.decade, page).slice('/browse/'.length, -1),
        genre: group.genre,
        genreSlug,
        decade: group.decade,
        page,
        pages: count,
        total: group.movies.length,
        movies: group.movies.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
      });
    }
  }
  return pages;
}

/** Decades present in the catalogue, oldest first, with their movie counts. */
export function decades(movies: readonly CatalogueMovie[]): { decade: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const movie of movies) {
    const decade = decadeOf(movie.year);
    if (decade) counts.set(decade, (counts.get(decade) ?? 0) + 1);
  }
  return [...counts]
    .map(([decade, count]) => ({ decade, count }))
    .sort((a, b) => a.decade.localeCompare(b.decade));
}
