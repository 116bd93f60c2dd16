import { describe, expect, it } from 'vitest';
import { GenreSimilarity, genreWeight, itemGenres, popularityWeight } from './genres.js';

describe('itemGenres', () => {
  it('numbers the genre names in sorted order and gives unknown movies none', () => {
    const genres = itemGenres(
      Int32Array.of(7, 3, 9),
      new Map([
        [3, ['Sci-Fi', 'Action']],
        [7, ['Drama']],
      ]),
    );
    expect(genres.names).toEqual(['Action', 'Drama', 'Sci-Fi']);
    expect(Array.from(genres.masks)).toEqual([0b010, 0b101, 0]);
  });

  it('refuses more genres than a mask holds', () => {
    const many = new Map([[1, Array.from({ length: 33 }, (_, g) => `g${g}`)]]);
    expect(() => itemGenres(Int32Array.of(1), many)).toThrow(/33 distinct genres, at most 32/);
  });
});

describe('genreWeight and popularityWeight', () => {
  it('are w₀ and v₀ before any rating, w halved after n₀ ratings and v with every m₀', () => {
    const config = {
      weight: 0.6,
      fadeRatings: 10,
      candidates: 100,
      popularityWeight: 0.4,
      popularityFadeRatings: 5,
      sequenceWeight: 0,
      sequenceRampRatings: 1,
      sequenceRecent: 1,
      sequenceWindow: 1,
      sequenceKeep: 1,
    };
    expect(genreWeight(config, 0)).toBeCloseTo(0.6, 15);
    expect(genreWeight(config, 10)).toBeCloseTo(0.3, 15);
    expect(genreWeight(config, 30)).toBeCloseTo(0.15, 15);
    expect(genreWeight({ ...config, weight: 0 }, 3)).toBe(0);
    expect(popularityWeight(config, 0)).toBeCloseTo(0.4, 15);
    expect(popularityWeight(config, 5)).toBeCloseTo(0.2, 15);
    expect(popularityWeight(config, 15)).toBeCloseTo(0.05, 15);
    expect(popularityWeight({ ...config, popularityWeight: 0 }, 3)).toBe(0);
  });
});

describe('GenreSimilarity', () => {
  // Genres 0 = Drama (3 of the 5 items: idf ln 5/3), 1 = Sci-Fi (2 of 5: idf ln 5/2).
  const drama = 0b01;
  const sciFi = 0b10;
  const similarity = new GenreSimilarity({
    names: ['Drama', 'Sci-Fi'],
    masks: Uint32Array.of(sciFi, drama, drama | sciFi, drama, 0),
  });

  it('is the cosine of TF-IDF genre vectors, worked out by hand', () => {
    expect(similarity.setProfile([0])).toBe(true);
    const [dramaIdf, sciFiIdf] = [Math.log(5 / 3), Math.log(5 / 2)];
    expect(similarity.similarity(0)).toBeCloseTo(1, 15);
    expect(similarity.similarity(1)).toBe(0);
    expect(similarity.similarity(2)).toBeCloseTo(sciFiIdf / Math.hypot(dramaIdf, sciFiIdf), 15);
    expect(similarity.similarity(4)).toBe(0);
  });

  it('weighs a rare genre above a common one in a mixed profile', () => {
    // Liked: one science-fiction movie and one drama; the drama is the commoner genre.
    similarity.setProfile([0, 1]);
    expect(similarity.similarity(0)).toBeGreaterThan(similarity.similarity(1));
  });

  it('has no profile when nothing liked has a genre', () => {
    expect(similarity.setProfile([4])).toBe(false);
    expect(similarity.setProfile([])).toBe(false);
  });
});
