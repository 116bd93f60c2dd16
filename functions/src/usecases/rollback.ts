import { decodeModelFiles } from '../model/index.js';
import { pointerSerial } from '../model-store/bucket-layout.js';
import { rollbackCandidates } from '../model-store/versions.js';
import type { Logger, ModelStore, RepublishStart, RepublishStarter } from './ports.js';

export interface RollbackResult {
  from: string | undefined;
  to: string;
  /** Older versions passed over because their files are incomplete or corrupt. */
  skipped: { version: string; reason: string }[];
  republish: RepublishStart;
}

/**
 * Moves the pointer back: to `to`, or to the newest version older than the current one whose
 * files are complete (each candidate is downloaded and checked as the ingest would load it).
 * The move is conditional on the pointer not having moved meanwhile, and takes the next serial,
 * so the republish it starts (the same fan-out as a publish) wins over any republish still
 * running for the version rolled back from.
 */
export async function rollback(
  ports: { models: ModelStore; republish: RepublishStarter; log: Logger },
  options: { to?: string; now?: () => Date } = {},
): Promise<RollbackResult> {
  const { models, log } = ports;
  const state = await models.readPointer();
  const versions = await models.listVersions();
  const candidates = rollbackCandidates(versions, state?.pointer.version, options.to);
  const skipped: RollbackResult['skipped'] = [];
  for (const version of candidates) {
    try {
      decodeModelFiles(await models.readModelFiles(version));
    } catch (error) {
      skipped.push({ version, reason: (error as Error).message });
      log.warn('rollback skips an incomplete version', {
        modelVersion: version,
        reason: (error as Error).message,
      });
      continue;
    }
    const serial = pointerSerial(state?.pointer) + 1;
    await models.movePointer(
      { version, publishedAt: (options.now?.() ?? new Date()).toISOString(), serial },
      state?.generation ?? '0',
    );
    log.notice('model rolled back', {
      modelVersion: version,
      previousVersion: state?.pointer.version,
      serial,
    });
    const republish = await ports.republish.start({ version, serial });
    return { from: state?.pointer.version, to: version, skipped, republish };
  }
  throw new Error(
    `no complete version to roll back to: ${skipped.map((s) => `${s.version} (${s.reason})`).join('; ')}`,
  );
}
