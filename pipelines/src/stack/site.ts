import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOOPBACK } from './ports.js';
import { type ProcessGroup, startProcessGroup } from './process-group.js';
import { waitUntilReady } from './readiness.js';

/** What the browser bundle is built with: the emulators it talks to (inlined at build time). */
export function siteBuildEnv(
  project: string,
  ports: { firestore: number; auth: number },
): Record<string, string> {
  return {
    PUBLIC_FIREBASE_PROJECT_ID: project,
    PUBLIC_FIRESTORE_EMULATOR_HOST: `${LOOPBACK}:${ports.firestore}`,
    PUBLIC_FIREBASE_AUTH_EMULATOR_HOST: `${LOOPBACK}:${ports.auth}`,
  };
}

const STAMP = '.reel-build.json';

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/**
 * What a build depends on: its configuration and the newest source file. A build whose stamp
 * equals this is current.
 */
function buildStamp(root: string, env: Record<string, string>): string {
  const inputs = [
    join(root, 'site', 'src'),
    join(root, 'site', 'public'),
    join(root, 'site', 'astro.config.ts'),
    join(root, 'site', 'package.json'),
    join(root, 'functions', 'src', 'catalogue'),
    join(root, 'pipelines', 'data', 'ml-latest-small'),
  ];
  return JSON.stringify({ env, sources: Math.max(...inputs.map(newestMtime)) });
}

/** Builds the site into `outDir` unless the build there is current; returns whether it built. */
export async function buildSiteIfNeeded(options: {
  root: string;
  outDir: string;
  env: Record<string, string>;
  logFile: string;
  onProgress?: (message: string) => void;
}): Promise<boolean> {
  const { root, outDir, env, logFile } = options;
  const stampFile = join(outDir, STAMP);
  const stamp = buildStamp(root, env);
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return false;
  options.onProgress?.(`building the site into ${outDir} (about a minute; log ${logFile})`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const log = [] as Buffer[];
    const child = spawn(
      join(root, 'node_modules', '.bin', 'astro'),
      ['build', '--root', join(root, 'site'), '--outDir', outDir, '--silent'],
      {
        cwd: join(root, 'site'),
        env: { ...process.env, ...env, ASTRO_TELEMETRY_DISABLED: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (chunk: Buffer) => log.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => log.push(chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      const text = Buffer.concat(log).toString('utf8');
      writeFileSync(logFile, text);
      if (code === 0) resolve();
      else {
        reject(
          new Error(
            `astro build failed (exit ${code}); last lines of ${logFile}:\n${text.trimEnd().split('\n').slice(-20).join('\n')}`,
          ),
        );
      }
    });
  });
  writeFileSync(stampFile, stamp);
  options.onProgress?.(`site built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

/** Serves a built site like Hosting does, forwarding /api to the api function, in its own group. */
export async function serveSite(options: {
  root: string;
  distDir: string;
  port: number;
  apiTarget: string;
  logFile: string;
}): Promise<{ url: string; group: ProcessGroup }> {
  const { root, distDir, port, apiTarget, logFile } = options;
  const group = startProcessGroup({
    name: 'site',
    command: process.execPath,
    args: ['--import', 'tsx', join(root, 'site', 'tools', 'static-server.ts'), distDir],
    env: { ...process.env, PORT: String(port), REEL_API_PROXY: apiTarget },
    cwd: root,
    logFile,
  });
  const url = `http://${LOOPBACK}:${port}`;
  try {
    await waitUntilReady(group, `${url}/`, 60_000);
  } catch (error) {
    await group.stop(2_000);
    throw error;
  }
  return { url, group };
}
