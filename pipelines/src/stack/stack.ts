import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  authEmulatorConfig,
  type EmulatorName,
  emulatorEnv,
  PORT_OWNER,
  type PortName,
  planEmulators,
  type StackPorts,
  type Toolchain,
} from './emulators.js';
import { portFlag, portVariable } from './options.js';
import { isPortFree, LOOPBACK } from './ports.js';
import {
  groupIsAlive,
  killGroupNow,
  type ProcessGroup,
  startProcessGroup,
} from './process-group.js';
import { waitUntilReady } from './readiness.js';
import { repositoryRoot } from './repository.js';
import { localSparkEnv } from './spark.js';

export interface StackOptions {
  project: string;
  ports: StackPorts;
  toolchain: Toolchain;
  /** Logs, generated config and (if `persist`) the emulators' data live here. */
  stateDir: string;
  /** Keep data in `stateDir/data` across restarts; otherwise everything is in memory. */
  persist: boolean;
  /** Per emulator; the Auth emulator alone needs ~15 s of CPU on a 2-core machine. */
  readyTimeoutMs?: number;
  /** Progress lines (stderr in the CLI). */
  onProgress?: (message: string) => void;
}

export interface RunningStack {
  project: string;
  ports: StackPorts;
  /** The standard emulator variables for the official clients, plus GOOGLE_CLOUD_PROJECT. */
  env: Record<string, string>;
  /** Seconds each emulator took from spawn to its first good answer. */
  readySeconds: Record<EmulatorName, number>;
  groups: readonly ProcessGroup[];
  /** Saves state (if persisting) and stops every process group; safe to call twice. */
  stop(): Promise<void>;
}

/** What `stateDir/stack.json` holds while a stack runs, so a second start can refuse early. */
interface StackRecord {
  pid: number;
  groups: Record<string, number>;
  ports: StackPorts;
  env: Record<string, string>;
  startedAt: string;
}

export class PortsBusyError extends Error {
  constructor(
    readonly busy: readonly PortName[],
    ports: StackPorts,
  ) {
    super(
      busy
        .map(
          (name) =>
            `${LOOPBACK}:${ports[name]} is already in use by another process (${PORT_OWNER[name]} wants it); choose another port with ${portFlag(name)}=N or ${portVariable(name)}=N`,
        )
        .join('\n'),
    );
    this.name = 'PortsBusyError';
  }
}

const FIRESTORE_EXPORT = 'firestore_export';

/** Starts all five emulators in parallel, each in its own process group, and waits for them. */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { project, ports, toolchain, stateDir, persist } = options;
  const progress = options.onProgress ?? (() => {});
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;

  refuseIfRunning(stateDir);
  const busy: PortName[] = [];
  for (const name of Object.keys(ports) as PortName[]) {
    if (!(await isPortFree(ports[name]))) busy.push(name);
  }
  if (busy.length > 0) throw new PortsBusyError(busy, ports);

  const logs = join(stateDir, 'logs');
  const authTmpDir = join(stateDir, 'tmp');
  const dataRoot = join(stateDir, 'data');
  const data = persist
    ? {
        firestore: join(dataRoot, 'firestore'),
        auth: join(dataRoot, 'auth'),
        bigquery: join(dataRoot, 'bigquery'),
        storage: join(dataRoot, 'storage'),
      }
    : undefined;
  const spark = localSparkEnv(repositoryRoot(), stateDir);
  for (const dir of [logs, authTmpDir, spark.REEL_BQ_EXPORT_ROOT!, ...Object.values(data ?? {})]) {
    mkdirSync(dir, { recursive: true });
  }
  const authConfigFile = join(stateDir, 'firebase.json');
  writeFileSync(authConfigFile, authEmulatorConfig(ports));

  const firestoreSeed = data && firestoreSeedFile(data.firestore);
  const authImport = data?.auth;
  const plans = planEmulators({
    project,
    ports,
    toolchain,
    data,
    firestoreSeed: firestoreSeed && existsSync(firestoreSeed) ? firestoreSeed : undefined,
    authImport:
      authImport && existsSync(join(authImport, 'firebase-export-metadata.json'))
        ? authImport
        : undefined,
    authConfigFile,
    authTmpDir,
    exportRoot: spark.REEL_BQ_EXPORT_ROOT,
  });

  const groups: ProcessGroup[] = [];
  const killAll = () => {
    for (const group of groups) killGroupNow(group.pid);
  };
  // Last resort if Node exits without stop(): nothing asynchronous runs in an exit handler.
  process.once('exit', killAll);

  const startedAt = Date.now();
  const readySeconds = {} as Record<EmulatorName, number>;
  try {
    for (const plan of plans) {
      const logFile = join(logs, `${plan.name}.log`);
      rmSync(logFile, { force: true });
      groups.push(
        startProcessGroup({
          name: plan.name,
          command: plan.command,
          args: plan.args,
          env: plan.env,
          logFile,
        }),
      );
    }
    progress(`starting ${plans.map((plan) => plan.name).join(', ')} (logs in ${logs})`);
    await Promise.all(
      plans.map(async (plan, index) => {
        await waitUntilReady(groups[index]!, plan.readyUrl, readyTimeoutMs);
        readySeconds[plan.name] = (Date.now() - startedAt) / 1000;
        progress(`${plan.name} ready in ${readySeconds[plan.name].toFixed(1)} s`);
      }),
    );
  } catch (error) {
    await Promise.all(groups.map((group) => group.stop(5_000)));
    process.removeListener('exit', killAll);
    throw error;
  }

  // The emulators' variables, and the Spark trainer's (spark-submit from the venv).
  const env = { ...emulatorEnv(project, ports), ...spark };
  const record: StackRecord = {
    pid: process.pid,
    groups: Object.fromEntries(groups.map((group) => [group.name, group.pid])),
    ports,
    env,
    startedAt: new Date(startedAt).toISOString(),
  };
  writeFileSync(join(stateDir, 'stack.json'), `${JSON.stringify(record, null, 2)}\n`);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (data) {
        await exportFirestore(project, ports.firestore, data.firestore).catch((error: Error) =>
          progress(`could not save Firestore data: ${error.message}`),
        );
      }
      // The Auth emulator writes its export on SIGTERM, which takes a few seconds.
      await Promise.all(groups.map((group) => group.stop(20_000)));
      rmSync(join(stateDir, 'stack.json'), { force: true });
      process.removeListener('exit', killAll);
    })();
    return stopping;
  };
  return { project, ports, env, readySeconds, groups, stop };
}

function refuseIfRunning(stateDir: string): void {
  const file = join(stateDir, 'stack.json');
  if (!existsSync(file)) return;
  const record = JSON.parse(readFileSync(file, 'utf8')) as StackRecord;
  const alive = Object.entries(record.groups).filter(([, pgid]) => groupIsAlive(pgid));
  if (alive.length > 0) {
    throw new Error(
      `a stack started by pid ${record.pid} at ${record.startedAt} still runs from ${stateDir} ` +
        `(${alive.map(([name, pgid]) => `${name} group ${pgid}`).join(', ')}); ` +
        'stop it with Ctrl-C in its terminal, or use another state directory',
    );
  }
  rmSync(file);
}

/** The file the Firestore emulator is seeded from (`--seed_from_export`) after `exportFirestore`. */
export const firestoreSeedFile = (directory: string) =>
  join(directory, FIRESTORE_EXPORT, `${FIRESTORE_EXPORT}.overall_export_metadata`);

/**
 * Saves the Firestore emulator's data through its export endpoint (it has no working
 * export-on-exit of its own), then swaps it in place of the previous export.
 */
export async function exportFirestore(
  project: string,
  port: number,
  directory: string,
): Promise<void> {
  const staging = `${directory}.new`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const response = await fetch(
    `http://${LOOPBACK}:${port}/emulator/v1/projects/${project}:export`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        database: `projects/${project}/databases/(default)`,
        export_directory: staging,
        export_name: FIRESTORE_EXPORT,
      }),
      signal: AbortSignal.timeout(60_000),
    },
  );
  if (!response.ok) {
    throw new Error(`export answered HTTP ${response.status}: ${await response.text()}`);
  }
  rmSync(directory, { recursive: true, force: true });
  renameSync(staging, directory);
}
