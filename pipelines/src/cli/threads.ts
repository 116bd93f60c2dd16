import { createWorkerPool, type Executor, serialExecutor } from '@reel/functions/model';

/** One thread: the calling thread; more: a worker pool of that many threads. */
export function createExecutor(threads: number): Executor {
  return threads === 1 ? serialExecutor : createWorkerPool(threads);
}

/**
 * Waits until every worker has started and loaded the kernels, so a timed fit does not count
 * it (under tsx that includes compiling the TypeScript sources, which the deployed function,
 * running compiled JavaScript, does not do). An empty run: no chunk runs, no argument is read.
 */
export async function startWorkers(executor: Executor): Promise<void> {
  await executor.run('gram', {} as never, 0);
}
