import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileWasmSources, renderWasmModules } from './wasm-build.js';

describe('embedded WebAssembly modules', () => {
  it('are exactly what the .wat sources compile to (run npm run build:wasm -w functions)', async () => {
    const embedded = readFileSync(
      fileURLToPath(new URL('wasm-modules.ts', import.meta.url)),
      'utf8',
    );
    const compiled = await compileWasmSources();
    expect(Object.keys(compiled)).toEqual(['TRAINING_KERNELS_WASM', 'CATALOGUE_SCORES_WASM']);
    expect(embedded).toBe(renderWasmModules(compiled));
  });

  it('would notice a changed source', async () => {
    const compiled = await compileWasmSources();
    const tampered = { ...compiled, CATALOGUE_SCORES_WASM: `${compiled.CATALOGUE_SCORES_WASM}AA` };
    expect(renderWasmModules(tampered)).not.toBe(renderWasmModules(compiled));
  });
});
