/**
 * `npm run check:terraform [-- --dir DIR] [--no-checkov]`: what `terraform validate` and a
 * linter would say, without the providers (which cannot be downloaded here):
 *   1. formatting: HashiCorp's hclwrite formatter (WebAssembly, @cdktf/hcl-tools) on every file,
 *      and `terraform fmt -check` too where terraform is installed;
 *   2. provider pins: every provider pinned to exactly the release its schema is of;
 *   3. schema: every resource, argument, block and attribute reference against those schemas;
 *   4. checkov, each skipped check justified where it is skipped (`#checkov:skip=ID:reason`).
 * Schemas and checkov come from `npm run setup` (scripts/setup-terraform.sh).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from '@cdktf/hcl-tools';
import { loadConfiguration } from './configuration.js';
import type { ProviderSchema } from './provider-schema.js';
import { checkAgainstSchemas } from './schema-check.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const TOOLS_DIR = join(repoRoot, '.reel/terraform-tools');
const SCHEMA_PROVIDERS = ['google', 'google-beta', 'archive', 'random'];

export interface CheckOutcome {
  name: string;
  passed: boolean;
  /** What is wrong, one line each. */
  details: string[];
  /** What was checked. */
  summary?: string;
}

/** The provider schemas setup derived, or an error saying how to get them. */
export function loadSchemas(toolsDir = TOOLS_DIR): Record<string, ProviderSchema> {
  const schemas: Record<string, ProviderSchema> = {};
  for (const provider of SCHEMA_PROVIDERS) {
    const path = join(toolsDir, 'schemas', `${provider}.json`);
    if (!existsSync(path)) {
      throw new Error(
        `${path} is missing: run \`npm run setup\` (or bash scripts/setup-terraform.sh)`,
      );
    }
    schemas[provider] = JSON.parse(readFileSync(path, 'utf8')) as ProviderSchema;
  }
  return schemas;
}

export async function checkFormat(dir: string): Promise<CheckOutcome> {
  const details: string[] = [];
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.tf'))
    .sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    if ((await format(text)) !== text) {
      details.push(`${file} is not formatted (terraform fmt ${dir} rewrites it)`);
    }
  }
  if (hasTerraform()) {
    const fmt = spawnSync('terraform', ['fmt', '-check', '-list=true', dir], { encoding: 'utf8' });
    for (const file of fmt.stdout.split('\n').filter(Boolean)) {
      details.push(`terraform fmt -check: ${file}`);
    }
    if (fmt.status !== 0 && fmt.stdout.trim() === '') {
      details.push(`terraform fmt -check failed: ${fmt.stderr.trim()}`);
    }
  }
  return { name: 'format', passed: details.length === 0, details };
}

export async function checkSchema(
  dir: string,
  schemas: Record<string, ProviderSchema>,
): Promise<CheckOutcome[]> {
  const configuration = await loadConfiguration(dir);
  const pins: string[] = [];
  for (const [provider, schema] of Object.entries(schemas)) {
    const pinned = configuration.requiredProviders.get(provider)?.version;
    if (pinned !== schema.version) {
      pins.push(
        `${provider} is pinned to "${String(pinned)}", the schema is of ${schema.version} (${schema.source}): pin version = "${schema.version}"`,
      );
    }
  }
  const result = await checkAgainstSchemas(configuration, schemas);
  return [
    { name: 'provider pins', passed: pins.length === 0, details: pins },
    {
      name: 'schema',
      passed: result.errors.length === 0,
      details: result.errors,
      summary: `${result.checkedBlocks} resources and data sources, ${result.checkedReferences} attribute references checked; not checked (no schema): ${result.unchecked.join(', ') || 'none'}`,
    },
  ];
}

export function checkCheckov(dir: string, toolsDir = TOOLS_DIR): CheckOutcome {
  const checkov = join(toolsDir, 'venv/bin/checkov');
  if (!existsSync(checkov)) {
    return {
      name: 'checkov',
      passed: false,
      details: [`${checkov} is missing: run \`npm run setup\``],
    };
  }
  const run = spawnSync(
    checkov,
    ['--directory', dir, '--framework', 'terraform', '--compact', '--quiet', '--skip-download'],
    { encoding: 'utf8', env: { ...process.env, BC_SKIP_MAPPING: 'TRUE' } },
  );
  const output = `${run.stdout}${run.stderr}`.trim();
  return {
    name: 'checkov',
    passed: run.status === 0,
    details: run.status === 0 ? [] : output.split('\n'),
    summary: summaryLine(output),
  };
}

function summaryLine(output: string): string {
  return output.split('\n').find((line) => /Passed checks/.test(line)) ?? 'no failed checks';
}

function hasTerraform(): boolean {
  try {
    execFileSync('terraform', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function main(argv: string[]): Promise<number> {
  const dirIndex = argv.indexOf('--dir');
  const dir = resolve(dirIndex >= 0 ? (argv[dirIndex + 1] ?? '') : join(repoRoot, 'terraform'));
  const outcomes: CheckOutcome[] = [await checkFormat(dir)];
  outcomes.push(...(await checkSchema(dir, loadSchemas())));
  if (!argv.includes('--no-checkov')) {
    outcomes.push(checkCheckov(dir));
  }
  for (const outcome of outcomes) {
    console.log(
      `${outcome.passed ? 'ok  ' : 'FAIL'} ${outcome.name}${outcome.summary ? `: ${outcome.summary}` : ''}`,
    );
    for (const line of outcome.details) {
      console.log(`     ${line}`);
    }
  }
  return outcomes.every((outcome) => outcome.passed) ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
