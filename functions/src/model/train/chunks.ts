import type { Random } from '../types.js';
import { sharedInt32 } from './rating-layout.js';

/**
 * Splits rows [0, rowCount) into at most `chunkCount` consecutive chunks of about equal cost,
 * a row costing its entry count plus `rowCost` (the per-row solve). The split depends only on
 * the data, never on the number of threads, so partial sums come out the same however many
 * threads run.
 */
export function balancedChunks(
  offsets: Int32Array,
  chunkCount: number,
  rowCost: number,
): Int32Array {
  const rowCount = offsets.length - 1;
  const total = offsets[rowCount] + rowCost * rowCount;
  const count = Math.max(1, Math.min(chunkCount, rowCount));
  const starts: number[] = [0];
  let row = 0;
  for (let c = 1; c < count; c++) {
    const target = (total * c) / count;
    while (row < rowCount && offsets[row] + rowCost * row < target) row++;
    if (row > starts[starts.length - 1]!) starts.push(row);
  }
  starts.push(rowCount);
  const out = sharedInt32(starts.length);
  out.set(starts);
  return out;
}

/** Fills `factors` with values uniform in ±scale, in index order (deterministic for a seed). */
export function fillUniform(factors: Float64Array, scale: number, random: Random): void {
  for (let n = 0; n < factors.length; n++) factors[n] = (2 * random() - 1) * scale;
}
