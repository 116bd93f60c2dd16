import { BigQuery } from '@google-cloud/bigquery';
import { managedwriter } from '@google-cloud/bigquery-storage';
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import { deleteApp, getApps, initializeApp } from 'firebase-admin/app';
import { type Auth, getAuth } from 'firebase-admin/auth';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { PassThroughClient } from 'google-auth-library';
import { grpc } from 'google-gax';
import type { Config } from '../config.js';

/**
 * One client per service, created once per function instance and passed to the adapters.
 * Firestore and Auth come from firebase-admin: Auth needs it anyway, its Firestore is the
 * official @google-cloud/firestore client (transactions, BulkWriter), and one app gives both
 * the same project and credentials. The other clients are the official Google Cloud ones.
 * Emulators are found through each client's standard variable (see Config.emulators).
 */
export interface Clients {
  pubsub: PubSub;
  firestore: Firestore;
  bigquery: BigQuery;
  /** BigQuery's Storage Write API, through which the ingest appends events. */
  bigqueryWrite: managedwriter.WriterClient;
  storage: Storage;
  auth: Auth;
  /** Closes connections; for tests and CLIs (a function instance never needs it). */
  close(): Promise<void>;
}

export function createClients(config: Config, appName = 'reel'): Clients {
  checkFirebaseEmulatorEnv(config);
  const existing = getApps().find((app) => app.name === appName);
  const app = existing ?? initializeApp({ projectId: config.project }, appName);
  const firestore = getFirestore(app);
  // Settings can be given only once per app; optional fields (e.g. `because`) may be undefined.
  if (!existing) {
    firestore.settings({
      ignoreUndefinedProperties: true,
      // See the Pub/Sub client below: the named universe keeps google-gax from probing the
      // metadata server for credentials the emulator does not take.
      ...(config.emulators.firestore && { universeDomain: 'googleapis.com' }),
    });
  }
  // The emulators take no credentials, but Pub/Sub (google-gax) asks the credentials for their
  // universe domain and BigQuery authorises every request: both would look for credentials,
  // probing the metadata server. Naming the universe and passing a no-op client avoids it.
  const pubsub = new PubSub({
    projectId: config.project,
    ...(config.emulators.pubsub && {
      apiEndpoint: config.emulators.pubsub,
      emulatorMode: true,
      universeDomain: 'googleapis.com',
    }),
  });
  const bigquery = new BigQuery({
    projectId: config.project,
    ...(config.emulators.bigquery && {
      apiEndpoint: config.emulators.bigquery,
      authClient: new PassThroughClient(),
    }),
  });
  // The emulator's gRPC port takes plaintext and no credentials, like Pub/Sub's emulatorMode.
  // The writer pings every 30 s, which BigQuery accepts; the emulator's gRPC server (Python,
  // default policy) answers pings on an idle stream with GOAWAY "too many pings" and drops the
  // append stream with its pending appends, so towards the emulator it does not ping.
  const bigqueryWrite = new managedwriter.WriterClient({
    projectId: config.project,
    ...(config.emulators.bigqueryStorage && {
      apiEndpoint: hostOf(config.emulators.bigqueryStorage),
      port: portOf(config.emulators.bigqueryStorage),
      sslCreds: grpc.credentials.createInsecure(),
      universeDomain: 'googleapis.com',
      'grpc.keepalive_time_ms': -1,
    }),
  });
  const storage = new Storage({
    projectId: config.project,
    ...(config.emulators.storage && { apiEndpoint: config.emulators.storage }),
  });
  return {
    pubsub,
    firestore,
    bigquery,
    bigqueryWrite,
    storage,
    auth: getAuth(app),
    close: async () => {
      // The writer closes its streams; the gRPC channel under them belongs to its client.
      bigqueryWrite.close();
      await bigqueryWrite.getClient().close();
      await pubsub.close();
      await deleteApp(app);
    },
  };
}

const hostOf = (hostPort: string) => hostPort.slice(0, hostPort.lastIndexOf(':'));
const portOf = (hostPort: string) => Number(hostPort.slice(hostPort.lastIndexOf(':') + 1));

/**
 * firebase-admin reads FIRESTORE_EMULATOR_HOST and FIREBASE_AUTH_EMULATOR_HOST from process.env
 * only; the other clients get their endpoints from the config. A config parsed from another
 * env than process.env must not silently send Firestore or Auth calls elsewhere.
 */
function checkFirebaseEmulatorEnv(config: Config): void {
  const expected = [
    ['FIRESTORE_EMULATOR_HOST', config.emulators.firestore],
    ['FIREBASE_AUTH_EMULATOR_HOST', config.emulators.auth],
  ] as const;
  for (const [name, value] of expected) {
    if (process.env[name] !== value) {
      throw new Error(
        `${name} is "${process.env[name] ?? ''}" in process.env but "${value ?? ''}" in the config: firebase-admin reads it from process.env only, so set it there too`,
      );
    }
  }
}
