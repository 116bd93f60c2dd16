import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLED_RATINGS, deploy, type RunOptions } from './deploy.js';
import { DeployError } from './preflight.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const deployScript = fileURLToPath(new URL('./deploy.ts', import.meta.url));

const terraformOutput = JSON.stringify({
  site_url: { value: 'https://reel-prod.web.app' },
  api_url: { value: 'https://reel-prod.web.app/api' },
  hosting_rewrite: { value: { serviceId: 'api', region: 'us-central1' } },
  firebase_web_config: {
    value: {
      apiKey: 'k',
      authDomain: 'reel-prod.firebaseapp.com',
      projectId: 'reel-prod',
      appId: 'a',
    },
  },
});

/** A checkout with built functions, firebase.json and (optionally) a load script. */
function fakeRepo({ withLoad }: { withLoad: boolean }): string {
  const root = mkdtempSync(join(tmpdir(), 'reel-deploy-'));
  mkdirSync(join(root, 'functions', 'dist'), { recursive: true });
  mkdirSync(join(root, 'terraform'));
  writeFileSync(
    join(root, 'functions', 'package.json'),
    JSON.stringify({ name: '@reel/functions', version: '0.1.0', main: 'dist/index.js' }),
  );
  writeFileSync(join(root, 'functions', 'dist', 'index.js'), '');
  writeFileSync(join(root, 'package-lock.json'), JSON.stringify({ packages: {} }));
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ scripts: withLoad ? { load: 'tsx load.ts' } : {} }),
  );
  writeFileSync(
    join(root, 'firebase.json'),
    JSON.stringify({
      hosting: {
        rewrites: [{ source: '/api/**', run: { serviceId: 'api', region: 'us-central1' } }],
      },
    }),
  );
  return root;
}

function recordingRunner(root: string) {
  const calls: string[] = [];
  const environments: Array<Record<string, string> | undefined> = [];
  const run = (command: string, args: readonly string[], options: RunOptions) => {
    calls.push(`${relative(root, options.cwd) || '.'}$ ${command} ${args.join(' ')}`);
    environments.push(options.env);
    return command === 'terraform' && args[0] === 'output' ? terraformOutput : '';
  };
  return { calls, environments, run };
}

describe('deploy', () => {
  it('runs the guide’s steps in order, each in its directory', () => {
    const root = fakeRepo({ withLoad: true });
    const { calls, environments, run } = recordingRunner(root);
    const log: string[] = [];
    deploy({
      repoRoot: root,
      options: { projectId: 'reel-prod', region: 'europe-west1', ratingsFile: null, yes: true },
      run,
      log: (message) => log.push(message),
    });
    expect(calls).toEqual([
      '.$ npm run build -w functions',
      '.reel/functions-source$ npm install --package-lock-only --ignore-scripts --no-audit --no-fund',
      'terraform$ terraform init -input=false',
      'terraform$ terraform apply -input=false -var=project_id=reel-prod -var=region=europe-west1 -auto-approve',
      'terraform$ terraform output -json',
      '.$ npm run build -w site',
      '.$ firebase deploy --only hosting,firestore --project reel-prod --non-interactive',
      `.$ npm run load -- --ratings ${join(root, BUNDLED_RATINGS)} --project reel-prod`,
      '.$ gcloud pubsub topics publish retrain --project=reel-prod --message={"trigger":"deploy"} --attribute=trigger=deploy',
    ]);
    expect(environments[5]?.PUBLIC_FIREBASE_API_KEY).toBe('k');
    expect(log.at(-1)).toBe(
      '[8/8] done: https://reel-prod.web.app (the first model appears when the retrain finishes)',
    );
  });

  it('stops before loading data when the checkout has no load script, saying what to run', () => {
    const root = fakeRepo({ withLoad: false });
    const { calls, run } = recordingRunner(root);
    expect(() =>
      deploy({
        repoRoot: root,
        options: { projectId: 'reel-prod', region: null, ratingsFile: 'mine.csv', yes: false },
        run,
        log: () => {},
      }),
    ).toThrow(/no `npm run load`.*npm run load -- --ratings mine\.csv --project reel-prod/);
    expect(calls).toContain('terraform$ terraform apply -input=false -var=project_id=reel-prod');
    expect(calls.some((call) => call.includes('gcloud'))).toBe(false);
  });

  it('refuses to build the site when firebase.json rewrites /api elsewhere', () => {
    const root = fakeRepo({ withLoad: true });
    writeFileSync(
      join(root, 'firebase.json'),
      JSON.stringify({
        hosting: { rewrites: [{ source: '/api/**', run: { serviceId: 'other' } }] },
      }),
    );
    const { calls, run } = recordingRunner(root);
    expect(() =>
      deploy({
        repoRoot: root,
        options: { projectId: 'reel-prod', region: null, ratingsFile: null, yes: true },
        run,
        log: () => {},
      }),
    ).toThrow(DeployError);
    expect(calls.some((call) => call.includes('build -w site'))).toBe(false);
  });
});

describe('npm run deploy refuses, before touching anything', () => {
  /** Runs the real script with only the given fake tools on PATH. */
  const runScript = (args: string[], tools: string[], env: Record<string, string> = {}) => {
    const bin = mkdtempSync(join(tmpdir(), 'reel-bin-'));
    for (const tool of tools) {
      // Every fake tool fails, so a run that gets past the checks stops at its first command.
      writeFileSync(join(bin, tool), '#!/bin/sh\necho "fake $0 $*" >&2\nexit 3\n');
      chmodSync(join(bin, tool), 0o755);
    }
    return spawnSync(process.execPath, ['--import', 'tsx', deployScript, ...args], {
      cwd: repoRoot,
      env: { PATH: bin, ...env },
      encoding: 'utf8',
    });
  };
  const allTools = ['terraform', 'gcloud', 'firebase', 'node', 'npm'];

  it('against a demo- project', () => {
    const result = runScript(['--project', 'demo-reel'], allTools);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('refusing to deploy to demo-reel');
    expect(result.stderr).not.toContain('fake');
  });

  it('against a demo- project named by GOOGLE_CLOUD_PROJECT', () => {
    const result = runScript([], allTools, { GOOGLE_CLOUD_PROJECT: 'demo-other' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('refusing to deploy to demo-other');
  });

  it('without the tools it needs, naming each', () => {
    const result = runScript(['--project', 'reel-prod'], ['node', 'npm', 'gcloud']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('needs tools that are not on PATH');
    expect(result.stderr).toContain('- terraform (creates the cloud resources)');
    expect(result.stderr).toContain('- firebase (deploys the site');
    expect(result.stderr).not.toContain('- gcloud');
    expect(result.stderr).not.toContain('fake');
  });

  it('and with everything in place goes on to its first step', () => {
    const result = runScript(['--project', 'reel-prod'], allTools);
    expect(result.stderr).toContain('[1/8] building the functions');
    expect(result.stderr).toContain('fake');
    expect(result.stderr).toContain('`npm run build -w functions` failed with exit code 3');
    expect(result.status).toBe(1);
  });
});
