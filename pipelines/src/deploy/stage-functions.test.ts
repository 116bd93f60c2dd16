import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type LockFile,
  lockedVersion,
  productionManifest,
  stagedLockfile,
  stageFunctions,
} from './stage-functions.js';

const lock = {
  packages: {
    '': { version: '0.0.0' },
    'node_modules/zod': { version: '4.6.7' },
    'node_modules/ml-matrix': { version: '6.15.1' },
    'functions/node_modules/ml-matrix': { version: '6.16.0' },
    'node_modules/@reel/functions': { link: true },
  },
};

describe('lockedVersion', () => {
  it('prefers the workspace’s own node_modules over the hoisted one', () => {
    expect(lockedVersion(lock, 'functions', 'ml-matrix')).toBe('6.16.0');
    expect(lockedVersion(lock, 'functions', 'zod')).toBe('4.6.7');
  });

  it('says what to do when a dependency is not installed', () => {
    expect(() => lockedVersion(lock, 'functions', 'left-pad')).toThrow(
      /no installed version of left-pad .*run npm install/,
    );
    expect(() => lockedVersion(lock, 'functions', '@reel/functions')).toThrow(/no installed/);
  });
});

describe('productionManifest', () => {
  it('keeps runtime fields, drops scripts, exports and devDependencies, pins dependencies', () => {
    const manifest = productionManifest(
      {
        name: '@reel/functions',
        version: '0.1.0',
        type: 'module',
        main: 'dist/index.js',
        engines: { node: '>=20.19' },
        exports: { './model': './src/model/index.ts' },
        scripts: { 'gcp-build': 'tsc -p tsconfig.build.json' },
        dependencies: { zod: '^4.6.7', 'ml-matrix': '^6.15.1' },
        devDependencies: { typescript: '^5' },
      },
      (dependency) => `pinned-${dependency}`,
    );
    expect(manifest).toEqual({
      name: '@reel/functions',
      version: '0.1.0',
      private: true,
      type: 'module',
      main: 'dist/index.js',
      engines: { node: '>=20.19' },
      dependencies: { 'ml-matrix': 'pinned-ml-matrix', zod: 'pinned-zod' },
    });
  });

  it('refuses a package without main', () => {
    expect(() => productionManifest({ name: 'x', version: '1.0.0' }, () => '1')).toThrow(
      /no "main"/,
    );
  });
});

describe('stageFunctions', () => {
  const fakeRepo = (withBuild: boolean) => {
    const root = mkdtempSync(join(tmpdir(), 'reel-stage-'));
    mkdirSync(join(root, 'functions', 'dist', 'handlers'), { recursive: true });
    writeFileSync(
      join(root, 'functions', 'package.json'),
      JSON.stringify({
        name: '@reel/functions',
        version: '0.1.0',
        type: 'module',
        main: 'dist/index.js',
        dependencies: { zod: '^4.6.7' },
      }),
    );
    if (withBuild) {
      writeFileSync(join(root, 'functions', 'dist', 'index.js'), 'export const api = 1;\n');
      writeFileSync(join(root, 'functions', 'dist', 'handlers', 'rate.js'), '// handler\n');
    }
    writeFileSync(join(root, 'package-lock.json'), JSON.stringify(lock));
    return root;
  };

  it('copies the compiled code and writes the pinned manifest, replacing old output', () => {
    const root = fakeRepo(true);
    const outDir = join(root, '.reel', 'functions-source');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'stale.js'), 'old');

    stageFunctions({ repoRoot: root, outDir });

    expect(readFileSync(join(outDir, 'dist', 'index.js'), 'utf8')).toContain('api');
    expect(existsSync(join(outDir, 'dist', 'handlers', 'rate.js'))).toBe(true);
    expect(existsSync(join(outDir, 'stale.js'))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(outDir, 'package.json'), 'utf8'));
    expect(manifest.dependencies).toEqual({ zod: '4.6.7' });
    expect(manifest.main).toBe('dist/index.js');
  });

  it('asks for a build when dist/index.js is missing', () => {
    const root = fakeRepo(false);
    expect(() => stageFunctions({ repoRoot: root, outDir: join(root, 'out') })).toThrow(
      /dist\/index\.js does not exist: build the functions first/,
    );
  });
});

describe('stagedLockfile (the tested versions, deployed)', () => {
  const manifest = { name: '@reel/functions', version: '0.1.0', main: 'dist/index.js' };

  it('lays out the workspace’s tree as a package of its own, nesting what clashes', () => {
    const clashing: LockFile = {
      packages: {
        '': { version: '0.0.0' },
        'node_modules/common': {
          version: '6.0.0',
          integrity: 'sha-c',
          dependencies: { gaxios: '^6' },
        },
        'node_modules/gaxios': { version: '6.7.1', integrity: 'sha-g6' },
        'functions/node_modules/gaxios': { version: '7.1.0', integrity: 'sha-g7' },
        'node_modules/vitest': { version: '4.0.0', dev: true },
      },
    };
    const staged = stagedLockfile(clashing, 'functions', {
      ...manifest,
      dependencies: { common: '6.0.0', gaxios: '7.1.0' },
    });
    expect(staged.packages).toEqual({
      '': {
        name: '@reel/functions',
        version: '0.1.0',
        dependencies: { common: '6.0.0', gaxios: '7.1.0' },
      },
      'node_modules/common': {
        version: '6.0.0',
        integrity: 'sha-c',
        dependencies: { gaxios: '^6' },
      },
      'node_modules/common/node_modules/gaxios': { version: '6.7.1', integrity: 'sha-g6' },
      'node_modules/gaxios': { version: '7.1.0', integrity: 'sha-g7' },
    });
  });

  it('holds, for the real functions package, every production package at the version the tests use', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as LockFile;
    const functionsManifest = JSON.parse(
      readFileSync(join(root, 'functions/package.json'), 'utf8'),
    );
    const production = productionManifest(functionsManifest, (dependency) =>
      lockedVersion(lock, 'functions', dependency),
    );
    const staged = stagedLockfile(lock, 'functions', production);
    const entries = Object.entries(staged.packages).filter(([path]) => path !== '');
    expect(entries.length).toBeGreaterThan(50);
    const originals = Object.values(lock.packages);
    for (const [path, entry] of entries) {
      expect(entry.dev, path).toBeUndefined();
      const same = originals.some(
        (original) => original.version === entry.version && original.integrity === entry.integrity,
      );
      expect(same, `${path}@${entry.version}`).toBe(true);
    }
    for (const [name, version] of Object.entries(production.dependencies ?? {})) {
      expect(staged.packages[`node_modules/${name}`]?.version, name).toBe(version);
    }
  });
});
