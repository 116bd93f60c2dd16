import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeployError } from './preflight.js';

/**
 * Stages the functions package for Cloud Build: the JavaScript compiled here by the same tsc
 * the tests type-check with, plus a production package.json. Cloud Build then only installs
 * dependencies; it never sees TypeScript, so functions/tsconfig.json's `extends` of
 * ../tsconfig.base.json (outside the upload) does not matter, and no devDependencies ship.
 * Direct dependencies are pinned to the exact versions package-lock.json installed here, and a
 * package-lock.json of the whole production tree, cut from the repository's, goes with them:
 * what Cloud Build installs is what the tests ran with, and an upstream release changes nothing.
 */

export interface PackageManifest {
  name: string;
  version: string;
  type?: string;
  main?: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  [key: string]: unknown;
}

export interface LockEntry {
  version?: string;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

export interface LockFile {
  name?: string;
  version?: string;
  lockfileVersion?: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

/**
 * The version npm installed for a dependency of the workspace `workspaceDir` (relative to the
 * repository root): the workspace's own node_modules first, then the hoisted root one.
 */
export function lockedVersion(lock: LockFile, workspaceDir: string, dependency: string): string {
  for (const key of [`${workspaceDir}/node_modules/${dependency}`, `node_modules/${dependency}`]) {
    const entry = lock.packages[key];
    if (entry?.version && !entry.link) {
      return entry.version;
    }
  }
  throw new DeployError(
    `package-lock.json has no installed version of ${dependency} (a dependency of ${workspaceDir}/); run npm install`,
  );
}

/** The package.json Cloud Build installs: runtime fields only, dependencies pinned. */
export function productionManifest(
  manifest: PackageManifest,
  pin: (dependency: string) => string,
): PackageManifest {
  if (manifest.main === undefined) {
    throw new DeployError(
      `${manifest.name} has no "main"; Cloud Functions loads the file it names`,
    );
  }
  const dependencies = Object.fromEntries(
    Object.keys(manifest.dependencies ?? {})
      .sort()
      .map((dependency) => [dependency, pin(dependency)]),
  );
  return {
    name: manifest.name,
    version: manifest.version,
    private: true,
    type: manifest.type ?? 'commonjs',
    main: manifest.main,
    ...(manifest.engines ? { engines: manifest.engines } : {}),
    dependencies,
  };
}

/** `a/node_modules/b/node_modules/c` -> `a/node_modules/b`; `node_modules/c` -> ''. */
function parentOf(path: string): string {
  const index = path.lastIndexOf('/node_modules/');
  return index < 0 ? '' : path.slice(0, index);
}

/** Where Node resolves `name` from the package at `from` in a lock's tree, as npm laid it out. */
function resolveIn(
  packages: Record<string, unknown>,
  from: string,
  name: string,
): string | undefined {
  for (let dir = from; ; dir = parentOf(dir)) {
    const candidate = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (dir === '') return undefined;
  }
}

/**
 * The lockfile of the staged package: the production dependency tree of `workspaceDir` as the
 * repository's package-lock.json has it, every package at the version, integrity and resolved
 * URL the tests ran with, laid out for a package of its own (a workspace's own node_modules
 * becomes the root one; a hoisted package that clashes with it is nested under its dependent,
 * as npm would). Cloud Build then runs `npm ci`, which installs exactly this tree.
 */
export function stagedLockfile(
  lock: LockFile,
  workspaceDir: string,
  production: PackageManifest,
): LockFile {
  const staged: Record<string, LockEntry> = {};
  const origin = new Map<string, string>();
  const queue: Array<{ original: string; at: string }> = [];

  const place = (original: string, dependent: string, name: string): void => {
    // The nearest package named `name` that the dependent would resolve to in the staged tree.
    const found = resolveIn(staged, dependent, name);
    if (found !== undefined && origin.get(found) === original) return;
    const at =
      found === undefined
        ? `node_modules/${name}`
        : `${dependent === '' ? '' : `${dependent}/`}node_modules/${name}`;
    if (staged[at] !== undefined) {
      throw new DeployError(
        `cannot lay out ${name} for ${dependent || 'the package'}: ${at} is taken`,
      );
    }
    const {
      dev: _dev,
      devOptional: _devOptional,
      peer: _peer,
      ...entry
    } = lock.packages[original]!;
    staged[at] = entry;
    origin.set(at, original);
    queue.push({ original, at });
  };

  const requirements = (entry: LockEntry): Array<[string, boolean]> => [
    ...Object.keys(entry.dependencies ?? {}).map((name): [string, boolean] => [name, false]),
    ...Object.keys(entry.optionalDependencies ?? {}).map((name): [string, boolean] => [name, true]),
    ...Object.keys(entry.peerDependencies ?? {}).map((name): [string, boolean] => [
      name,
      entry.peerDependenciesMeta?.[name]?.optional === true,
    ]),
  ];

  for (const name of Object.keys(production.dependencies ?? {})) {
    const original = resolveIn(lock.packages, workspaceDir, name);
    if (original === undefined) {
      throw new DeployError(
        `package-lock.json does not install ${name} for ${workspaceDir}/; run npm install`,
      );
    }
    place(original, '', name);
  }
  while (queue.length > 0) {
    const { original, at } = queue.shift()!;
    for (const [name, optional] of requirements(lock.packages[original]!)) {
      const dependency = resolveIn(lock.packages, original, name);
      if (dependency === undefined) {
        if (optional) continue;
        throw new DeployError(
          `package-lock.json has no ${name}, which ${original} needs; run npm install`,
        );
      }
      place(dependency, at, name);
    }
  }
  const sorted = Object.fromEntries(Object.entries(staged).sort(([a], [b]) => a.localeCompare(b)));
  return {
    name: production.name,
    version: production.version,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': {
        name: production.name,
        version: production.version,
        dependencies: production.dependencies,
      },
      ...sorted,
    },
  };
}

export interface StageOptions {
  repoRoot: string;
  /** Replaced entirely. */
  outDir: string;
}

/** Copies the compiled functions and writes the production manifest into `outDir`. */
export function stageFunctions({ repoRoot, outDir }: StageOptions): PackageManifest {
  const functionsDir = join(repoRoot, 'functions');
  const manifest = JSON.parse(
    readFileSync(join(functionsDir, 'package.json'), 'utf8'),
  ) as PackageManifest;
  const entry = join(functionsDir, manifest.main ?? 'dist/index.js');
  if (!existsSync(entry)) {
    throw new DeployError(
      `${entry} does not exist: build the functions first (npm run build -w functions), which needs functions/src/index.ts`,
    );
  }
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as LockFile;
  const production = productionManifest(manifest, (dependency) =>
    lockedVersion(lock, 'functions', dependency),
  );

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  cpSync(join(functionsDir, 'dist'), join(outDir, 'dist'), {
    recursive: true,
    // Source maps help stack traces; compiled tests are not built (tsconfig.build.json excludes them).
    filter: (source) => !source.endsWith('.tsbuildinfo'),
  });
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(production, null, 2)}\n`);
  writeFileSync(
    join(outDir, 'package-lock.json'),
    `${JSON.stringify(stagedLockfile(lock, 'functions', production), null, 2)}\n`,
  );
  return production;
}

/** `npm run stage:functions`: stage into .reel/functions-source for a manual terraform apply. */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const outDir = join(repoRoot, '.reel', 'functions-source');
  try {
    const staged = stageFunctions({ repoRoot, outDir });
    process.stderr.write(
      `staged ${staged.name} with ${Object.keys(staged.dependencies ?? {}).length} pinned dependencies in ${outDir}\n`,
    );
  } catch (error) {
    if (!(error instanceof DeployError)) {
      throw error;
    }
    process.stderr.write(`stage:functions: ${error.message}\n`);
    process.exitCode = 1;
  }
}
