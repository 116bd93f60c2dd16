import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger.js';
import {
  createDeleteUserData,
  type DeleteUserDataPorts,
  sweepDeletions,
} from './delete-user-data.js';

/** Stores in memory, and the order in which the use case touched them. */
function memoryPorts(options: { buffered?: Set<string>; failErase?: boolean } = {}) {
  const calls: string[] = [];
  const documents = new Map<string, number>([
    ['alice', 2],
    ['bob', 1],
  ]);
  const accounts = new Set(['alice', 'bob']);
  const events = new Map<string, number>([
    ['alice', 5],
    ['bob', 3],
  ]);
  const deletions = new Map<string, { erased: boolean }>();
  const buffered = options.buffered ?? new Set<string>();
  const ports: DeleteUserDataPorts = {
    documents: {
      deleteUserDocuments: async (uid) => {
        calls.push(`documents ${uid}`);
        const count = documents.get(uid) ?? 0;
        documents.delete(uid);
        return count;
      },
    },
    accounts: {
      deleteAccount: async (uid) => {
        calls.push(`account ${uid}`);
        accounts.delete(uid);
      },
    },
    events: {
      recordDeletion: async (uid) => {
        calls.push(`record ${uid}`);
        deletions.set(uid, { erased: false });
      },
      eraseEvents: async (uid) => {
        calls.push(`erase ${uid}`);
        if (options.failErase) throw new Error('BigQuery is down');
        if (buffered.has(uid)) return 'buffered';
        events.delete(uid);
        deletions.set(uid, { erased: true });
        return 'deleted';
      },
      pendingDeletions: async () =>
        [...deletions].filter(([, deletion]) => !deletion.erased).map(([uid]) => uid),
      erasePending: async () => {
        calls.push('erase pending');
        const pending = [...deletions].filter(([, deletion]) => !deletion.erased);
        if (pending.some(([uid]) => buffered.has(uid))) return 'buffered';
        for (const [uid] of pending) {
          events.delete(uid);
          deletions.set(uid, { erased: true });
        }
        return 'deleted';
      },
    },
    log: createLogger(() => {}),
  };
  /** The people whose events a query on current ratings still sees. */
  const visibleEvents = () => [...events.keys()].filter((uid) => !deletions.has(uid));
  return { ports, calls, documents, accounts, events, deletions, buffered, visibleEvents };
}

describe('deleteMyData', () => {
  it('removes documents, account and events, and excludes the events first', async () => {
    const stores = memoryPorts();
    const result = await createDeleteUserData(stores.ports).deleteMyData('alice');
    expect(result).toEqual({ firestoreDocuments: 2, bigQuery: 'deleted' });
    expect(stores.calls).toEqual([
      'record alice',
      'documents alice',
      'account alice',
      'erase alice',
    ]);
    expect(stores.documents.has('alice')).toBe(false);
    expect(stores.accounts.has('alice')).toBe(false);
    expect(stores.events.has('alice')).toBe(false);
    // Bob is untouched.
    expect([
      stores.documents.get('bob'),
      stores.accounts.has('bob'),
      stores.events.get('bob'),
    ]).toEqual([1, true, 3]);
  });

  it('schedules the rows BigQuery keeps in its streaming buffer; they are excluded meanwhile', async () => {
    const stores = memoryPorts({ buffered: new Set(['alice']) });
    const result = await createDeleteUserData(stores.ports).deleteMyData('alice');
    expect(result).toEqual({ firestoreDocuments: 2, bigQuery: 'scheduled' });
    expect(stores.events.get('alice')).toBe(5);
    expect(stores.visibleEvents()).toEqual(['bob']);

    // Still buffered at the first sweep: nothing lost, tried again at the next.
    expect(await sweepDeletions(stores.ports)).toEqual({
      people: 1,
      firestoreDocuments: 0,
      bigQuery: 'buffered',
    });
    stores.buffered.clear();
    expect(await sweepDeletions(stores.ports)).toMatchObject({ people: 1, bigQuery: 'deleted' });
    expect(stores.events.has('alice')).toBe(false);
    expect(await sweepDeletions(stores.ports)).toEqual({
      people: 0,
      firestoreDocuments: 0,
      bigQuery: 'nothing pending',
    });
  });

  it('answers "scheduled" when the row deletion fails for another reason', async () => {
    const stores = memoryPorts({ failErase: true });
    expect(await createDeleteUserData(stores.ports).deleteMyData('alice')).toEqual({
      firestoreDocuments: 2,
      bigQuery: 'scheduled',
    });
    expect(stores.accounts.has('alice')).toBe(false);
  });

  it('keeps the account when Firestore fails, so the person can try again', async () => {
    const stores = memoryPorts();
    stores.ports.documents.deleteUserDocuments = async () => {
      throw new Error('Firestore unavailable');
    };
    await expect(createDeleteUserData(stores.ports).deleteMyData('alice')).rejects.toThrow(
      'Firestore unavailable',
    );
    expect(stores.accounts.has('alice')).toBe(true);
    // The deletion is recorded: the events are excluded already, and the sweep finishes it.
    expect(stores.visibleEvents()).toEqual(['bob']);
  });

  it('touches nothing when the deletion cannot be recorded', async () => {
    const stores = memoryPorts();
    stores.ports.events.recordDeletion = async () => {
      throw new Error('BigQuery unavailable');
    };
    await expect(createDeleteUserData(stores.ports).deleteMyData('alice')).rejects.toThrow(
      'BigQuery unavailable',
    );
    expect(stores.calls).toEqual([]);
    expect(stores.documents.get('alice')).toBe(2);
  });

  it('refuses an empty uid', async () => {
    await expect(createDeleteUserData(memoryPorts().ports).deleteMyData('')).rejects.toThrow(
      /uid is empty/,
    );
  });
});

describe('sweepDeletions', () => {
  it('deletes documents an in-flight event recreated after the deletion', async () => {
    const stores = memoryPorts({ buffered: new Set(['alice']) });
    await createDeleteUserData(stores.ports).deleteMyData('alice');
    stores.documents.set('alice', 2);
    stores.buffered.clear();
    expect(await sweepDeletions(stores.ports)).toEqual({
      people: 1,
      firestoreDocuments: 2,
      bigQuery: 'deleted',
    });
    expect(stores.documents.has('alice')).toBe(false);
  });
});
