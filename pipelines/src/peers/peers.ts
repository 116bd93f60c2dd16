import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ratings } from '@reel/functions/model';

export type PeerName = 'surprise-svd' | 'surprise-svdpp' | 'implicit-als' | 'ease';
export type PeerTask = 'rating' | 'ranking';

/** The repository root (this file is pipelines/src/peers/peers.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = join(REPO_ROOT, 'pipelines/peers/run_peer.py');
const PYTHON = join(REPO_ROOT, '.venv/bin/python');
/** The PyPI package of each peer, as requirements.txt pins it. */
const REQUIREMENTS: Record<PeerName, string> = {
  'surprise-svd': 'scikit-surprise',
  'surprise-svdpp': 'scikit-surprise',
  'implicit-als': 'implicit',
  ease: 'numpy',
};

export interface PeerRequest {
  readonly peer: PeerName;
  readonly task: PeerTask;
  readonly train: Ratings;
  /** Task "rating": the pairs to predict. */
  readonly test?: Pick<Ratings, 'user' | 'item'>;
  /** Task "ranking": the users to rank for. */
  readonly rankUsers?: Int32Array;
  readonly params: Record<string, unknown>;
  readonly threads: number;
  readonly seed: number;
  readonly top: number;
}

export type PeerOutcome =
  | {
      readonly ok: true;
      readonly peer: PeerName;
      readonly task: PeerTask;
      readonly version: string;
      readonly fitSeconds: number;
      /** Epochs or ALS sweeps; 1 for a closed form. */
      readonly iterations: number;
      readonly threads: number;
      readonly params: Record<string, unknown>;
      /** Task "rating": one prediction per test pair. */
      readonly predictions?: Float64Array;
      /** Task "ranking": the top list of each rank user (best first). */
      readonly top?: Int32Array[];
    }
  | {
      readonly ok: false;
      readonly peer: PeerName;
      readonly task: PeerTask;
      /** "not installable": pip could not install it (message = pip's error); "failed": it ran and failed. */
      readonly status: 'not installable' | 'failed';
      readonly message: string;
    };

/**
 * Fits a peer in the project's Python venv on exactly our split and returns what it predicts or
 * recommends; the harness scores it with the same metric code as ours. When the peer's package
 * is missing it tries to install the pinned version from requirements.txt once, and reports the
 * peer as not installable with pip's error if that fails: a peer is never skipped silently.
 * Thread counts are set explicitly: BLAS to 1 for implicit (it does its own threading, and asks
 * for it) with its num_threads at `threads`; BLAS to `threads` for EASE, whose fit is one
 * matrix inverse.
 */
export async function runPeer(request: PeerRequest): Promise<PeerOutcome> {
  const { peer, task } = request;
  const venv = await ensureVenv();
  if (venv !== null) return { ok: false, peer, task, status: 'not installable', message: venv };
  const dir = await mkdtemp(join(tmpdir(), `reel-peer-${peer}-`));
  try {
    await writeInputs(dir, request);
    let run = await python(dir, request);
    if (run.code === 3) {
      const installed = await pipInstall(peer);
      if (installed !== null) {
        return { ok: false, peer, task, status: 'not installable', message: installed };
      }
      run = await python(dir, request);
    }
    if (run.code !== 0) {
      return { ok: false, peer, task, status: 'failed', message: tail(run.stderr || run.stdout) };
    }
    const report = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as {
      version: string;
      fitSeconds: number;
      iterations: number;
      threads: number;
      params: Record<string, unknown>;
    };
    const outcome = { ok: true as const, peer, task, ...report };
    if (task === 'rating') {
      const bytes = await readFile(join(dir, 'predictions.f64'));
      return { ...outcome, predictions: new Float64Array(copy(bytes)) };
    }
    const flat = new Int32Array(copy(await readFile(join(dir, 'top.i32'))));
    const top: Int32Array[] = [];
    for (let row = 0; row * request.top < flat.length; row++) {
      const list = flat.subarray(row * request.top, (row + 1) * request.top);
      const end = list.indexOf(-1);
      top.push(end < 0 ? list : list.subarray(0, end));
    }
    return { ...outcome, top };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeInputs(dir: string, request: PeerRequest): Promise<void> {
  const { train } = request;
  await mkdir(dir, { recursive: true });
  const files: [string, ArrayBufferView][] = [
    ['train_user.i32', train.user],
    ['train_item.i32', train.item],
    ['train_value.f32', train.value],
  ];
  if (request.test)
    files.push(['test_user.i32', request.test.user], ['test_item.i32', request.test.item]);
  if (request.rankUsers) files.push(['rank_users.i32', request.rankUsers]);
  await writeFile(
    join(dir, 'meta.json'),
    JSON.stringify({ userCount: train.userCount, itemCount: train.itemCount }),
  );
  // Typed arrays are little-endian on every platform Node runs on here (x86-64, arm64).
  for (const [name, data] of files) {
    await writeFile(join(dir, name), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function python(dir: string, request: PeerRequest): Promise<Run> {
  const args = [
    SCRIPT,
    '--peer',
    request.peer,
    '--task',
    request.task,
    '--input',
    dir,
    '--output',
    dir,
    '--params',
    JSON.stringify(request.params),
    '--threads',
    String(request.threads),
    '--seed',
    String(request.seed),
    '--top',
    String(request.top),
  ];
  const blasThreads = request.peer === 'ease' ? String(request.threads) : '1';
  const env = {
    ...process.env,
    OPENBLAS_NUM_THREADS: blasThreads,
    MKL_NUM_THREADS: blasThreads,
    PYTHONDONTWRITEBYTECODE: '1',
    OMP_NUM_THREADS: String(request.threads),
  };
  return exec(PYTHON, args, env);
}

function exec(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env, maxBuffer: 64 << 20, cwd: REPO_ROOT }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr: stderr || (error && !stdout ? error.message : '') });
    });
  });
}

/** Builds the venv with scripts/setup-python.sh if it is missing; returns its error, or null. */
async function ensureVenv(): Promise<string | null> {
  if (existsSync(PYTHON)) return null;
  const run = await exec('bash', [join(REPO_ROOT, 'scripts/setup-python.sh')]);
  return run.code === 0
    ? null
    : `scripts/setup-python.sh failed:\n${tail(run.stderr || run.stdout)}`;
}

/** Installs the peer's pinned requirement; returns pip's error, or null when it installed. */
async function pipInstall(peer: PeerName): Promise<string | null> {
  const requirement = REQUIREMENTS[peer];
  const requirements = await readFile(join(REPO_ROOT, 'requirements.txt'), 'utf8');
  const pin = requirements
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.startsWith(`${requirement}==`));
  if (!pin) return `requirements.txt pins no version of ${requirement}`;
  const run = await exec(PYTHON, ['-m', 'pip', 'install', '--disable-pip-version-check', pin]);
  return run.code === 0 ? null : `pip install ${pin} failed:\n${tail(run.stderr || run.stdout)}`;
}

function tail(text: string, lines = 12): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

function copy(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
