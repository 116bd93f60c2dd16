import { Worker } from 'node:worker_threads';
import { type KernelArgs, type KernelName, kernels } from './parallel-kernels.js';

/**
 * Runs a kernel over chunks [0, chunkCount), on this thread or on a pool of worker threads.
 * Training takes one as an injected dependency: unit tests use {@link serialExecutor}, the
 * retrain uses {@link createWorkerPool} with as many threads as it has vCPUs.
 */
export interface Executor {
  /** Threads that run chunks at the same time. */
  readonly threads: number;
  /** Runs `kernels[kernel](args, chunk)` once for every chunk, in any order, on any thread. */
  run<K extends KernelName>(kernel: K, args: KernelArgs<K>, chunkCount: number): Promise<void>;
  /** Stops the threads; the executor cannot be used afterwards. */
  close(): Promise<void>;
}

/** Runs every chunk in order on the calling thread. */
export const serialExecutor: Executor = {
  threads: 1,
  async run(kernel, args, chunkCount) {
    const run = kernels[kernel] as (args: unknown, chunk: number) => void;
    for (let chunk = 0; chunk < chunkCount; chunk++) run(args, chunk);
  },
  async close() {},
};

/** What the main thread posts to a worker: run chunks until the shared counter passes the end. */
export interface WorkerJob {
  readonly kernel: KernelName;
  readonly args: unknown;
  readonly chunkCount: number;
  /** One Int32 in a SharedArrayBuffer: the next chunk to take (Atomics.add). */
  readonly next: Int32Array;
}

/** What a worker posts back when it has no chunk left to take, or when a chunk threw. */
export type WorkerReply = { readonly done: true } | { readonly error: string };

/**
 * Starts `threads` worker threads that take chunks from a shared counter, so a thread that
 * draws cheap chunks takes more of them. Arrays in the arguments must be backed by
 * SharedArrayBuffers (the layout and trainers allocate them so); anything else would be copied
 * to each worker and the results lost.
 */
export function createWorkerPool(threads: number): Executor {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`worker pool: threads must be a positive integer, got ${threads}`);
  }
  const workers = Array.from({ length: threads }, () => startWorker());
  // Idle workers must not keep the process alive; runOn holds a reference while one works.
  for (const worker of workers) worker.unref();
  let busy = false;
  return {
    threads,
    async run(kernel, args, chunkCount) {
      if (busy) throw new Error('worker pool: run() called while another run is in progress');
      busy = true;
      try {
        const next = new Int32Array(new SharedArrayBuffer(4));
        const job: WorkerJob = { kernel, args, chunkCount, next };
        // Wait for every worker, even after one failed, so no chunk runs after we return.
        const results = await Promise.allSettled(workers.map((worker) => runOn(worker, job)));
        const failed = results.find((result) => result.status === 'rejected');
        if (failed) throw failed.reason;
      } finally {
        busy = false;
      }
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

// Starts one worker on executor-worker.js, or, when this module runs from its TypeScript source
// (under tsx or vitest, which do not reach into worker threads), on executor-worker.ts through
// tsx's loader registered in the worker first.
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./executor-worker.js', import.meta.url));
  }
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./executor-worker.ts', import.meta.url).href;
  const bootstrap =
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); ` +
    `return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
}

function runOn(worker: Worker, job: WorkerJob): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: WorkerReply) => {
      worker.off('error', onError);
      worker.unref();
      if ('error' in reply) reject(new Error(`worker: ${reply.error}`));
      else resolve();
    };
    const onError = (error: Error) => {
      worker.off('message', onMessage);
      worker.unref();
      reject(error);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.ref();
    worker.postMessage(job);
  });
}
