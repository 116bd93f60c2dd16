import { fileURLToPath } from 'node:url';

/** The repository root (this file is pipelines/src/stack/repository.ts). */
export function repositoryRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url));
}
