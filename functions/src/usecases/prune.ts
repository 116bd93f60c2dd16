import type { Logger, ModelStore } from './ports.js';

/** The versions running republishes read: pruning never deletes them. */
export interface RunningRepublishes {
  runningVersions(): Promise<string[]>;
}

export interface PruneSettings {
  /** Published versions older than the serving one kept for rollback. */
  rollbackTargets: number;
  /** Staged versions (never published: refused, failed, or still being written) kept this long. */
  stagedRetentionHours?: number;
  now?: () => Date;
}

export interface PruneOutcome {
  serving: string | undefined;
  kept: string[];
  deleted: string[];
  deletedStaged: string[];
}

export const DEFAULT_STAGED_RETENTION_HOURS = 48;

/**
 * Which published versions to delete: those older than the serving one beyond the newest
 * `rollbackTargets` of them. Versions newer than the serving one stay (one may be published
 * this minute, or be what a rollback left), and so does every protected one.
 */
export function versionsToPrune(
  versions: readonly string[],
  serving: string | undefined,
  rollbackTargets: number,
  protectedVersions: ReadonlySet<string>,
): string[] {
  if (serving === undefined) return [];
  const older = versions
    .filter((version) => version < serving)
    .sort()
    .reverse();
  return older.slice(rollbackTargets).filter((version) => !protectedVersions.has(version));
}

/** When a version was made, from its name (see model-store/versions.ts), or undefined if it has none. */
export function versionTime(version: string): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2}(?:\.\d{3})?)Z/.exec(version);
  if (!match) return undefined;
  const time = new Date(`${match[1]}T${match[2]}:${match[3]}:${match[4]}Z`);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/**
 * Deletes old model versions: published ones beyond the serving version and its rollback
 * targets, and staged ones older than the retention (a trainer still writing one is younger).
 * Never a version the pointer or a running republish names; the pointer is read last, so a
 * version it moved to meanwhile is protected too.
 */
export async function pruneVersions(
  ports: { models: ModelStore; running: RunningRepublishes; log: Logger },
  settings: PruneSettings,
): Promise<PruneOutcome> {
  const { models, log } = ports;
  const now = settings.now ?? (() => new Date());
  const [versions, staged, running] = await Promise.all([
    models.listVersions(),
    models.listStagedVersions(),
    ports.running.runningVersions(),
  ]);
  const pointer = await models.readPointer();
  const serving = pointer?.pointer.version;
  const protectedVersions = new Set([...running, ...(serving ? [serving] : [])]);
  const deleted = versionsToPrune(versions, serving, settings.rollbackTargets, protectedVersions);
  const cutOff =
    now().getTime() - (settings.stagedRetentionHours ?? DEFAULT_STAGED_RETENTION_HOURS) * 3600_000;
  const deletedStaged = staged.filter((version) => {
    const made = versionTime(version);
    return made !== undefined && made.getTime() < cutOff && !protectedVersions.has(version);
  });
  for (const version of deleted) await models.deleteVersion(version);
  for (const version of deletedStaged) await models.deleteStaged(version);
  if (deleted.length + deletedStaged.length > 0) {
    log.info('pruned old model versions', { serving, deleted, deletedStaged });
  }
  const gone = new Set(deleted);
  return {
    serving,
    kept: versions.filter((version) => !gone.has(version)),
    deleted,
    deletedStaged,
  };
}
