import type { Bucket } from '@google-cloud/storage';
import {
  listModelVersions,
  movePointer,
  readModelFiles,
  readPointer,
} from '../adapters/storage.js';
import type { Logger } from '../core/logger.js';
import { rollbackCandidates } from '../core/version.js';
import { decodeModelFiles } from '../model/index.js';

export interface RollbackResult {
  from: string | undefined;
  to: string;
  /** Older versions passed over because their files are incomplete or corrupt. */
  skipped: { version: string; reason: string }[];
}

/**
 * Moves `models/current.json` back: to `to`, or to the newest version older than the current
 * one whose files are complete (each candidate is downloaded and checked as the ingest would
 * load it). The move is conditional on the pointer not having moved meanwhile. Republishing
 * users afterwards is the caller's choice (see republish.ts).
 */
export async function rollback(
  bucket: Bucket,
  options: { to?: string; log: Logger; now?: () => Date },
): Promise<RollbackResult> {
  const state = await readPointer(bucket);
  const versions = await listModelVersions(bucket);
  const candidates = rollbackCandidates(versions, state?.pointer.version, options.to);
  const skipped: RollbackResult['skipped'] = [];
  for (const version of candidates) {
    try {
      decodeModelFiles(await readModelFiles(bucket, version));
    } catch (error) {
      skipped.push({ version, reason: (error as Error).message });
      options.log.warn('rollback skips an incomplete version', {
        modelVersion: version,
        reason: (error as Error).message,
      });
      continue;
    }
    await movePointer(
      bucket,
      { version, publishedAt: (options.now?.() ?? new Date()).toISOString() },
      state?.generation ?? '0',
    );
    options.log.notice('model rolled back', {
      modelVersion: version,
      previousVersion: state?.pointer.version,
    });
    return { from: state?.pointer.version, to: version, skipped };
  }
  throw new Error(
    `no complete version to roll back to: ${skipped.map((s) => `${s.version} (${s.reason})`).join('; ')}`,
  );
}
