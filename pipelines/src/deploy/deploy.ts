import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DeployError,
  type DeployOptions,
  describeMissingTools,
  findMissingTools,
  parseDeployOptions,
  REQUIRED_TOOLS,
} from './preflight.js';
import {
  checkHostingRewrite,
  type DeployOutputs,
  parseTerraformOutputs,
  siteBuildEnvironment,
} from './site-config.js';
import { stageFunctions } from './stage-functions.js';

/**
 * `npm run deploy`: from a clone to a running product. A preflight checks what it can before
 * anything is created; each step is an ordinary command docs/deploy.md also lists, and the
 * steps finished are recorded, so a re-run after a failure resumes where it stopped.
 */

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Return stdout instead of streaming it to the terminal. */
  capture?: boolean;
}

/** Runs a command to completion; throws when it fails. Injected so tests can record calls. */
export type Runner = (command: string, args: readonly string[], options: RunOptions) => string;

export const runCommand: Runner = (command, args, { cwd, env, capture }) => {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['inherit', capture ? 'pipe' : 'inherit', 'inherit'],
    encoding: 'utf8',
  });
  if (result.error) {
    throw new DeployError(`${command} could not start: ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new DeployError(
      `\`${command} ${args.join(' ')}\` failed with exit code ${result.status}`,
    );
  }
  return capture ? result.stdout : '';
};

export interface DeployContext {
  repoRoot: string;
  options: DeployOptions;
  run: Runner;
  log: (message: string) => void;
}

export const BUNDLED_RATINGS = 'pipelines/data/ml-latest-small/ratings.csv';

/** The api service Terraform names (terraform/functions.tf, local.functions). */
export const API_SERVICE = 'api';
export const DEFAULT_REGION = 'us-central1';

/** Terraform's state lives in this bucket, so a teardown works from any clone. */
export const stateBucket = (project: string) => `${project}-reel-tfstate`;

/** Where a deploy records the steps it finished, so a re-run resumes after the last one. */
export const progressFile = (repoRoot: string, project: string) =>
  join(repoRoot, '.reel', 'deploy', `${project}.json`);

interface DeployProgress {
  fingerprint: string;
  done: string[];
}

/** The same options on the same commit resume; anything else starts over. */
function fingerprintOf(options: DeployOptions, commit: string): string {
  return JSON.stringify({ ...options, yes: undefined, restart: undefined, commit });
}

/**
 * Everything that can be checked before anything is created: the region and the Hosting
 * rewrite (which must name the service in that region), then, with gcloud, the project, the
 * credentials Terraform uses, billing, and the two APIs Terraform needs to enable the others.
 */
export function preflight({ repoRoot, options, run, log }: DeployContext): void {
  const region = options.region ?? DEFAULT_REGION;
  if (!/^[a-z]+-[a-z]+[0-9]+$/.test(region)) {
    throw new DeployError(
      `--region ${region} is not a Google Cloud region such as us-central1 or europe-west1`,
    );
  }
  const firebaseJson = join(repoRoot, 'firebase.json');
  if (!existsSync(firebaseJson)) {
    throw new DeployError(
      `${firebaseJson} is missing; it configures Hosting and Firestore deploys`,
    );
  }
  const rewriteProblem = checkHostingRewrite(readFileSync(firebaseJson, 'utf8'), {
    serviceId: API_SERVICE,
    region,
  });
  if (rewriteProblem) {
    throw new DeployError(`${rewriteProblem} (checked before anything was created)`);
  }
  const project = options.projectId;
  const gcloud = (args: string[], problem: string): string => {
    try {
      return run('gcloud', args, { cwd: repoRoot, capture: true }).trim();
    } catch {
      throw new DeployError(problem);
    }
  };
  gcloud(
    ['projects', 'describe', project, '--format=value(projectId)'],
    `project ${project} does not exist or this account cannot see it: check the id, then gcloud auth login`,
  );
  gcloud(
    ['auth', 'application-default', 'print-access-token'],
    'Terraform has no credentials: run gcloud auth application-default login',
  );
  const billing = gcloud(
    ['billing', 'projects', 'describe', project, '--format=value(billingEnabled)'],
    `cannot read the billing of ${project}: gcloud services enable cloudbilling.googleapis.com --project ${project}`,
  );
  if (billing.toLowerCase() !== 'true') {
    throw new DeployError(
      `billing is not enabled on ${project}: link a billing account (gcloud billing projects link ${project} --billing-account ACCOUNT)`,
    );
  }
  const enabled = gcloud(
    ['services', 'list', '--enabled', `--project=${project}`, '--format=value(config.name)'],
    `cannot list the APIs of ${project}`,
  ).split(/\s+/);
  const bootstrap = ['serviceusage.googleapis.com', 'cloudresourcemanager.googleapis.com'];
  const missing = bootstrap.filter((api) => !enabled.includes(api));
  if (missing.length > 0) {
    throw new DeployError(
      `Terraform needs ${missing.join(' and ')} to enable the other APIs: gcloud services enable ${missing.join(' ')} --project ${project}`,
    );
  }
  log(
    `preflight: ${project} in ${region}: project, credentials, billing, APIs and the rewrite check out`,
  );
}

export function deploy(context: DeployContext): void {
  const { repoRoot, options, run, log } = context;
  const terraformDir = join(repoRoot, 'terraform');
  const stagedDir = join(repoRoot, '.reel', 'functions-source');
  const project = options.projectId;
  const region = options.region ?? DEFAULT_REGION;
  let outputs: DeployOutputs | undefined;
  const terraformOutputs = (): DeployOutputs => {
    outputs ??= parseTerraformOutputs(
      run('terraform', ['output', '-json'], { cwd: terraformDir, capture: true }),
    );
    return outputs;
  };
  const ratings = options.ratingsFile ?? join(repoRoot, BUNDLED_RATINGS);

  const steps: Array<{ id: string; title: string; action: () => void }> = [
    {
      id: 'stage',
      title: 'building the functions (tsc) and staging them with the tested lockfile',
      action: () => {
        run('npm', ['run', 'build', '-w', 'functions'], { cwd: repoRoot });
        stageFunctions({ repoRoot, outDir: stagedDir });
      },
    },
    {
      id: 'state',
      title: `Terraform state bucket gs://${stateBucket(project)}`,
      action: () => ensureStateBucket(context, region),
    },
    {
      id: 'apply',
      title: `terraform apply in ${project}`,
      action: () => {
        terraformInit(run, terraformDir, project);
        run(
          'terraform',
          [
            'apply',
            '-input=false',
            `-var=project_id=${project}`,
            `-var=region=${region}`,
            ...(options.yes ? ['-auto-approve'] : []),
          ],
          { cwd: terraformDir },
        );
      },
    },
    {
      id: 'site',
      title: 'building the site with the Firebase web config',
      action: () => {
        run('npm', ['run', 'build', '-w', 'site'], {
          cwd: repoRoot,
          env: siteBuildEnvironment(terraformOutputs()),
        });
      },
    },
    {
      id: 'hosting',
      title: 'firebase deploy --only hosting,firestore',
      action: () => {
        run(
          'firebase',
          ['deploy', '--only', 'hosting,firestore', '--project', project, '--non-interactive'],
          { cwd: repoRoot },
        );
      },
    },
    {
      id: 'load',
      title: 'loading the first ratings (BigQuery load jobs, Firestore)',
      action: () => {
        run('npm', ['run', 'load', '--', '--ratings', ratings, '--project', project], {
          cwd: repoRoot,
        });
      },
    },
    {
      id: 'retrain',
      title: 'triggering the first retrain',
      action: () => {
        run(
          'gcloud',
          [
            'pubsub',
            'topics',
            'publish',
            'retrain',
            `--project=${project}`,
            '--message={"trigger":"deploy"}',
            '--attribute=trigger=deploy',
          ],
          { cwd: repoRoot },
        );
      },
    },
  ];

  const file = progressFile(repoRoot, project);
  const fingerprint = fingerprintOf(options, commitOf(run, repoRoot));
  const previous = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as DeployProgress)
    : undefined;
  const progress: DeployProgress =
    previous && previous.fingerprint === fingerprint && !options.restart
      ? previous
      : { fingerprint, done: [] };
  const total = steps.length + 1;
  steps.forEach((step, index) => {
    const prefix = `[${index + 1}/${total}]`;
    if (progress.done.includes(step.id)) {
      log(`${prefix} ${step.title}: done in an earlier run (--restart redoes it)`);
      return;
    }
    log(`${prefix} ${step.title}`);
    step.action();
    progress.done.push(step.id);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(progress, null, 2)}\n`);
  });
  const siteUrl = terraformOutputsOrNull(terraformOutputs);
  log(
    `[${total}/${total}] done: ${siteUrl ?? `https://${project}.web.app`} (the first model appears when the retrain finishes)`,
  );
}

function terraformOutputsOrNull(read: () => DeployOutputs): string | null {
  try {
    return read().siteUrl;
  } catch {
    return null;
  }
}

function commitOf(run: Runner, repoRoot: string): string {
  try {
    return run('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, capture: true }).trim();
  } catch {
    return '';
  }
}

/** `terraform init` against the project's state bucket (the backend "gcs" in versions.tf). */
export function terraformInit(run: Runner, terraformDir: string, project: string): void {
  run(
    'terraform',
    ['init', '-input=false', '-reconfigure', `-backend-config=bucket=${stateBucket(project)}`],
    { cwd: terraformDir },
  );
}

function ensureStateBucket({ repoRoot, options, run }: DeployContext, region: string): void {
  const bucket = `gs://${stateBucket(options.projectId)}`;
  try {
    run('gcloud', ['storage', 'buckets', 'describe', bucket, '--format=value(name)'], {
      cwd: repoRoot,
      capture: true,
    });
    return;
  } catch {
    // Not there yet: created below.
  }
  run(
    'gcloud',
    [
      'storage',
      'buckets',
      'create',
      bucket,
      `--project=${options.projectId}`,
      `--location=${region}`,
      '--uniform-bucket-level-access',
      '--public-access-prevention',
    ],
    { cwd: repoRoot },
  );
  // Every earlier state stays recoverable.
  run('gcloud', ['storage', 'buckets', 'update', bucket, '--versioning'], { cwd: repoRoot });
}

/** Entry point: preflight, then deploy; exit code 1 with a message on any refusal or failure. */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  const log = (message: string) => process.stderr.write(`${message}\n`);
  try {
    const options = parseDeployOptions(argv, env);
    const missing = findMissingTools(REQUIRED_TOOLS, env.PATH);
    if (missing.length > 0) {
      throw new DeployError(describeMissingTools(missing));
    }
    const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
    const context = { repoRoot, options, run: runCommand, log };
    preflight(context);
    deploy(context);
    return 0;
  } catch (error) {
    if (error instanceof DeployError) {
      log(`deploy: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2), process.env);
}
