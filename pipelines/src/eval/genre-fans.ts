import type { ItemGenres, Recommender } from '@reel/functions/model';

/** Genres on at least this share of the catalogue's movies get a fan. */
export const FAN_GENRE_MIN_SHARE = 0.05;
/** A fan rates this many of their genre's most popular movies, 5 stars each. */
export const FAN_RATINGS = 5;
/** The list a fan is judged by. */
export const FAN_LIST = 10;

export interface GenreFan {
  genre: string;
  /** The movies they rated: the genre's most popular (as its browse page lists them). */
  rated: number[];
  /** Share of their top FAN_LIST in that genre. */
  share: number;
}

/**
 * The browser-test story for every common genre: a new visitor rates the five most
 * popular movies of one genre 5 stars; how much of their top 10 is that genre? A product
 * check, not an accuracy metric: people who start that way go on to like other genres too,
 * but a list that ignores what they just said does not look like theirs.
 */
export function genreFans(recommender: Recommender, genres: ItemGenres): GenreFan[] {
  const { masks, names } = genres;
  const years = new Uint16Array(masks.length);
  const fans: GenreFan[] = [];
  names.forEach((genre, g) => {
    const bit = 1 << g;
    const movies = masks.reduce((count, mask) => count + (mask & bit ? 1 : 0), 0);
    if (movies < FAN_GENRE_MIN_SHARE * masks.length) return;
    const filter = { metadata: { genres: masks, years }, genres: bit };
    const rated = recommender.popular(FAN_RATINGS, undefined, filter).map((m) => m.movieId);
    // Rated in order, a minute apart, as someone clicking through would.
    const user = recommender.foldIn(
      rated.map((movieId, n) => ({ movieId, rating: 5, ratedAt: 1_800_000_000 + 60 * n })),
    );
    const { items } = recommender.recommend(user, { count: FAN_LIST, explain: false });
    const inGenre = items.filter((item) => {
      const row = recommender.rowOfMovie(item.movieId) as number;
      return (masks[row] & bit) !== 0;
    }).length;
    fans.push({ genre, rated, share: inGenre / FAN_LIST });
  });
  return fans;
}
