import type { BigQuery } from '@google-cloud/bigquery';
import type { Auth } from 'firebase-admin/auth';
import type { Firestore } from 'firebase-admin/firestore';
import type {
  AccountsPort,
  EventErasurePort,
  UserDocumentsPort,
} from '../usecases/delete-user-data.js';
import { type DatasetRef, EVENTS_TABLE } from './bigquery.js';

/**
 * Every Firestore collection holding a document keyed by a person's uid. A new per-user
 * document goes here, and "Delete my data" deletes it with the others.
 */
export const USER_DOCUMENT_COLLECTIONS = ['users', 'recommendations'] as const;

export const DELETIONS_TABLE = 'deletions';

/**
 * How long after a deletion the sweep keeps deleting the person's rows: an event published
 * before the deletion can still arrive while Pub/Sub keeps it (7 days), and its row must go.
 */
export const SWEEP_DAYS = 8;

export function firestoreUserDocuments(db: Firestore): UserDocumentsPort {
  return {
    deleteUserDocuments: async (uid) => {
      const refs = USER_DOCUMENT_COLLECTIONS.map((collection) =>
        db.collection(collection).doc(uid),
      );
      // Read and deleted in one transaction, so the count is of documents this call removed.
      return db.runTransaction(async (transaction) => {
        const snapshots = await transaction.getAll(...refs);
        for (const ref of refs) transaction.delete(ref);
        return snapshots.filter((snapshot) => snapshot.exists).length;
      });
    },
  };
}

export function firebaseAccounts(auth: Auth): AccountsPort {
  return {
    deleteAccount: async (uid) => {
      try {
        await auth.deleteUser(uid);
      } catch (error) {
        if ((error as { code?: string }).code !== 'auth/user-not-found') throw error;
      }
    },
  };
}

/** BigQuery's answer to DML on rows still in the streaming buffer. */
export function isStreamingBufferError(error: unknown): boolean {
  return /streaming buffer/i.test((error as Error | undefined)?.message ?? '');
}

/**
 * The deletions table and the DML over rating_events. Every statement is a query job, not a
 * streaming insert, so `deletions` itself has no streaming buffer and can be updated at once.
 */
export function bigQueryEventErasure(bigquery: BigQuery, ref: DatasetRef): EventErasurePort {
  const table = (name: string) => `\`${ref.project}.${ref.dataset}.${name}\``;
  const recent = `requestedAt >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL ${SWEEP_DAYS} DAY)`;
  const run = async (query: string, params: Record<string, unknown> = {}) => {
    const [rows] = await bigquery.query({ query, params });
    return rows as Record<string, unknown>[];
  };
  const buffered = async (statement: () => Promise<void>): Promise<'deleted' | 'buffered'> => {
    try {
      await statement();
      return 'deleted';
    } catch (error) {
      if (isStreamingBufferError(error)) return 'buffered';
      throw error;
    }
  };
  return {
    recordDeletion: async (uid) => {
      await run(
        `INSERT INTO ${table(DELETIONS_TABLE)} (userId, requestedAt) VALUES (@uid, CURRENT_TIMESTAMP())`,
        { uid },
      );
    },
    eraseEvents: (uid) =>
      buffered(async () => {
        await run(`DELETE FROM ${table(EVENTS_TABLE)} WHERE userId = @uid`, { uid });
        await run(
          `UPDATE ${table(DELETIONS_TABLE)} SET erasedAt = CURRENT_TIMESTAMP() WHERE userId = @uid`,
          { uid },
        );
      }),
    pendingDeletions: async () => {
      const rows = await run(
        `SELECT DISTINCT userId FROM ${table(DELETIONS_TABLE)} WHERE erasedAt IS NULL OR ${recent} ORDER BY userId`,
      );
      return rows.map((row) => String(row.userId));
    },
    erasePending: () =>
      buffered(async () => {
        const startedAt = new Date().toISOString();
        await run(
          `DELETE FROM ${table(EVENTS_TABLE)} WHERE userId IN (SELECT userId FROM ${table(DELETIONS_TABLE)} WHERE erasedAt IS NULL OR ${recent})`,
        );
        // Only deletions recorded before the DELETE began are done; a later one is recent, so
        // the next sweep covers it anyway.
        await run(
          `UPDATE ${table(DELETIONS_TABLE)} SET erasedAt = CURRENT_TIMESTAMP() WHERE erasedAt IS NULL AND requestedAt <= TIMESTAMP(@startedAt)`,
          { startedAt },
        );
      }),
  };
}
