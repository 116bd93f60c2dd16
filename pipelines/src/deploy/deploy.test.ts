import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLED_RATINGS, deploy, preflight, type RunOptions } from './deploy.js';
import { DeployError } from './preflight.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const deployScript = fileURLToPath(new URL('./deploy.ts', import.meta.url));

const terraformOutput = JSON.stringify({
  site_url: { value: 'https://reel-prod.web.app' },
  api_url: { value: 'https://reel-prod.web.app/api' },
  hosting_rewrite: { value: { serviceId: 'api', region: 'us-central1' } },
  app_check_site_key: { value: 'site-key' },
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

function recordingRunner(
  root: string,
  answers: Record<string, string> = {},
  failing: string[] = [],
) {
  const calls: string[] = [];
  const environments: Array<Record<string, string> | undefined> = [];
  const run = (command: string, args: readonly string[], options: RunOptions) => {
    const call = `${relative(root, options.cwd) || '.'}$ ${command} ${args.join(' ')}`;
    calls.push(call);
    environments.push(options.env);
    if (failing.some((prefix) => call.includes(prefix))) {
      throw new DeployError(`\`${command} ${args.join(' ')}\` failed with exit code 1`);
    }
    if (command === 'terraform' && args[0] === 'output') return terraformOutput;
    const answer = Object.entries(answers).find(([prefix]) => call.includes(prefix));
    return answer?.[1] ?? '';
  };
  return { calls, environments, run };
}

const HEALTHY_PROJECT = {
  'billing projects describe': 'True',
  'services list': 'serviceusage.googleapis.com\ncloudresourcemanager.googleapis.com\n',
  'rev-parse HEAD': 'abc123',
};

describe('preflight', () => {
  const options = { projectId: 'reel-prod', region: null, ratingsFile: null, yes: true };

  it('checks project, credentials, billing and APIs, creating nothing', () => {
    const root = fakeRepo({ withLoad: true });
    const { calls, run } = recordingRunner(root, HEALTHY_PROJECT);
    const log: string[] = [];
    preflight({ repoRoot: root, options, run, log: (message) => log.push(message) });
    expect(calls).toEqual([
      '.$ gcloud projects describe reel-prod --format=value(projectId)',
      '.$ gcloud auth application-default print-access-token',
      '.$ gcloud billing projects describe reel-prod --format=value(billingEnabled)',
      '.$ gcloud services list --enabled --project=reel-prod --format=value(config.name)',
    ]);
    expect(log).toEqual([
      'preflight: reel-prod in us-central1: project, credentials, billing, APIs and the rewrite check out',
    ]);
  });

  it('stops at a region the rewrite does not name, before any command runs', () => {
    const root = fakeRepo({ withLoad: true });
    const { calls, run } = recordingRunner(root, HEALTHY_PROJECT);
    expect(() =>
      preflight({
        repoRoot: root,
        options: { ...options, region: 'europe-west1' },
        run,
        log: () => {},
      }),
    ).toThrow(
      /rewrites \/api\/\*\* to api in us-central1, but Terraform deployed api in europe-west1: set the rewrite to \{ "run": \{ "serviceId": "api", "region": "europe-west1" \} \}/,
    );
    expect(calls).toEqual([]);
  });

  it('names what to do about billing and the bootstrap APIs', () => {
    const root = fakeRepo({ withLoad: true });
    const noBilling = recordingRunner(root, {
      ...HEALTHY_PROJECT,
      'billing projects describe': 'False',
    });
    expect(() => preflight({ repoRoot: root, options, run: noBilling.run, log: () => {} })).toThrow(
      /billing is not enabled on reel-prod: link a billing account/,
    );
    const noApis = recordingRunner(root, {
      ...HEALTHY_PROJECT,
      'services list': 'storage.googleapis.com',
    });
    expect(() => preflight({ repoRoot: root, options, run: noApis.run, log: () => {} })).toThrow(
      'gcloud services enable serviceusage.googleapis.com cloudresourcemanager.googleapis.com --project reel-prod',
    );
    const noProject = recordingRunner(root, HEALTHY_PROJECT, ['projects describe']);
    expect(() => preflight({ repoRoot: root, options, run: noProject.run, log: () => {} })).toThrow(
      /project reel-prod does not exist or this account cannot see it/,
    );
  });
});

describe('deploy', () => {
  const options = { projectId: 'reel-prod', region: 'europe-west1', ratingsFile: null, yes: true };

  it('runs the guide’s steps in order, each in its directory, and stages the tested lockfile', () => {
    const root = fakeRepo({ withLoad: true });
    const { calls, environments, run } = recordingRunner(root, HEALTHY_PROJECT, [
      'buckets describe',
    ]);
    const log: string[] = [];
    deploy({ repoRoot: root, options, run, log: (message) => log.push(message) });
    expect(calls).toEqual([
      '.$ git rev-parse HEAD',
      '.$ npm run build -w functions',
      '.$ gcloud storage buckets describe gs://reel-prod-reel-tfstate --format=value(name)',
      '.$ gcloud storage buckets create gs://reel-prod-reel-tfstate --project=reel-prod --location=europe-west1 --uniform-bucket-level-access --public-access-prevention',
      '.$ gcloud storage buckets update gs://reel-prod-reel-tfstate --versioning',
      'terraform$ terraform init -input=false -reconfigure -backend-config=bucket=reel-prod-reel-tfstate',
      'terraform$ terraform apply -input=false -var=project_id=reel-prod -var=region=europe-west1 -auto-approve',
      'terraform$ terraform output -json',
      '.$ npm run build -w site',
      '.$ firebase deploy --only hosting,firestore --project reel-prod --non-interactive',
      `.$ npm run load -- --ratings ${join(root, BUNDLED_RATINGS)} --project reel-prod`,
      '.$ gcloud pubsub topics publish retrain --project=reel-prod --message={"trigger":"deploy"} --attribute=trigger=deploy',
    ]);
    expect(environments[8]?.PUBLIC_FIREBASE_API_KEY).toBe('k');
    expect(environments[8]?.PUBLIC_APP_CHECK_SITE_KEY).toBe('site-key');
    expect(existsSync(join(root, '.reel', 'functions-source', 'package-lock.json'))).toBe(true);
    expect(log.at(-1)).toBe(
      '[8/8] done: https://reel-prod.web.app (the first model appears when the retrain finishes)',
    );
  });

  it('resumes after the last finished step when re-run, and starts over with --restart', () => {
    const root = fakeRepo({ withLoad: true });
    const failed = recordingRunner(root, HEALTHY_PROJECT, ['npm run load']);
    expect(() => deploy({ repoRoot: root, options, run: failed.run, log: () => {} })).toThrow(
      /npm run load.*failed/,
    );
    const again = recordingRunner(root, HEALTHY_PROJECT);
    const log: string[] = [];
    deploy({ repoRoot: root, options, run: again.run, log: (message) => log.push(message) });
    expect(
      again.calls.filter((call) => !call.includes('rev-parse') && !call.includes('output')),
    ).toEqual([
      `.$ npm run load -- --ratings ${join(root, BUNDLED_RATINGS)} --project reel-prod`,
      '.$ gcloud pubsub topics publish retrain --project=reel-prod --message={"trigger":"deploy"} --attribute=trigger=deploy',
    ]);
    expect(log[2]).toBe(
      '[3/8] terraform apply in reel-prod: done in an earlier run (--restart redoes it)',
    );
    const restarted = recordingRunner(root, HEALTHY_PROJECT);
    deploy({
      repoRoot: root,
      options: { ...options, restart: true },
      run: restarted.run,
      log: () => {},
    });
    expect(restarted.calls).toContain('.$ npm run build -w functions');
  });

  it('starts over on another commit', () => {
    const root = fakeRepo({ withLoad: true });
    deploy({
      repoRoot: root,
      options,
      run: recordingRunner(root, HEALTHY_PROJECT).run,
      log: () => {},
    });
    const next = recordingRunner(root, { ...HEALTHY_PROJECT, 'rev-parse HEAD': 'def456' });
    deploy({ repoRoot: root, options, run: next.run, log: () => {} });
    expect(next.calls).toContain('.$ npm run build -w functions');
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

  it('and with every tool in place goes on to the preflight, which stops at the first check', () => {
    const result = runScript(['--project', 'reel-prod'], allTools);
    expect(result.stderr).toContain('fake');
    expect(result.stderr).toContain(
      'project reel-prod does not exist or this account cannot see it',
    );
    expect(result.stderr).not.toContain('[1/8]');
    expect(result.status).toBe(1);
  });
});
