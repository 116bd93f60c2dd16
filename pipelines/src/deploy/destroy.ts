import { mkdtempSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Runner, runCommand, stateBucket, terraformInit } from './deploy.js';
import {
  DeployError,
  describeMissingTools,
  findMissingTools,
  REQUIRED_TOOLS,
} from './preflight.js';

/**
 * `npm run destroy -- --project P [--yes]`: removes everything `npm run deploy` made, from any
 * clone (the state is in the project's bucket; no staged build is needed). Refuses demo-
 * projects and asks for the project id to be typed unless --yes.
 */

export interface DestroyOptions {
  projectId: string;
  yes: boolean;
}

export const DESTROY_USAGE = 'usage: npm run destroy -- --project <project-id> [--yes]';

/** What deletion_protection guards; lowered first, alone, so nothing else is re-planned. */
export const PROTECTED_RESOURCES = [
  'google_bigquery_dataset.reel',
  'google_bigquery_table.rating_events',
  'google_firestore_database.default',
  'google_storage_bucket.models',
];

export function parseDestroyOptions(argv: readonly string[]): DestroyOptions {
  let projectId: string | undefined;
  let yes = false;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--yes') {
      yes = true;
    } else if (arg === '--project' || arg.startsWith('--project=')) {
      projectId = arg.includes('=') ? arg.slice('--project='.length) : argv[++index];
    } else {
      throw new DeployError(`unknown argument ${arg}\n${DESTROY_USAGE}`);
    }
  }
  if (!projectId) {
    throw new DeployError(`no project given\n${DESTROY_USAGE}`);
  }
  if (projectId.startsWith('demo-')) {
    throw new DeployError(
      `refusing to destroy ${projectId}: demo- projects are the local stack's emulator-only ids; stop npm start instead`,
    );
  }
  if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(projectId)) {
    throw new DeployError(`"${projectId}" is not a Google Cloud project id`);
  }
  return { projectId, yes };
}

export interface DestroyContext {
  repoRoot: string;
  options: DestroyOptions;
  run: Runner;
  log: (message: string) => void;
  /** The line the user typed when asked to confirm (undefined: nobody to ask). */
  confirm: (question: string) => string | undefined;
}

export function destroy({ repoRoot, options, run, log, confirm }: DestroyContext): void {
  const project = options.projectId;
  if (!options.yes) {
    const answer = confirm(
      `This deletes Reel's resources in ${project}, its rating log, Firestore database and models included. Type the project id to go on: `,
    );
    if (answer === undefined) {
      throw new DeployError(
        'nobody to confirm (no terminal): pass --yes to destroy without asking',
      );
    }
    if (answer.trim() !== project) {
      throw new DeployError(`"${answer.trim()}" is not ${project}: nothing was destroyed`);
    }
  }
  const terraformDir = join(repoRoot, 'terraform');
  // The archive of the functions is read at plan time even by destroy; a fresh clone has no
  // staged build, and destroy does not care what the archive holds.
  const placeholder = mkdtempSync(join(tmpdir(), 'reel-destroy-source-'));
  writeFileSync(join(placeholder, 'package.json'), '{}\n');
  const variables = [
    `-var=project_id=${project}`,
    '-var=deletion_protection=false',
    `-var=function_source_dir=${placeholder}`,
  ];
  try {
    log(`[1/4] terraform init with the state in gs://${stateBucket(project)}`);
    terraformInit(run, terraformDir, project);
    log('[2/4] lifting deletion protection from the rating log, Firestore and the models bucket');
    run(
      'terraform',
      [
        'apply',
        '-input=false',
        '-auto-approve',
        ...variables,
        ...PROTECTED_RESOURCES.map((address) => `-target=${address}`),
      ],
      { cwd: terraformDir },
    );
    log('[3/4] terraform destroy');
    run('terraform', ['destroy', '-input=false', '-auto-approve', ...variables], {
      cwd: terraformDir,
    });
    log(`[4/4] removing the state bucket gs://${stateBucket(project)}`);
    run('gcloud', ['storage', 'rm', '--recursive', `gs://${stateBucket(project)}`], {
      cwd: repoRoot,
    });
  } finally {
    rmSync(placeholder, { recursive: true, force: true });
  }
  log(
    `done: Terraform left the enabled APIs, Firebase on the project and what Google made itself (gcf-v2-* buckets, logs); gcloud projects delete ${project} removes those too`,
  );
}

/** Reads one line from the terminal (blocking until enter), or undefined when there is none. */
function askOnTerminal(question: string): string | undefined {
  if (!process.stdin.isTTY) return undefined;
  process.stderr.write(question);
  const buffer = Buffer.alloc(256);
  let line = '';
  while (!line.includes('\n')) {
    const bytes = readSync(0, buffer, 0, buffer.length, null);
    if (bytes <= 0) break;
    line += buffer.subarray(0, bytes).toString('utf8');
  }
  return line.split('\n')[0] ?? '';
}

export function main(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  const log = (message: string) => process.stderr.write(`${message}\n`);
  try {
    const options = parseDestroyOptions(argv);
    const missing = findMissingTools(
      REQUIRED_TOOLS.filter((tool) => tool.command === 'terraform' || tool.command === 'gcloud'),
      env.PATH,
    );
    if (missing.length > 0) {
      throw new DeployError(describeMissingTools(missing));
    }
    const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
    destroy({ repoRoot, options, run: runCommand, log, confirm: askOnTerminal });
    return 0;
  } catch (error) {
    if (error instanceof DeployError) {
      log(`destroy: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2), process.env);
}
