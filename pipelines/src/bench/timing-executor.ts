import type { Executor } from '@reel/functions/model';

/** One kernel run: which kernel and when it ran (performance.now(), ms). */
export interface KernelRun {
  readonly kernel: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Wraps an executor and records every kernel run, so a training run can be split into
 * iterations and kernels without asking the trainer for a loss pass (which would cost time).
 */
export function timingExecutor(inner: Executor): Executor & { readonly runs: KernelRun[] } {
  const runs: KernelRun[] = [];
  return {
    threads: inner.threads,
    runs,
    async run(kernel, args, chunkCount) {
      const start = performance.now();
      await inner.run(kernel, args, chunkCount);
      runs.push({ kernel, start, end: performance.now() });
    },
    close: () => inner.close(),
  };
}

/**
 * Seconds per iteration of one model from its kernel runs: an iteration ends with its user
 * step, the second `rowKernel` run of each pair (items, then users), and starts where the
 * previous one ended (the first at the model's first kernel run), so work the trainer does
 * between kernels (Gram sums on the main thread) counts too.
 */
export function iterationSeconds(
  runs: readonly KernelRun[],
  rowKernel: string,
  firstStart: number,
): number[] {
  const rowRuns = runs.filter((r) => r.kernel === rowKernel);
  const seconds: number[] = [];
  let previousEnd = firstStart;
  for (let n = 1; n < rowRuns.length; n += 2) {
    seconds.push((rowRuns[n].end - previousEnd) / 1000);
    previousEnd = rowRuns[n].end;
  }
  return seconds;
}

/** Total seconds per kernel name. */
export function kernelSeconds(runs: readonly KernelRun[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const run of runs)
    totals[run.kernel] = (totals[run.kernel] ?? 0) + (run.end - run.start) / 1000;
  return totals;
}
