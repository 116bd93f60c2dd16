/**
 * Where the operational CLIs (load, retrain, rollback) act: the running local stack (its
 * variables, as `npm start` wrote them to `.reel/stack/env`), or, with `--project`, a Google
 * Cloud project with the names Terraform gives its resources.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { type Clients, createClients } from '@reel/functions/adapters';
import { type Config, parseConfig } from '@reel/functions/config';
import { DEFAULT_STATE_DIR } from '../stack/options.js';
import { repositoryRoot } from '../stack/repository.js';
import { UsageError } from './args.js';

export interface Target {
  config: Config;
  clients: Clients;
  /** For messages: "the local stack (demo-reel)" or "project my-reel". */
  description: string;
  /** The local stack's directory (logs of the functions), if local. */
  stateDir?: string;
}

const EMULATOR_VARIABLES = [
  'PUBSUB_EMULATOR_HOST',
  'FIRESTORE_EMULATOR_HOST',
  'FIREBASE_AUTH_EMULATOR_HOST',
  'STORAGE_EMULATOR_HOST',
  'BIGQUERY_EMULATOR_HOST',
  'BIGQUERY_STORAGE_EMULATOR_HOST',
];

/** `KEY=value` lines, as the stack writes them. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}

/** The environment of the target: the cloud project's names, or the local stack's variables. */
export function targetEnv(
  project: string | undefined,
  env: NodeJS.ProcessEnv,
  root: string = repositoryRoot(),
): { env: Record<string, string>; description: string; stateDir?: string } {
  if (project !== undefined) {
    if (project.startsWith('demo-')) {
      throw new UsageError(
        `--project ${project} is a demo- project, which exists only on the emulators: leave --project out to use the local stack`,
      );
    }
    const inherited = Object.fromEntries(
      Object.entries(env).filter(
        (entry): entry is [string, string] =>
          entry[1] !== undefined && !EMULATOR_VARIABLES.includes(entry[0]),
      ),
    );
    return {
      env: {
        ...inherited,
        GOOGLE_CLOUD_PROJECT: project,
        // terraform/storage.tf names it so; REEL_MODELS_BUCKET overrides.
        REEL_MODELS_BUCKET: env.REEL_MODELS_BUCKET || `${project}-reel-models`,
      },
      description: `project ${project}`,
    };
  }
  const stateDirSetting = env.REEL_STATE_DIR || DEFAULT_STATE_DIR;
  const stateDir = isAbsolute(stateDirSetting) ? stateDirSetting : join(root, stateDirSetting);
  const file = join(stateDir, 'env');
  if (env.FIRESTORE_EMULATOR_HOST === undefined && !existsSync(file)) {
    throw new UsageError(
      `no local stack: start it with npm start (it writes ${file}), or pass --project PROJECT for Google Cloud`,
    );
  }
  const stackEnv = existsSync(file) ? parseEnvFile(readFileSync(file, 'utf8')) : {};
  const merged = { ...stackEnv };
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && (name.startsWith('REEL_') || EMULATOR_VARIABLES.includes(name))) {
      merged[name] = value;
    }
  }
  merged.GOOGLE_CLOUD_PROJECT = env.GOOGLE_CLOUD_PROJECT || stackEnv.GOOGLE_CLOUD_PROJECT || '';
  return {
    env: merged,
    description: `the local stack (${merged.GOOGLE_CLOUD_PROJECT})`,
    stateDir,
  };
}

/** Config and clients for the target; firebase-admin reads its emulator variables from process.env. */
export function openTarget(project: string | undefined, name: string): Target {
  const { env, description, stateDir } = targetEnv(project, process.env);
  if (project !== undefined) {
    for (const variable of EMULATOR_VARIABLES) delete process.env[variable];
  }
  Object.assign(process.env, env);
  const config = parseConfig(env);
  return { config, clients: createClients(config, name), description, stateDir };
}
