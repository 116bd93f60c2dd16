import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkHostingRewrite, parseTerraformOutputs, siteBuildEnvironment } from './site-config.js';

const terraformOutput = JSON.stringify({
  site_url: { value: 'https://reel-prod.web.app' },
  api_url: { value: 'https://reel-prod.web.app/api' },
  hosting_rewrite: { value: { serviceId: 'api', region: 'europe-west1' } },
  app_check_site_key: { value: '6L-test-site-key-0123456789abcdefghijklm' },
  firebase_web_config: {
    sensitive: true,
    value: {
      apiKey: 'AIza-test',
      authDomain: 'reel-prod.firebaseapp.com',
      projectId: 'reel-prod',
      appId: '1:2:web:3',
      messagingSenderId: '2',
      storageBucket: '',
    },
  },
});

describe('parseTerraformOutputs', () => {
  it('reads the outputs the deploy needs', () => {
    const outputs = parseTerraformOutputs(terraformOutput);
    expect(outputs.siteUrl).toBe('https://reel-prod.web.app');
    expect(outputs.hostingRewrite).toEqual({ serviceId: 'api', region: 'europe-west1' });
  });

  it('names a missing output', () => {
    expect(() => parseTerraformOutputs('{}')).toThrow(/terraform output site_url is missing/);
    const { app_check_site_key: _, ...withoutKey } = JSON.parse(terraformOutput);
    expect(() => parseTerraformOutputs(JSON.stringify(withoutKey))).toThrow(
      /terraform output app_check_site_key is missing/,
    );
  });
});

describe('siteBuildEnvironment', () => {
  it('passes the web config as PUBLIC_ variables and the same-origin API path', () => {
    expect(siteBuildEnvironment(parseTerraformOutputs(terraformOutput))).toEqual({
      PUBLIC_FIREBASE_API_KEY: 'AIza-test',
      PUBLIC_FIREBASE_AUTH_DOMAIN: 'reel-prod.firebaseapp.com',
      PUBLIC_FIREBASE_PROJECT_ID: 'reel-prod',
      PUBLIC_FIREBASE_APP_ID: '1:2:web:3',
      PUBLIC_REEL_RATINGS_URL: '/api/v1/ratings',
      PUBLIC_APP_CHECK_SITE_KEY: '6L-test-site-key-0123456789abcdefghijklm',
    });
  });
});

describe('checkHostingRewrite', () => {
  const expected = { serviceId: 'api', region: 'europe-west1' };
  const firebaseJson = (rewrite: object) => JSON.stringify({ hosting: { rewrites: [rewrite] } });

  it('accepts a run rewrite or a function rewrite to the deployed service', () => {
    expect(
      checkHostingRewrite(
        firebaseJson({
          source: '/api/**',
          run: { serviceId: 'api', region: 'europe-west1' },
        }),
        expected,
      ),
    ).toBeNull();
    expect(
      checkHostingRewrite(
        firebaseJson({
          source: '/api/**',
          function: { functionId: 'api', region: 'europe-west1' },
        }),
        expected,
      ),
    ).toBeNull();
  });

  it('says how to fix a rewrite to another region or service', () => {
    const problem = checkHostingRewrite(
      firebaseJson({ source: '/api/**', run: { serviceId: 'api' } }),
      expected,
    );
    expect(problem).toContain('to api in us-central1');
    expect(problem).toContain('"run": { "serviceId": "api", "region": "europe-west1" }');
  });

  it('notices a missing /api rewrite', () => {
    expect(checkHostingRewrite(JSON.stringify({ hosting: {} }), expected)).toMatch(
      /no hosting rewrite for \/api/,
    );
  });
});

describe('the site build environment and the site agree on names', () => {
  const siteConfig = readFileSync(new URL('../../../site/src/config.ts', import.meta.url), 'utf8');
  const readBySite = new Set(
    [...siteConfig.matchAll(/value\(env, '(PUBLIC_\w+)'\)/g)].map((match) => match[1]),
  );

  it('writes only variables the site reads', () => {
    expect(readBySite.size).toBeGreaterThan(4);
    const written = Object.keys(siteBuildEnvironment(parseTerraformOutputs(terraformOutput)));
    expect(written.filter((name) => !readBySite.has(name))).toEqual([]);
  });

  it('writes every PUBLIC_REEL_ variable the site reads', () => {
    const written = Object.keys(siteBuildEnvironment(parseTerraformOutputs(terraformOutput)));
    const reel = [...readBySite].filter((name) => name?.startsWith('PUBLIC_REEL_'));
    expect(reel.length).toBeGreaterThan(0);
    expect(reel.filter((name) => !written.includes(name ?? ''))).toEqual([]);
  });
});
