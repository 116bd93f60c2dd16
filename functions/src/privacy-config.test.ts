import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import { DEMO_LOG_KEY, logKeyOf, parsePrivacyConfig } from './privacy-config.js';

const secret = 'k'.repeat(40);

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    parsePrivacyConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parsePrivacyConfig', () => {
  it('reads the key and applies the defaults', () => {
    expect(parsePrivacyConfig({ GOOGLE_CLOUD_PROJECT: 'reel-prod', REEL_LOG_KEY: secret })).toEqual(
      {
        logKey: secret,
        appCheckEnforced: false,
        writesPerAddressPerMinute: 300,
        trustedProxies: 2,
      },
    );
  });

  it('gives a demo- project the fixed demo key, and nothing else', () => {
    expect(parsePrivacyConfig({ GOOGLE_CLOUD_PROJECT: 'demo-reel' }).logKey).toBe(DEMO_LOG_KEY);
    expect(problemsOf({ GOOGLE_CLOUD_PROJECT: 'reel-prod' })).toEqual([
      'REEL_LOG_KEY is not set: set it to a random secret of at least 32 characters (Terraform passes the reel-log-key secret)',
    ]);
    expect(problemsOf({ GOOGLE_CLOUD_PROJECT: 'reel-prod', REEL_LOG_KEY: DEMO_LOG_KEY })).toEqual([
      'REEL_LOG_KEY must be a secret of at least 32 characters, not the local demo key',
    ]);
  });

  it('reads App Check enforcement, the per-address limit and the proxies in front', () => {
    expect(
      parsePrivacyConfig({
        GOOGLE_CLOUD_PROJECT: 'demo-reel',
        REEL_APP_CHECK_ENFORCED: 'true',
        REEL_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '20',
        REEL_TRUSTED_PROXIES: '1',
      }),
    ).toMatchObject({ appCheckEnforced: true, writesPerAddressPerMinute: 20, trustedProxies: 1 });
    expect(
      problemsOf({
        GOOGLE_CLOUD_PROJECT: 'demo-reel',
        REEL_APP_CHECK_ENFORCED: 'yes',
        REEL_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
        REEL_TRUSTED_PROXIES: '0',
      }),
    ).toEqual([
      'REEL_APP_CHECK_ENFORCED="yes" must be true or false',
      'REEL_RATE_LIMIT_PER_ADDRESS_PER_MINUTE="0" must be a positive integer (writes per client address per minute)',
      'REEL_TRUSTED_PROXIES="0" must be a whole number from 1 to 10 (proxies that append to X-Forwarded-For in front of the api)',
    ]);
  });

  it('logKeyOf never throws: no key when the configuration is invalid', () => {
    expect(logKeyOf({ GOOGLE_CLOUD_PROJECT: 'reel-prod' })).toBeUndefined();
    expect(logKeyOf({ GOOGLE_CLOUD_PROJECT: 'reel-prod', REEL_LOG_KEY: secret })).toBe(secret);
  });
});
