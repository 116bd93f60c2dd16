import { ConfigError, type Env } from './config.js';

/**
 * The privacy and abuse settings, parsed like config.ts (one ConfigError listing every
 * problem) but apart from it, so the functions that need them read them.
 */
export interface PrivacyConfig {
  /** HMAC key of the uid pseudonym in logs (REEL_LOG_KEY). */
  logKey: string;
  /** Whether the write path refuses requests without a valid App Check token. */
  appCheckEnforced: boolean;
  /** Writes per client address per minute, over every instance (Firestore counters). */
  writesPerAddressPerMinute: number;
  /**
   * Proxies that append to X-Forwarded-For in front of the api (Firebase Hosting, then Cloud
   * Run's front end: 2); the client's address is that many entries from the right.
   */
  trustedProxies: number;
}

/** The key a `demo-` project (emulators only) uses when REEL_LOG_KEY is not set. */
export const DEMO_LOG_KEY = 'reel-local-demo-log-key';

const MIN_LOG_KEY_LENGTH = 32;

export function parsePrivacyConfig(env: Env): PrivacyConfig {
  const problems: string[] = [];
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const demo = (read('GOOGLE_CLOUD_PROJECT') ?? '').startsWith('demo-');

  let logKey = read('REEL_LOG_KEY');
  if (logKey === undefined) {
    if (demo) logKey = DEMO_LOG_KEY;
    else {
      problems.push(
        `REEL_LOG_KEY is not set: set it to a random secret of at least ${MIN_LOG_KEY_LENGTH} characters (Terraform passes the reel-log-key secret)`,
      );
    }
  } else if (!demo && (logKey === DEMO_LOG_KEY || logKey.length < MIN_LOG_KEY_LENGTH)) {
    problems.push(
      `REEL_LOG_KEY must be a secret of at least ${MIN_LOG_KEY_LENGTH} characters, not the local demo key`,
    );
  }

  const enforced = read('REEL_APP_CHECK_ENFORCED') ?? 'false';
  if (enforced !== 'true' && enforced !== 'false') {
    problems.push(`REEL_APP_CHECK_ENFORCED="${enforced}" must be true or false`);
  }

  const perAddressText = read('REEL_RATE_LIMIT_PER_ADDRESS_PER_MINUTE');
  const perAddress = perAddressText === undefined ? 300 : Number(perAddressText);
  if (!Number.isInteger(perAddress) || perAddress < 1) {
    problems.push(
      `REEL_RATE_LIMIT_PER_ADDRESS_PER_MINUTE="${perAddressText}" must be a positive integer (writes per client address per minute)`,
    );
  }

  const proxiesText = read('REEL_TRUSTED_PROXIES');
  const proxies = proxiesText === undefined ? 2 : Number(proxiesText);
  if (!Number.isInteger(proxies) || proxies < 1 || proxies > 10) {
    problems.push(
      `REEL_TRUSTED_PROXIES="${proxiesText}" must be a whole number from 1 to 10 (proxies that append to X-Forwarded-For in front of the api)`,
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    logKey: logKey ?? '',
    appCheckEnforced: enforced === 'true',
    writesPerAddressPerMinute: perAddress,
    trustedProxies: proxies,
  };
}

/**
 * The log key as far as it can be known without failing: the logger is created before the
 * configuration is checked, and must never write a uid in clear meanwhile.
 */
export function logKeyOf(env: Env): string | undefined {
  try {
    return parsePrivacyConfig(env).logKey;
  } catch {
    return undefined;
  }
}
