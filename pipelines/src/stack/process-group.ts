import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProcessSpec {
  /** Short name for messages, e.g. "firestore". */
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr go here (appended), so a failed start can show its tail. */
  logFile: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessGroup {
  readonly name: string;
  /** The group leader's pid, which is also the process group id. */
  readonly pid: number;
  readonly logFile: string;
  /** What it was started with: `startProcessGroup(group.spec)` starts it again. */
  readonly spec: ProcessSpec;
  /** Resolves when the group leader exits. */
  readonly exited: Promise<ExitStatus>;
  /** True once the leader has exited. */
  hasExited(): boolean;
  /** SIGTERM to the whole group, then SIGKILL if anything is left after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Last lines of the log, for error messages. */
  logTail(lines?: number): string;
}

// Runs the real command as a child of a small bash guard that is the group leader. The guard
// watches the Node process that started it: if that process dies without stopping the group
// (SIGKILL, a crashed test runner), the guard takes the whole group down, so no emulator
// outlives the stack. The gcloud emulators are Java, and the firebase CLI forks its own
// children, which is why everything is stopped by group, never by pid.
const GUARD = `
"$@" &
child=$!
while kill -0 "$REEL_GUARD_PARENT" 2>/dev/null && kill -0 "$child" 2>/dev/null; do
  sleep 0.5
done
if kill -0 "$child" 2>/dev/null; then
  trap '' TERM
  kill -TERM 0
  for _ in $(seq 20); do kill -0 "$child" 2>/dev/null || break; sleep 0.5; done
  kill -KILL 0
fi
wait "$child"
`;

/** Starts `spec` in a new process group (its own session), logging to `spec.logFile`. */
export function startProcessGroup(spec: ProcessSpec): ProcessGroup {
  const log = openSync(spec.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn('bash', ['-c', GUARD, `reel-${spec.name}`, spec.command, ...spec.args], {
      cwd: spec.cwd,
      env: { ...(spec.env ?? process.env), REEL_GUARD_PARENT: String(process.pid) },
      detached: true,
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`${spec.name}: could not start ${spec.command}`);
  }
  let exitStatus: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      resolve(exitStatus);
    });
  });
  // The group must not keep the Node event loop alive, e.g. in a CLI that waits for Ctrl-C.
  child.unref();

  const logTail = (lines = 20): string => tailOf(spec.logFile, lines);

  return {
    name: spec.name,
    pid,
    logFile: spec.logFile,
    spec,
    exited,
    hasExited: () => exitStatus !== undefined,
    logTail,
    stop: (graceMs = 10_000) => stopGroup(pid, graceMs),
  };
}

/** True while any process of the group `pgid` is alive. */
export function groupIsAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Stops the process group `pgid`: SIGTERM, wait up to `graceMs`, then SIGKILL. */
export async function stopGroup(pgid: number, graceMs: number): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupIsAlive(pgid) && Date.now() < deadline) {
    await sleep(50);
  }
  if (groupIsAlive(pgid)) {
    signalGroup(pgid, 'SIGKILL');
    while (groupIsAlive(pgid)) {
      await sleep(20);
    }
  }
}

/** Synchronous last resort for `process.on('exit')`, where nothing asynchronous runs. */
export function killGroupNow(pgid: number): void {
  signalGroup(pgid, 'SIGKILL');
}

function tailOf(file: string, lines: number): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Resident memory of every process in group `pgid`, from /proc (Linux), in bytes. */
export function groupRssBytes(pgid: number): number {
  const pageSize = 4096;
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the parenthesised command name: state ppid pgrp ... (rss is field 24).
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) total += Number(fields[21]) * pageSize;
    } catch {
      // The process exited while we looked.
    }
  }
  return total;
}
