import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PORTS, type PortName, type StackPorts } from '@reel/pipelines/stack/emulators';
import { freePorts, isPortFree } from '@reel/pipelines/stack/ports';

const RUNNER_FILE = 'runner.pid';

function runnerPid(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A fresh state directory under the system's temp dir for this test run. A runner killed
 * outright cannot remove its own (its emulators die with it, see process-group.ts); this
 * removes those whose runner is gone.
 */
export function testStateDir(prefix: string): string {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(tmpdir(), name);
    const runner = runnerPid(join(dir, RUNNER_FILE));
    if (runner !== undefined && !isAlive(runner)) rmSync(dir, { recursive: true, force: true });
  }
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, RUNNER_FILE), String(process.pid));
  return dir;
}

/**
 * A port for everything the stack binds: the default plus `offset` when that is free (so
 * repeated runs get the same ports, and a build that depends on them can be reused), else
 * any free port.
 */
export async function testPorts(offset?: number): Promise<StackPorts> {
  const names = Object.keys(DEFAULT_PORTS) as PortName[];
  const preferred: Partial<StackPorts> = {};
  for (const name of names) {
    const port = offset === undefined ? undefined : DEFAULT_PORTS[name] + offset;
    if (port !== undefined && port < 65536 && (await isPortFree(port))) preferred[name] = port;
  }
  // Ports the OS hands out are ephemeral ones (32768 and up on Linux), above every default
  // plus offset.
  const others = await freePorts(names.filter((name) => preferred[name] === undefined));
  return { ...others, ...preferred };
}
