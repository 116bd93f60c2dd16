import type { Logger } from '../logging/logger.js';

/**
 * "Delete my data" over small ports, so the order of the steps is tested without a cloud.
 * The steps run in the order that leaves nothing half-done a person cannot finish:
 * 1. the deletion is recorded in BigQuery (`deletions`), which at once excludes the person's
 *    events from the current-ratings view, hence from training and every query on it, and
 *    which the nightly sweep reads to finish anything the steps below leave;
 * 2. the Firestore documents keyed by the person go;
 * 3. the Auth account goes, last: while it exists, the person can retry a failed deletion with
 *    the same ID token;
 * 4. the event rows are deleted, which BigQuery refuses while some are in the streaming buffer
 *    (up to ~90 min after they arrived): then the sweep deletes them later.
 */

/** Firestore: every document keyed by one person. */
export interface UserDocumentsPort {
  /** Deletes them; resolves to how many existed. */
  deleteUserDocuments(uid: string): Promise<number>;
}

/** Firebase Authentication. */
export interface AccountsPort {
  /** Deletes the account; an account already gone is not an error. */
  deleteAccount(uid: string): Promise<void>;
}

/** BigQuery: the rating events and the record of deletions. */
export interface EventErasurePort {
  /** Records the deletion; from then on no query on current ratings sees the person's events. */
  recordDeletion(uid: string): Promise<void>;
  /**
   * Deletes the person's event rows now, or says they are `buffered` (BigQuery refuses DML on
   * rows still in the streaming buffer), leaving them to the sweep.
   */
  eraseEvents(uid: string): Promise<'deleted' | 'buffered'>;
  /** People whose deletion the sweep must (re)do: recorded but not erased, or recent. */
  pendingDeletions(): Promise<string[]>;
  /** Deletes every pending person's rows in one statement, and marks them erased. */
  erasePending(): Promise<'deleted' | 'buffered'>;
}

export interface DeleteUserDataPorts {
  documents: UserDocumentsPort;
  accounts: AccountsPort;
  events: EventErasurePort;
  log: Logger;
}

export interface DeleteUserData {
  /** Deletes everything Reel holds about the person; resolves when Firestore and Auth are gone and their events are excluded. */
  deleteMyData: (
    uid: string,
  ) => Promise<{ firestoreDocuments: number; bigQuery: 'deleted' | 'scheduled' }>;
}

export function createDeleteUserData(ports: DeleteUserDataPorts): DeleteUserData {
  return {
    deleteMyData: async (uid) => {
      if (uid === '') throw new Error('deleteMyData: uid is empty');
      await ports.events.recordDeletion(uid);
      const firestoreDocuments = await ports.documents.deleteUserDocuments(uid);
      await ports.accounts.deleteAccount(uid);
      let bigQuery: 'deleted' | 'scheduled';
      try {
        bigQuery = (await ports.events.eraseEvents(uid)) === 'deleted' ? 'deleted' : 'scheduled';
      } catch (error) {
        // The deletion is recorded and the events excluded: the sweep erases them.
        ports.log.warn('event rows not deleted now; the nightly sweep deletes them', {
          uid,
          error,
        });
        bigQuery = 'scheduled';
      }
      ports.log.notice('user data deleted', { uid, firestoreDocuments, bigQuery });
      return { firestoreDocuments, bigQuery };
    },
  };
}

export interface SweepReport {
  /** People whose deletion was (re)applied. */
  people: number;
  /** Firestore documents found again (recreated by an event that was in flight) and deleted. */
  firestoreDocuments: number;
  bigQuery: 'deleted' | 'buffered' | 'nothing pending';
}

/**
 * The scheduled half of a deletion, run before each retrain reads its ratings: for everyone
 * whose deletion is pending or recent, delete any Firestore document an in-flight event
 * recreated, make sure the account is gone, and delete their event rows once BigQuery allows.
 * Idempotent: running it twice changes nothing the second time.
 */
export async function sweepDeletions(ports: DeleteUserDataPorts): Promise<SweepReport> {
  const pending = await ports.events.pendingDeletions();
  if (pending.length === 0)
    return { people: 0, firestoreDocuments: 0, bigQuery: 'nothing pending' };
  let firestoreDocuments = 0;
  for (const uid of pending) {
    firestoreDocuments += await ports.documents.deleteUserDocuments(uid);
    await ports.accounts.deleteAccount(uid);
  }
  const bigQuery = await ports.events.erasePending();
  ports.log.info('deletions swept', { people: pending.length, firestoreDocuments, bigQuery });
  return { people: pending.length, firestoreDocuments, bigQuery };
}
