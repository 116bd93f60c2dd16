// The page's one connection to Firebase: anonymous identity and live documents. Modular
// imports only, so the bundle carries just what is used here.
import { initializeApp } from 'firebase/app';
import {
  type Auth,
  browserLocalPersistence,
  connectAuthEmulator,
  initializeAuth,
  onAuthStateChanged,
  signInAnonymously,
  signOut,
  type User,
} from 'firebase/auth';
import {
  connectFirestoreEmulator,
  type DocumentData,
  doc,
  type Firestore,
  getFirestore,
  onSnapshot,
} from 'firebase/firestore';

interface Live {
  auth: Auth;
  db: Firestore;
}

let live: Live | null = null;

function connect(): Live {
  if (live) return live;
  const config = __REEL_CLIENT_CONFIG__;
  const app = initializeApp(config.firebase);
  // localStorage keeps the anonymous identity across reloads; no popup/redirect code is bundled.
  const auth = initializeAuth(app, { persistence: browserLocalPersistence });
  if (config.authEmulatorUrl)
    connectAuthEmulator(auth, config.authEmulatorUrl, { disableWarnings: true });
  const db = getFirestore(app);
  if (config.firestoreEmulator) {
    connectFirestoreEmulator(db, config.firestoreEmulator.host, config.firestoreEmulator.port);
  }
  live = { auth, db };
  return live;
}

let userPromise: Promise<User> | null = null;

/** The visitor's identity: the stored one, or a new anonymous account. */
export function currentUser(): Promise<User> {
  userPromise ??= new Promise<User>((resolve, reject) => {
    const { auth } = connect();
    const stop = onAuthStateChanged(
      auth,
      (user) => {
        if (user) {
          stop();
          resolve(user);
        } else {
          signInAnonymously(auth).catch((error: unknown) => {
            stop();
            userPromise = null;
            reject(error);
          });
        }
      },
      reject,
    );
  });
  return userPromise;
}

/**
 * After "Delete my data": signs the deleted account out of this browser (Firebase drops its
 * stored identity) and in as a new anonymous account that shares nothing with the old one.
 */
export async function startAfresh(): Promise<void> {
  const { auth } = connect();
  await signOut(auth);
  userPromise = null;
  await currentUser();
}

export async function idToken(forceRefresh: boolean): Promise<string> {
  return (await currentUser()).getIdToken(forceRefresh);
}

/** Calls `onData` with the document's data (null when it does not exist) on every change. */
export function watchDocument(
  path: string,
  onData: (data: DocumentData | null) => void,
  onError: (error: Error) => void,
): () => void {
  const { db } = connect();
  return onSnapshot(
    doc(db, path),
    (snapshot) => onData(snapshot.exists() ? snapshot.data() : null),
    onError,
  );
}

export const ratingsUrl = (): string => __REEL_CLIENT_CONFIG__.ratingsUrl;
