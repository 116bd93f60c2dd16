import {
  type DocumentReference,
  FieldValue,
  type Firestore,
  type Timestamp,
} from 'firebase-admin/firestore';
import type { MovieDocument, PopularDocument } from '../contracts/firestore-documents.js';
import type { ServedDocuments, StoredUser, UserModelWrite } from '../usecases/ports.js';
import { factorsField, storedRatings } from './firestore.js';

/** Update times when read, for writes conditional on the documents not changing since. */
interface ReadTimes {
  user: Timestamp;
  recommendations: Timestamp | 'absent';
}

const ALREADY_EXISTS = 6;
const FAILED_PRECONDITION = 9;

function isConflict(error: unknown): boolean {
  const code = (error as { code?: number }).code;
  return code === FAILED_PRECONDITION || code === ALREADY_EXISTS;
}

const serialOf = (data: Record<string, unknown> | undefined): number => {
  const serial = data?.modelSerial;
  return typeof serial === 'number' ? serial : 0;
};

/** The documents a republish writes, over Firestore (see ServedDocuments for the rules). */
export function firestoreServedDocuments(db: Firestore): ServedDocuments {
  const users = db.collection('users');
  const recommendations = db.collection('recommendations');
  return {
    async readUsers(uids) {
      if (uids.length === 0) return [];
      const snapshots = await db.getAll(
        ...uids.flatMap((uid) => [users.doc(uid), recommendations.doc(uid)]),
      );
      const stored: StoredUser[] = [];
      for (let n = 0; n < snapshots.length; n += 2) {
        const user = snapshots[n]!;
        const list = snapshots[n + 1]!;
        const data = user.data();
        const readAt: ReadTimes | undefined = user.exists
          ? { user: user.updateTime!, recommendations: list.exists ? list.updateTime! : 'absent' }
          : undefined;
        stored.push({
          uid: user.id,
          ratings: storedRatings(data),
          serial: serialOf(data),
          ...(typeof data?.modelVersion === 'string' && { modelVersion: data.modelVersion }),
          readAt,
        });
      }
      return stored;
    },

    // One atomic batch per person: their model fields and their recommendations change
    // together, and only if neither document changed since it was read (an ingest that
    // committed meanwhile wrote fresher ones, from a rating this read did not see).
    async writeUser(user, write: UserModelWrite) {
      const readAt = user.readAt as ReadTimes;
      const batch = db.batch();
      batch.update(
        users.doc(user.uid),
        {
          factors: factorsField(write.factors),
          bias: write.bias,
          modelVersion: write.modelVersion,
          modelSerial: write.serial,
          updatedAt: FieldValue.serverTimestamp(),
        },
        { lastUpdateTime: readAt.user },
      );
      const list = { ...write.recommendations, updatedAt: FieldValue.serverTimestamp() };
      if (readAt.recommendations === 'absent') batch.create(recommendations.doc(user.uid), list);
      else {
        batch.update(recommendations.doc(user.uid), list, {
          lastUpdateTime: readAt.recommendations,
        });
      }
      try {
        await batch.commit();
        return 'written';
      } catch (error) {
        if (isConflict(error)) return 'changed';
        throw error;
      }
    },

    async writeMovies(movies, serial) {
      const refs = movies.map(({ movieId }) => db.collection('movies').doc(String(movieId)));
      const documents = movies.map(({ document }) => document);
      let written = 0;
      let newer = 0;
      await guardedWrites(db, refs, serial, (index) => documents[index]!, {
        written: () => written++,
        newer: () => newer++,
      });
      return { written, newer };
    },

    async writePopular(document: PopularDocument, serial) {
      let result: 'written' | 'newer' = 'written';
      await guardedWrites(db, [db.collection('public').doc('popular')], serial, () => document, {
        written: () => {
          result = 'written';
        },
        newer: () => {
          result = 'newer';
        },
      });
      return result;
    },
  };
}

/**
 * Writes `documentOf(i)` to each ref unless a later serial wrote it: read, skip the newer ones,
 * write the rest conditionally on their update time, and read again those that changed.
 */
async function guardedWrites(
  db: Firestore,
  refs: readonly DocumentReference[],
  serial: number,
  documentOf: (index: number) => MovieDocument | PopularDocument,
  count: { written: () => void; newer: () => void },
): Promise<void> {
  let pending = refs.map((_, index) => index);
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > 5) {
      throw new Error(`${pending.length} documents kept changing under the republish`);
    }
    const snapshots = await db.getAll(...pending.map((index) => refs[index]!));
    const writer = db.bulkWriter();
    writer.onWriteError((error) => !isConflict(error) && error.failedAttempts < 10);
    const changed: number[] = [];
    const writes = snapshots.map(async (snapshot, n) => {
      const index = pending[n]!;
      if (serialOf(snapshot.data()) > serial) {
        count.newer();
        return;
      }
      const data = {
        ...documentOf(index),
        modelSerial: serial,
        updatedAt: FieldValue.serverTimestamp(),
      };
      try {
        await (snapshot.exists
          ? writer.update(snapshot.ref, data, { lastUpdateTime: snapshot.updateTime! })
          : writer.create(snapshot.ref, data));
        count.written();
      } catch (error) {
        if (!isConflict(error)) throw error;
        changed.push(index);
      }
    });
    await writer.close();
    await Promise.all(writes);
    pending = changed;
  }
}
