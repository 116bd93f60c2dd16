import { FieldValue, type Firestore, type Timestamp } from 'firebase-admin/firestore';
import type { RecommendationsDocument } from '../contracts/firestore-documents.js';
import type { RatingEvent } from '../contracts/rating-event.js';
import { applyRating, type RatingDecision } from '../ratings/last-write-wins.js';
import { UserRatings } from '../ratings/user-ratings.js';

/**
 * `users/{uid}` as the functions read it; written only by the functions. `ratings` is stored
 * packed in one Bytes field (see ratings/user-ratings.ts); decodeUserDocument and
 * userRatingsFields are the only ways in and out. `factors` is stored as Bytes too
 * (see factorsField).
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
  const factors = data.factors as Uint8Array | undefined;
  return {
    ...(data as Omit<UserDocument, 'ratings' | 'factors'>),
    ratings: UserRatings.decode(data.ratings as Uint8Array | undefined),
    ...(factors && { factors: factorsFromField(factors) }),
  };
}

/**
 * `users/{uid}.factors` as stored: the ranking model's factor vector as little-endian Float64,
 * one Bytes value. Nothing reads it on the hot path, and as an array of k numbers every write
 * paid the client's validation and encoding of k values (a visible part of the ingest's CPU).
 */
export function factorsField(factors: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(8 * factors.length);
  const view = new DataView(bytes.buffer);
  for (const [d, value] of factors.entries()) view.setFloat64(8 * d, value, true);
  return bytes;
}

export function factorsFromField(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.byteLength / 8 }, (_, d) => view.getFloat64(8 * d, true));
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
          factors: factorsField(derived.factors),
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
