import { beforeAll, describe, expect, it } from 'vitest';
import { type Catalogue, loadCatalogue } from './catalogue.js';
import {
  buildSearchIndex,
  loadSearchIndex,
  normaliseTerm,
  type SearchDocument,
  searchTitles,
} from './search.js';

const small = new URL('../../../pipelines/data/ml-latest-small', import.meta.url).pathname;
let catalogue: Catalogue;
let documents: SearchDocument[];
let index: ReturnType<typeof buildSearchIndex>;

beforeAll(async () => {
  catalogue = await loadCatalogue(small);
  documents = catalogue.movies.map((movie) => ({
    id: movie.movieId,
    title: movie.title,
    year: movie.year,
    popularity: Math.log2(1 + movie.ratingsCount),
  }));
  index = buildSearchIndex(documents);
});

describe('normaliseTerm', () => {
  it('drops case and accents', () => {
    expect(normaliseTerm('Amélie')).toBe('amelie');
    expect(normaliseTerm('CITÉ')).toBe('cite');
  });
});

describe('searchTitles on ml-latest-small', () => {
  const first = (query: string) => {
    return searchTitles(index, query, 5).map((hit) => `${hit.title} (${hit.year})`);
  };

  it('completes the word being typed', () => {
    expect(first('the matr')[0]).toBe('The Matrix (1999)');
    expect(first('shaws')[0]).toBe('The Shawshank Redemption (1994)');
  });

  it('tolerates typos and accents', () => {
    expect(first('shawshenk redemtion')[0]).toBe('The Shawshank Redemption (1994)');
    expect(first('amélie')[0]).toMatch(/^Amelie \(Fabuleux destin/);
    expect(first('cite des enfants')[0]).toMatch(/Cité des enfants perdus/);
    expect(first('terminater 2')[0]).toBe('Terminator 2: Judgment Day (1991)');
  });

  it('narrows by year', () => {
    expect(first('star wars 1977')[0]).toBe('Star Wars: Episode IV - A New Hope (1977)');
  });

  it('answers the same from a serialised index', () => {
    const loaded = loadSearchIndex(JSON.stringify(index));
    expect(searchTitles(loaded, 'godfathr', 3)).toEqual(searchTitles(index, 'godfathr', 3));
    expect(searchTitles(loaded, 'godfathr', 3)[0].id).toBe(858);
    expect(searchTitles(loaded, '   ')).toEqual([]);
  });
});
