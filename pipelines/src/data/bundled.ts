import { fileURLToPath } from 'node:url';

/** The MovieLens ml-latest-small ratings bundled with the repository (see its README.txt). */
export const BUNDLED_RATINGS = fileURLToPath(
  new URL('../../data/ml-latest-small/ratings.csv', import.meta.url),
);
