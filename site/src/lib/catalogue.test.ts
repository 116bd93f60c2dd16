import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogue, parseRatingLine } from './catalogue.js';

const tiny = new URL('../../test/fixtures/ml-tiny', import.meta.url).pathname;
const small = new URL('../../../pipelines/data/ml-latest-small', import.meta.url).pathname;

function catalogueDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'reel-catalogue-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('parseRatingLine', () => {
  it('reads movie and rating, naming the line when malformed', () => {
    expect(parseRatingLine('1,318,4.5,964982703', 2)).toEqual({ movieId: 318, rating: 4.5 });
    expect(() => parseRatingLine('1,318,7,964982703', 9)).toThrow(
      'line 9: rating "7" is not between 0.5 and 5',
    );
    expect(() => parseRatingLine('1,318', 3)).toThrow('line 3: expected 4 fields');
  });
});

describe('loadCatalogue', () => {
  it('joins movies, links and rating statistics, most popular first', async () => {
    const catalogue = await loadCatalogue(tiny);
    expect(catalogue.movies).toHaveLength(80);
    expect(catalogue.ratingsTotal).toBe(2334);
    const matrix = catalogue.byId.get(2571)!;
    expect(matrix).toMatchObject({
      title: 'The Matrix',
      year: 1999,
      tmdbId: 603,
      imdbId: '0133093',
    });
    expect(matrix.genres).toEqual(['Action', 'Sci-Fi', 'Thriller']);
    expect(catalogue.movies.map((movie) => movie.rank)).toEqual(
      catalogue.movies.map((_, i) => i + 1),
    );
    expect(catalogue.genres.find((genre) => genre.slug === 'sci-fi')?.label).toBe('Sci-Fi');
  });

  it('reads the bundled ml-latest-small: 9,742 movies, 100,836 ratings', async () => {
    const catalogue = await loadCatalogue(small);
    expect(catalogue.movies).toHaveLength(9742);
    expect(catalogue.ratingsTotal).toBe(100836);
    const shawshank = catalogue.byId.get(318)!;
    expect(shawshank.ratingsCount).toBe(317);
    expect(shawshank.meanRating).toBeCloseTo(4.429, 4);
    expect(shawshank.rank).toBeLessThanOrEqual(3);
  });

  it('names the missing file and what the directory must hold', async () => {
    const dir = catalogueDir({ 'movies.csv': 'movieId,title,genres\n1,Toy Story (1995),Comedy\n' });
    await expect(loadCatalogue(dir)).rejects.toThrow(
      `${join(dir, 'links.csv')}: not found; REEL_CATALOGUE_DIR must be a MovieLens directory`,
    );
  });

  it('refuses ratings of movies the catalogue does not have', async () => {
    const dir = catalogueDir({
      'movies.csv': 'movieId,title,genres\n1,Toy Story (1995),Comedy\n',
      'links.csv': 'movieId,imdbId,tmdbId\n1,0114709,862\n',
      'ratings.csv': 'userId,movieId,rating,timestamp\n1,1,4.0,1\n1,2,3.0,2\n',
    });
    await expect(loadCatalogue(dir)).rejects.toThrow('line 3: movie 2 is not in movies.csv');
  });
});
