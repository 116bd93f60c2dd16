import { createHash } from 'node:crypto';

/**
 * A model version name that sorts by time: `2026-11-23T13-45-00.123Z-1a2b3c4d`, the UTC
 * millisecond of the retrain (":" is awkward in object names and shells; a second is too coarse:
 * two retrains in one second would sort by their hash, and rollback goes by this order) and 8
 * hex digits of a hash of what makes this model (data cut-off, size, config, a nonce), so two
 * retrains never collide.
 */
export function versionName(at: Date, parts: readonly unknown[]): string {
  const stamp = at.toISOString().replaceAll(':', '-');
  const hash = createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 8);
  return `${stamp}-${hash}`;
}

/**
 * The versions a rollback may move the pointer to, best first: `to` alone if given (it must
 * exist and differ from the current one), else every version older than the current one,
 * newest first (the caller takes the first whose files are complete).
 */
export function rollbackCandidates(
  versions: readonly string[],
  current: string | undefined,
  to?: string,
): string[] {
  if (to !== undefined) {
    if (!versions.includes(to)) {
      throw new Error(
        `version ${to} has no files in the bucket; choose one of: ${versions.join(', ') || '(none)'}`,
      );
    }
    if (to === current) throw new Error(`version ${to} is already the current model`);
    return [to];
  }
  if (current === undefined) throw new Error('no model is published yet: nothing to roll back');
  const older = versions
    .filter((version) => version < current)
    .sort()
    .reverse();
  if (older.length === 0) throw new Error(`no version older than ${current} to roll back to`);
  return older;
}
