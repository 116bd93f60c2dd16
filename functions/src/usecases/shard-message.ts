import type { RepublishShard } from './ports.js';

const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Parses a republish shard message (topic `republish`), naming what is wrong with it. */
export function parseRepublishShard(data: unknown): RepublishShard {
  const shard = data as Record<string, unknown> | null;
  if (shard === null || typeof shard !== 'object') {
    throw new Error('a republish shard must be a JSON object');
  }
  const { version, serial, kind } = shard;
  if (typeof version !== 'string' || !VERSION.test(version)) {
    throw new Error('republish shard: version must be a model version name');
  }
  const isCount = (value: unknown): value is number =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
  if (!isCount(serial)) throw new Error('republish shard: serial must be a non-negative integer');
  if (!isCount(shard.shard))
    throw new Error('republish shard: shard must be a non-negative integer');
  const head = { version, serial, shard: shard.shard };
  if (kind === 'popular') return { ...head, kind };
  if (kind === 'movies') {
    const { from, to } = shard;
    if (!isCount(from) || !isCount(to) || from > to) {
      throw new Error('republish shard: movies need rows from ≤ to (non-negative integers)');
    }
    return { ...head, kind, from, to };
  }
  if (kind === 'users') {
    const { uids } = shard;
    if (
      !Array.isArray(uids) ||
      !uids.every((uid) => typeof uid === 'string' && uid.length > 0 && uid.length <= 128)
    ) {
      throw new Error('republish shard: uids must be an array of user ids');
    }
    return { ...head, kind, uids: uids as string[] };
  }
  throw new Error(
    `republish shard: kind must be "users", "movies" or "popular", not ${JSON.stringify(kind)}`,
  );
}
