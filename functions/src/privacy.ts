import { type AppCheck, getAppCheck } from 'firebase-admin/app-check';
import { appCheckGuard } from './adapters/app-check.js';
import type { Clients } from './adapters/cloud-clients.js';
import { createFirestoreLimiter, type Limiter } from './adapters/firestore-limiter.js';
import {
  bigQueryEventErasure,
  firebaseAccounts,
  firestoreUserDocuments,
} from './adapters/user-data.js';
import type { ApiDeps } from './api/app.js';
import type { Config } from './config.js';
import type { Logger } from './logging/logger.js';
import type { PrivacyConfig } from './privacy-config.js';
import { inMemoryLimiter, limiterWithFallback } from './rate-limits/fallback-limiter.js';
import {
  createDeleteUserData,
  type DeleteUserData,
  type DeleteUserDataPorts,
  type SweepReport,
  sweepDeletions,
} from './usecases/delete-user-data.js';

/**
 * Wiring for functions/src/index.ts: the privacy use cases and the shared limits over one
 * instance's clients.
 */
function deletionPorts(clients: Clients, config: Config, log: Logger): DeleteUserDataPorts {
  return {
    documents: firestoreUserDocuments(clients.firestore),
    accounts: firebaseAccounts(clients.auth),
    events: bigQueryEventErasure(clients.bigquery, config),
    log,
  };
}

/** `DELETE /v1/me`'s use case. */
export function createDeleteMyData(clients: Clients, config: Config, log: Logger): DeleteUserData {
  return createDeleteUserData(deletionPorts(clients, config, log));
}

/** The scheduled half of deletions, which the retrain runs before reading ratings. */
export function createDeletionSweep(
  clients: Clients,
  config: Config,
  log: Logger,
): () => Promise<SweepReport> {
  const ports = deletionPorts(clients, config, log);
  return () => sweepDeletions(ports);
}

/** The write path's limits, shared by every instance: per user and per client address. */
export function createLimiters(
  clients: Clients,
  config: Config,
  privacy: PrivacyConfig,
): { perUser: Limiter; perAddress: Limiter } {
  return {
    perUser: createFirestoreLimiter(clients.firestore, {
      scope: 'user',
      limit: config.rateLimitPerMinute,
    }),
    perAddress: createFirestoreLimiter(clients.firestore, {
      scope: 'address',
      limit: privacy.writesPerAddressPerMinute,
    }),
  };
}

/**
 * Checks a write's `X-Firebase-AppCheck` token when REEL_APP_CHECK_ENFORCED is true, with the
 * Admin SDK's verifier unless another is given (tests: App Check has no emulator).
 */
export function createAppCheckGuard(
  clients: Clients,
  privacy: PrivacyConfig,
  verifier: Pick<AppCheck, 'verifyToken'> = getAppCheck(clients.auth.app),
): (token: string | undefined) => Promise<void> {
  return appCheckGuard(verifier, privacy.appCheckEnforced);
}

/** How long a limit's Firestore transaction may take before the per-instance limit answers. */
export const SHARED_LIMIT_TIMEOUT_MS = 1_000;

/**
 * The api's write path: App Check, then the per-address and per-person limits. Each limit is
 * shared through Firestore; when Firestore fails or is slow, a per-instance limit answers
 * instead, so the write path (which needs only Pub/Sub) keeps accepting ratings, still limited.
 */
export function createWriteGuards(
  clients: Clients,
  config: Config,
  privacy: PrivacyConfig,
  log: Logger,
  verifier?: Pick<AppCheck, 'verifyToken'>,
): Pick<
  ApiDeps,
  | 'limiter'
  | 'retryAfterSeconds'
  | 'addressLimiter'
  | 'addressRetryAfterSeconds'
  | 'trustedProxies'
  | 'verifyAppCheck'
> {
  // Counters in Firestore, so the limits hold across every instance.
  const limits = createLimiters(clients, config, privacy);
  const resilient = (name: string, shared: Limiter, perMinute: number) =>
    limiterWithFallback(shared, inMemoryLimiter(perMinute), {
      timeoutMs: SHARED_LIMIT_TIMEOUT_MS,
      onChange: (state) =>
        state.degraded
          ? log.warn(`the ${name} limit falls back to this instance's own: ${state.error.message}`)
          : log.info(`the ${name} limit is shared through Firestore again`),
    });
  return {
    limiter: resilient('per-person', limits.perUser, config.rateLimitPerMinute),
    retryAfterSeconds: Math.ceil(60 / config.rateLimitPerMinute),
    addressLimiter: resilient('per-address', limits.perAddress, privacy.writesPerAddressPerMinute),
    addressRetryAfterSeconds: Math.ceil(60 / privacy.writesPerAddressPerMinute),
    trustedProxies: privacy.trustedProxies,
    verifyAppCheck: createAppCheckGuard(clients, privacy, verifier),
  };
}
