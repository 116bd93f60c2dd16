import { isAbsolute, resolve } from 'node:path';

/** What the browser needs, fixed at build time and inlined into the client bundle. */
export interface ClientConfig {
  firebase: { apiKey: string; projectId: string; authDomain?: string; appId?: string };
  /** `http://host:port` of the Auth emulator, or null for the real service. */
  authEmulatorUrl: string | null;
  firestoreEmulator: { host: string; port: number } | null;
  /** Where the rating widget POSTs; same-origin by default (Hosting rewrite or dev proxy). */
  ratingsUrl: string;
  /** reCAPTCHA Enterprise site key of Firebase App Check, or null: App Check off (as locally). */
  appCheckSiteKey: string | null;
}

export interface SiteConfig {
  /** Absolute path of the MovieLens directory (movies.csv, links.csv, ratings.csv). */
  catalogueDir: string;
  /** TMDB API key for real posters; null draws generated SVG posters. */
  tmdbApiKey: string | null;
  /** Where `astro dev` forwards /api (the api function's local server). */
  apiProxyTarget: string;
  client: ClientConfig;
}

export class SiteConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SiteConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

// Contract ports of the local stack (shared context); a demo- project only talks to emulators.
const DEFAULT_FIRESTORE_EMULATOR = '127.0.0.1:8080';
const DEFAULT_AUTH_EMULATOR = '127.0.0.1:9099';

function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === '' ? undefined : raw;
}

function parseHostPort(name: string, raw: string): { host: string; port: number } {
  const match = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(raw);
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || port < 1 || port > 65535) {
    throw new SiteConfigError(
      `${name}=${JSON.stringify(raw)} is not host:port; write it like 127.0.0.1:8080`,
    );
  }
  return { host: match[1], port };
}

function parseHttpUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SiteConfigError(
      `${name}=${JSON.stringify(raw)} is not a URL; write it like http://127.0.0.1:8090`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SiteConfigError(`${name}=${JSON.stringify(raw)} must be an http or https URL`);
  }
  return url.origin;
}

/**
 * Reads the site's configuration from the environment once, at build (or dev) time.
 * `repoRoot` anchors the default catalogue, the bundled MovieLens sample.
 */
export function parseSiteConfig(env: Env, repoRoot: string): SiteConfig {
  const catalogue = value(env, 'REEL_CATALOGUE_DIR');
  const catalogueDir = catalogue
    ? isAbsolute(catalogue)
      ? catalogue
      : resolve(catalogue)
    : resolve(repoRoot, 'pipelines/data/ml-latest-small');

  const projectId = value(env, 'PUBLIC_FIREBASE_PROJECT_ID') ?? 'demo-reel';
  if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(projectId)) {
    throw new SiteConfigError(
      `PUBLIC_FIREBASE_PROJECT_ID=${JSON.stringify(projectId)} is not a Google Cloud project id (6-30 lowercase letters, digits and "-")`,
    );
  }
  const isDemo = projectId.startsWith('demo-');
  const apiKey = value(env, 'PUBLIC_FIREBASE_API_KEY') ?? (isDemo ? 'demo-api-key' : undefined);
  if (apiKey === undefined) {
    throw new SiteConfigError(
      `PUBLIC_FIREBASE_API_KEY is required for project ${projectId}: copy the web app's apiKey from the Firebase console (or "terraform output")`,
    );
  }
  const firestoreRaw =
    value(env, 'PUBLIC_FIRESTORE_EMULATOR_HOST') ??
    (isDemo ? DEFAULT_FIRESTORE_EMULATOR : undefined);
  const authRaw =
    value(env, 'PUBLIC_FIREBASE_AUTH_EMULATOR_HOST') ??
    (isDemo ? DEFAULT_AUTH_EMULATOR : undefined);
  const auth = authRaw ? parseHostPort('PUBLIC_FIREBASE_AUTH_EMULATOR_HOST', authRaw) : null;

  const authDomain = value(env, 'PUBLIC_FIREBASE_AUTH_DOMAIN');
  const appId = value(env, 'PUBLIC_FIREBASE_APP_ID');
  const ratingsUrl = value(env, 'PUBLIC_REEL_RATINGS_URL') ?? '/api/v1/ratings';
  if (!ratingsUrl.startsWith('/') && !/^https?:\/\//.test(ratingsUrl)) {
    throw new SiteConfigError(
      `PUBLIC_REEL_RATINGS_URL=${JSON.stringify(ratingsUrl)} must be a path such as /api/v1/ratings or an http(s) URL`,
    );
  }

  const appCheckSiteKey = value(env, 'PUBLIC_APP_CHECK_SITE_KEY') ?? null;
  if (appCheckSiteKey !== null) {
    if (!/^[\w-]{20,100}$/.test(appCheckSiteKey)) {
      throw new SiteConfigError(
        `PUBLIC_APP_CHECK_SITE_KEY=${JSON.stringify(appCheckSiteKey)} is not a reCAPTCHA Enterprise site key (letters, digits, "-" and "_"); copy it from "terraform output app_check_site_key"`,
      );
    }
    // The emulators have no App Check: a token could neither be made nor checked.
    if (isDemo) {
      throw new SiteConfigError(
        `PUBLIC_APP_CHECK_SITE_KEY is set but project ${projectId} is a demo project on the emulators, which have no App Check: unset it`,
      );
    }
    // App Check exchanges reCAPTCHA tokens for the registered web app, named by its app id.
    if (!appId) {
      throw new SiteConfigError(
        'PUBLIC_APP_CHECK_SITE_KEY needs PUBLIC_FIREBASE_APP_ID, the web app App Check knows the key by: copy appId from "terraform output -json firebase_web_config"',
      );
    }
  }

  return {
    catalogueDir,
    tmdbApiKey: value(env, 'REEL_TMDB_API_KEY') ?? null,
    apiProxyTarget: parseHttpUrl(
      'REEL_API_PROXY',
      value(env, 'REEL_API_PROXY') ?? 'http://127.0.0.1:8090',
    ),
    client: {
      firebase: {
        apiKey,
        projectId,
        ...(authDomain ? { authDomain } : {}),
        ...(appId ? { appId } : {}),
      },
      authEmulatorUrl: auth ? `http://${auth.host}:${auth.port}` : null,
      firestoreEmulator: firestoreRaw
        ? parseHostPort('PUBLIC_FIRESTORE_EMULATOR_HOST', firestoreRaw)
        : null,
      ratingsUrl,
      appCheckSiteKey,
    },
  };
}
