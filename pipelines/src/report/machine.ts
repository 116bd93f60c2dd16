import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

/** What every report prints about where it ran, so figures are read against their machine. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average when the run started: other work on a shared machine skews timings. */
  loadAverage: number;
}

export function describeMachine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${process.platform} ${process.arch}`,
    loadAverage: Math.round(loadavg()[0] * 100) / 100,
  };
}

export function machineLine(machine: Machine): string {
  return (
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, ` +
    `Node ${machine.node}, ${machine.os}, load average ${machine.loadAverage} at start`
  );
}

/** Peak resident set size of this process so far, in MiB (the kernel's high-water mark). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
