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
  /** The App Check token for API calls; null when App Check is off or gave none. */
  appCheckToken: () => Promise<string | null>;
}

let live: Promise<Live> | null = null;

function connect(): Promise<Live> {
  live ??= open().catch((error: unknown) => {
    live = null;
    throw error;
  });
  return live;
}

async function open(): Promise<Live> {
  const config = __REEL_CLIENT_CONFIG__;
  const app = initializeApp(config.firebase);
  // App Check before Auth and Firestore, so their first requests already carry its token.
  // The key is read where it is tested: astro.config.ts inlines it there as a literal, so a
  // build without one drops the import and its chunk.
  const appCheckToken = __REEL_CLIENT_CONFIG__.appCheckSiteKey
    ? (await import('./app-check.js')).startAppCheck(app, __REEL_CLIENT_CONFIG__.appCheckSiteKey)
    : async () => null;
  // localStorage keeps the anonymous identity across reloads; no popup/redirect code is bundled.
  const auth = initializeAuth(app, { persistence: browserLocalPersistence });
  if (config.authEmulatorUrl)
    connectAuthEmulator(auth, config.authEmulatorUrl, { disableWarnings: true });
  const db = getFirestore(app);
  if (config.firestoreEmulator) {
    connectFirestoreEmulator(db, config.firestoreEmulator.host, config.firestoreEmulator.port);
  }
  return { auth, db, appCheckToken };
}

let userPromise: Promise<User> | null = null;

function signedIn(auth: Auth): Promise<User> {
  return new Promise<User>((resolve, reject) => {
    const stop = onAuthStateChanged(
      auth,
      (user) => {
        if (user) {
          stop();
          resolve(user);
        } else {
          signInAnonymously(auth).catch((error: unknown) => {
            stop();
            reject(error);
          });
        }
      },
      reject,
    );
  });
}

/** The visitor's identity: the stored one, or a new anonymous account. */
export function currentUser(): Promise<User> {
  if (!userPromise) {
    const attempt = connect().then(({ auth }) => signedIn(auth));
    userPromise = attempt;
    // A failed sign-in is tried again by the next caller.
    attempt.catch(() => {
      if (userPromise === attempt) userPromise = null;
    });
  }
  return userPromise;
}

/**
 * After "Delete my data": signs the deleted account out of this browser (Firebase drops its
 * stored identity) and in as a new anonymous account that shares nothing with the old one.
 */
export async function startAfresh(): Promise<void> {
  const { auth } = await connect();
  await signOut(auth);
  userPromise = null;
  await currentUser();
}

export async function idToken(forceRefresh: boolean): Promise<string> {
  return (await currentUser()).getIdToken(forceRefresh);
}

/** The App Check token for an API call, or null when App Check is off or gave none. */
export async function appCheckToken(): Promise<string | null> {
  return (await connect()).appCheckToken();
}

/** Calls `onData` with the document's data (null when it does not exist) on every change. */
export function watchDocument(
  path: string,
  onData: (data: DocumentData | null) => void,
  onError: (error: Error) => void,
): () => void {
  let stop: (() => void) | null = null;
  let stopped = false;
  connect().then(({ db }) => {
    if (stopped) return;
    stop = onSnapshot(
      doc(db, path),
      (snapshot) => onData(snapshot.exists() ? snapshot.data() : null),
      onError,
    );
  }, onError);
  return () => {
    stopped = true;
    stop?.();
  };
}

export const ratingsUrl = (): string => __REEL_CLIENT_CONFIG__.ratingsUrl;
