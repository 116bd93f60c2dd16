import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeployError } from './preflight.js';

/**
 * Stages the functions package for Cloud Build: the JavaScript compiled here by the same tsc
 * the tests type-check with, plus a production package.json. Cloud Build then only installs
 * dependencies; it never sees TypeScript, so functions/tsconfig.json's `extends` of
 * ../tsconfig.base.json (outside the upload) does not matter, and no devDependencies ship.
 * Direct dependencies are pinned to the exact versions package-lock.json installed here, the
 * versions the tests ran with.
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

interface LockFile {
  packages: Record<string, { version?: string; link?: boolean }>;
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
