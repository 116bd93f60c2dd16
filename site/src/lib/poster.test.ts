import { describe, expect, it } from 'vitest';
import { genreColour, posterSvg, wrapTitle } from './poster.js';

const matrix = {
  movieId: 2571,
  title: 'The Matrix',
  year: 1999,
  genres: ['Action', 'Sci-Fi', 'Thriller'],
};

describe('wrapTitle', () => {
  it('wraps words greedily and ellipsises what does not fit', () => {
    expect(wrapTitle('The Lord of the Rings: The Fellowship of the Ring', 14, 4)).toEqual([
      'The Lord of',
      'the Rings: The',
      'Fellowship of',
      'the Ring',
    ]);
    expect(wrapTitle('one two three four five six seven eight', 7, 2)).toEqual([
      'one two',
      'three…',
    ]);
  });
});

describe('posterSvg', () => {
  it('is deterministic and labelled for screen readers', () => {
    const svg = posterSvg(matrix);
    expect(svg).toBe(posterSvg({ ...matrix }));
    expect(svg).toContain('role="img" aria-label="Poster: The Matrix (1999)"');
    expect(svg).toContain(`fill="${genreColour('Action')}"`);
    expect(svg).toContain('>The Matrix</text>');
    expect(svg).toContain('>1999</text>');
  });

  it('differs between movies and escapes markup in titles', () => {
    const other = posterSvg({
      movieId: 1,
      title: 'Tom & Jerry <3 "Quotes"',
      year: null,
      genres: [],
    });
    expect(other).not.toBe(posterSvg(matrix));
    expect(other).toContain('Tom &#38; Jerry &#60;3 &#34;Quotes&#34;');
    expect(other).not.toContain('<3');
    expect(other).toContain(`fill="${genreColour(undefined)}"`);
  });
});
