import { FieldValue, type Firestore } from 'firebase-admin/firestore';
import type {
  RepublishProgress,
  RepublishRequest,
  RepublishState,
  ShardCounts,
} from '../usecases/ports.js';

/**
 * Each model version's record, `models/{version}` in Firestore (closed to browsers): the
 * republish running or last run for it. Shards count themselves in one of COUNTER_DOCS
 * counter documents (`models/{version}/progress/{serial}-{k}`), so thousands of shards
 * finishing do not contend for one document (Firestore sustains about one write per second
 * per document), and leave a marker (`models/{version}/shards/{serial}-{shard}`) in the same
 * transaction, so a redelivered shard is counted once.
 */
const COUNTER_DOCS = 16;
const MODELS = 'models';

interface Counter extends ShardCounts {
  shardsDone: number;
  superseded: number;
  lastAt?: string;
}

interface RepublishField {
  serial: number;
  startedAt: string;
  shards?: number;
  users?: number;
  running: boolean;
}

const COUNTS = ['shardsDone', 'superseded', 'written', 'skipped', 'missing', 'failed'] as const;
const ZERO: Record<(typeof COUNTS)[number], number> = {
  shardsDone: 0,
  superseded: 0,
  written: 0,
  skipped: 0,
  missing: 0,
  failed: 0,
};

export function firestoreRepublishProgress(db: Firestore): RepublishProgress {
  const model = (version: string) => db.collection(MODELS).doc(version);
  const counter = (version: string, serial: number, k: number) =>
    model(version).collection('progress').doc(`${serial}-${k}`);

  const read = async (version: string): Promise<RepublishState | undefined> => {
    const snapshot = await model(version).get();
    const republish = snapshot.get('republish') as RepublishField | undefined;
    if (!republish) return undefined;
    const counters = await db.getAll(
      ...Array.from({ length: COUNTER_DOCS }, (_, k) => counter(version, republish.serial, k)),
    );
    const sum = { ...ZERO };
    let lastAt: string | undefined;
    for (const each of counters) {
      const data = each.data() as Partial<Counter> | undefined;
      if (!data) continue;
      for (const key of COUNTS) sum[key] += data[key] ?? 0;
      if (data.lastAt && (!lastAt || data.lastAt > lastAt)) lastAt = data.lastAt;
    }
    const done = republish.shards !== undefined && sum.shardsDone >= republish.shards;
    return {
      version,
      serial: republish.serial,
      startedAt: republish.startedAt,
      ...(republish.shards !== undefined && { shards: republish.shards }),
      ...(republish.users !== undefined && { users: republish.users }),
      ...sum,
      running: !done,
      ...(done && lastAt && { finishedAt: lastAt }),
    };
  };

  return {
    async begin(request: RepublishRequest, startedAt: string) {
      await db.runTransaction(async (transaction) => {
        const snapshot = await transaction.get(model(request.version));
        const current = snapshot.get('republish') as RepublishField | undefined;
        if (current && current.serial > request.serial) return;
        const republish: RepublishField = { serial: request.serial, startedAt, running: true };
        transaction.set(model(request.version), { version: request.version, republish });
      });
    },

    async planned(request, totals) {
      await db.runTransaction(async (transaction) => {
        const snapshot = await transaction.get(model(request.version));
        const current = snapshot.get('republish') as RepublishField | undefined;
        if (!current || current.serial !== request.serial) return;
        transaction.update(model(request.version), {
          'republish.shards': totals.shards,
          'republish.users': totals.users,
        });
      });
    },

    async shardDone(shard, counts, at) {
      const marker = model(shard.version)
        .collection('shards')
        .doc(`${shard.serial}-${shard.shard}`);
      return db.runTransaction(async (transaction) => {
        if ((await transaction.get(marker)).exists) return 'already counted' as const;
        transaction.create(marker, { ...counts, kind: shard.kind, at });
        transaction.set(
          counter(shard.version, shard.serial, shard.shard % COUNTER_DOCS),
          {
            shardsDone: FieldValue.increment(1),
            superseded: FieldValue.increment(counts.superseded ? 1 : 0),
            written: FieldValue.increment(counts.written),
            skipped: FieldValue.increment(counts.skipped),
            missing: FieldValue.increment(counts.missing),
            failed: FieldValue.increment(counts.failed),
            lastAt: at,
          },
          { merge: true },
        );
        return 'counted' as const;
      });
    },

    read,

    // A republish is running until every shard has counted itself; the flag is cleared
    // here, by whoever asks first after it finished.
    async runningVersions() {
      const snapshot = await db.collection(MODELS).where('republish.running', '==', true).get();
      const running: string[] = [];
      for (const doc of snapshot.docs) {
        const state = await read(doc.id);
        if (state?.running) running.push(doc.id);
        else if (state) {
          // Conditional: a republish of this version begun meanwhile must stay running.
          await doc.ref
            .update(
              { 'republish.running': false, 'republish.finishedAt': state.finishedAt ?? null },
              { lastUpdateTime: doc.updateTime },
            )
            .catch(() => undefined);
        }
      }
      return running;
    },
  };
}
