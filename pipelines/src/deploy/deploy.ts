import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DeployError,
  type DeployOptions,
  describeMissingTools,
  findMissingTools,
  parseDeployOptions,
  REQUIRED_TOOLS,
} from './preflight.js';
import { checkHostingRewrite, parseTerraformOutputs, siteBuildEnvironment } from './site-config.js';
import { stageFunctions } from './stage-functions.js';

/**
 * `npm run deploy`: from a clone to a running product. Each step is an ordinary command the
 * README's deploy guide also lists, so a failed step can be rerun by hand.
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

export function deploy({ repoRoot, options, run, log }: DeployContext): void {
  const terraformDir = join(repoRoot, 'terraform');
  const stagedDir = join(repoRoot, '.reel', 'functions-source');
  const project = options.projectId;
  const steps = 8;
  let step = 0;
  const progress = (message: string) => log(`[${++step}/${steps}] ${message}`);

  progress('building the functions (tsc) and staging them for Cloud Build');
  run('npm', ['run', 'build', '-w', 'functions'], { cwd: repoRoot });
  stageFunctions({ repoRoot, outDir: stagedDir });
  // A lockfile for the staged package, so Cloud Build's install is `npm ci`, not a fresh resolve.
  run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: stagedDir,
  });

  progress(`terraform apply in ${project}`);
  const variables = [`-var=project_id=${project}`];
  if (options.region) {
    variables.push(`-var=region=${options.region}`);
  }
  run('terraform', ['init', '-input=false'], { cwd: terraformDir });
  run(
    'terraform',
    ['apply', '-input=false', ...variables, ...(options.yes ? ['-auto-approve'] : [])],
    { cwd: terraformDir },
  );
  const outputs = parseTerraformOutputs(
    run('terraform', ['output', '-json'], { cwd: terraformDir, capture: true }),
  );

  progress('checking firebase.json against what Terraform deployed');
  const firebaseJson = join(repoRoot, 'firebase.json');
  if (!existsSync(firebaseJson)) {
    throw new DeployError(
      `${firebaseJson} is missing; it configures Hosting and Firestore deploys`,
    );
  }
  const rewriteProblem = checkHostingRewrite(
    readFileSync(firebaseJson, 'utf8'),
    outputs.hostingRewrite,
  );
  if (rewriteProblem) {
    throw new DeployError(rewriteProblem);
  }

  progress('building the site with the Firebase web config');
  run('npm', ['run', 'build', '-w', 'site'], { cwd: repoRoot, env: siteBuildEnvironment(outputs) });

  progress('firebase deploy --only hosting,firestore');
  run(
    'firebase',
    ['deploy', '--only', 'hosting,firestore', '--project', project, '--non-interactive'],
    {
      cwd: repoRoot,
    },
  );

  progress('loading the first ratings');
  const ratings = options.ratingsFile ?? join(repoRoot, BUNDLED_RATINGS);
  const scripts = (
    JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    }
  ).scripts;
  if (scripts?.load === undefined) {
    throw new DeployError(
      'the site is deployed, but this checkout has no `npm run load` to load ratings with; ' +
        `once it has, run: npm run load -- --ratings ${ratings} --project ${project}, then ` +
        `gcloud pubsub topics publish retrain --project ${project} --message '{"trigger":"deploy"}'`,
    );
  }
  run('npm', ['run', 'load', '--', '--ratings', ratings, '--project', project], { cwd: repoRoot });

  progress('triggering the first retrain');
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

  progress(`done: ${outputs.siteUrl} (the first model appears when the retrain finishes)`);
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
    deploy({ repoRoot, options, run: runCommand, log });
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
