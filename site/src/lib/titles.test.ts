import { describe, expect, it } from 'vitest';
import { displayTitle, formatStars, slugify, starsText } from './titles.js';

describe('displayTitle', () => {
  it.each([
    ['Matrix, The', 'The Matrix'],
    ['American President, The', 'The American President'],
    ['Usual Suspects, The', 'The Usual Suspects'],
    [
      "Amelie (Fabuleux destin d'Amélie Poulain, Le)",
      "Amelie (Fabuleux destin d'Amélie Poulain, Le)",
    ],
    [
      'City of Lost Children, The (Cité des enfants perdus, La)',
      'The City of Lost Children (Cité des enfants perdus, La)',
    ],
    ["Auberge espagnole, L'", "L'Auberge espagnole"],
    ['Toy Story', 'Toy Story'],
    ['Good, the Bad and the Ugly, The', 'The Good, the Bad and the Ugly'],
  ])('%s → %s', (raw, shown) => {
    expect(displayTitle(raw)).toBe(shown);
  });
});

describe('slugify', () => {
  it('makes URL-safe lowercase segments', () => {
    expect(slugify('Sci-Fi')).toBe('sci-fi');
    expect(slugify('Film-Noir')).toBe('film-noir');
    expect(slugify('(no genres listed)')).toBe('no-genres-listed');
    expect(slugify('Ciné Été')).toBe('cine-ete');
  });
});

describe('stars', () => {
  it('formats for people and screen readers', () => {
    expect(starsText(3.5)).toBe('3.5 stars');
    expect(starsText(1)).toBe('1 star');
    expect(formatStars(4.25)).toBe('4.3');
    expect(formatStars(4)).toBe('4');
  });
});
