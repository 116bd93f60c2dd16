/** One movie of the catalogue, as MovieLens describes it. */
export interface Movie {
  movieId: number;
  title: string;
  /** Release year parsed from the title's trailing "(1995)", or null when the title has none. */
  year: number | null;
  genres: string[];
}

/** tmdb and imdb ids of a movie, from MovieLens' links.csv. */
export interface MovieLinks {
  movieId: number;
  imdbId: string | null;
  tmdbId: number | null;
}

export class CatalogueParseError extends Error {
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`line ${line}: ${detail}`);
    this.name = 'CatalogueParseError';
  }
}

// The 19 genre columns of ml-100k's u.item, in file order.
const U_ITEM_GENRES = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  'Children',
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];

/** Splits one CSV record (RFC 4180 quoting, no embedded newlines in MovieLens files). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
  }
  fields.push(field);
  return fields;
}

function splitTitle(raw: string): { title: string; year: number | null } {
  const trimmed = raw.trim();
  const match = /^(.*?)\s*\((\d{4})(?:[-–]\d{0,4})?\)$/.exec(trimmed);
  return match ? { title: match[1], year: Number(match[2]) } : { title: trimmed, year: null };
}

function parseGenres(field: string): string[] {
  return field === '(no genres listed)' || field === '' ? [] : field.split('|');
}

function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

function parseMovieId(field: string | undefined, line: number): number {
  const id = Number(field);
  if (!Number.isInteger(id) || id <= 0) {
    throw new CatalogueParseError(
      line,
      `movie id ${JSON.stringify(field)} is not a positive integer`,
    );
  }
  return id;
}

/**
 * Parses a MovieLens movie list, detecting the format by content: `movies.csv` (header
 * `movieId,title,genres`; ml-latest-small, ml-25m), `movies.dat` (`::`-separated; ml-1m) or
 * `u.item` (`|`-separated with 19 genre flags; ml-100k). Throws on the first malformed line.
 */
export function parseMovies(text: string): Movie[] {
  const all = lines(text);
  const first = all.find((line) => line.trim() !== '') ?? '';
  const movies: Movie[] = [];
  const push = (
    line: number,
    id: string | undefined,
    title: string | undefined,
    genres: string[],
  ) => {
    if (title === undefined || title.trim() === '') {
      throw new CatalogueParseError(line, 'missing title');
    }
    movies.push({ movieId: parseMovieId(id, line), ...splitTitle(title), genres });
  };

  if (first.startsWith('movieId,')) {
    all.forEach((line, index) => {
      if (index === 0 || line.trim() === '') return;
      const fields = splitCsvLine(line);
      if (fields.length !== 3) {
        throw new CatalogueParseError(index + 1, `expected 3 fields, found ${fields.length}`);
      }
      push(index + 1, fields[0], fields[1], parseGenres(fields[2]));
    });
  } else if (first.includes('::')) {
    all.forEach((line, index) => {
      if (line.trim() === '') return;
      const fields = line.split('::');
      if (fields.length !== 3) {
        throw new CatalogueParseError(
          index + 1,
          `expected 3 "::"-separated fields, found ${fields.length}`,
        );
      }
      push(index + 1, fields[0], fields[1], parseGenres(fields[2]));
    });
  } else if (first.includes('|')) {
    all.forEach((line, index) => {
      if (line.trim() === '') return;
      const fields = line.split('|');
      if (fields.length !== 5 + U_ITEM_GENRES.length) {
        throw new CatalogueParseError(
          index + 1,
          `expected ${5 + U_ITEM_GENRES.length} "|"-separated fields, found ${fields.length}`,
        );
      }
      // Column 0 is "unknown", which MovieLens' other formats write as no genre.
      const genres = U_ITEM_GENRES.slice(1).filter((_, g) => fields[6 + g] === '1');
      push(index + 1, fields[0], fields[1], genres);
    });
  } else {
    throw new CatalogueParseError(1, 'unknown format: expected movies.csv, movies.dat or u.item');
  }
  return movies;
}

/** Parses MovieLens' links.csv (`movieId,imdbId,tmdbId`; ids may be empty). */
export function parseLinks(text: string): MovieLinks[] {
  const all = lines(text);
  if (!all[0]?.startsWith('movieId,imdbId,tmdbId')) {
    throw new CatalogueParseError(1, 'expected the header "movieId,imdbId,tmdbId"');
  }
  const links: MovieLinks[] = [];
  all.forEach((line, index) => {
    if (index === 0 || line.trim() === '') return;
    const [movieId, imdbId, tmdbId, ...rest] = line.split(',');
    if (rest.length > 0 || tmdbId === undefined) {
      throw new CatalogueParseError(index + 1, 'expected 3 fields');
    }
    const tmdb = tmdbId.trim() === '' ? null : Number(tmdbId);
    if (tmdb !== null && !Number.isInteger(tmdb)) {
      throw new CatalogueParseError(
        index + 1,
        `tmdb id ${JSON.stringify(tmdbId)} is not an integer`,
      );
    }
    links.push({ movieId: parseMovieId(movieId, index + 1), imdbId: imdbId || null, tmdbId: tmdb });
  });
  return links;
}
