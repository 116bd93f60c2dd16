import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CatalogueParseError, parseLinks, parseMovies, splitCsvLine } from './movielens-movies.js';

describe('splitCsvLine', () => {
  it('honours quotes and doubled quotes', () => {
    expect(splitCsvLine('11,"American President, The (1995)",Comedy|Drama|Romance')).toEqual([
      '11',
      'American President, The (1995)',
      'Comedy|Drama|Romance',
    ]);
    expect(splitCsvLine('1,"Say ""Hi"" (2001)",')).toEqual(['1', 'Say "Hi" (2001)', '']);
  });
});

describe('parseMovies', () => {
  it('reads movies.csv with quoted titles, years and genres', () => {
    const text = [
      'movieId,title,genres',
      '1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy',
      '11,"American President, The (1995)",Comedy|Drama|Romance',
      '182727,A Christmas Story Live! (2017),(no genres listed)',
      '171749,Death Note: Desu nôto (2006–2007),(no genres listed)',
      '156605,Paterson,(no genres listed)',
      '',
    ].join('\n');
    expect(parseMovies(text)).toEqual([
      {
        movieId: 1,
        title: 'Toy Story',
        year: 1995,
        genres: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'],
      },
      {
        movieId: 11,
        title: 'American President, The',
        year: 1995,
        genres: ['Comedy', 'Drama', 'Romance'],
      },
      { movieId: 182727, title: 'A Christmas Story Live!', year: 2017, genres: [] },
      { movieId: 171749, title: 'Death Note: Desu nôto', year: 2006, genres: [] },
      { movieId: 156605, title: 'Paterson', year: null, genres: [] },
    ]);
  });

  it('reads ml-1m movies.dat', () => {
    expect(parseMovies("1::Toy Story (1995)::Animation|Children's|Comedy\n")).toEqual([
      { movieId: 1, title: 'Toy Story', year: 1995, genres: ['Animation', "Children's", 'Comedy'] },
    ]);
  });

  it('reads ml-100k u.item genre flags', () => {
    const line = '1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0';
    expect(parseMovies(line)).toEqual([
      { movieId: 1, title: 'Toy Story', year: 1995, genres: ['Animation', 'Children', 'Comedy'] },
    ]);
  });

  it('names the line of a malformed record', () => {
    const text = 'movieId,title,genres\n1,Toy Story (1995),Comedy\nx,Broken (1999),Drama\n';
    expect(() => parseMovies(text)).toThrow(
      new CatalogueParseError(3, 'movie id "x" is not a positive integer'),
    );
    expect(() => parseMovies('movieId,title,genres\n1,Only two\n')).toThrow(
      'line 2: expected 3 fields, found 2',
    );
    expect(() => parseMovies('hello world')).toThrow('line 1: unknown format');
  });

  it('parses the bundled ml-latest-small catalogue', () => {
    const text = readFileSync(
      new URL('../../data/ml-latest-small/movies.csv', import.meta.url),
      'utf8',
    );
    const movies = parseMovies(text);
    expect(movies).toHaveLength(9742);
    expect(movies.filter((movie) => movie.year === null).length).toBeLessThan(20);
  });
});

describe('parseLinks', () => {
  it('reads ids and empty tmdb ids', () => {
    expect(parseLinks('movieId,imdbId,tmdbId\n1,0114709,862\n791,0113610,\n')).toEqual([
      { movieId: 1, imdbId: '0114709', tmdbId: 862 },
      { movieId: 791, imdbId: '0113610', tmdbId: null },
    ]);
  });

  it('rejects a file without the header', () => {
    expect(() => parseLinks('1,2,3')).toThrow('line 1: expected the header');
  });
});
