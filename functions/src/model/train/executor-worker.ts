import { parentPort } from 'node:worker_threads';
import type { WorkerJob, WorkerReply } from './executor.js';
import { kernels } from './parallel-kernels.js';

// Entry point of a worker thread of createWorkerPool: takes chunks until none are left.
parentPort!.on('message', (job: WorkerJob) => {
  const run = kernels[job.kernel] as (args: unknown, chunk: number) => void;
  let reply: WorkerReply = { done: true };
  try {
    for (;;) {
      const chunk = Atomics.add(job.next, 0, 1);
      if (chunk >= job.chunkCount) break;
      run(job.args, chunk);
    }
  } catch (error) {
    reply = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort!.postMessage(reply);
});
