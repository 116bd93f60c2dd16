/**
 * What the load benchmarks (bench:e2e, bench:faults) share: the local stack started on free
 * ports, anonymous users signed up as the site's visitors are, ratings POSTed to the api at a
 * fixed rate (open loop), and a listener per user on `recommendations/{uid}`, as the site has.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Clients, createClients, decodeUserDocument } from '@reel/functions/adapters';
import { BUNDLED_RATINGS } from '../data/bundled.js';
import { loadRatingsFile } from '../data/read-ratings-file.js';
import { findToolchain, freeStackPorts, type StackPorts } from '../stack/emulators.js';
import { type RunningPipeline, startPipeline } from '../stack/pipeline.js';
import { repositoryRoot } from '../stack/repository.js';
import type { VisibilityLog } from './e2e-phase.js';

export interface BenchUser {
  uid: string;
  idToken: string;
  /** The address the user's requests come from, as the one trusted proxy presents it. */
  address: string;
}

/**
 * The write limits the functions run with in a benchmark. Every request leaves from
 * 127.0.0.1, but a benchmark's users stand for visitors on their own connections: the bench
 * plays the one proxy in front of the api (REEL_TRUSTED_PROXIES=1) and sends each user's
 * requests with `X-Forwarded-For: <that user's address>`, so each user draws on a per-address
 * budget of its own, as distinct visitors do. The per-person limit (and the per-address one,
 * equal) is raised to 1.5 times what one user posts a minute when that is above the default.
 */
export function benchLimitsEnv(ratingsPerUserPerMinute: number): Record<string, string> {
  const perMinute = String(Math.max(60, Math.ceil(1.5 * ratingsPerUserPerMinute)));
  return {
    REEL_TRUSTED_PROXIES: '1',
    REEL_RATE_LIMIT_PER_MINUTE: perMinute,
    REEL_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: perMinute,
  };
}

export interface BenchStack {
  pipeline: RunningPipeline;
  clients: Clients;
  /** Where the stack keeps its state and logs (removed by stop()). */
  stateDir: string;
  root: string;
  ports: StackPorts;
  /** Stops everything the stack started and removes its state; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The whole local stack on free ports with a fresh state (MovieLens ml-latest-small loaded,
 * the first model trained), stopped on Ctrl-C as well.
 */
export async function startBenchStack(options: {
  name: string;
  persist: boolean;
  functionEnv: Record<string, string>;
  log: (message: string) => void;
}): Promise<BenchStack> {
  const root = repositoryRoot();
  const stateDir = mkdtempSync(join(tmpdir(), `reel-${options.name}-`));
  const ports = await freeStackPorts();
  const pipeline = await startPipeline({
    root,
    ports,
    toolchain: findToolchain(root),
    stateDir,
    persist: options.persist,
    ratingsFile: BUNDLED_RATINGS,
    functionEnv: options.functionEnv,
    // The benchmarks measure the functions' own CPU, so they run what the cloud runs.
    compiledFunctions: true,
    onProgress: options.log,
  });
  const clients = createClients(pipeline.config, options.name);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await clients.close().catch(() => undefined);
      await pipeline.stop();
      rmSync(stateDir, { recursive: true, force: true });
    })();
    return stopping;
  };
  return { pipeline, clients, stateDir, root, ports, stop };
}

let addresses = 0;

/** Anonymous users, signed up in the Auth emulator as the site's visitors are, 20 at a time. */
export async function signUpUsers(authHost: string, count: number): Promise<BenchUser[]> {
  const one = async (): Promise<BenchUser> => {
    const response = await fetch(
      `http://${authHost}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=bench`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ returnSecureToken: true }),
      },
    );
    if (!response.ok) throw new Error(`Auth emulator signUp: HTTP ${response.status}`);
    const body = (await response.json()) as { localId: string; idToken: string };
    addresses += 1;
    const address = `10.${(addresses >> 16) & 255}.${(addresses >> 8) & 255}.${addresses & 255}`;
    return { uid: body.localId, idToken: body.idToken, address };
  };
  const users: BenchUser[] = [];
  for (let start = 0; start < count; start += 20) {
    users.push(...(await Promise.all(Array.from({ length: Math.min(20, count - start) }, one))));
  }
  return users;
}

/** The movies users rate: the 2,000 most-rated of the loaded sample (all in the catalogue). */
export async function popularMovies(): Promise<number[]> {
  const loaded = await loadRatingsFile(BUNDLED_RATINGS);
  const counts = new Map<number, number>();
  for (const item of loaded.ratings.item) {
    const movieId = loaded.movieIds[item]!;
    counts.set(movieId, (counts.get(movieId) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, 2000)
    .map(([movieId]) => movieId);
}

/** A rating as the benchmarks send it: every field chosen by the bench, so the event is known. */
export interface BenchRating {
  eventId: string;
  movieId: number;
  rating: number;
  ratedAt: string;
}

/** The one place a rating is posted: `POST /v1/ratings` on the api function, as `user`. */
export function postRating(
  pipeline: RunningPipeline,
  user: BenchUser,
  rating: BenchRating,
): Promise<Response> {
  return fetch(`${pipeline.functionUrls.api}/v1/ratings`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${user.idToken}`,
      'content-type': 'application/json',
      'x-forwarded-for': user.address,
    },
    body: JSON.stringify(rating),
    signal: AbortSignal.timeout(30_000),
  });
}

/**
 * Calls `send(n)` for n = 0, 1, … at `rate` a second, never waiting for answers (open loop),
 * until `count` calls were made or `stopped()` is true; resolves with the seconds it took.
 */
export async function atRate(
  rate: number,
  send: (index: number) => void,
  {
    count = Number.POSITIVE_INFINITY,
    stopped = () => false,
  }: { count?: number; stopped?: () => boolean } = {},
): Promise<number> {
  const started = performance.now();
  let next = 0;
  while (next < count && !stopped()) {
    const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (next < due) send(next++);
    await sleep(5);
  }
  return (performance.now() - started) / 1000;
}

/**
 * One listener per user on `recommendations/{uid}`, as the site has; `ready` once each has had
 * its first snapshot, so no update can come before its listener. Not one listener on the whole
 * collection: the Firestore emulator then evaluates that query against the collection on every
 * write, which cost it ~110 ms of CPU per ingested rating here (5 ms with listeners on
 * documents) and so slowed the very pipeline being measured.
 */
export function watchRecommendations(
  clients: Clients,
  users: readonly BenchUser[],
  visibility: VisibilityLog,
  log: (message: string) => void,
): { ready: Promise<void>; stop: () => void } {
  const unsubscribes: (() => void)[] = [];
  const ready = Promise.all(
    users.map(
      ({ uid }) =>
        new Promise<void>((resolve, reject) => {
          unsubscribes.push(
            clients.firestore.doc(`recommendations/${uid}`).onSnapshot(
              (snapshot) => {
                const count = snapshot.get('ratingsCount');
                if (typeof count === 'number') visibility.observe(uid, count, performance.now());
                resolve();
              },
              (error) => {
                log(`listener on recommendations/${uid} failed: ${error.message}`);
                reject(error);
              },
            ),
          );
        }),
    ),
  ).then(() => undefined);
  return {
    ready,
    stop: () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
    },
  };
}

/** How many of `uids` have `users/{uid}` ratings equal to what they last rated (`expected`). */
export async function usersMatching(
  clients: Clients,
  uids: readonly string[],
  expected: ReadonlyMap<string, ReadonlyMap<number, number>>,
): Promise<number> {
  let matching = 0;
  for (let start = 0; start < uids.length; start += 300) {
    const snapshots = await clients.firestore.getAll(
      ...uids.slice(start, start + 300).map((uid) => clients.firestore.doc(`users/${uid}`)),
    );
    for (const snapshot of snapshots) {
      const stored = decodeUserDocument(snapshot.data() ?? {}).ratings;
      const wanted = expected.get(snapshot.id) ?? new Map<number, number>();
      const live = [...stored].filter((entry) => entry.rating !== null).length;
      if (
        live === wanted.size &&
        [...wanted].every(([movieId, rating]) => stored.get(movieId)?.rating === rating)
      ) {
        matching += 1;
      }
    }
  }
  return matching;
}
