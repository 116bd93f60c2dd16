import { describe, expect, it } from 'vitest';
import { parseSiteConfig } from './config.js';

const root = '/repo';
const realProject = {
  PUBLIC_FIREBASE_PROJECT_ID: 'reel-prod',
  PUBLIC_FIREBASE_API_KEY: 'AIza-key',
  PUBLIC_FIREBASE_APP_ID: '1:2:web:3',
};
const siteKey = '6L-test-site-key-0123456789abcdefghijklm';

describe('parseSiteConfig', () => {
  it('defaults to the demo project on the local emulators and the bundled catalogue', () => {
    expect(parseSiteConfig({}, root)).toEqual({
      catalogueDir: '/repo/pipelines/data/ml-latest-small',
      tmdbApiKey: null,
      apiProxyTarget: 'http://127.0.0.1:8090',
      client: {
        firebase: { apiKey: 'demo-api-key', projectId: 'demo-reel' },
        authEmulatorUrl: 'http://127.0.0.1:9099',
        firestoreEmulator: { host: '127.0.0.1', port: 8080 },
        ratingsUrl: '/api/v1/ratings',
        appCheckSiteKey: null,
      },
    });
  });

  it('talks to the real services for a real project', () => {
    const config = parseSiteConfig(
      {
        PUBLIC_FIREBASE_PROJECT_ID: 'reel-prod',
        PUBLIC_FIREBASE_API_KEY: 'AIza-key',
        PUBLIC_FIREBASE_AUTH_DOMAIN: 'reel-prod.firebaseapp.com',
        REEL_CATALOGUE_DIR: '/data/ml-25m',
        REEL_TMDB_API_KEY: 'tmdb',
      },
      root,
    );
    expect(config.client).toEqual({
      firebase: {
        apiKey: 'AIza-key',
        projectId: 'reel-prod',
        authDomain: 'reel-prod.firebaseapp.com',
      },
      authEmulatorUrl: null,
      firestoreEmulator: null,
      ratingsUrl: '/api/v1/ratings',
      appCheckSiteKey: null,
    });
    expect(config.catalogueDir).toBe('/data/ml-25m');
    expect(config.tmdbApiKey).toBe('tmdb');
  });

  it.each([
    [
      { PUBLIC_FIRESTORE_EMULATOR_HOST: 'localhost' },
      'PUBLIC_FIRESTORE_EMULATOR_HOST="localhost" is not host:port',
    ],
    [
      { PUBLIC_FIREBASE_AUTH_EMULATOR_HOST: '127.0.0.1:99999' },
      'PUBLIC_FIREBASE_AUTH_EMULATOR_HOST="127.0.0.1:99999" is not host:port',
    ],
    [
      { PUBLIC_FIREBASE_PROJECT_ID: 'Reel' },
      'PUBLIC_FIREBASE_PROJECT_ID="Reel" is not a Google Cloud project id',
    ],
    [
      { PUBLIC_FIREBASE_PROJECT_ID: 'reel-prod' },
      'PUBLIC_FIREBASE_API_KEY is required for project reel-prod',
    ],
    [{ REEL_API_PROXY: 'ftp://x' }, 'REEL_API_PROXY="ftp://x" must be an http or https URL'],
    [{ PUBLIC_REEL_RATINGS_URL: 'api' }, 'PUBLIC_REEL_RATINGS_URL="api" must be a path'],
    [
      { ...realProject, PUBLIC_APP_CHECK_SITE_KEY: 'site key' },
      'PUBLIC_APP_CHECK_SITE_KEY="site key" is not a reCAPTCHA Enterprise site key',
    ],
    [
      { PUBLIC_APP_CHECK_SITE_KEY: siteKey },
      'project demo-reel is a demo project on the emulators, which have no App Check',
    ],
    [
      { ...realProject, PUBLIC_FIREBASE_APP_ID: '', PUBLIC_APP_CHECK_SITE_KEY: siteKey },
      'PUBLIC_APP_CHECK_SITE_KEY needs PUBLIC_FIREBASE_APP_ID',
    ],
  ])('rejects %o with a message naming the variable', (env, message) => {
    expect(() => parseSiteConfig(env, root)).toThrow(message);
  });

  it('honours explicit emulator hosts', () => {
    const config = parseSiteConfig(
      {
        PUBLIC_FIRESTORE_EMULATOR_HOST: '127.0.0.1:18080',
        PUBLIC_FIREBASE_AUTH_EMULATOR_HOST: 'localhost:19099',
      },
      root,
    );
    expect(config.client.firestoreEmulator).toEqual({ host: '127.0.0.1', port: 18080 });
    expect(config.client.authEmulatorUrl).toBe('http://localhost:19099');
  });

  it('turns App Check on with a site key for a real project', () => {
    const config = parseSiteConfig(
      { ...realProject, PUBLIC_APP_CHECK_SITE_KEY: ` ${siteKey} ` },
      root,
    );
    expect(config.client.appCheckSiteKey).toBe(siteKey);
    expect(config.client.firebase.appId).toBe('1:2:web:3');
  });

  it('leaves App Check off when the site key is empty', () => {
    expect(
      parseSiteConfig({ ...realProject, PUBLIC_APP_CHECK_SITE_KEY: '' }, root).client
        .appCheckSiteKey,
    ).toBeNull();
  });
});
