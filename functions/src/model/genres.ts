import type { GenreConfig } from './config.js';

/** The genres of a model's items, as model files store them. */
export interface ItemGenres {
  /** Genre names; bit g of a movie's mask means `names[g]`. At most 32. */
  readonly names: readonly string[];
  /** One mask per item row. */
  readonly masks: Uint32Array;
}

export const MAX_GENRES = 32;

/**
 * Builds the genre masks of `itemIds` from each movie's genre names (movies not in `genresOf`
 * get none). Names are numbered in sorted order so the same catalogue always gives the same
 * masks.
 */
export function itemGenres(
  itemIds: ArrayLike<number>,
  genresOf: ReadonlyMap<number, readonly string[]>,
): ItemGenres {
  const names = [...new Set([...genresOf.values()].flat())].sort();
  if (names.length > MAX_GENRES) {
    throw new RangeError(
      `genres: ${names.length} distinct genres, at most ${MAX_GENRES} fit a mask (${names.join(', ')})`,
    );
  }
  const bit = new Map(names.map((name, g) => [name, g]));
  const masks = new Uint32Array(itemIds.length);
  for (let row = 0; row < itemIds.length; row++) {
    for (const name of genresOf.get(itemIds[row]) ?? []) {
      masks[row] |= 1 << (bit.get(name) as number);
    }
  }
  return { names, masks };
}

/**
 * The weight of the genre term after `n` ratings: w₀·n₀/(n₀ + n). It fades as the ratings
 * say more than the genres do, and is 0 when the model has no genres.
 */
export function genreWeight(config: GenreConfig, n: number): number {
  return fading(config.weight, config.fadeRatings, n);
}

/**
 * The weight of the popularity term after `n` ratings: v₀·2^(−n/m₀). It halves with every m₀
 * ratings, so it helps a newcomer and is gone from a long history, whose own ratings it would
 * only pull towards the same few well-known movies.
 */
export function popularityWeight(config: GenreConfig, n: number): number {
  return config.popularityWeight * 2 ** (-n / config.popularityFadeRatings);
}

/** `initial` after `n` ratings, halved after `half` of them. */
const fading = (initial: number, half: number, n: number) => (initial * half) / (half + n);

/**
 * Content-based genre similarity (TF-IDF over genres, cosine): a movie's vector has idf(g) =
 * ln(items / items with g) for each of its genres; a person's is the mean of the vectors of
 * the movies they liked. Rare genres (Film-Noir, Sci-Fi) say more about a taste than common
 * ones (Drama), which is what lets five science-fiction ratings read as "science fiction"
 * rather than "action".
 */
export class GenreSimilarity {
  private readonly idf: Float64Array;
  private readonly itemNorms: Float64Array;
  private readonly masks: Uint32Array;
  private readonly profile: Float64Array;

  constructor(genres: ItemGenres) {
    const { masks } = genres;
    const genreCount = genres.names.length;
    const counts = new Float64Array(genreCount);
    for (const mask of masks) {
      for (let g = 0; g < genreCount; g++) if (mask & (1 << g)) counts[g]++;
    }
    this.idf = Float64Array.from(counts, (count) =>
      count > 0 ? Math.log(masks.length / count) : 0,
    );
    this.itemNorms = Float64Array.from(masks, (mask) => {
      let norm = 0;
      for (let g = 0; g < genreCount; g++) if (mask & (1 << g)) norm += this.idf[g] ** 2;
      return Math.sqrt(norm);
    });
    this.masks = masks;
    this.profile = new Float64Array(genreCount);
  }

  /**
   * Sets the person's profile from the rows of the movies they liked; false when it is empty
   * (no liked movie has a genre), in which case similarity() must not be called.
   */
  setProfile(liked: ArrayLike<number>): boolean {
    const { profile, idf, masks } = this;
    profile.fill(0);
    let norm = 0;
    for (let q = 0; q < liked.length; q++) {
      const mask = masks[liked[q]];
      for (let g = 0; g < profile.length; g++) if (mask & (1 << g)) profile[g] += idf[g];
    }
    for (let g = 0; g < profile.length; g++) norm += profile[g] ** 2;
    if (norm === 0) return false;
    const scale = 1 / Math.sqrt(norm);
    for (let g = 0; g < profile.length; g++) profile[g] *= scale;
    return true;
  }

  /** Cosine between the current profile and item row `row`'s genres, in [0, 1]. */
  similarity(row: number): number {
    const norm = this.itemNorms[row];
    if (norm === 0) return 0;
    const mask = this.masks[row];
    let dot = 0;
    for (let g = 0; g < this.profile.length; g++) {
      if (mask & (1 << g)) dot += this.profile[g] * this.idf[g];
    }
    return dot / norm;
  }
}
