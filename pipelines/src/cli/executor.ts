import { createWorkerPool, type Executor, serialExecutor } from '@reel/functions/model';

/** One thread: the calling thread; more: a worker pool of that many threads. */
export function createExecutor(threads: number): Executor {
  return threads === 1 ? serialExecutor : createWorkerPool(threads);
}
