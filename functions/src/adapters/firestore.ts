import {
  type DocumentReference,
  FieldValue,
  type Firestore,
  type Timestamp,
} from 'firebase-admin/firestore';
import type {
  MovieDocument,
  PopularDocument,
  RecommendationsDocument,
} from '../contracts/documents.js';
import type { RatingEvent } from '../contracts/rating-event.js';
import { applyRating, type RatingDecision } from '../ratings/last-write-wins.js';
import { UserRatings } from '../ratings/user-ratings.js';

/**
 * `users/{uid}` as the functions read it; written only by the functions. `ratings` is stored
 * packed in one Bytes field (see ratings/user-ratings.ts); decodeUserDocument and
 * userRatingsFields are the only ways in and out.
 */
export interface UserDocument {
  ratings: UserRatings;
  factors?: number[];
  bias?: number;
  modelVersion?: string;
  /** The serial of the republish that last wrote the model fields (see ModelPointer.serial). */
  modelSerial?: number;
  ratingsCount: number;
  updatedAt: Timestamp;
}

/**
 * A person's ratings from their `users/{uid}` document's data, or undefined without one. Every
 * reader of users' ratings goes through here, so the stored layout changes in one place.
 */
export function storedRatings(data: Record<string, unknown> | undefined): UserRatings | undefined {
  return data === undefined ? undefined : decodeUserDocument(data).ratings;
}

export interface ApplyResult {
  decision: RatingDecision;
  /** The user's ratings after the event (unchanged unless `applied`), for the fold-in. */
  ratings: UserRatings;
  /** The user's model fields as stored, so a fold-in can tell whether they are current. */
  modelVersion?: string;
}

const users = 'users';

/** A `users/{uid}` document's data as the functions use it (ratings decoded). */
export function decodeUserDocument(data: Record<string, unknown>): UserDocument {
  return {
    ...(data as Omit<UserDocument, 'ratings'>),
    ratings: UserRatings.decode(data.ratings as Uint8Array | undefined),
  };
}

/** The fields of `users/{uid}` that carry the person's ratings, encoded. */
export function userRatingsFields(ratings: UserRatings) {
  return { ratings: ratings.encode(), ratingsCount: ratings.count };
}

/** One person's ratings as stored (none if they have no document). */
export async function readUserRatings(db: Firestore, uid: string): Promise<UserRatings> {
  const snapshot = await db.collection(users).doc(uid).get();
  return UserRatings.decode(snapshot.get('ratings') as Uint8Array | undefined);
}

/** The documents derived from a person's ratings, written with them (see applyRatingEvent). */
export interface DerivedUserDocuments {
  factors: number[];
  bias: number;
  modelVersion: string;
  recommendations: RecommendationsDocument;
}

/**
 * Applies a rating event to `users/{uid}` in a transaction, by ratings/last-write-wins.ts: a
 * duplicate, an older event or one beyond the per-person limit changes nothing and is
 * reported as such. Transactions retry on contention, so concurrent events for one user all
 * land.
 *
 * `derive`, given, computes the person's model fields and `recommendations/{uid}` from their
 * ratings after the event; both are written in the same transaction, so the recommendations
 * always match the ratings they stand beside, whatever order concurrent events commit in.
 */
export async function applyRatingEvent(
  db: Firestore,
  event: RatingEvent,
  derive?: (ratings: UserRatings) => DerivedUserDocuments | undefined,
): Promise<ApplyResult> {
  const ref = db.collection(users).doc(event.userId);
  return db.runTransaction(async (transaction) => {
    const snapshot = await transaction.get(ref);
    const stored = snapshot.get('ratings') as Uint8Array | undefined;
    const storedVersion = snapshot.get('modelVersion') as string | undefined;
    const { decision, ratings } = applyRating(UserRatings.decode(stored), event);
    if (decision !== 'applied') return { decision, ratings, modelVersion: storedVersion };
    const derived = derive?.(ratings);
    // merge: the model fields stay unless derived anew.
    transaction.set(
      ref,
      {
        ...userRatingsFields(ratings),
        ...(derived && {
          factors: derived.factors,
          bias: derived.bias,
          modelVersion: derived.modelVersion,
        }),
        updatedAt: FieldValue.serverTimestamp(),
      },
      { merge: true },
    );
    if (derived) {
      transaction.set(db.collection('recommendations').doc(event.userId), {
        ...derived.recommendations,
        updatedAt: FieldValue.serverTimestamp(),
      });
    }
    return { decision, ratings, modelVersion: derived?.modelVersion ?? storedVersion };
  });
}

export async function readUser(db: Firestore, uid: string): Promise<UserDocument | undefined> {
  const data = (await db.collection(users).doc(uid).get()).data();
  return data && decodeUserDocument(data);
}

/** The user's folded-in factors under a model version (merged beside the ratings). */
export interface UserModelUpdate {
  uid: string;
  factors: number[];
  bias: number;
  modelVersion: string;
}

function userModelFields(update: UserModelUpdate) {
  return {
    factors: update.factors,
    bias: update.bias,
    modelVersion: update.modelVersion,
    updatedAt: FieldValue.serverTimestamp(),
  };
}

export async function writeUserModel(db: Firestore, update: UserModelUpdate): Promise<void> {
  await db.collection(users).doc(update.uid).set(userModelFields(update), { merge: true });
}

export async function writeRecommendations(
  db: Firestore,
  uid: string,
  recommendations: RecommendationsDocument,
): Promise<void> {
  await db
    .collection('recommendations')
    .doc(uid)
    .set({ ...recommendations, updatedAt: FieldValue.serverTimestamp() });
}

export async function writePopular(db: Firestore, popular: PopularDocument): Promise<void> {
  await db
    .collection('public')
    .doc('popular')
    .set({ ...popular, updatedAt: FieldValue.serverTimestamp() });
}

export async function writeMovie(
  db: Firestore,
  movieId: number,
  movie: MovieDocument,
): Promise<void> {
  await db
    .collection('movies')
    .doc(String(movieId))
    .set({ ...movie, updatedAt: FieldValue.serverTimestamp() });
}

/**
 * A document's state when it was read, for a write that must not overwrite a newer one:
 * its update time, or `absent` if it did not exist.
 */
export type ReadState = Timestamp | 'absent';

/**
 * One document write of a bulk republish. With `readAt`, the write happens only if the
 * document is unchanged since it was read (else it is skipped, not failed): an ingest that
 * committed in between wrote fresher documents.
 */
export type BulkWrite =
  | { kind: 'userModel'; update: UserModelUpdate; readAt?: ReadState }
  | { kind: 'recommendations'; uid: string; document: RecommendationsDocument; readAt?: ReadState }
  | { kind: 'movie'; movieId: number; document: MovieDocument };

export interface BulkProgress {
  written: number;
  failed: number;
  /** Conditional writes not made because the document changed since it was read. */
  skipped: number;
}

export interface BulkOptions {
  /** Called every `progressEvery` settled writes and once at the end. */
  onProgress?: (progress: BulkProgress) => void;
  progressEvery?: number;
}

// gRPC codes worth another attempt: DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL,
// UNAVAILABLE (BulkWriter backs off between attempts).
const RETRYABLE_CODES = new Set([4, 8, 10, 13, 14]);
const MAX_ATTEMPTS = 10;
const ALREADY_EXISTS = 6;
const FAILED_PRECONDITION = 9;

/**
 * Writes many documents through a BulkWriter (batched, parallel, retried with backoff, and
 * throttled to Firestore's ramp-up rule). Consumes `writes` lazily, so a retrain can stream
 * users without holding every document in memory. Throws, after all writes settle, if any
 * write failed for good, naming the first failures.
 */
export async function bulkWrite(
  db: Firestore,
  writes: Iterable<BulkWrite> | AsyncIterable<BulkWrite>,
  options: BulkOptions = {},
): Promise<BulkProgress> {
  const progressEvery = options.progressEvery ?? 1000;
  const writer = db.bulkWriter();
  const progress: BulkProgress = { written: 0, failed: 0, skipped: 0 };
  const failures: string[] = [];
  const settled = () => {
    const total = progress.written + progress.failed + progress.skipped;
    if (total % progressEvery === 0) options.onProgress?.({ ...progress });
  };
  writer.onWriteResult(() => {
    progress.written += 1;
    settled();
  });
  writer.onWriteError((error) => {
    if (RETRYABLE_CODES.has(error.code) && error.failedAttempts < MAX_ATTEMPTS) return true;
    if (error.code === FAILED_PRECONDITION || error.code === ALREADY_EXISTS) {
      // Only conditional writes fail so: the document changed since it was read.
      progress.skipped += 1;
      settled();
      return false;
    }
    progress.failed += 1;
    if (failures.length < 5) failures.push(`${error.documentRef.path}: ${error.message}`);
    settled();
    return false;
  });
  const track = (write: Promise<unknown>) => {
    // Failures are counted in onWriteError; the per-write promise must not go unhandled.
    write.catch(() => undefined);
  };
  // set, unless the document was read first: then update if it is unchanged since (these
  // documents' fields are all written, so an update replaces what a set would), or create
  // if it still does not exist.
  const conditionalSet = (
    ref: DocumentReference,
    data: Record<string, unknown>,
    readAt: ReadState | undefined,
    merge: boolean,
  ) => {
    if (readAt === undefined) return writer.set(ref, data, { merge });
    if (readAt === 'absent') return writer.create(ref, data);
    return writer.update(ref, data, { lastUpdateTime: readAt });
  };
  for await (const write of writes) {
    switch (write.kind) {
      case 'userModel':
        track(
          conditionalSet(
            db.collection(users).doc(write.update.uid),
            userModelFields(write.update),
            write.readAt,
            true,
          ),
        );
        break;
      case 'recommendations':
        track(
          conditionalSet(
            db.collection('recommendations').doc(write.uid),
            { ...write.document, updatedAt: FieldValue.serverTimestamp() },
            write.readAt,
            false,
          ),
        );
        break;
      case 'movie':
        track(
          writer.set(db.collection('movies').doc(String(write.movieId)), {
            ...write.document,
            updatedAt: FieldValue.serverTimestamp(),
          }),
        );
        break;
    }
  }
  await writer.close();
  options.onProgress?.({ ...progress });
  if (progress.failed > 0) {
    throw new Error(
      `${progress.failed} of ${progress.written + progress.failed + progress.skipped} Firestore writes failed: ${failures.join('; ')}`,
    );
  }
  return progress;
}
