import { MAX_RATING, MIN_RATING, RATING_STEP } from '@reel/functions/contracts/limits';
import type { Ratings } from '@reel/functions/model';
import { GrowableArray } from './growable.js';
import { IdIndex } from './id-index.js';

/** The MovieLens rating file formats, named after the files that use them. */
export type RatingsFormat = 'ratings.csv' | 'ratings.dat' | 'u.data';

export const CSV_HEADER = 'userId,movieId,rating,timestamp';

const DELIMITERS: Record<RatingsFormat, string> = {
  'ratings.csv': ',',
  'ratings.dat': '::',
  'u.data': '\t',
};

export interface MalformedLine {
  line: number;
  message: string;
}

export interface RatingsParseOptions {
  /**
   * `fail` (the default): read to the end, then throw a RatingsParseError listing the first
   * `maxReported` malformed lines and how many there were. `skip`: leave malformed lines out
   * and report them in `LoadedRatings.malformed` (count, and the first `maxReported`).
   */
  onMalformed?: 'fail' | 'skip';
  maxReported?: number;
}

/** Ratings from a MovieLens file over dense indices, with the external ids of each index. */
export interface LoadedRatings {
  ratings: Ratings & { readonly timestamp: Float64Array };
  /** `userIds[u]` is the file's user id of dense user `u` (order of first appearance). */
  userIds: Int32Array;
  /** `movieIds[i]` is the file's movie id of dense item `i` (order of first appearance). */
  movieIds: Int32Array;
  format: RatingsFormat;
  /** Lines read, including the header and blank lines. */
  lines: number;
  /** Lines left out (only with `onMalformed: 'skip'`; otherwise parsing throws). */
  malformed: { count: number; first: MalformedLine[] };
}

export class RatingsParseError extends Error {
  constructor(
    readonly errors: MalformedLine[],
    readonly count: number,
  ) {
    const listed = errors.map((e) => `  line ${e.line}: ${e.message}`).join('\n');
    const more = count > errors.length ? `\n  … and ${count - errors.length} more` : '';
    super(
      `${count} malformed line${count === 1 ? '' : 's'} in the ratings file:\n${listed}${more}\n` +
        'Fix the lines above, or load with onMalformed "skip" (--lenient) to leave them out.',
    );
    this.name = 'RatingsParseError';
  }
}

const NEWLINE = 0x0a;
const RETURN = 0x0d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const MAX_ID = 2 ** 31 - 1;

interface ParsedLine {
  userId: number;
  movieId: number;
  rating: number;
  timestamp: number;
}

/**
 * Streaming parser of MovieLens rating files: push byte chunks as they are read, then `end()`.
 * The format is detected from the first non-blank line. Values go straight into growing typed
 * arrays, so memory is a few bytes per rating, never an object per line. Canonical lines take
 * a byte-level fast path; anything else goes through a string parser that either accepts the
 * line or says exactly what is wrong with it.
 */
export class RatingsParser {
  private format: RatingsFormat | null = null;
  private delimiter: number[] = [];
  private carry: Uint8Array | null = null;
  private lineNumber = 0;
  // Lines that produced no rating (header, blank, malformed), ascending: row ↔ line mapping.
  private readonly nonRatingLines: number[] = [];
  private readonly errors: MalformedLine[] = [];
  private errorCount = 0;
  private readonly users = new IdIndex();
  private readonly movies = new IdIndex();
  private readonly user = new GrowableArray(Int32Array);
  private readonly item = new GrowableArray(Int32Array);
  private readonly value = new GrowableArray(Float32Array);
  private readonly timestamp = new GrowableArray(Float64Array);
  private readonly decoder = new TextDecoder();
  private readonly onMalformed: 'fail' | 'skip';
  private readonly maxReported: number;

  constructor(options: RatingsParseOptions = {}) {
    this.onMalformed = options.onMalformed ?? 'fail';
    this.maxReported = options.maxReported ?? 20;
  }

  get ratingsCount(): number {
    return this.value.length;
  }

  push(chunk: Uint8Array): void {
    let start = 0;
    if (this.carry !== null) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline < 0) {
        this.carry = concat(this.carry, chunk);
        return;
      }
      const line = concat(this.carry, chunk.subarray(0, newline));
      this.carry = null;
      this.line(line, 0, line.length);
      start = newline + 1;
    }
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline < 0) break;
      this.line(chunk, start, newline);
      start = newline + 1;
    }
    if (start < chunk.length) this.carry = chunk.slice(start);
  }

  end(): LoadedRatings {
    if (this.carry !== null) {
      const last = this.carry;
      this.carry = null;
      this.line(last, 0, last.length);
    }
    if (this.format === null) {
      throw new RatingsParseError([{ line: 1, message: 'the file is empty' }], 1);
    }
    const rows = this.value.length;
    const userCount = this.users.size;
    const itemCount = this.movies.size;
    let user: Int32Array = this.user.take();
    let item: Int32Array = this.item.take();
    let value: Float32Array = this.value.take();
    let timestamp: Float64Array = this.timestamp.take();
    const userIds = this.users.takeIds();
    const movieIds = this.movies.takeIds();
    const duplicates = findDuplicates(user, item, timestamp, userCount, itemCount);
    for (const [kept, dropped] of duplicates) {
      const [first, second] = kept < dropped ? [kept, dropped] : [dropped, kept];
      this.report(
        this.lineOfRow(second),
        `user ${userIds[user[second]]} rated movie ${movieIds[item[second]]} ` +
          `again (also on line ${this.lineOfRow(first)}); a file holds one rating per user and movie` +
          (this.onMalformed === 'skip' ? '; kept the later one by timestamp' : ''),
      );
    }
    this.errors.sort((a, b) => a.line - b.line);
    if (this.errorCount > 0 && this.onMalformed === 'fail') {
      throw new RatingsParseError(this.errors, this.errorCount);
    }
    if (duplicates.length > 0) {
      const drop = new Uint8Array(rows);
      for (const [, dropped] of duplicates) drop[dropped] = 1;
      [user, item, value, timestamp] = [user, item, value, timestamp].map((column) =>
        column.filter((_, n) => drop[n] === 0),
      ) as [Int32Array, Int32Array, Float32Array, Float64Array];
    }
    return {
      ratings: { userCount, itemCount, user, item, value, timestamp },
      userIds,
      movieIds,
      format: this.format,
      lines: this.lineNumber,
      malformed: { count: this.errorCount, first: this.errors },
    };
  }

  private line(bytes: Uint8Array, start: number, end: number): void {
    this.lineNumber++;
    if (end > start && bytes[end - 1] === RETURN) end--;
    if (this.format === null) {
      this.detect(this.decoder.decode(bytes.subarray(start, end)));
      return;
    }
    if (!this.fastLine(bytes, start, end)) {
      this.slowLine(this.decoder.decode(bytes.subarray(start, end)));
    }
  }

  private detect(text: string): void {
    const trimmed = text.trim();
    if (trimmed === '') {
      this.nonRatingLines.push(this.lineNumber);
      return;
    }
    if (trimmed.includes('::')) {
      this.setFormat('ratings.dat');
    } else if (trimmed.includes('\t')) {
      this.setFormat('u.data');
    } else if (trimmed.includes(',')) {
      this.setFormat('ratings.csv');
      if (/^\d/.test(trimmed)) {
        this.report(
          this.lineNumber,
          `a ratings.csv must start with the header "${CSV_HEADER}"; the first line is data`,
        );
        // Still parse the line as data, so its own errors (if any) are not hidden.
        this.slowLine(text);
        return;
      }
      if (trimmed !== CSV_HEADER) {
        this.report(
          this.lineNumber,
          `expected the header "${CSV_HEADER}", found "${clip(trimmed)}"`,
        );
      }
      this.nonRatingLines.push(this.lineNumber);
      return;
    } else {
      throw new RatingsParseError(
        [
          {
            line: this.lineNumber,
            message:
              `unknown ratings format "${clip(trimmed)}": expected ratings.csv (header ` +
              `"${CSV_HEADER}"), ratings.dat (UserID::MovieID::Rating::Timestamp) or u.data ` +
              '(user, item, rating, timestamp separated by tabs)',
          },
        ],
        1,
      );
    }
    this.slowLine(text);
  }

  private setFormat(format: RatingsFormat): void {
    this.format = format;
    this.delimiter = [...DELIMITERS[format]].map((c) => c.charCodeAt(0));
  }

  /** Byte-level parse of a canonical line; false sends it to the string parser. */
  private fastLine(bytes: Uint8Array, start: number, end: number): boolean {
    const delimiter = this.delimiter;
    const width = delimiter.length;
    let pos = start;
    const fields = [0, 0, 0];
    for (let f = 0; f < 2; f++) {
      let id = 0;
      const first = pos;
      while (pos < end) {
        const c = bytes[pos];
        if (c < ZERO || c > NINE) break;
        id = id * 10 + (c - ZERO);
        pos++;
      }
      if (pos === first || pos - first > 10 || id === 0 || id > MAX_ID) return false;
      if (bytes[pos] !== delimiter[0] || (width === 2 && bytes[pos + 1] !== delimiter[1])) {
        return false;
      }
      pos += width;
      fields[f] = id;
    }
    let whole = 0;
    const ratingStart = pos;
    while (pos < end && bytes[pos] >= ZERO && bytes[pos] <= NINE) {
      whole = whole * 10 + (bytes[pos] - ZERO);
      pos++;
    }
    if (pos === ratingStart || pos - ratingStart > 2) return false;
    let rating = whole;
    if (bytes[pos] === DOT) {
      pos++;
      const digit = bytes[pos];
      if (digit !== ZERO && digit !== ZERO + 5) return false;
      rating += (digit - ZERO) / 10;
      pos++;
      while (pos < end && bytes[pos] === ZERO) pos++;
    }
    if (rating < MIN_RATING || rating > MAX_RATING) return false;
    if (bytes[pos] !== delimiter[0] || (width === 2 && bytes[pos + 1] !== delimiter[1])) {
      return false;
    }
    pos += width;
    let time = 0;
    const timeStart = pos;
    while (pos < end) {
      const c = bytes[pos];
      if (c < ZERO || c > NINE) return false;
      time = time * 10 + (c - ZERO);
      pos++;
    }
    if (pos === timeStart || pos - timeStart > 15) return false;
    this.add(fields[0], fields[1], rating, time);
    return true;
  }

  private slowLine(text: string): void {
    if (text.trim() === '') {
      this.nonRatingLines.push(this.lineNumber);
      return;
    }
    const parsed = parseLineText(text, this.format as RatingsFormat);
    if (typeof parsed === 'string') {
      this.report(this.lineNumber, parsed);
      this.nonRatingLines.push(this.lineNumber);
      return;
    }
    this.add(parsed.userId, parsed.movieId, parsed.rating, parsed.timestamp);
  }

  private add(userId: number, movieId: number, rating: number, timestamp: number): void {
    this.user.push(this.users.indexOf(userId));
    this.item.push(this.movies.indexOf(movieId));
    this.value.push(rating);
    this.timestamp.push(timestamp);
  }

  private report(line: number, message: string): void {
    this.errorCount++;
    if (this.errors.length < this.maxReported) {
      this.errors.push({ line, message });
    } else {
      // Keep the earliest lines: duplicates are found after the scan, out of line order.
      let latest = 0;
      for (let e = 1; e < this.errors.length; e++) {
        if (this.errors[e].line > this.errors[latest].line) latest = e;
      }
      if (line < this.errors[latest].line) this.errors[latest] = { line, message };
    }
  }

  /** The 1-based line number of rating row `row`. */
  private lineOfRow(row: number): number {
    let line = row + 1;
    for (const skipped of this.nonRatingLines) {
      if (skipped <= line) line++;
      else break;
    }
    return line;
  }
}

/** Parses one data line into its values, or returns what is wrong with it. */
export function parseLineText(text: string, format: RatingsFormat): ParsedLine | string {
  const delimiter = DELIMITERS[format];
  const fields = text.split(delimiter).map((field) => field.trim());
  if (fields.length !== 4) {
    const shown = delimiter === '\t' ? 'tab' : `"${delimiter}"`;
    return (
      `expected 4 ${shown}-separated fields (user, movie, rating, timestamp), ` +
      `found ${fields.length}: "${clip(text)}"`
    );
  }
  const [user, movie, rating, timestamp] = fields;
  const userId = parseId(user);
  if (userId === null) return `user id "${clip(user)}" is not an integer in 1..${MAX_ID}`;
  const movieId = parseId(movie);
  if (movieId === null) return `movie id "${clip(movie)}" is not an integer in 1..${MAX_ID}`;
  const value = /^\d+(\.\d+)?$/.test(rating) ? Number(rating) : Number.NaN;
  if (!(value >= MIN_RATING && value <= MAX_RATING && Number.isInteger(value / RATING_STEP))) {
    return `rating "${clip(rating)}" is not one of 0.5, 1.0, …, 5.0 (half stars)`;
  }
  if (!/^\d{1,15}$/.test(timestamp)) {
    return `timestamp "${clip(timestamp)}" is not a whole number of seconds since 1970`;
  }
  return { userId, movieId, rating: value, timestamp: Number(timestamp) };
}

function parseId(field: string): number | null {
  if (!/^\d{1,10}$/.test(field)) return null;
  const id = Number(field);
  return id >= 1 && id <= MAX_ID ? id : null;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Rows that repeat a (user, item) pair, as [kept, dropped] row pairs: the later rating by
 * timestamp is kept (ties: the later row), as the product's "last write wins by ratedAt".
 * O(ratings): bucket rows by user, then mark each user's items in one shared array.
 */
function findDuplicates(
  user: Int32Array,
  item: Int32Array,
  timestamp: Float64Array,
  userCount: number,
  itemCount: number,
): [number, number][] {
  const rows = user.length;
  const start = new Int32Array(userCount + 1);
  for (let n = 0; n < rows; n++) start[user[n] + 1]++;
  for (let u = 0; u < userCount; u++) start[u + 1] += start[u];
  const byUser = new Int32Array(rows);
  const next = start.slice(0, userCount);
  for (let n = 0; n < rows; n++) byUser[next[user[n]]++] = n;
  const seenBy = new Int32Array(itemCount).fill(-1);
  const rowOf = new Int32Array(itemCount);
  const duplicates: [number, number][] = [];
  for (let u = 0; u < userCount; u++) {
    for (let p = start[u]; p < start[u + 1]; p++) {
      const row = byUser[p];
      const i = item[row];
      if (seenBy[i] !== u) {
        seenBy[i] = u;
        rowOf[i] = row;
        continue;
      }
      const other = rowOf[i];
      // Rows come in file order, so on equal timestamps `row` is the later line.
      const laterWins = timestamp[row] >= timestamp[other];
      duplicates.push(laterWins ? [row, other] : [other, row]);
      if (laterWins) rowOf[i] = row;
    }
  }
  return duplicates;
}
