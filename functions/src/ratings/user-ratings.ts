/**
 * A person's ratings as `users/{uid}.ratings` stores them: one Bytes field, packed, so a
 * history of tens of thousands of ratings fits one document (1 MiB) and costs no index
 * entries (the field is exempt in firestore.indexes.json). Pure: the functions, the loader
 * and the site share this one codec.
 *
 * Layout (little-endian): a header of 8 bytes (format version as uint8, 3 bytes zero, the
 * number of entries n as uint32), then four columns of n values each, sorted by movieId:
 * movieId uint32, ratedAt float64 (µs since the epoch, exact below 2^53), event tag uint32,
 * half-stars uint8 (1..10; 0 = withdrawn). 17 bytes per entry.
 */

/** One entry: the latest event for one movie. */
export interface StoredRating {
  readonly movieId: number;
  /** null = withdrawn; kept as a tombstone so an older event cannot bring the rating back. */
  readonly rating: number | null;
  /** The event's ratedAt in µs since the epoch: the precision of BigQuery's TIMESTAMP. */
  readonly ratedAtMicros: number;
  /** The event's tag (see eventTag): breaks ties in ratedAt as the BigQuery view does. */
  readonly eventTag: number;
}

export const USER_RATINGS_FORMAT = 1;
export const BYTES_PER_RATING = 17;
const HEADER_BYTES = 8;

/**
 * The most entries (tombstones included) one person may hold: 1 MiB per document, less 16 KiB
 * for the document's other fields (name, factors up to k = 256, counts), over 17 bytes each.
 */
export const MAX_RATINGS_PER_USER = 60_000;

/**
 * The last 8 hex digits of a UUID as a number. The BigQuery view breaks ties with the same
 * digits (`SUBSTR(LOWER(eventId), 29)`), so both stores pick the same event.
 */
export function eventTag(eventId: string): number {
  return Number.parseInt(eventId.slice(-8), 16);
}

const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

function copyInto(target: ArrayBufferView, source: Uint8Array, offset: number): number {
  const bytes = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
  bytes.set(source.subarray(offset, offset + bytes.length));
  return offset + bytes.length;
}

interface Column {
  subarray(begin: number, end?: number): ArrayLike<number>;
  set(values: ArrayLike<number>, offset?: number): void;
}

/** Copies `from` into `to` (one longer), leaving index `at` free. */
function insertGap(from: Column, to: Column, at: number): void {
  to.set(from.subarray(0, at), 0);
  to.set(from.subarray(at), at + 1);
}

export class UserRatingsFormatError extends Error {
  constructor(detail: string) {
    super(`packed ratings: ${detail}`);
    this.name = 'UserRatingsFormatError';
  }
}

/** A person's ratings, sorted by movieId; immutable (`with` returns a new set). */
export class UserRatings {
  private constructor(
    private readonly movieIds: Uint32Array,
    private readonly ratedAt: Float64Array,
    private readonly tags: Uint32Array,
    private readonly halfStars: Uint8Array,
  ) {}

  static readonly empty = new UserRatings(
    new Uint32Array(0),
    new Float64Array(0),
    new Uint32Array(0),
    new Uint8Array(0),
  );

  /** From entries in any order; a movie given twice keeps the last. */
  static of(entries: Iterable<StoredRating>): UserRatings {
    const byMovie = new Map<number, StoredRating>();
    for (const entry of entries) byMovie.set(entry.movieId, entry);
    const sorted = [...byMovie.values()].sort((a, b) => a.movieId - b.movieId);
    const ratings = UserRatings.allocate(sorted.length);
    for (const [n, entry] of sorted.entries()) ratings.put(n, entry);
    return ratings;
  }

  /** Reads the packed field; undefined (no document, no field) is no ratings. */
  static decode(bytes: Uint8Array | undefined): UserRatings {
    if (bytes === undefined || bytes.length === 0) return UserRatings.empty;
    if (!(bytes instanceof Uint8Array)) throw new UserRatingsFormatError('not packed bytes');
    if (!littleEndian) throw new UserRatingsFormatError('this platform is not little-endian');
    if (bytes.length < HEADER_BYTES) throw new UserRatingsFormatError('shorter than its header');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const format = view.getUint8(0);
    if (format !== USER_RATINGS_FORMAT) {
      throw new UserRatingsFormatError(`format ${format}, expected ${USER_RATINGS_FORMAT}`);
    }
    const count = view.getUint32(4, true);
    const expected = HEADER_BYTES + count * BYTES_PER_RATING;
    if (bytes.length !== expected) {
      throw new UserRatingsFormatError(
        `${bytes.length} bytes for ${count} entries, expected ${expected}`,
      );
    }
    const ratings = UserRatings.allocate(count);
    let offset = HEADER_BYTES;
    offset = copyInto(ratings.movieIds, bytes, offset);
    offset = copyInto(ratings.ratedAt, bytes, offset);
    offset = copyInto(ratings.tags, bytes, offset);
    copyInto(ratings.halfStars, bytes, offset);
    return ratings;
  }

  private static allocate(count: number): UserRatings {
    return new UserRatings(
      new Uint32Array(count),
      new Float64Array(count),
      new Uint32Array(count),
      new Uint8Array(count),
    );
  }

  /** Entries, tombstones included. */
  get size(): number {
    return this.movieIds.length;
  }

  /** Ratings that count (tombstones excluded). */
  get count(): number {
    let count = 0;
    for (const stars of this.halfStars) if (stars !== 0) count += 1;
    return count;
  }

  encode(): Uint8Array {
    if (!littleEndian) throw new UserRatingsFormatError('this platform is not little-endian');
    const count = this.size;
    const bytes = new Uint8Array(HEADER_BYTES + count * BYTES_PER_RATING);
    const view = new DataView(bytes.buffer);
    view.setUint8(0, USER_RATINGS_FORMAT);
    view.setUint32(4, count, true);
    let offset = HEADER_BYTES;
    for (const column of [this.movieIds, this.ratedAt, this.tags, this.halfStars]) {
      bytes.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), offset);
      offset += column.byteLength;
    }
    return bytes;
  }

  get(movieId: number): StoredRating | undefined {
    const index = this.indexOf(movieId);
    return index >= 0 ? this.at(index) : undefined;
  }

  /** A copy with `entry` in place of its movie's entry (or added). */
  with(entry: StoredRating): UserRatings {
    const index = this.indexOf(entry.movieId);
    if (index >= 0) {
      const next = new UserRatings(
        this.movieIds,
        this.ratedAt.slice(),
        this.tags.slice(),
        this.halfStars.slice(),
      );
      next.put(index, entry);
      return next;
    }
    const at = -index - 1;
    const next = UserRatings.allocate(this.size + 1);
    insertGap(this.movieIds, next.movieIds, at);
    insertGap(this.ratedAt, next.ratedAt, at);
    insertGap(this.tags, next.tags, at);
    insertGap(this.halfStars, next.halfStars, at);
    next.put(at, entry);
    return next;
  }

  *[Symbol.iterator](): IterableIterator<StoredRating> {
    for (let n = 0; n < this.size; n++) yield this.at(n);
  }

  private at(index: number): StoredRating {
    const stars = this.halfStars[index]!;
    return {
      movieId: this.movieIds[index]!,
      rating: stars === 0 ? null : stars / 2,
      ratedAtMicros: this.ratedAt[index]!,
      eventTag: this.tags[index]!,
    };
  }

  private put(index: number, entry: StoredRating): void {
    this.movieIds[index] = entry.movieId;
    this.ratedAt[index] = entry.ratedAtMicros;
    this.tags[index] = entry.eventTag;
    this.halfStars[index] = entry.rating === null ? 0 : Math.round(entry.rating * 2);
  }

  /** The entry's index, or −(insertion point) − 1. */
  private indexOf(movieId: number): number {
    let low = 0;
    let high = this.size - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const id = this.movieIds[middle]!;
      if (id < movieId) low = middle + 1;
      else if (id > movieId) high = middle - 1;
      else return middle;
    }
    return -low - 1;
  }
}
