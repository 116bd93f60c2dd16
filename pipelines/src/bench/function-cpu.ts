/**
 * A function's own CPU per request, read from the lines its local server writes for each
 * request (pipelines/src/stack/function-server.ts): its process alone, apart from the
 * emulators and the benchmark driving it.
 */
import { readFileSync } from 'node:fs';
import { summarise } from './e2e-phase.js';

export interface FunctionCpu {
  /** Requests measured. */
  events: number;
  /**
   * CPU of the process per request, from its arrival to its answer (shared equally among the
   * requests in flight at the time).
   */
  p50Ms: number;
  p95Ms: number;
  /** The process's whole CPU over those requests (GC and background work included) / events. */
  meanMs: number;
}

/** What a function's local server logged for one request. */
export interface RequestCpu {
  /** This request's CPU, µs. */
  spent: number;
  /** The process's CPU so far, µs. */
  total: number;
}

/** A function's per-request CPU lines, in the order its requests were answered. */
export function cpuLines(logFile: string): RequestCpu[] {
  const requests: RequestCpu[] = [];
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.startsWith('{"severity":"DEBUG","message":"request cpu"')) continue;
    const entry = JSON.parse(line) as { requestCpuMicros: number; processCpuMicros: number };
    requests.push({ spent: entry.requestCpuMicros, total: entry.processCpuMicros });
  }
  return requests;
}

/** The CPU per request over requests [from, to) of {@link cpuLines}. */
export function functionCpu(
  requests: readonly RequestCpu[],
  from: number,
  to: number,
): FunctionCpu {
  const measured = requests.slice(from, to);
  const start = requests[from - 1]?.total ?? 0;
  const end = measured.at(-1)?.total ?? start;
  const spent = summarise(measured.map((request) => request.spent / 1000));
  return {
    events: measured.length,
    p50Ms: spent.p50,
    p95Ms: spent.p95,
    meanMs: (end - start) / 1000 / measured.length,
  };
}
