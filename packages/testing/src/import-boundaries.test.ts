import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const biome = fileURLToPath(new URL('../../../node_modules/.bin/biome', import.meta.url));

/** Lints `source` as the file at `path` (repository-relative) of a copy with our biome.json. */
function lint(path: string, source: string) {
  const copy = mkdtempSync(join(tmpdir(), 'reel-lint-'));
  try {
    copyFileSync(join(root, 'biome.json'), join(copy, 'biome.json'));
    mkdirSync(dirname(join(copy, path)), { recursive: true });
    writeFileSync(join(copy, path), source);
    const run = spawnSync(biome, ['lint', '--vcs-enabled=false', path], {
      cwd: copy,
      encoding: 'utf8',
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

describe('import boundaries between workspaces (biome.json noRestrictedImports)', () => {
  it.each([
    ['functions/src/adapters/probe.itest.ts', '../../../pipelines/src/stack/provision.js'],
    ['pipelines/src/stack/probe.ts', '../../../functions/src/config.js'],
    ['site/src/lib/probe.ts', '../../../functions/src/contracts/rating-event.js'],
    ['packages/testing/src/probe.ts', '../../../pipelines/src/stack/stack.js'],
  ])('a copy of %s importing %s fails the lint', (path, specifier) => {
    const result = lint(path, `import { x } from '${specifier}';\n\nexport const y = x;\n`);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('noRestrictedImports');
  });

  it('a package import and an import within the package pass', () => {
    const source =
      "import { provisionBigQuery } from '@reel/testing/provision';\nimport { x } from '../config.js';\n\nexport const y = [x, provisionBigQuery];\n";
    const result = lint('functions/src/adapters/probe.itest.ts', source);
    expect(result.output).not.toContain('noRestrictedImports');
    expect(result.status).toBe(0);
  });
});
