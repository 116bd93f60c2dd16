import { getAppCheck } from 'firebase-admin/app-check';
import { appCheckGuard } from './adapters/app-check.js';
import type { Clients } from './adapters/cloud-clients.js';
import { createFirestoreLimiter, type Limiter } from './adapters/firestore-limiter.js';
import {
  bigQueryEventErasure,
  firebaseAccounts,
  firestoreUserDocuments,
} from './adapters/user-data.js';
import type { Config } from './config.js';
import type { Logger } from './logging/logger.js';
import type { PrivacyConfig } from './privacy-config.js';
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

/** Checks a write's `X-Firebase-AppCheck` token when REEL_APP_CHECK_ENFORCED is true. */
export function createAppCheckGuard(
  clients: Clients,
  privacy: PrivacyConfig,
): (token: string | undefined) => Promise<void> {
  return appCheckGuard(getAppCheck(clients.auth.app), privacy.appCheckEnforced);
}
