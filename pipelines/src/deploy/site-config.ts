import { DeployError } from './preflight.js';

/**
 * Hands Terraform's outputs to the site build: the Firebase web config and the API URL as
 * PUBLIC_* variables (Astro exposes those to the browser code through import.meta.env), and a
 * check that firebase.json's /api rewrite points at the service Terraform created.
 */

export interface FirebaseWebConfig {
  apiKey: string;
  authDomain: string;
  projectId: string;
  appId: string;
  messagingSenderId?: string;
  storageBucket?: string;
}

export interface DeployOutputs {
  siteUrl: string;
  apiUrl: string;
  firebaseWebConfig: FirebaseWebConfig;
  /** reCAPTCHA Enterprise site key of the site's App Check provider (terraform/privacy.tf). */
  appCheckSiteKey: string;
  hostingRewrite: { serviceId: string; region: string };
}

/** Reads `terraform output -json`, naming any output that is missing. */
export function parseTerraformOutputs(json: string): DeployOutputs {
  const outputs = JSON.parse(json) as Record<string, { value?: unknown }>;
  const value = <T>(name: string): T => {
    const output = outputs[name];
    if (output?.value === undefined) {
      throw new DeployError(`terraform output ${name} is missing; did terraform apply finish?`);
    }
    return output.value as T;
  };
  return {
    siteUrl: value<string>('site_url'),
    apiUrl: value<string>('api_url'),
    firebaseWebConfig: value<FirebaseWebConfig>('firebase_web_config'),
    appCheckSiteKey: value<string>('app_check_site_key'),
    hostingRewrite: value<{ serviceId: string; region: string }>('hosting_rewrite'),
  };
}

/**
 * Environment for `npm run build -w site`, named as site/src/config.ts reads it (a test keeps
 * the two in step). The API is called same-origin (/api/v1/ratings) so the browser needs no CORS
 * round trip; PUBLIC_REEL_RATINGS_URL says so explicitly. The App Check site key is always passed:
 * the site sends App Check tokens whether or not Terraform's app_check_enforced requires them.
 */
export function siteBuildEnvironment(outputs: DeployOutputs): Record<string, string> {
  const config = outputs.firebaseWebConfig;
  return {
    PUBLIC_FIREBASE_API_KEY: config.apiKey,
    PUBLIC_FIREBASE_AUTH_DOMAIN: config.authDomain,
    PUBLIC_FIREBASE_PROJECT_ID: config.projectId,
    PUBLIC_FIREBASE_APP_ID: config.appId,
    PUBLIC_REEL_RATINGS_URL: '/api/v1/ratings',
    PUBLIC_APP_CHECK_SITE_KEY: outputs.appCheckSiteKey,
  };
}

interface Rewrite {
  source?: string;
  run?: { serviceId?: string; region?: string };
  function?: string | { functionId?: string; region?: string };
}

/**
 * Null when firebase.json rewrites /api/** to the api function's service in the deployed region,
 * otherwise what is wrong and how to fix it.
 */
export function checkHostingRewrite(
  firebaseJson: string,
  expected: { serviceId: string; region: string },
): string | null {
  const config = JSON.parse(firebaseJson) as { hosting?: { rewrites?: Rewrite[] } };
  const rewrite = config.hosting?.rewrites?.find((r) => r.source?.startsWith('/api'));
  if (!rewrite) {
    return 'firebase.json has no hosting rewrite for /api/**; the site could not reach the api function';
  }
  const target =
    rewrite.run ??
    (typeof rewrite.function === 'object'
      ? { serviceId: rewrite.function.functionId, region: rewrite.function.region }
      : { serviceId: rewrite.function, region: 'us-central1' });
  if (
    target.serviceId !== expected.serviceId ||
    (target.region ?? 'us-central1') !== expected.region
  ) {
    return (
      `firebase.json rewrites ${rewrite.source} to ${target.serviceId} in ${target.region ?? 'us-central1'}, ` +
      `but Terraform deployed ${expected.serviceId} in ${expected.region}: set the rewrite to ` +
      `{ "run": { "serviceId": "${expected.serviceId}", "region": "${expected.region}" } }`
    );
  }
  return null;
}
