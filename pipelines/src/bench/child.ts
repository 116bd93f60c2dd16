import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RetrainChildRequest } from './retrain-child.js';
import type { RetrainTiming } from './retrain-timing.js';

const CHILD = fileURLToPath(new URL('./retrain-child.ts', import.meta.url));

export interface RetrainMeasurement extends RetrainTiming {
  source: string;
  ratings: number;
  users: number;
  movies: number;
  /** Peak RSS once the ratings were in memory, before training. */
  dataRssMiB: number;
  /** Peak RSS of the whole retrain process (the kernel's high-water mark, worker threads included). */
  peakRssMiB: number;
  /**
   * CPU time of the retrain (user + system, every thread of the process): on a shared machine
   * the wall clock also counts the time other processes held the cores.
   */
  cpuSeconds: number;
}

/** Runs one retrain in a fresh Node process (its own heap and RSS), relaying its progress. */
export function runRetrainChild(request: RetrainChildRequest): Promise<RetrainMeasurement> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', CHILD, JSON.stringify(request)],
      { maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `the retrain process failed (${error.message.split('\n')[0]}):\n${stderr.trim().split('\n').slice(-10).join('\n')}`,
            ),
          );
          return;
        }
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as RetrainMeasurement);
      },
    );
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  });
}
