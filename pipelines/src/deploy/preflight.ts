import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * What `npm run deploy` checks before it touches anything: which project, and whether the
 * tools it drives are installed. Parsed once from an injectable argv/env, with errors that
 * say what to do next.
 */

export class DeployError extends Error {
  override name = 'DeployError';
}

export interface DeployOptions {
  projectId: string;
  /** Null keeps Terraform's default region. */
  region: string | null;
  /** MovieLens ratings to load; null loads the bundled ml-latest-small. */
  ratingsFile: string | null;
  /** Passes -auto-approve to terraform apply. */
  yes: boolean;
  /** Forgets the steps an earlier run finished. */
  restart?: boolean;
}

export const USAGE = `usage: npm run deploy -- --project <project-id> [--region <region>] [--ratings <file>] [--yes] [--restart]

  --project   Google Cloud project with billing (or set GOOGLE_CLOUD_PROJECT)
  --region    region for functions, buckets and data (default: Terraform's, us-central1)
  --ratings   MovieLens ratings file to load (default: the bundled ml-latest-small)
  --yes       apply the Terraform plan without asking
  --restart   redo every step (a re-run otherwise resumes after the last step that finished)`;

export function parseDeployOptions(argv: readonly string[], env: NodeJS.ProcessEnv): DeployOptions {
  const values = new Map<string, string>();
  let yes = false;
  let restart = false;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--yes') {
      yes = true;
      continue;
    }
    if (arg === '--restart') {
      restart = true;
      continue;
    }
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!['--project', '--region', '--ratings'].includes(flag)) {
      throw new DeployError(`unknown argument ${arg}\n${USAGE}`);
    }
    const value = inline ?? argv[++index];
    if (value === undefined || value.startsWith('--')) {
      throw new DeployError(`${flag} needs a value\n${USAGE}`);
    }
    values.set(flag, value);
  }

  const projectId = values.get('--project') ?? env.GOOGLE_CLOUD_PROJECT ?? '';
  if (projectId === '') {
    throw new DeployError(
      `no project given: pass --project <id> or set GOOGLE_CLOUD_PROJECT\n${USAGE}`,
    );
  }
  if (projectId.startsWith('demo-')) {
    throw new DeployError(
      `refusing to deploy to ${projectId}: demo- projects are the emulator-only ids of the local ` +
        'stack (npm run stack) and cannot reach Google Cloud. Pass a real project with billing.',
    );
  }
  if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(projectId)) {
    throw new DeployError(
      `"${projectId}" is not a Google Cloud project id (6-30 lowercase letters, digits, hyphens).`,
    );
  }
  return {
    projectId,
    region: values.get('--region') ?? null,
    ratingsFile: values.get('--ratings') ?? null,
    yes,
    ...(restart && { restart }),
  };
}

export interface Tool {
  command: string;
  purpose: string;
  install: string;
}

export const REQUIRED_TOOLS: readonly Tool[] = [
  {
    command: 'terraform',
    purpose: 'creates the cloud resources',
    install: 'https://developer.hashicorp.com/terraform/install (1.9 or newer)',
  },
  {
    command: 'gcloud',
    purpose: 'credentials for Terraform and the first retrain',
    install:
      'https://cloud.google.com/sdk/docs/install, then `gcloud auth login` and `gcloud auth application-default login`',
  },
  {
    command: 'firebase',
    purpose: 'deploys the site, Firestore rules and indexes',
    install: '`npm install -g firebase-tools`, then `firebase login`',
  },
  {
    command: 'node',
    purpose: 'builds the functions and the site',
    install: 'https://nodejs.org (20.19 or newer)',
  },
  {
    command: 'npm',
    purpose: 'runs the builds and the data loader',
    install: 'comes with Node.js',
  },
];

/** The tools not found as executables on `pathVariable` (the PATH format of this platform). */
export function findMissingTools(tools: readonly Tool[], pathVariable: string | undefined): Tool[] {
  const directories = (pathVariable ?? '').split(delimiter).filter((dir) => dir !== '');
  return tools.filter(
    (tool) => !directories.some((directory) => isExecutable(join(directory, tool.command))),
  );
}

export function describeMissingTools(missing: readonly Tool[]): string {
  const lines = missing.map(
    (tool) => `  - ${tool.command} (${tool.purpose}): install from ${tool.install}`,
  );
  return `npm run deploy needs tools that are not on PATH:\n${lines.join('\n')}`;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
