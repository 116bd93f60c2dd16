// Writes an ml-25m-shaped MovieLens directory (movies.csv, links.csv, ratings.csv) for
// measuring the site build at scale: the bundled catalogue's movies repeated with numbered
// variant titles up to --movies, and --ratings ratings over them with long-tailed (Zipf)
// popularity. Deterministic (seeded). Not a data set for the model: the genres and titles are
// real, the ratings are noise.
//   npx tsx site/tools/make-large-catalogue.ts --out /tmp/ml-large [--movies 62423 --ratings 25000095]
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseMovies } from '@reel/pipelines/data/movielens-movies';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    movies: { type: 'string', default: '62423' },
    ratings: { type: 'string', default: '25000095' },
    seed: { type: 'string', default: '42' },
  },
});
if (!values.out)
  throw new Error('--out DIR is required: where to write movies.csv, links.csv, ratings.csv');
const movieCount = Number(values.movies);
const ratingCount = Number(values.ratings);
const out = values.out;
mkdirSync(out, { recursive: true });

// mulberry32: small, seeded, good enough for synthetic noise.
let state = Number(values.seed) >>> 0;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};

const source = parseMovies(
  readFileSync(new URL('../../pipelines/data/ml-latest-small/movies.csv', import.meta.url), 'utf8'),
);
const quote = (text: string) => (/[",]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
const movies: string[] = ['movieId,title,genres'];
const links: string[] = ['movieId,imdbId,tmdbId'];
for (let i = 0; i < movieCount; i++) {
  const base = source[i % source.length];
  const round = Math.floor(i / source.length);
  const title = round === 0 ? base.title : `${base.title} ${round + 1}`;
  const year = base.year === null ? '' : ` (${base.year + round})`;
  const genres = base.genres.length > 0 ? base.genres.join('|') : '(no genres listed)';
  movies.push(`${i + 1},${quote(`${title}${year}`)},${genres}`);
  links.push(`${i + 1},${String(1000000 + i).padStart(7, '0')},${100000 + i}`);
}
writeFileSync(join(out, 'movies.csv'), `${movies.join('\n')}\n`);
writeFileSync(join(out, 'links.csv'), `${links.join('\n')}\n`);

const ratings = createWriteStream(join(out, 'ratings.csv'));
ratings.write('userId,movieId,rating,timestamp\n');
const users = Math.max(1, Math.round(ratingCount / 154));
let chunk: string[] = [];
for (let i = 0; i < ratingCount; i++) {
  // Zipf-like popularity: movie rank ~ u^3 concentrates ratings on the first movies.
  const movie = 1 + Math.floor(random() ** 3 * movieCount);
  const user = 1 + Math.floor(random() * users);
  const rating = Math.max(0.5, Math.min(5, Math.round((3.5 + (random() - 0.5) * 3) * 2) / 2));
  chunk.push(`${user},${movie},${rating.toFixed(1)},${1_000_000_000 + i}`);
  if (chunk.length === 100_000) {
    if (!ratings.write(`${chunk.join('\n')}\n`))
      await new Promise<void>((resolve) => ratings.once('drain', () => resolve()));
    chunk = [];
    if (i % 5_000_000 < 100_000) process.stderr.write(`ratings: ${(i + 1).toLocaleString('en')}\n`);
  }
}
ratings.end(chunk.length > 0 ? `${chunk.join('\n')}\n` : '');
await new Promise<void>((resolve) => ratings.once('finish', () => resolve()));
process.stderr.write(`wrote ${movieCount} movies and ${ratingCount} ratings to ${out}\n`);
