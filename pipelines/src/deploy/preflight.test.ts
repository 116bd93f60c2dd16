import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DeployError,
  describeMissingTools,
  findMissingTools,
  parseDeployOptions,
  REQUIRED_TOOLS,
} from './preflight.js';

describe('parseDeployOptions', () => {
  it('reads the project, region, ratings file and --yes', () => {
    expect(
      parseDeployOptions(
        ['--project', 'reel-prod', '--region=europe-west1', '--ratings', 'r.csv', '--yes'],
        {},
      ),
    ).toEqual({ projectId: 'reel-prod', region: 'europe-west1', ratingsFile: 'r.csv', yes: true });
  });

  it('falls back to GOOGLE_CLOUD_PROJECT', () => {
    expect(parseDeployOptions([], { GOOGLE_CLOUD_PROJECT: 'reel-prod' }).projectId).toBe(
      'reel-prod',
    );
  });

  it.each([
    [['--project', 'demo-reel'], {}, /refusing to deploy to demo-reel: demo- projects/],
    [[], { GOOGLE_CLOUD_PROJECT: 'demo-reel' }, /refusing to deploy to demo-reel/],
    [[], {}, /no project given: pass --project/],
    [['--project', 'Reel_Prod'], {}, /not a Google Cloud project id/],
    [['--project'], {}, /--project needs a value/],
    [['--project', 'reel-prod', '--zone', 'x'], {}, /unknown argument --zone/],
  ] as const)('refuses %j with env %j', (argv, env, message) => {
    expect(() => parseDeployOptions(argv, env)).toThrow(DeployError);
    expect(() => parseDeployOptions(argv, env)).toThrow(message);
  });
});

describe('findMissingTools', () => {
  const dirWith = (...commands: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'reel-tools-'));
    for (const command of commands) {
      writeFileSync(join(dir, command), '#!/bin/sh\nexit 0\n');
      chmodSync(join(dir, command), 0o755);
    }
    return dir;
  };

  it('finds every tool across the PATH directories', () => {
    const path = [dirWith('terraform', 'gcloud'), dirWith('firebase', 'node', 'npm')].join(
      delimiter,
    );
    expect(findMissingTools(REQUIRED_TOOLS, path)).toEqual([]);
  });

  it('names the missing ones, and how to install them', () => {
    const missing = findMissingTools(REQUIRED_TOOLS, dirWith('node', 'npm', 'gcloud'));
    expect(missing.map((tool) => tool.command)).toEqual(['terraform', 'firebase']);
    const message = describeMissingTools(missing);
    expect(message).toContain('terraform (creates the cloud resources): install from https://');
    expect(message).toContain('firebase (deploys the site, Firestore rules and indexes)');
    expect(message).toContain('npm install -g firebase-tools');
  });

  it('does not count a file that is not executable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reel-tools-'));
    writeFileSync(join(dir, 'terraform'), 'not a program');
    chmodSync(join(dir, 'terraform'), 0o644);
    expect(findMissingTools(REQUIRED_TOOLS.slice(0, 1), dir)).toHaveLength(1);
  });

  it('treats an unset PATH as having nothing', () => {
    expect(findMissingTools(REQUIRED_TOOLS, undefined)).toHaveLength(REQUIRED_TOOLS.length);
  });
});
