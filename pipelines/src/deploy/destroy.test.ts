import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunOptions } from './deploy.js';
import { destroy, parseDestroyOptions } from './destroy.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const destroyScript = fileURLToPath(new URL('./destroy.ts', import.meta.url));

function recording() {
  const calls: string[] = [];
  const run = (command: string, args: readonly string[], options: RunOptions) => {
    calls.push(`${relative(repoRoot, options.cwd) || '.'}$ ${command} ${args.join(' ')}`);
    return '';
  };
  return { calls, run };
}

describe('npm run destroy', () => {
  it('refuses demo- projects and a missing project', () => {
    expect(() => parseDestroyOptions(['--project', 'demo-reel'])).toThrow(
      /refusing to destroy demo-reel/,
    );
    expect(() => parseDestroyOptions([])).toThrow(/no project given/);
    expect(parseDestroyOptions(['--project=reel-prod', '--yes'])).toEqual({
      projectId: 'reel-prod',
      yes: true,
    });
  });

  it('destroys nothing unless the project id is typed back', () => {
    for (const answer of ['reel-pro', '', undefined]) {
      const { calls, run } = recording();
      expect(() =>
        destroy({
          repoRoot,
          options: { projectId: 'reel-prod', yes: false },
          run,
          log: () => {},
          confirm: () => answer,
        }),
      ).toThrow(answer === undefined ? /pass --yes/ : /nothing was destroyed/);
      expect(calls).toEqual([]);
    }
  });

  it('works from a fresh clone: state from the bucket, a placeholder for the unbuilt functions', () => {
    const { calls, run } = recording();
    const questions: string[] = [];
    destroy({
      repoRoot,
      options: { projectId: 'reel-prod', yes: false },
      run,
      log: () => {},
      confirm: (question) => {
        questions.push(question);
        return 'reel-prod\n';
      },
    });
    expect(questions[0]).toContain('Type the project id');
    const placeholder = /-var=function_source_dir=(\S+)/.exec(calls[1] ?? '')?.[1] ?? '';
    expect(placeholder).toMatch(/reel-destroy-source-/);
    const vars = `-var=project_id=reel-prod -var=deletion_protection=false -var=function_source_dir=${placeholder}`;
    expect(calls).toEqual([
      'terraform$ terraform init -input=false -reconfigure -backend-config=bucket=reel-prod-reel-tfstate',
      `terraform$ terraform apply -input=false -auto-approve ${vars} -target=google_bigquery_dataset.reel -target=google_bigquery_table.rating_events -target=google_firestore_database.default -target=google_storage_bucket.models`,
      `terraform$ terraform destroy -input=false -auto-approve ${vars}`,
      '.$ gcloud storage rm --recursive gs://reel-prod-reel-tfstate',
    ]);
  });

  it('runs as npm run destroy without a staged build or a terminal, refusing to go on unasked', () => {
    const bin = mkdtempSync(join(tmpdir(), 'reel-bin-'));
    for (const tool of ['terraform', 'gcloud']) {
      writeFileSync(join(bin, tool), '#!/bin/sh\necho "fake $0 $*" >&2\nexit 3\n');
      chmodSync(join(bin, tool), 0o755);
    }
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', destroyScript, '--project', 'reel-prod'],
      {
        cwd: repoRoot,
        env: { PATH: bin },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no terminal): pass --yes');
    expect(result.stderr).not.toContain('fake');
  });
});
