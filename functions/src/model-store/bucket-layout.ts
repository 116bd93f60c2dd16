/**
 * Where models live in the bucket: `models/{version}/{file}` for the files (opaque bytes here,
 * the model module encodes them) and `models/current.json` for the pointer to the serving one.
 */

export const MODELS_PREFIX = 'models/';
export const POINTER_PATH = 'models/current.json';
/**
 * Where a trainer writes a version before the publish step has checked it: `staging/{version}/`
 * has the same files as `models/{version}/`, which only the publish step writes.
 */
export const STAGING_PREFIX = 'staging/';

/** The serving model; moved only after every file of `version` is written. */
export interface ModelPointer {
  version: string;
  publishedAt: string;
  /**
   * One more than the previous pointer's (absent before republishes were numbered = 0): every
   * move, rollbacks included, has a larger serial than the ones before, and the documents a
   * republish writes carry it, so a republish never overwrites a later one's.
   */
  serial?: number;
}

// Versions become object-name segments: no "/", no "..", nothing a shell or URL must quote.
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function checkVersion(version: string): string {
  if (!VERSION.test(version) || version.includes('..')) {
    throw new Error(
      `model version "${version}" must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  return version;
}

function checkFileName(file: string): string {
  if (!FILE_NAME.test(file) || file.includes('..')) {
    throw new Error(`model file name "${file}" must be 1-128 letters, digits, ".", "_" or "-"`);
  }
  return file;
}

export function modelFilePath(version: string, file: string): string {
  return `${versionDirectory(version)}${checkFileName(file)}`;
}

export function stagedFilePath(version: string, file: string): string {
  return `${stagingDirectory(version)}${checkFileName(file)}`;
}

export function versionDirectory(version: string): string {
  return `${MODELS_PREFIX}${checkVersion(version)}/`;
}

export function stagingDirectory(version: string): string {
  return `${STAGING_PREFIX}${checkVersion(version)}/`;
}

/** The serial of a pointer (0 for one written before pointers were numbered). */
export function pointerSerial(pointer: ModelPointer | undefined): number {
  return pointer?.serial ?? 0;
}

/** Parses `models/current.json`, naming what is wrong with it. */
export function parseModelPointer(text: string): ModelPointer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${POINTER_PATH} is not JSON: ${(error as Error).message}`);
  }
  if (json === null || typeof json !== 'object') {
    throw new Error(`${POINTER_PATH} must be an object { version, publishedAt }`);
  }
  const { version, publishedAt, serial } = json as Record<string, unknown>;
  if (typeof version !== 'string') throw new Error(`${POINTER_PATH}: version must be a string`);
  if (typeof publishedAt !== 'string' || Number.isNaN(Date.parse(publishedAt))) {
    throw new Error(`${POINTER_PATH}: publishedAt must be an RFC 3339 timestamp`);
  }
  if (serial === undefined) return { version: checkVersion(version), publishedAt };
  if (typeof serial !== 'number' || !Number.isSafeInteger(serial) || serial < 0) {
    throw new Error(`${POINTER_PATH}: serial must be a non-negative integer`);
  }
  return { version: checkVersion(version), publishedAt, serial };
}

/**
 * The movies a model version knows how to take ratings for, beside its files: every movie of
 * the catalogue when the retrain ran (a movie nobody has rated yet is still a valid rating)
 * plus every movie it trained on. The ingest refuses ratings of anything else.
 */
export const MOVIES_FILE = 'movies.json';

/**
 * The catalogue as `npm run load` publishes it (movies.csv beside the ratings): which movies
 * exist. The retrain copies it into each version's movies.json; the ingest reads it only
 * before the first model is published.
 */
export const CATALOGUE_PATH = 'catalogue/movies.json';

/** What the last retrain did, for `npm run retrain` and people to read. */
export const RETRAIN_STATUS_PATH = 'retrain/status.json';

/** The shape of movies.json and of the catalogue object. */
export interface MovieList {
  movieIds: number[];
  /** The catalogue's genre names of each movie (`genres[n]` is movieIds[n]'s), when known. */
  genres?: string[][];
  /** Each movie's title (`titles[n]` is movieIds[n]'s), when the catalogue gave them. */
  titles?: string[];
  /** Each movie's release year, null when unknown, when the catalogue gave them. */
  years?: (number | null)[];
}

/** Parses movies.json or the catalogue, naming `what` in errors. */
export function parseMovieList(text: string, what: string): MovieList {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} is not JSON: ${(error as Error).message}`);
  }
  const { movieIds, genres, titles, years } = (json ?? {}) as {
    movieIds?: unknown;
    genres?: unknown;
    titles?: unknown;
    years?: unknown;
  };
  if (
    !Array.isArray(movieIds) ||
    !movieIds.every((id) => Number.isInteger(id) && (id as number) > 0)
  ) {
    throw new Error(`${what} must be { "movieIds": [positive integers] }`);
  }
  const list: MovieList = { movieIds: movieIds as number[] };
  const onePerMovie = (value: unknown) => Array.isArray(value) && value.length === movieIds.length;
  if (titles !== undefined) {
    if (!onePerMovie(titles) || !(titles as unknown[]).every((t) => typeof t === 'string')) {
      throw new Error(`${what}: "titles" must be one string per movie id (${movieIds.length})`);
    }
    list.titles = titles as string[];
  }
  if (years !== undefined) {
    if (
      !onePerMovie(years) ||
      !(years as unknown[]).every((y) => y === null || (Number.isInteger(y) && (y as number) > 0))
    ) {
      throw new Error(
        `${what}: "years" must be one year (or null) per movie id (${movieIds.length})`,
      );
    }
    list.years = years as (number | null)[];
  }
  if (genres === undefined) return list;
  if (
    !Array.isArray(genres) ||
    genres.length !== movieIds.length ||
    !genres.every(
      (names) => Array.isArray(names) && names.every((name) => typeof name === 'string'),
    )
  ) {
    throw new Error(
      `${what}: "genres" must be one array of genre names per movie id (${movieIds.length})`,
    );
  }
  return { ...list, genres: genres as string[][] };
}
