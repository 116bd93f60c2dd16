import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFormat, checkSchema, loadSchemas } from './check.js';
import type { ProviderSchema } from './provider-schema.js';

const terraformDir = fileURLToPath(new URL('.', import.meta.url));
let schemas: Record<string, ProviderSchema>;
const copies: string[] = [];

beforeAll(() => {
  // Fails with "run `npm run setup`" where the schemas have not been derived yet.
  schemas = loadSchemas();
});

afterAll(() => {
  for (const copy of copies) {
    rmSync(copy, { recursive: true, force: true });
  }
});

/** A copy of the configuration with one file edited. */
function copyWith(file: string, edit: (text: string) => string): string {
  const copy = mkdtempSync(join(tmpdir(), 'reel-terraform-'));
  copies.push(copy);
  cpSync(terraformDir, copy, { recursive: true, filter: (path) => !path.endsWith('.ts') });
  const path = join(copy, file);
  const text = readFileSync(path, 'utf8');
  const edited = edit(text);
  expect(edited).not.toBe(text);
  writeFileSync(path, edited);
  return copy;
}

async function schemaErrors(dir: string): Promise<string[]> {
  const outcomes = await checkSchema(dir, schemas);
  return outcomes.flatMap((outcome) => (outcome.passed ? [] : outcome.details));
}

describe('npm run check:terraform', () => {
  it('passes on the configuration, every resource and data source checked', async () => {
    const outcomes = await checkSchema(terraformDir, schemas);
    expect(outcomes.map((outcome) => [outcome.name, outcome.passed])).toEqual([
      ['provider pins', true],
      ['schema', true],
    ]);
    expect(outcomes[1]?.summary).toMatch(
      /^\d+ resources and data sources, \d+ attribute references checked; not checked \(no schema\): none$/,
    );
    expect((await checkFormat(terraformDir)).details).toEqual([]);
  }, 60_000);

  it('fails on a wrong argument in a nested block, naming it and the right one', async () => {
    const copy = copyWith('functions.tf', (text) =>
      text.replace(
        'timeout_seconds                  = each.value.timeout',
        'timeout_second                   = each.value.timeout',
      ),
    );
    expect(await schemaErrors(copy)).toEqual([
      'functions.tf: google_cloudfunctions2_function.function.service_config: unsupported argument or block "timeout_second" (did you mean "timeout_seconds"?)',
    ]);
  }, 60_000);

  it('fails on a reference to an attribute the resource does not have', async () => {
    const copy = copyWith('outputs.tf', (text) =>
      text.replace('.service_config[0].uri', '.service_config[0].url'),
    );
    const errors = await schemaErrors(copy);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/google_cloudfunctions2_function has no attribute "url" here$/);
  }, 60_000);

  it('fails on a missing required argument and on an unknown resource type', async () => {
    const copy = copyWith('pubsub.tf', (text) =>
      text
        .replace('  name       = "retrain"\n', '')
        .replace(
          'resource "google_pubsub_topic" "ratings_dead_letter"',
          'resource "google_pubsub_topik" "ratings_dead_letter"',
        ),
    );
    const errors = await schemaErrors(copy);
    expect(errors).toContain(
      'pubsub.tf: google_pubsub_topic.retrain: required argument "name" is missing',
    );
    expect(errors.some((error) => /has no resource type google_pubsub_topik$/.test(error))).toBe(
      true,
    );
  }, 60_000);

  it('fails when the providers are pinned to another release than the schemas', async () => {
    const copy = copyWith('versions.tf', (text) => text.replaceAll('"8.7.0"', '"8.6.0"'));
    expect((await schemaErrors(copy)).join('\n')).toMatch(/google is pinned to "8\.6\.0"/);
  }, 60_000);

  it('fails on a file terraform fmt would rewrite', async () => {
    const copy = copyWith('storage.tf', (text) => text.replace(/\n {2}(\w+) += /, '\n  $1 =   '));
    expect((await checkFormat(copy)).details[0]).toMatch(/^storage\.tf is not formatted/);
  });
});
