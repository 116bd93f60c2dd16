import type { Bucket } from '@google-cloud/storage';
import { listModelVersions, movePointer, readPointer } from '@reel/functions/adapters';
import { UsageError } from '../cli/args.js';

/**
 * The version to roll back to: `requested` if it exists, else the newest version older than
 * `current` (versions sort by time).
 */
export function chooseRollbackVersion(
  versions: readonly string[],
  current: string,
  requested?: string,
): string {
  if (requested !== undefined) {
    if (!versions.includes(requested)) {
      throw new UsageError(
        `--to ${requested}: no such model version; the bucket has ${versions.join(', ') || 'none'}`,
      );
    }
    if (requested === current) throw new UsageError(`--to ${requested} is already serving`);
    return requested;
  }
  const previous = versions
    .filter((version) => version < current)
    .sort()
    .at(-1);
  if (previous === undefined) {
    throw new Error(`${current} is the oldest model version there is: nothing to roll back to`);
  }
  return previous;
}

/** Moves the pointer back, conditionally on it not having moved since it was read. */
export async function rollbackModel(
  bucket: Bucket,
  requested?: string,
): Promise<{ from: string; to: string }> {
  const state = await readPointer(bucket);
  if (!state) throw new Error('no model is serving: nothing to roll back');
  const to = chooseRollbackVersion(
    await listModelVersions(bucket),
    state.pointer.version,
    requested,
  );
  await movePointer(
    bucket,
    { version: to, publishedAt: new Date().toISOString() },
    state.generation,
  );
  return { from: state.pointer.version, to };
}
